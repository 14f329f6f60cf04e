/**
 * A card's history in the card panel: its activity (the card's own writes and its comments'),
 * newest first, as "who did what, when". It reloads when a live event concerns this card.
 */
import { useCallback, useEffect, useState } from 'react';
import { api, errorMessage } from '../api/client.js';
import type { HistoryEntry, Output } from '../api/types.js';
import { live } from '../live/live.js';
import { timeAgo } from '../ui/format.js';

/** Field names as people say them. */
const FIELD_WORDS: Record<string, string> = { board_id: 'board', due_date: 'due date', is_archived: 'archived', is_deleted: 'deleted' };

/** What an entry did, in words: "commented", "changed priority and title". */
export function describeEntry(entry: HistoryEntry): string {
  if (entry.object_type === 'comment') {
    return entry.action === 'create' ? 'commented' : entry.action === 'update' ? 'edited a comment' : 'deleted a comment';
  }
  switch (entry.action) {
    case 'create':
      return 'created the card';
    case 'delete':
      return 'moved the card to the trash';
    case 'restore':
      return 'restored the card';
    default: {
      const changes = entry.changes;
      if (changes.is_archived) return changes.is_archived[1] ? 'archived the card' : 'unarchived the card';
      if (changes.status && Object.keys(changes).every((k) => k === 'status' || k === 'position')) return `moved the card to ${String(changes.status[1])}`;
      const fields = Object.keys(changes).filter((k) => k !== 'position').map((k) => FIELD_WORDS[k] ?? k);
      if (fields.length === 0) return 'moved the card';
      const list = fields.length === 1 ? fields[0] : `${fields.slice(0, -1).join(', ')} and ${fields[fields.length - 1]}`;
      return `changed ${list}`;
    }
  }
}

export function CardHistory({ cardId }: { cardId: string }) {
  const [entries, setEntries] = useState<HistoryEntry[]>();
  const [error, setError] = useState<string>();

  const load = useCallback(() => {
    api
      .get<Output<'history.list'>>(`/cards/${cardId}/history`, { query: { limit: 50 } })
      .then((page) => setEntries(page.data.filter((e) => e.action !== 'respace')))
      .catch((err) => setError(errorMessage(err)));
  }, [cardId]);

  useEffect(load, [load]);
  useEffect(
    () =>
      live.subscribe((message) => {
        if (message.kind === 'reset' || message.event.object_id === cardId) load();
      }),
    [cardId, load],
  );

  return (
    <section className="card-section card-history" aria-labelledby={`history-${cardId}`}>
      <h3 id={`history-${cardId}`} className="card-section-title">
        History
      </h3>
      {error && <p className="field-error">{error}</p>}
      {entries === undefined && !error && <p className="muted">Loading history…</p>}
      <ol className="history-list">
        {entries?.map((e) => (
          <li key={e.seq} className="history-entry">
            <strong>{e.actor_name ?? 'Someone'}</strong> {describeEntry(e)}{' '}
            <time className="muted" dateTime={e.created_at} title={new Date(e.created_at).toLocaleString()}>
              {timeAgo(e.created_at)}
            </time>
          </li>
        ))}
      </ol>
    </section>
  );
}
