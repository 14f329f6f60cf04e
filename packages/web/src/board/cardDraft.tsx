/**
 * Unsaved card edits are never thrown away silently. Closing the panel from inside (Escape, ×, a
 * click outside, Cancel) asks first; leaving it any other way (Back, a reload, a link) keeps the
 * edits as a draft in this tab, and opening the card again brings them back. A draft remembers the
 * version it was made at, so saving it over a newer card goes through the usual conflict choice.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Card } from '../api/types.js';
import { navigate } from '../app/router.js';
import type { FormValues } from '../forms/fields.js';
import { useToast } from '../ui/Toasts.js';

/** A card's unsaved edits, as kept in sessionStorage. */
export interface CardDraft {
  values: FormValues;
  /** The card's version the edits were made against. */
  version: number;
}

const storageKey = (cardId: string) => `prodboard.draft.card.${cardId}`;

function readDraft(cardId: string): CardDraft | undefined {
  try {
    const raw = sessionStorage.getItem(storageKey(cardId));
    const draft = raw ? (JSON.parse(raw) as CardDraft) : undefined;
    return draft && typeof draft.version === 'number' && draft.values && typeof draft.values === 'object' ? draft : undefined;
  } catch {
    return undefined;
  }
}

function writeDraft(cardId: string, draft: CardDraft | undefined): void {
  try {
    if (draft) sessionStorage.setItem(storageKey(cardId), JSON.stringify(draft));
    else sessionStorage.removeItem(storageKey(cardId));
  } catch {
    // Storage full or refused (private mode): the question on close still protects the edits.
  }
}

/** Edits kept from an earlier visit to the card, read once, when the panel opens. */
export function useRestoredDraft(cardId: string): CardDraft | undefined {
  return useState(() => readDraft(cardId))[0];
}

/**
 * Keeps the draft of `card` while the form is `dirty`. `requestClose` asks before `onClose` throws
 * edits away; `finish` forgets the draft once the edits are saved or the card is gone.
 */
export function useCardDraft(card: Card, dirty: boolean, values: FormValues, version: number, onClose: () => void) {
  const [confirming, setConfirming] = useState(false);
  const finished = useRef(false);
  const toast = useToast();

  useEffect(() => {
    if (finished.current) return;
    writeDraft(card.id, dirty ? { values, version } : undefined);
    if (!dirty) setConfirming(false);
  }, [card.id, dirty, values, version]);

  // Leaving with edits any other way than through the panel (Back, a link): say where they are.
  const latest = useRef({ dirty, title: card.data.title, href: '' });
  latest.current.dirty = dirty;
  useEffect(() => {
    latest.current.href = window.location.pathname + window.location.search;
    return () => {
      if (finished.current || !latest.current.dirty) return;
      const { href, title } = latest.current;
      toast(`Your unsaved edits to “${title}” are kept as a draft. Open the card again to finish them.`, {
        action: { label: 'Open card', run: () => navigate(href) },
      });
    };
  }, []);

  const finish = useCallback(() => {
    finished.current = true;
    writeDraft(card.id, undefined);
  }, [card.id]);

  const requestClose = useCallback(() => {
    if (dirty) setConfirming(true);
    else onClose();
  }, [dirty, onClose]);

  const discard = useCallback(() => {
    finish();
    onClose();
  }, [finish, onClose]);

  return { confirming, keepEditing: () => setConfirming(false), discard, requestClose, finish };
}

/** The question before unsaved edits are thrown away. */
export function DiscardQuestion({ onKeep, onDiscard }: { onKeep: () => void; onDiscard: () => void }) {
  const keep = useRef<HTMLButtonElement>(null);
  useEffect(() => keep.current?.focus(), []);
  return (
    <div className="notice notice-warn" role="alert" data-testid="discard-question">
      <p>
        <strong>You have unsaved changes to this card.</strong> Close it and lose them?
      </p>
      <div className="notice-actions">
        <button type="button" ref={keep} className="btn btn-primary btn-small" onClick={onKeep}>
          Keep editing
        </button>
        <button type="button" className="btn btn-secondary btn-small danger" onClick={onDiscard}>
          Discard changes
        </button>
      </div>
    </div>
  );
}

/** Says that edits from an earlier visit are back in the form. */
export function DraftRestored({ onDiscard }: { onDiscard: () => void }) {
  return (
    <div className="notice" role="status" data-testid="draft-restored">
      <p>Your unsaved edits from before are back. Save them, or discard them to see the card as it is.</p>
      <div className="notice-actions">
        <button type="button" className="btn btn-secondary btn-small" onClick={onDiscard}>
          Discard my edits
        </button>
      </div>
    </div>
  );
}
