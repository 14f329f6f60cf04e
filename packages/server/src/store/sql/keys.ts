/**
 * Human keys (issue 12): the same SQL on both stores (see executor.ts). Each exported function but
 * backfillKeys is the Store method of its name (documented in types.ts), over a transaction's executor.
 *
 * board_keys holds every key a board has had, current and renamed, unique per workspace: a key once
 * used keeps naming its board. card_numbers holds every number a card has had, one per board it has
 * been on, so its key from before a move keeps resolving. A board's next number is one past the
 * highest it has given (card_numbers keeps every one, so none is given twice): where transactions
 * overlap (PostgreSQL) it is taken from board_counters with UPDATE … RETURNING, whose row lock
 * serialises concurrent creates on one instance or several; where they never do (SQLite,
 * Executor.serialWrites) it is read from card_numbers' primary key, and board_counters does not
 * exist (migration 12: it cost a statement and a page written per card). objects.key is the
 * current key (WEB, WEB-42) the API shows.
 */
import { AppError, cardKey, keyCandidate, normalizeBoardKey, parseCardKey, suggestBoardKey } from '@prodboard/shared';
import type { Executor } from './executor.js';

/** Gives a new board `wanted`, or else the first free key its name suggests (WEB, WEB2, …); its key. */
export async function assignBoardKey(x: Executor, workspaceId: string, boardId: string, name: string, wanted?: string): Promise<string> {
  if (!x.serialWrites) await x.run('INSERT INTO board_counters (board_id, last_number) VALUES (?, 0) ON CONFLICT DO NOTHING', [boardId]);
  if (wanted !== undefined) {
    await takeBoardKey(x, workspaceId, boardId, wanted);
    return wanted;
  }
  const base = suggestBoardKey(name);
  for (let n = 1; ; n++) {
    const key = keyCandidate(base, n);
    if ((await x.run('INSERT INTO board_keys (workspace_id, key, board_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', [workspaceId, key, boardId])) > 0) return key;
  }
}

/**
 * Makes `key` board `boardId`'s key (a 409 naming `key` when another board has or had it) and renames
 * the keys of the cards on it; its old key keeps resolving. Returns the board's previous key.
 */
export async function renameBoardKey(x: Executor, workspaceId: string, boardId: string, key: string): Promise<string | null> {
  const old = (await x.get<{ key: string | null }>('SELECT key FROM objects WHERE id = ? AND workspace_id = ?', [boardId, workspaceId]))?.key ?? null;
  if (old === key) return old;
  await takeBoardKey(x, workspaceId, boardId, key);
  await x.run('UPDATE objects SET key = ? WHERE id = ?', [key, boardId]);
  if (old !== null) {
    const cards = await x.all<{ id: string; key: string }>("SELECT id, key FROM objects WHERE workspace_id = ? AND type = 'card' AND key LIKE ?", [workspaceId, `${old}-%`]);
    for (const card of cards) await x.run('UPDATE objects SET key = ? WHERE id = ?', [key + card.key.slice(old.length), card.id]);
  }
  return old;
}

async function takeBoardKey(x: Executor, workspaceId: string, boardId: string, key: string): Promise<void> {
  if ((await x.run('INSERT INTO board_keys (workspace_id, key, board_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', [workspaceId, key, boardId])) > 0) return;
  const holder = await x.get<{ board_id: string }>('SELECT board_id FROM board_keys WHERE workspace_id = ? AND key = ?', [workspaceId, key]);
  if (holder?.board_id === boardId) return;
  throw new AppError('conflict', `key ${key} is taken by another board of this workspace (keys stay with the board that had them); choose another key`, {
    errors: [{ field: 'key', message: `${key} is taken` }],
  });
}

/**
 * Board `?`'s next number where transactions never overlap (Executor.serialWrites): one past the
 * highest in card_numbers, read from the end of the board's range of its primary key. Right only
 * while nothing can take a number between this read and the INSERT that records it.
 */
const NEXT_NUMBER = 'SELECT coalesce(max(number), 0) + 1 AS last_number FROM card_numbers WHERE board_id = ?';

/**
 * The key card `cardId` gets on board `boardId`: the number it had there before, if it was there, else
 * the board's next number. Null when the board has no key (it does not exist).
 */
export async function assignCardKey(x: Executor, workspaceId: string, boardId: string, cardId: string): Promise<string | null> {
  const board = await x.get<{ key: string | null }>("SELECT key FROM objects WHERE id = ? AND workspace_id = ? AND type = 'board'", [boardId, workspaceId]);
  if (!board?.key) return null;
  const had = await x.get<{ number: number }>('SELECT number FROM card_numbers WHERE card_id = ? AND board_id = ?', [cardId, boardId]);
  if (had) return cardKey(board.key, Number(had.number));
  const next = await x.get<{ last_number: number }>(x.serialWrites ? NEXT_NUMBER : 'UPDATE board_counters SET last_number = last_number + 1 WHERE board_id = ? RETURNING last_number', [boardId]);
  if (!next) return null;
  await x.run('INSERT INTO card_numbers (board_id, number, card_id) VALUES (?, ?, ?)', [boardId, next.last_number, cardId]);
  return cardKey(board.key, Number(next.last_number));
}


/**
 * The statement that takes board `boardId`'s next number from board_counters (PostgreSQL: the
 * counter's row lock serialises concurrent creates) and reads the board's key with it, both in one:
 * only a board of the workspace that has a key counts (no row, and no number taken, otherwise).
 * Parameters: boardId, workspaceId.
 */
export const TAKE_CARD_NUMBER = `UPDATE board_counters SET last_number = last_number + 1
  WHERE board_id = (SELECT id FROM objects WHERE id = ? AND workspace_id = ? AND type = 'board' AND key IS NOT NULL)
  RETURNING board_id, last_number, (SELECT key FROM objects WHERE id = board_counters.board_id) AS board_key`;

/** TAKE_CARD_NUMBER where transactions never overlap: a read (see NEXT_NUMBER), no write. */
const BOARD_AND_NEXT_NUMBER = `SELECT id AS board_id, key AS board_key,
    (SELECT coalesce(max(number), 0) + 1 FROM card_numbers WHERE board_id = objects.id) AS last_number
  FROM objects WHERE id = ? AND workspace_id = ? AND type = 'board' AND key IS NOT NULL`;

/**
 * The key of card `cardId`, about to be inserted on board `boardId`: the board's next number,
 * recorded for the card. A new card has had no number on any board, so nothing is looked up
 * (assignCardKey, for a move, asks first), and insertObject writes the key with the row: two
 * statements where assignCardKey and an UPDATE of the row took five. Null when the board has no key.
 */
export async function newCardKey(x: Executor, workspaceId: string, boardId: string, cardId: string): Promise<string | null> {
  const next = await x.get<{ last_number: number; board_key: string }>(x.serialWrites ? BOARD_AND_NEXT_NUMBER : TAKE_CARD_NUMBER, [boardId, workspaceId]);
  if (!next) return null;
  await x.run('INSERT INTO card_numbers (board_id, number, card_id) VALUES (?, ?, ?)', [boardId, next.last_number, cardId]);
  return cardKey(next.board_key, Number(next.last_number));
}

/** The id of the board or card (by `type`) a key names in the workspace, current or old; undefined if none. */
export async function resolveKey(x: Executor, workspaceId: string, type: string, raw: string): Promise<string | undefined> {
  if (type === 'board') {
    const key = normalizeBoardKey(raw);
    if (!key) return undefined;
    return (await x.get<{ board_id: string }>('SELECT board_id FROM board_keys WHERE workspace_id = ? AND key = ?', [workspaceId, key]))?.board_id;
  }
  if (type === 'card') {
    const parsed = parseCardKey(raw);
    if (!parsed) return undefined;
    const row = await x.get<{ card_id: string }>(
      'SELECT n.card_id FROM board_keys k JOIN card_numbers n ON n.board_id = k.board_id WHERE k.workspace_id = ? AND k.key = ? AND n.number = ?',
      [workspaceId, parsed.boardKey, parsed.number],
    );
    return row?.card_id;
  }
  return undefined;
}

/** Keys for every board and numbers for every card that has none (migration 9), oldest first. */
export async function backfillKeys(x: Executor): Promise<void> {
  const boards = await x.all<{ id: string; workspace_id: string; data: unknown }>(
    "SELECT id, workspace_id, data FROM objects WHERE type = 'board' AND key IS NULL ORDER BY created_at, id",
  );
  for (const b of boards) {
    const data = (typeof b.data === 'string' ? JSON.parse(b.data) : b.data) as Record<string, unknown>;
    const key = await assignBoardKey(x, b.workspace_id, b.id, typeof data.name === 'string' ? data.name : '');
    await x.run('UPDATE objects SET key = ? WHERE id = ?', [key, b.id]);
  }
  const cards = await x.all<{ id: string; workspace_id: string; data: unknown }>(
    "SELECT id, workspace_id, data FROM objects WHERE type = 'card' AND key IS NULL ORDER BY created_at, id",
  );
  for (const c of cards) {
    const data = (typeof c.data === 'string' ? JSON.parse(c.data) : c.data) as Record<string, unknown>;
    if (typeof data.board_id !== 'string') continue;
    const key = await assignCardKey(x, c.workspace_id, data.board_id, c.id);
    if (key) await x.run('UPDATE objects SET key = ? WHERE id = ?', [key, c.id]);
  }
}
