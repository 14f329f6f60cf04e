/**
 * A board and its cards, loaded in a few queries and kept live.
 *
 * Loading (loading.ts) reads the board and the first page of every column at once, which is enough
 * to paint; the rest of each column follows in pages of 200 (after `after` cursors) once the first
 * frame is on screen, and is shown at most once a frame. Every copy that arrives (a page, a write's
 * response, a live event) is kept only if its version is newer, and removals leave a tombstone so a
 * page read just before a delete cannot bring the card back.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, errorMessage } from '../api/client.js';
import { onReconnect } from '../api/connectivity.js';
import type { ActivityEvent, Board, Card, RespacedColumn } from '../api/types.js';
import { live } from '../live/live.js';
import { afterPaint, columnPage, loadFirstPages, peekPreloaded, takePreloaded, type FirstPages } from './loading.js';
import { isNewer } from './objects.js';
import { byPosition } from './positions.js';

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
  // When boot.ts's first pages have already arrived, the very first render shows them.
  const [preloaded] = useState(() => peekPreloaded(boardId));
  const cards = useRef<Map<string, Card>>(undefined as never);
  cards.current ??= new Map(preloaded ? [...preloaded.pages.values()].flatMap((p) => p.data.map((c) => [c.id, c] as const)) : []);
  const tombstones = useRef(new Map<string, number>());
  // Positions from respace events, by card: a respace keeps versions, so a copy of the same version
  // that arrives later (a page read before the respace) takes its position from here.
  const respaced = useRef(new Map<string, { version: number; position: number }>());
  const [board, setBoard] = useState<Board | undefined>(preloaded?.board);
  const [tick, setTick] = useState(0);
  const [painted, setPainted] = useState(!!preloaded);
  const [complete, setComplete] = useState(false);
  const [error, setError] = useState<string>();
  const [missing, setMissing] = useState(false);
  const [generation, setGeneration] = useState(0);
  const bump = useCallback(() => setTick((t) => t + 1), []);
  // Pages loading in the background are shown at most once a frame, so the page stays responsive.
  const frame = useRef(0);
  const bumpSoon = useCallback(() => {
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      setTick((t) => t + 1);
    });
  }, []);

  /** Keeps a copy if it is newer than what is known; true when the card map changed. */
  const keep = useCallback(
    (incoming: Card, force: boolean): boolean => {
      let card = incoming;
      const map = cards.current;
      const current = map.get(card.id);
      if (!force) {
        if (current && !isNewer(card, current)) return false;
        const tomb = tombstones.current.get(card.id);
        if (tomb !== undefined && card.version <= tomb) return false;
      }
      const spaced = respaced.current.get(card.id);
      if (spaced && card.version > spaced.version) respaced.current.delete(card.id);
      else if (spaced && card.version === spaced.version) card = { ...card, data: { ...card.data, position: spaced.position } };
      const belongs = !card.is_deleted && !card.is_archived && card.data.board_id === boardId;
      if (belongs) {
        map.set(card.id, card);
        tombstones.current.delete(card.id);
      } else {
        map.delete(card.id);
        tombstones.current.set(card.id, card.version);
      }
      return true;
    },
    [boardId],
  );

  const applyCard = useCallback(
    (card: Card, force = false) => {
      if (keep(card, force)) bump();
    },
    [keep, bump],
  );

  /** A column of this board was respaced: each card still at the respaced version moves to its new position. */
  const applyRespace = useCallback(
    (event: ActivityEvent) => {
      const order = event.changes.order?.[1] as unknown as RespacedColumn | undefined;
      if (!order || order.board_id !== boardId) return;
      let changed = false;
      order.ids.forEach((id, i) => {
        const spaced = { version: order.versions[i], position: order.positions[i] };
        respaced.current.set(id, spaced);
        const card = cards.current.get(id);
        if (!card || card.version !== spaced.version || card.data.status !== order.status || card.data.position === spaced.position) return;
        cards.current.set(id, { ...card, data: { ...card.data, position: spaced.position } });
        changed = true;
      });
      if (changed) bump();
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
    const shown = generation === 0 ? preloaded : undefined;
    const taken = generation === 0 ? takePreloaded(boardId) : undefined;
    if (!shown) {
      cards.current = new Map();
      tombstones.current = new Map();
      respaced.current = new Map();
      setPainted(false);
    }
    setComplete(false);
    setError(undefined);

    (async () => {
      const first: FirstPages = shown ?? (await (taken ?? loadFirstPages(boardId)));
      if (cancelled) return;
      if (!shown) {
        applyBoard(first.board, true);
        for (const page of first.pages.values()) for (const card of page.data) keep(card, false);
        bump();
        setPainted(true);
      }
      // The rest waits for the first frame, so it never competes with it.
      await afterPaint();
      await Promise.all(
        [...first.pages].map(async ([status, page]) => {
          let after = page.meta.has_more ? (page.meta.next_cursor ?? undefined) : undefined;
          while (after && !cancelled) {
            const next = await columnPage(boardId, status, after);
            if (cancelled) return;
            for (const card of next.data) keep(card, false);
            bumpSoon();
            after = next.meta.has_more ? (next.meta.next_cursor ?? undefined) : undefined;
          }
        }),
      );
      if (cancelled) return;
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
  }, [boardId, generation, preloaded, applyBoard, keep, bump, bumpSoon]);

  useEffect(
    () =>
      live.subscribe((message) => {
        if (message.kind === 'reset') {
          setGeneration((g) => g + 1);
          return;
        }
        if (message.event.action === 'respace') applyRespace(message.event);
        const object = message.event.object;
        if (!object) return;
        if (object.type === 'card') applyCard(object as unknown as Card);
        else if (object.type === 'board' && object.id === boardId) applyBoard(object as unknown as Board);
      }),
    [boardId, applyBoard, applyCard, applyRespace],
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
  // A load that failed while the server was unreachable runs again once it is back, so the error
  // does not linger after the connection returns.
  useEffect(() => (error ? onReconnect(reload) : undefined), [error, reload]);

  return { board, columns, cards: cards.current, painted, complete, error, missing, applyCard, previewCard, applyBoard, reload };
}
