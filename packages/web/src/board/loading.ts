/**
 * Reading a board from the server: the board, then the first page of every column at once (enough
 * to paint), then the rest of each column page by page. The first part can start before React has
 * rendered anything (see `preloadBoard`), which takes the app's start-up off the critical path.
 */
import { api } from '../api/client.js';
import type { Board, Card, Page } from '../api/types.js';

/** Cards per request: the card model's largest page. */
export const PAGE_SIZE = 200;

/** The board and the first page of each of its columns. */
export interface FirstPages {
  board: Board;
  pages: Map<string, Page<Card>>;
}

/** One page of a column, after `after` (or the first). */
export function columnPage(boardId: string, status: string, after?: string): Promise<Page<Card>> {
  return api.get<Page<Card>>('/data/card', { query: { data__board_id: boardId, data__status: status, sort: 'data__position', limit: PAGE_SIZE, after } });
}

const COLUMNS_KEY = (boardId: string) => `prodboard.columns.${boardId}`;

function rememberedColumns(boardId: string): string[] {
  try {
    const keys = JSON.parse(localStorage.getItem(COLUMNS_KEY(boardId)) ?? '[]') as unknown;
    return Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string').slice(0, 50) : [];
  } catch {
    return [];
  }
}

/**
 * Reads the board and every column's first page. The column keys seen last time are asked for at
 * once, beside the board, so a revisit takes one round trip instead of two; columns added since
 * are asked for when the board arrives, and pages of columns gone since are dropped.
 */
export async function loadFirstPages(boardId: string): Promise<FirstPages> {
  const requests = new Map<string, Promise<Page<Card>>>();
  const ask = (key: string) => {
    const request = columnPage(boardId, key);
    request.catch(() => {});
    requests.set(key, request);
  };
  const boardRequest = api.get<Board>(`/data/board/${boardId}`);
  for (const key of rememberedColumns(boardId)) ask(key);
  const board = await boardRequest;
  const keys = (board.data.columns ?? []).map((c) => c.key);
  try {
    localStorage.setItem(COLUMNS_KEY(boardId), JSON.stringify(keys));
  } catch {
    // Without storage every visit takes the two round trips.
  }
  for (const key of keys) if (!requests.has(key)) ask(key);
  const pages = await Promise.all(keys.map((key) => requests.get(key)!));
  return { board, pages: new Map(keys.map((key, i) => [key, pages[i]])) };
}

let preloaded: { boardId: string; promise: Promise<FirstPages>; value?: FirstPages } | undefined;

/** Starts loading a board now (boot.ts calls it when the address names a board). */
export function preloadBoard(boardId: string): void {
  const entry: NonNullable<typeof preloaded> = { boardId, promise: loadFirstPages(boardId) };
  // A failure is reported by whoever takes the result; an untaken one must not be an unhandled rejection.
  entry.promise.then((value) => (entry.value = value)).catch(() => {});
  preloaded = entry;
}

/** The preloaded first pages of this board, once: later loads (a reload, a reset) read afresh. */
export function takePreloaded(boardId: string): Promise<FirstPages> | undefined {
  if (preloaded?.boardId !== boardId) return undefined;
  const { promise } = preloaded;
  preloaded = undefined;
  return promise;
}

/** The preloaded first pages when they have already arrived, so the first render can show them. */
export function peekPreloaded(boardId: string): FirstPages | undefined {
  return preloaded?.boardId === boardId ? preloaded.value : undefined;
}

/** Resolves after the browser has painted the current frame. */
export function afterPaint(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}
