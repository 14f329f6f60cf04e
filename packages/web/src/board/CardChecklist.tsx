/**
 * The checklist of an open card: add, rename, reorder, tick and remove items. Each change is saved at
 * once (like ticking a box on paper), as the whole list with the version it was made on, so a change
 * made on a card someone else just changed is refused (412) instead of undoing theirs: the list then
 * shows their version and says so. Changes made quickly one after another are saved in order.
 */
import { CHECKLIST_LIMITS, newChecklistItemId, type ChecklistItem } from '@prodboard/shared';
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { ApiError, api, errorMessage } from '../api/client.js';
import type { Card } from '../api/types.js';
import { Icon } from '../ui/icons.js';
import { ChecklistProgress } from './ChecklistProgress.js';

interface Props {
  /** The newest copy of the card the panel knows. */
  card: Card;
  canWrite: boolean;
  /** A newer copy of the card: this checklist's own save (`own`), or the server's copy read after a failed one. */
  onChanged: (card: Card, own: boolean) => void;
}

function itemsOf(card: Card): ChecklistItem[] {
  return Array.isArray(card.data.checklist) ? card.data.checklist : [];
}

export function CardChecklist({ card, canWrite, onChanged }: Props) {
  const [items, setItems] = useState(() => itemsOf(card));
  const [error, setError] = useState<string>();
  const [adding, setAdding] = useState('');
  const version = useRef(card.version);
  const queue = useRef(Promise.resolve());
  const inFlight = useRef(0);
  // Bumped when a save fails: saves queued behind it were made on a list that is no longer true.
  const generation = useRef(0);

  // A newer copy from elsewhere (live updates) replaces the list, unless our own saves are under way.
  useEffect(() => {
    if (card.version > version.current && inFlight.current === 0) {
      version.current = card.version;
      setItems(itemsOf(card));
    }
  }, [card]);

  const save = (next: ChecklistItem[]) => {
    setItems(next);
    setError(undefined);
    const made = generation.current;
    inFlight.current += 1;
    queue.current = queue.current.then(async () => {
      try {
        if (made !== generation.current) return;
        const saved = await api.patch<Card>(`/data/card/${card.id}`, { checklist: next }, { ifMatch: version.current });
        version.current = saved.version;
        onChanged(saved, true);
      } catch (err) {
        generation.current += 1;
        if (err instanceof ApiError && err.status === 412) {
          setError('Someone else changed this card just now. The checklist shows their version; make your change again.');
        } else {
          setError(errorMessage(err));
        }
        try {
          const fresh = await api.get<Card>(`/data/card/${card.id}`);
          version.current = fresh.version;
          setItems(itemsOf(fresh));
          onChanged(fresh, false);
        } catch {
          // Offline: the list stays as the person left it; the error above says it was not saved.
        }
      } finally {
        inFlight.current -= 1;
      }
    });
  };

  const add = () => {
    const text = adding.trim();
    if (!text) return;
    if (items.length >= CHECKLIST_LIMITS.maxItems) {
      setError(`A checklist holds at most ${CHECKLIST_LIMITS.maxItems} items. Remove finished ones first.`);
      return;
    }
    save([...items, { id: newChecklistItemId(), text: text.slice(0, CHECKLIST_LIMITS.maxTextLength), done: false }]);
    setAdding('');
  };
  const update = (id: string, change: Partial<ChecklistItem>) => save(items.map((i) => (i.id === id ? { ...i, ...change } : i)));
  const move = (index: number, by: -1 | 1) => {
    const next = [...items];
    const [item] = next.splice(index, 1);
    next.splice(index + by, 0, item);
    save(next);
  };
  const remove = (id: string) => save(items.filter((i) => i.id !== id));

  return (
    <section className="card-checklist" aria-labelledby="card-checklist-title">
      <div className="checklist-head">
        <h3 id="card-checklist-title">Checklist</h3>
        <ChecklistProgress checklist={items} />
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {items.length > 0 && (
        <ol className="checklist-items">
          {items.map((item, index) => (
            <li key={item.id} className={`checklist-item${item.done ? ' checklist-item-done' : ''}`}>
              <input type="checkbox" checked={item.done} disabled={!canWrite} aria-label={`Done: ${item.text}`} onChange={(e) => update(item.id, { done: e.target.checked })} />
              <ItemText item={item} canWrite={canWrite} onRename={(text) => update(item.id, { text })} />
              {canWrite && (
                <span className="checklist-actions">
                  <button type="button" className="icon-btn" aria-label={`Move up: ${item.text}`} disabled={index === 0} onClick={() => move(index, -1)}>
                    <Icon name="up" size={16} />
                  </button>
                  <button type="button" className="icon-btn" aria-label={`Move down: ${item.text}`} disabled={index === items.length - 1} onClick={() => move(index, 1)}>
                    <Icon name="down" size={16} />
                  </button>
                  <button type="button" className="icon-btn" aria-label={`Remove: ${item.text}`} onClick={() => remove(item.id)}>
                    <Icon name="close" size={16} />
                  </button>
                </span>
              )}
            </li>
          ))}
        </ol>
      )}
      {canWrite && (
        <div className="checklist-add">
          <label className="visually-hidden" htmlFor="checklist-new">
            New checklist item
          </label>
          <input
            id="checklist-new"
            className="input input-small"
            placeholder="Add an item"
            value={adding}
            maxLength={CHECKLIST_LIMITS.maxTextLength}
            onChange={(e) => setAdding(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                add();
              }
            }}
          />
          <button type="button" className="btn btn-secondary btn-small" onClick={add} disabled={!adding.trim()}>
            <Icon name="plus" size={16} /> Add
          </button>
        </div>
      )}
    </section>
  );
}

/** An item's text, renamed in place: saved on Enter or when focus leaves, put back on Escape. */
function ItemText({ item, canWrite, onRename }: { item: ChecklistItem; canWrite: boolean; onRename: (text: string) => void }) {
  const [draft, setDraft] = useState(item.text);
  useEffect(() => setDraft(item.text), [item.text]);
  if (!canWrite) return <span className="checklist-text">{item.text}</span>;
  const commit = () => {
    const text = draft.trim();
    if (text && text !== item.text) onRename(text);
    else setDraft(item.text);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      e.currentTarget.blur();
    } else if (e.key === 'Escape') {
      // Escape puts the text back; it must not close the panel too (the dialog closes on Escape's default).
      e.preventDefault();
      e.stopPropagation();
      setDraft(item.text);
    }
  };
  return (
    <input
      className="checklist-text input-plain"
      aria-label={`Item text: ${item.text}`}
      value={draft}
      maxLength={CHECKLIST_LIMITS.maxTextLength}
      onChange={(e) => setDraft(e.target.value)}
      onBlur={commit}
      onKeyDown={onKeyDown}
    />
  );
}
