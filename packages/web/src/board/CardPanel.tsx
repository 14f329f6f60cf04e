/**
 * The card panel: every field of a card (from the manifest), saved with the version it was opened
 * at. When someone else changes the card meanwhile, an untouched form quietly takes their version;
 * an edited one says so and lets the person keep their edits or take the other version. Nothing is
 * ever overwritten silently.
 */
import { useEffect, useMemo, useState } from 'react';
import { ApiError, api, errorMessage } from '../api/client.js';
import type { Board, Card, Page } from '../api/types.js';
import { formBody, formFields, toFormValues } from '../forms/fields.js';
import { ModelForm } from '../forms/ModelForm.js';
import { useForm } from '../forms/useForm.js';
import { useSession } from '../app/session.js';
import { CardChecklist } from './CardChecklist.js';
import { useMembers } from './members.js';
import { Dialog } from '../ui/Dialog.js';
import { FormError } from '../ui/Field.js';
import { timeAgo } from '../ui/format.js';
import { Icon } from '../ui/icons.js';
import { DiscardQuestion, DraftRestored, useCardDraft, useRestoredDraft } from './cardDraft.js';
import { Markdown } from '../ui/Markdown.js';
import { CardComments } from './CardComments.js';
import { CardHistory } from './CardHistory.js';

interface Props {
  card: Card;
  /** The newest copy the board knows (live updates), possibly newer than `card`. */
  latest?: Card;
  board: Board;
  assignees: readonly string[];
  canWrite: boolean;
  onClose: () => void;
  onSaved: (card: Card) => void;
  /** A newer copy of the card saved without closing the panel (the checklist). */
  onChanged?: (card: Card) => void;
  onRemoved: (card: Card, how: 'delete' | 'archive') => void;
}

export function CardPanel({ card, latest, board, assignees, canWrite, onClose, onSaved, onChanged, onRemoved }: Props) {
  // The free-text assignee is offered only on cards that still carry one (it names no member).
  const hasUnmatched = !!card.data.assignee;
  const fields = useMemo(
    () => formFields('card', 'update', hasUnmatched ? [] : ['assignee']).map((f) => (f.name === 'assignee' ? { ...f, label: 'Unmatched assignee' } : f)),
    [hasUnmatched],
  );
  const members = useMembers();
  const { me } = useSession();
  const [current, setCurrent] = useState(card);
  const newest = latest && latest.version > current.version ? latest : current;
  const names = useMemo(() => fields.map((f) => f.name), [fields]);
  const [initial, setInitial] = useState(() => toFormValues(fields, card.data));
  const [version, setVersion] = useState(card.version);
  // Edits kept from an earlier visit come back; made against an older version, they meet it as a conflict.
  const restored = useRestoredDraft(card.id);
  const [conflict, setConflict] = useState<Card | undefined>(() => (restored && restored.version < card.version ? card : undefined));
  const [boards, setBoards] = useState<Board[]>([board]);
  const form = useForm(restored?.values ?? initial, names);
  const dirty = fields.some((f) => (form.values[f.name] ?? '') !== (initial[f.name] ?? ''));
  const draft = useCardDraft(card, dirty, form.values, version, onClose);

  useEffect(() => {
    api
      .get<Page<Board>>('/data/board', { query: { limit: 50, sort: 'data__name' } })
      .then((page) => setBoards(page.data.some((b) => b.id === board.id) ? page.data : [board, ...page.data]))
      .catch(() => {});
  }, [board]);

  // Someone else changed the card while it is open.
  useEffect(() => {
    if (!latest || latest.version <= version) return;
    if (!dirty) {
      const values = toFormValues(fields, latest.data);
      setInitial(values);
      form.setValues(values);
      setVersion(latest.version);
    } else {
      setConflict(latest);
    }
    // Only a newer copy arriving from outside runs this; the form's own edits must not.
  }, [latest?.version]);

  const selectedBoard = boards.find((b) => b.id === form.values.board_id) ?? board;
  const context = {
    columns: selectedBoard.data.columns,
    refOptions: { board: boards.map((b) => ({ value: b.id, label: b.data.name })) },
    suggestions: { assignee: assignees },
    members: members.list.map((m) => ({ id: m.user_id, name: m.name, email: m.email })),
    meId: me?.id,
  };

  // A checklist save is this person's own write: the form moves to its version unless something
  // else happened in between. Another person's copy (read after a refused save) never moves it: the
  // form's own conflict check (the effect on `latest` above) deals with that, as for any change.
  const checklistChanged = (saved: Card, own: boolean) => {
    setCurrent(saved);
    if (own) setVersion((v) => (saved.version === v + 1 && !conflict ? saved.version : v));
    onChanged?.(saved);
  };

  const save = (ifMatch: number) =>
    form.submit(async () => {
      const body = formBody(fields, form.values, initial);
      if (Object.keys(body).length === 0) return onClose();
      try {
        const saved = await api.patch<Card>(`/data/card/${card.id}`, body, { ifMatch });
        setConflict(undefined);
        draft.finish();
        onSaved(saved);
      } catch (err) {
        if (err instanceof ApiError && err.status === 412) {
          setConflict(await api.get<Card>(`/data/card/${card.id}`));
          throw new ApiError(412, { detail: 'Someone else changed this card while you were editing it. Choose below which version to keep.', code: 'precondition_failed', errors: [] });
        }
        throw err;
      }
    });

  const takeTheirs = () => {
    if (!conflict) return;
    const values = toFormValues(fields, conflict.data);
    setInitial(values);
    form.setValues(values);
    form.setErrors({});
    form.setGeneral(undefined);
    setVersion(conflict.version);
    setConflict(undefined);
  };

  const remove = async (how: 'delete' | 'archive') => {
    try {
      if (how === 'delete') await api.delete(`/data/card/${card.id}`, { ifMatch: version });
      else await api.patch(`/data/card/${card.id}`, { is_archived: true }, { ifMatch: version });
      draft.finish();
      onRemoved(card, how);
    } catch (err) {
      form.setGeneral(errorMessage(err));
    }
  };

  return (
    <Dialog
      variant="drawer"
      title={(latest ?? card).data.title}
      onClose={draft.requestClose}
      footer={
        canWrite ? (
          <>
            <button type="button" className="btn btn-ghost danger" onClick={() => void remove('delete')}>
              <Icon name="trash" size={16} /> Delete
            </button>
            <button type="button" className="btn btn-ghost" onClick={() => void remove('archive')}>
              <Icon name="archive" size={16} /> Archive
            </button>
            <span className="spacer" />
            <button type="button" className="btn btn-secondary" onClick={draft.requestClose}>
              Cancel
            </button>
            <button type="submit" form="card-form" className="btn btn-primary" disabled={form.busy}>
              {form.busy ? 'Saving…' : 'Save'}
            </button>
          </>
        ) : undefined
      }
    >
      {card.key && <p className="card-panel-key">{card.key}</p>}
      <form
        id="card-form"
        ref={form.formRef}
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void save(conflict ? conflict.version : version);
        }}
      >
        {draft.confirming && <DiscardQuestion onKeep={draft.keepEditing} onDiscard={draft.discard} />}
        {restored && dirty && !conflict && !draft.confirming && <DraftRestored onDiscard={() => form.setValues(initial)} />}
        <FormError message={form.general} />
        {conflict && (
          <div className="notice notice-warn" role="alert">
            <p>
              <strong>This card changed while you were editing it</strong> (now version {conflict.version}, “{conflict.data.title}”).
            </p>
            <div className="notice-actions">
              <button type="submit" className="btn btn-primary btn-small">
                Keep my edits and save
              </button>
              <button type="button" className="btn btn-secondary btn-small" onClick={takeTheirs}>
                Use their version
              </button>
            </div>
          </div>
        )}
        <fieldset disabled={!canWrite} className="plain">
          <ModelForm fields={fields} values={form.values} errors={form.errors} onChange={form.onChange} context={context} autoFocus="title" />
        </fieldset>
      </form>
      {/* Outside the form: Enter in the checklist adds an item, it must not save the card. */}
      <CardChecklist card={newest} canWrite={canWrite} onChanged={checklistChanged} />
      {(form.values.description ?? '').trim() !== '' && (
        <section className="card-section" aria-labelledby="card-preview-title">
          <h3 className="card-section-title" id="card-preview-title">Preview</h3>
          <Markdown className="card-description" text={form.values.description} />
        </section>
      )}
      <CardComments cardId={card.id} canWrite={canWrite} />
      <CardHistory cardId={card.id} />
      <p className="meta-line">
        Created {timeAgo(card.created_at)} · updated {timeAgo(newest.updated_at)} · version {Math.max(version, newest.version)}
      </p>
    </Dialog>
  );
}
