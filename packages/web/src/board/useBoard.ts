/**
 * A board and its cards, loaded in a few queries and kept live.
 *
 * Loading waits for the live stream to say where it starts, then reads the board and each column in
 * pages of 200 (following `after` cursors), all columns at once: the first page of every column is
 * enough to paint. Every copy that arrives (a page, a write's response, a live event) is kept only
 * if its version is newer, and removals leave a tombstone so a page read just before a delete
 * cannot bring the card back.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, api, errorMessage } from '../api/client.js';
import type { Board, Card, Page } from '../api/types.js';
import { live } from '../live/live.js';
import { isNewer } from './objects.js';
import { byPosition } from './positions.js';

/** Cards per request: the card model's largest page. */
const PAGE_SIZE = 200;

export interface BoardData {
  board?: Board;
  /** Cards of each column key, in order. */
  columns: Map<string, Card[]>;
  /** Every live card of the board, by id. */
  cards: ReadonlyMap<string, Card>;
  /** The first page of every column is in: enough to paint. */
  painted: boolean;
  /** Every page is in. */
  complete: boolean;
  error?: string;
  missing: boolean;
  /** Keeps a card the server returned (or, with `force`, a copy known to be the truth after a conflict). */
  applyCard: (card: Card, force?: boolean) => void;
  /** Shows a card somewhere before the server confirms it (an optimistic move). */
  previewCard: (card: Card) => void;
  applyBoard: (board: Board, force?: boolean) => void;
  reload: () => void;
}

export function useBoard(boardId: string): BoardData {
  const cards = useRef(new Map<string, Card>());
  const tombstones = useRef(new Map<string, number>());
  const [board, setBoard] = useState<Board>();
  const [tick, setTick] = useState(0);
  const [painted, setPainted] = useState(false);
  const [complete, setComplete] = useState(false);
  const [error, setError] = useState<string>();
  const [missing, setMissing] = useState(false);
  const [generation, setGeneration] = useState(0);
  const bump = useCallback(() => setTick((t) => t + 1), []);

  const applyCard = useCallback(
    (card: Card, force = false) => {
      const map = cards.current;
      const current = map.get(card.id);
      if (!force) {
        if (current && !isNewer(card, current)) return;
        const tomb = tombstones.current.get(card.id);
        if (tomb !== undefined && card.version <= tomb) return;
      }
      const belongs = !card.is_deleted && !card.is_archived && card.data.board_id === boardId;
      if (belongs) {
        map.set(card.id, card);
        tombstones.current.delete(card.id);
      } else {
        map.delete(card.id);
        tombstones.current.set(card.id, card.version);
      }
      bump();
    },
    [boardId, bump],
  );

  const previewCard = useCallback(
    (card: Card) => {
      cards.current.set(card.id, card);
      bump();
    },
    [bump],
  );

  const applyBoard = useCallback((next: Board, force = false) => {
    setBoard((current) => (force || !current || isNewer(next, current) ? next : current));
    if (next.is_deleted) setMissing(true);
  }, []);

  useEffect(() => {
    let cancelled = false;
    cards.current = new Map();
    tombstones.current = new Map();
    setPainted(false);
    setComplete(false);
    setError(undefined);

    (async () => {
      await live.whenReady();
      const loaded = await api.get<Board>(`/data/board/${boardId}`);
      if (cancelled) return;
      applyBoard(loaded, true);
      const columns = loaded.data.columns ?? [];
      let firstPages = 0;
      await Promise.all(
        columns.map(async (column) => {
          let after: string | undefined;
          let first = true;
          do {
            const page = await api.get<Page<Card>>('/data/card', {
              query: { data__board_id: boardId, data__status: column.key, sort: 'data__position', limit: PAGE_SIZE, after },
            });
            if (cancelled) return;
            for (const card of page.data) applyCard(card);
            if (first && ++firstPages === columns.length) setPainted(true);
            first = false;
            after = page.meta.has_more ? (page.meta.next_cursor ?? undefined) : undefined;
          } while (after);
        }),
      );
      if (cancelled) return;
      if (columns.length === 0) setPainted(true);
      setComplete(true);
    })().catch((err: unknown) => {
      if (cancelled) return;
      if (err instanceof ApiError && err.status === 404) setMissing(true);
      else setError(errorMessage(err));
      setPainted(true);
    });

    return () => {
      cancelled = true;
    };
  }, [boardId, generation, applyBoard, applyCard]);

  useEffect(
    () =>
      live.subscribe((message) => {
        if (message.kind === 'reset') {
          setGeneration((g) => g + 1);
          return;
        }
        const object = message.event.object;
        if (!object) return;
        if (object.type === 'card') applyCard(object as unknown as Card);
        else if (object.type === 'board' && object.id === boardId) applyBoard(object as unknown as Board);
      }),
    [boardId, applyBoard, applyCard],
  );

  const columnKeys = board?.data.columns;
  const columns = useMemo(() => {
    const groups = new Map<string, Card[]>((columnKeys ?? []).map((c) => [c.key, []]));
    for (const card of cards.current.values()) groups.get(card.data.status ?? '')?.push(card);
    for (const list of groups.values()) list.sort(byPosition);
    return groups;
    // `tick` changes with every change to the card map, which is a ref.
  }, [tick, columnKeys]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);

  return { board, columns, cards: cards.current, painted, complete, error, missing, applyCard, previewCard, applyBoard, reload };
}
