/**
 * A card's comments in the card panel: the list (Markdown rendered and sanitised, mentions shown by
 * name), a composer that suggests members after "@", and edit/delete where the server allows it
 * (your own; owners and admins delete any). It follows live events for this card, so a comment made
 * elsewhere appears without a reload.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { COMMENT_LIMITS, handlesOf } from '@prodboard/shared';
import { api, errorMessage } from '../api/client.js';
import type { CardComment, Member, Output } from '../api/types.js';
import { useSession } from '../app/session.js';
import { live } from '../live/live.js';
import { Avatar } from '../ui/Avatar.js';
import { FormError } from '../ui/Field.js';
import { timeAgo } from '../ui/format.js';
import { Markdown } from '../ui/Markdown.js';

/** The "@partial" being typed just before the caret, if any. */
function typedMention(text: string, caret: number): { start: number; query: string } | undefined {
  const m = /(^|[^\p{L}\p{N}_@.])@([\p{L}\p{N}._-]*)$/u.exec(text.slice(0, caret));
  return m ? { start: caret - m[2].length - 1, query: m[2].toLowerCase() } : undefined;
}

/** The handle to insert for a member: their name without spaces when no one else answers to it, else their email. */
function handleFor(member: Member, members: readonly Member[]): string {
  const name = member.name.replace(/\s+/g, '');
  const key = name.normalize('NFKC').toLowerCase();
  const clash = members.some((m) => m.user_id !== member.user_id && handlesOf(m).includes(key));
  return name && !clash && /^[\p{L}\p{N}]([\p{L}\p{N}._+-]*[\p{L}\p{N}])?$/u.test(name) ? name : member.email;
}

function Composer({
  initial = '',
  members,
  label,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  initial?: string;
  members: readonly Member[];
  label: string;
  submitLabel: string;
  onSubmit: (body: string) => Promise<void>;
  onCancel?: () => void;
}) {
  const [text, setText] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [caret, setCaret] = useState(0);
  const area = useRef<HTMLTextAreaElement>(null);
  const typed = typedMention(text, caret);
  const suggestions = typed
    ? members.filter((m) => handlesOf(m).some((h) => h.startsWith(typed.query)) || m.name.toLowerCase().includes(typed.query)).slice(0, 6)
    : [];

  const insert = (member: Member) => {
    if (!typed) return;
    const handle = `@${handleFor(member, members)} `;
    const next = text.slice(0, typed.start) + handle + text.slice(caret);
    setText(next);
    const at = typed.start + handle.length;
    setCaret(at);
    requestAnimationFrame(() => {
      area.current?.focus();
      area.current?.setSelectionRange(at, at);
    });
  };

  const submit = async () => {
    if (!text.trim() || busy) return;
    setBusy(true);
    setError(undefined);
    try {
      await onSubmit(text);
      if (!onCancel) setText('');
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="comment-composer">
      <FormError message={error} />
      <textarea
        ref={area}
        className="input"
        aria-label={label}
        placeholder="Write a comment… Markdown works; type @ to mention someone"
        rows={3}
        maxLength={COMMENT_LIMITS.maxBodyLength}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setCaret(e.target.selectionStart);
        }}
        onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            void submit();
          }
        }}
      />
      {suggestions.length > 0 && (
        <ul className="mention-suggestions" aria-label="Mention a member">
          {suggestions.map((m) => (
            <li key={m.user_id}>
              <button type="button" className="mention-option" onClick={() => insert(m)}>
                <Avatar name={m.name} size={20} /> {m.name} <span className="muted">{m.email}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="comment-composer-actions">
        {onCancel && (
          <button type="button" className="btn btn-secondary btn-small" onClick={onCancel}>
            Cancel
          </button>
        )}
        <button type="button" className="btn btn-primary btn-small" disabled={busy || !text.trim()} onClick={() => void submit()}>
          {busy ? 'Saving…' : submitLabel}
        </button>
      </div>
    </div>
  );
}

export function CardComments({ cardId, canWrite }: { cardId: string; canWrite: boolean }) {
  const { me } = useSession();
  const [comments, setComments] = useState<CardComment[]>();
  const [members, setMembers] = useState<Member[]>([]);
  const [editing, setEditing] = useState<string>();
  const [error, setError] = useState<string>();

  const load = useCallback(() => {
    api
      .get<Output<'comments.list'>>(`/cards/${cardId}/comments`)
      .then((page) => setComments(page.data))
      .catch((err) => setError(errorMessage(err)));
  }, [cardId]);

  useEffect(load, [load]);
  useEffect(() => {
    // The members list needs a signed-in session; without it, mentions are typed by hand.
    api
      .get<Output<'members.list'>>('/members')
      .then((page) => setMembers(page.data))
      .catch(() => {});
  }, []);
  // A comment added, edited or deleted anywhere (another tab, another person, an assistant).
  useEffect(
    () =>
      live.subscribe((message) => {
        if (message.kind === 'reset' || (message.event.object_type === 'comment' && message.event.object_id === cardId)) load();
      }),
    [cardId, load],
  );

  const mayDelete = (c: CardComment) => canWrite && (c.author.id === me?.id || me?.role === 'owner' || me?.role === 'admin');
  const add = async (body: string) => {
    const created = await api.post<CardComment>(`/cards/${cardId}/comments`, { body });
    setComments((list) => (list?.some((c) => c.id === created.id) ? list : [...(list ?? []), created]));
  };
  const save = async (c: CardComment, body: string) => {
    const saved = await api.patch<CardComment>(`/comments/${c.id}`, { body }, { ifMatch: c.version });
    setComments((list) => list?.map((x) => (x.id === saved.id ? saved : x)));
    setEditing(undefined);
  };
  const remove = async (c: CardComment) => {
    try {
      await api.delete(`/comments/${c.id}`);
      setComments((list) => list?.filter((x) => x.id !== c.id));
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  const sorted = useMemo(() => comments ?? [], [comments]);
  return (
    <section className="card-section card-comments" aria-labelledby={`comments-${cardId}`}>
      <h3 id={`comments-${cardId}`} className="card-section-title">
        Comments {comments ? <span className="muted">({comments.length})</span> : null}
      </h3>
      <FormError message={error} />
      {comments === undefined && !error && <p className="muted">Loading comments…</p>}
      {comments?.length === 0 && <p className="muted">No comments yet.</p>}
      <ol className="comment-list">
        {sorted.map((c) => (
          <li key={c.id} className="comment" data-comment-id={c.id}>
            <Avatar name={c.author.name ?? 'Former member'} size={28} />
            <div className="comment-main">
              <p className="comment-meta">
                <strong>{c.author.name ?? 'Former member'}</strong> <time dateTime={c.created_at} title={new Date(c.created_at).toLocaleString()}>{timeAgo(c.created_at)}</time>
                {c.edited && <span className="muted"> · edited</span>}
              </p>
              {editing === c.id ? (
                <Composer initial={c.body} members={members} label="Edit comment" submitLabel="Save comment" onSubmit={(body) => save(c, body)} onCancel={() => setEditing(undefined)} />
              ) : (
                <Markdown className="comment-body" text={c.body} mentions={c.mentions} />
              )}
              {editing !== c.id && (canWrite && c.author.id === me?.id || mayDelete(c)) && (
                <div className="comment-actions">
                  {canWrite && c.author.id === me?.id && (
                    <button type="button" className="link-btn" onClick={() => setEditing(c.id)}>
                      Edit
                    </button>
                  )}
                  {mayDelete(c) && (
                    <button type="button" className="link-btn danger" onClick={() => void remove(c)}>
                      Delete
                    </button>
                  )}
                </div>
              )}
            </div>
          </li>
        ))}
      </ol>
      {canWrite && <Composer members={members} label="New comment" submitLabel="Comment" onSubmit={add} />}
    </section>
  );
}
