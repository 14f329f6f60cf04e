/**
 * The Inbox: cards without a board (created through the API or an AI tool without `board_id`, or
 * saved with Board set to None), newest first, each movable onto a board.
 */
import { useCallback, useEffect, useState } from 'react';
import { ApiError, api, errorMessage } from '../api/client.js';
import type { Board, Card, Page } from '../api/types.js';
import { navigate, useTitle } from '../app/router.js';
import { useSession } from '../app/session.js';
import { Link } from '../app/Shell.js';
import { useCardList } from '../board/useCardList.js';
import { count, timeAgo } from '../ui/format.js';
import { Icon } from '../ui/icons.js';
import { useToast } from '../ui/Toasts.js';

const newestFirst = (a: Card, b: Card) => b.created_at.localeCompare(a.created_at) || b.id.localeCompare(a.id);
const boardless = (card: Card) => !card.is_archived && !card.data.board_id;
// `['']` sends `data__board_id=` (an empty value means "not set").
const INBOX_QUERY = { data__board_id: [''], sort: '-created_at' };

export function InboxPage() {
  useTitle('Inbox');
  const toast = useToast();
  const { me } = useSession();
  const canWrite = me ? me.role !== 'viewer' : true;
  const list = useCardList(INBOX_QUERY, boardless, newestFirst);
  const [boards, setBoards] = useState<Board[]>([]);
  const [busy, setBusy] = useState<string>();
  const [rowErrors, setRowErrors] = useState<Record<string, string>>({});

  useEffect(() => {
    api
      .get<Page<Board>>('/data/board', { query: { limit: 50, sort: 'data__name' } })
      .then((page) => setBoards(page.data))
      .catch(() => {});
  }, []);

  const moveTo = useCallback(
    async (card: Card, board: Board) => {
      setBusy(card.id);
      // A card's status is a column of its board: keep it when the board has that column, else the first.
      const columns = board.data.columns ?? [];
      const keeps = columns.some((c) => c.key === card.data.status);
      const body = { board_id: board.id, ...(keeps || columns.length === 0 ? {} : { status: columns[0].key }) };
      try {
        list.apply(await api.patch<Card>(`/data/card/${card.id}`, body, { ifMatch: card.version }));
        toast(`Moved “${card.data.title}” to ${board.data.name}.`, { tone: 'success', action: { label: 'Open the board', run: () => navigate(`/boards/${board.id}`) } });
      } catch (err) {
        const message =
          err instanceof ApiError && err.status === 412 ? 'Someone else changed this card a moment ago. The list shows the latest; choose the board again.' : errorMessage(err);
        if (err instanceof ApiError && err.status === 412) {
          const fresh = await api.get<Card>(`/data/card/${card.id}`).catch(() => undefined);
          if (fresh) list.apply(fresh);
        }
        setRowErrors((e) => ({ ...e, [card.id]: message }));
      } finally {
        setBusy(undefined);
      }
    },
    [list, toast],
  );

  const cards = list.cards;
  return (
    <div className="page">
      <header className="page-head">
        <div>
          <h1>Inbox</h1>
          <p className="page-sub">Cards without a board wait here: made through the API or an AI tool without a board, or saved with Board set to None.</p>
        </div>
      </header>
      {list.error && (
        <div className="form-error" role="alert">
          {list.error}
        </div>
      )}
      {!cards && !list.error && <div className="loading">Loading the Inbox…</div>}
      {cards && cards.length === 0 && (
        <div className="empty">
          <Icon name="inbox" size={40} />
          <h2>The Inbox is empty</h2>
          <p>Every card is on a board.</p>
        </div>
      )}
      {cards && cards.length > 0 && (
        <>
          <p className="page-sub">
            {count(cards.length)}
            {list.truncated && '+'} {cards.length === 1 ? 'card' : 'cards'} without a board.
          </p>
          <ul className="list" aria-label="Cards without a board">
            {cards.map((card) => (
              <li key={card.id} className="list-row inbox-row" data-inbox-id={card.id}>
                <div className="list-main">
                  <span className="list-title">{card.data.title}</span>
                  <span className="list-sub">
                    Created {timeAgo(card.created_at)}
                    {card.data.priority && ` · ${card.data.priority} priority`}
                    {card.data.assignee && ` · ${card.data.assignee}`}
                  </span>
                  {rowErrors[card.id] && (
                    <p className="field-error" role="alert">
                      {rowErrors[card.id]}
                    </p>
                  )}
                </div>
                {canWrite && boards.length > 0 && (
                  <label className="filter">
                    <span className="visually-hidden">Move “{card.data.title}” to a board</span>
                    <select
                      className="input input-small"
                      value=""
                      disabled={busy === card.id}
                      onChange={(e) => {
                        const board = boards.find((b) => b.id === e.target.value);
                        if (board) void moveTo(card, board);
                      }}
                    >
                      <option value="">Move to board…</option>
                      {boards.map((b) => (
                        <option key={b.id} value={b.id}>
                          {b.data.name}
                        </option>
                      ))}
                    </select>
                  </label>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
      <p className="page-foot">
        <Link to="/">Back to boards</Link>
      </p>
    </div>
  );
}
