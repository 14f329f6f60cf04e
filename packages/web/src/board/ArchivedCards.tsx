/** A board's archived cards, newest first, each restorable to its column (the board's "Show archived"). */
import { useCallback, useState } from 'react';
import { ApiError, api, errorMessage } from '../api/client.js';
import type { Board, Card } from '../api/types.js';
import { Dialog } from '../ui/Dialog.js';
import { count, timeAgo } from '../ui/format.js';
import { Icon } from '../ui/icons.js';
import { useCardList } from './useCardList.js';

const newestFirst = (a: Card, b: Card) => b.updated_at.localeCompare(a.updated_at) || b.id.localeCompare(a.id);

interface Props {
  board: Board;
  canWrite: boolean;
  onClose: () => void;
  /** A card is back on the board. */
  onRestored: (card: Card) => void;
}

export function ArchivedCards({ board, canWrite, onClose, onRestored }: Props) {
  const belongs = useCallback((card: Card) => card.is_archived && card.data.board_id === board.id, [board.id]);
  const list = useCardList({ data__board_id: board.id, is_archived: 'true' }, belongs, newestFirst);
  const [busy, setBusy] = useState<string>();
  const [rowErrors, setRowErrors] = useState<Record<string, string>>({});
  const columnName = (key = '') => board.data.columns.find((c) => c.key === key)?.name ?? key;

  const restore = async (card: Card) => {
    setBusy(card.id);
    try {
      const back = await api.patch<Card>(`/data/card/${card.id}`, { is_archived: false }, { ifMatch: card.version });
      list.apply(back);
      onRestored(back);
    } catch (err) {
      if (err instanceof ApiError && err.status === 412) {
        const fresh = await api.get<Card>(`/data/card/${card.id}`).catch(() => undefined);
        if (fresh) list.apply(fresh);
        setRowErrors((e) => ({ ...e, [card.id]: 'Someone else changed this card a moment ago. The list shows the latest; restore it again if it is still archived.' }));
      } else {
        setRowErrors((e) => ({ ...e, [card.id]: errorMessage(err) }));
      }
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <Dialog variant="drawer" title={`Archived cards of ${board.data.name}`} onClose={onClose}>
      {list.error && (
        <div className="form-error" role="alert">
          {list.error}
        </div>
      )}
      {!list.cards && !list.error && <div className="loading">Loading archived cards…</div>}
      {list.cards && list.cards.length === 0 && (
        <div className="empty">
          <Icon name="archive" size={40} />
          <h3>No archived cards</h3>
          <p>When you archive a card, it leaves the board and waits here.</p>
        </div>
      )}
      {list.cards && list.cards.length > 0 && (
        <>
          <p className="page-sub">
            {count(list.cards.length)}
            {list.truncated && '+'} archived {list.cards.length === 1 ? 'card' : 'cards'}. Restoring one puts it back in its column.
          </p>
          <ul className="list" aria-label="Archived cards">
            {list.cards.map((card) => (
              <li key={card.id} className="list-row" data-archived-id={card.id}>
                <div className="list-main">
                  <span className="list-title">{card.data.title}</span>
                  <span className="list-sub">
                    {columnName(card.data.status)} · archived {timeAgo(card.updated_at)}
                  </span>
                  {rowErrors[card.id] && (
                    <p className="field-error" role="alert">
                      {rowErrors[card.id]}
                    </p>
                  )}
                </div>
                {canWrite && (
                  <button type="button" className="btn btn-secondary btn-small" disabled={busy === card.id} onClick={() => void restore(card)} aria-label={`Restore ${card.data.title}`}>
                    <Icon name="restore" size={16} /> Restore
                  </button>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </Dialog>
  );
}
