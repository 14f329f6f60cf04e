/** What was deleted, newest first, and restoring it (a board brings its cards back). */
import { useCallback, useEffect, useState } from 'react';
import { api, errorMessage } from '../api/client.js';
import { onReconnect } from '../api/connectivity.js';
import type { Output, Trashed } from '../api/types.js';
import { useTitle } from '../app/router.js';
import { Link } from '../app/Shell.js';
import { timeAgo } from '../ui/format.js';
import { Icon } from '../ui/icons.js';
import { useToast } from '../ui/Toasts.js';

const PAGE = 50;

function titleOf(item: Trashed): string {
  const data = item.data as { name?: string; title?: string };
  return data.name ?? data.title ?? item.id;
}

/**
 * The trash as shown: each deleted board carries the cards of it that are in the trash (they come
 * back with it, or after it), so no card of a deleted board offers a restore that cannot work.
 */
function groupByBoard(items: Trashed[]): Array<{ item: Trashed; cards: Trashed[] }> {
  const boards = new Map(items.filter((i) => i.type === 'board').map((b) => [b.id, [] as Trashed[]]));
  const rows: Array<{ item: Trashed; cards: Trashed[] }> = [];
  for (const item of items) {
    const boardId = item.type === 'card' ? (item.data as { board_id?: string }).board_id : undefined;
    const group = boardId ? boards.get(boardId) : undefined;
    if (group) group.push(item);
    else rows.push({ item, cards: boards.get(item.id) ?? [] });
  }
  return rows;
}

export function TrashPage() {
  useTitle('Trash');
  const toast = useToast();
  const [items, setItems] = useState<Trashed[]>();
  const [hasMore, setHasMore] = useState(false);
  const [error, setError] = useState<string>();
  const [rowErrors, setRowErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState<string>();

  const load = useCallback(async (offset: number) => {
    try {
      const page = await api.get<Output<'trash.list'>>('/trash', { query: { limit: PAGE, offset } });
      setItems((list) => (offset === 0 ? page.data : [...(list ?? []), ...page.data]));
      setHasMore(page.meta.has_more);
      setError(undefined);
    } catch (err) {
      setError(errorMessage(err));
    }
  }, []);
  useEffect(() => void load(0), [load]);
  // A read that failed while the server was unreachable runs again once it is back.
  useEffect(() => (error ? onReconnect(() => void load(0)) : undefined), [error, load]);

  const restore = async (item: Trashed) => {
    setBusy(item.id);
    try {
      const result = await api.post<Output<'trash.restore'>>(`/trash/${item.type}/${item.id}/restore`);
      setItems((list) => list?.filter((i) => i.id !== item.id && i.deleted_with !== item.id));
      const extra = result.restored_with_it > 0 ? ` with ${result.restored_with_it} card${result.restored_with_it === 1 ? '' : 's'}` : '';
      toast(`Restored “${titleOf(item)}”${extra}.`, { tone: 'success' });
    } catch (err) {
      setRowErrors((e) => ({ ...e, [item.id]: errorMessage(err) }));
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <div className="page">
      <header className="page-head">
        <div>
          <h1>Trash</h1>
          <p className="page-sub">Deleted boards and cards wait here until you restore them.</p>
        </div>
      </header>
      {error && (
        <div className="form-error" role="alert">
          {error}
        </div>
      )}
      {!items && !error && <div className="loading">Loading the trash…</div>}
      {items && items.length === 0 && (
        <div className="empty">
          <Icon name="trash" size={40} />
          <h2>The trash is empty</h2>
          <p>When you delete a board or a card, it waits here so you can bring it back.</p>
        </div>
      )}
      {items && items.length > 0 && (
        <ul className="list">
          {groupByBoard(items).map(({ item, cards }) => (
            <li key={item.id} className="list-row trash-group" data-trash-id={item.id}>
              <div className="trash-row">
                <span className={`type-badge type-${item.type}`}>{item.type}</span>
                <div className="list-main">
                  <span className="list-title">{titleOf(item)}</span>
                  <span className="list-sub">
                    Deleted {timeAgo(item.deleted_at)}
                    {cards.length > 0 && ` · ${cards.length} of its ${cards.length === 1 ? 'cards is' : 'cards are'} in the trash too`}
                    {item.type === 'card' && item.deleted_with && ' with its board. Restore the board to bring it back.'}
                  </span>
                  {rowErrors[item.id] && (
                    <p className="field-error" role="alert">
                      {rowErrors[item.id]}
                    </p>
                  )}
                </div>
                {!(item.type === 'card' && item.deleted_with) && (
                  <button type="button" className="btn btn-secondary btn-small" disabled={busy === item.id} onClick={() => void restore(item)} aria-label={`Restore ${titleOf(item)}`}>
                    <Icon name="restore" size={16} /> Restore
                  </button>
                )}
              </div>
              {cards.length > 0 && (
                <ul className="trash-cards" aria-label={`Cards of ${titleOf(item)}`}>
                  {cards.map((card) => (
                    <li key={card.id} className="trash-card" data-trash-id={card.id}>
                      <span className="list-title">{titleOf(card)}</span>
                      <span className="list-sub">
                        {card.deleted_with === item.id
                          ? 'Comes back when you restore the board.'
                          : `Deleted ${timeAgo(card.deleted_at)}, before its board. Restore the board first, then this card.`}
                      </span>
                    </li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ul>
      )}
      {hasMore && (
        <button type="button" className="btn btn-secondary" onClick={() => void load(items?.length ?? 0)}>
          Show more
        </button>
      )}
      <p className="page-foot">
        <Link to="/">Back to boards</Link>
      </p>
    </div>
  );
}
