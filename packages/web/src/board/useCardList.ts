/**
 * A live list of the cards a server filter picks (a board's archived cards, the cards without a
 * board): read page by page, then kept in step by the live stream, newest copy winning.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, errorMessage } from '../api/client.js';
import { onReconnect } from '../api/connectivity.js';
import type { Card, Page } from '../api/types.js';
import { live } from '../live/live.js';
import { isNewer } from './objects.js';

/** Most cards such a list reads; past it, the list says there are more. */
const MOST = 2000;

export interface CardList {
  /** The cards, in the order of `sort` (undefined while the first page loads). */
  cards?: Card[];
  /** More cards match than were read. */
  truncated: boolean;
  error?: string;
  /** Keeps a copy the server returned (a restore's response), removing it when it no longer belongs. */
  apply: (card: Card) => void;
}

/**
 * The cards matching `query` (list parameters of GET /data/card; `['']` sends an empty value). `belongs` says whether a copy
 * (from a write or a live event) still matches, so changes anywhere add and remove cards at once.
 */
export function useCardList(query: Record<string, string | string[]>, belongs: (card: Card) => boolean, compare: (a: Card, b: Card) => number): CardList {
  const [byId, setById] = useState<Map<string, Card>>();
  const [truncated, setTruncated] = useState(false);
  const [error, setError] = useState<string>();
  const [generation, setGeneration] = useState(0);
  const key = JSON.stringify(query);
  // A read that failed while the server was unreachable runs again once it is back.
  useEffect(() => (error ? onReconnect(() => setGeneration((g) => g + 1)) : undefined), [error]);

  const apply = useCallback(
    (card: Card) =>
      setById((current) => {
        if (!current) return current;
        const known = current.get(card.id);
        if (known && !isNewer(card, known)) return current;
        const next = new Map(current);
        if (belongs(card) && !card.is_deleted) next.set(card.id, card);
        else if (known) next.delete(card.id);
        else return current;
        return next;
      }),
    [belongs],
  );

  useEffect(() => {
    const controller = new AbortController();
    setById(undefined);
    setError(undefined);
    (async () => {
      const found = new Map<string, Card>();
      let after: string | undefined;
      do {
        const page = await api.get<Page<Card>>('/data/card', { query: { ...JSON.parse(key), limit: 200, after }, signal: controller.signal });
        for (const card of page.data) found.set(card.id, card);
        after = page.meta.has_more ? (page.meta.next_cursor ?? undefined) : undefined;
      } while (after && found.size < MOST);
      setTruncated(!!after);
      setById(found);
    })().catch((err: unknown) => {
      if (!controller.signal.aborted) setError(errorMessage(err));
    });
    return () => controller.abort();
  }, [key, generation]);

  useEffect(
    () =>
      live.subscribe((message) => {
        // A reset means events were missed: read the list again.
        if (message.kind === 'reset') setGeneration((g) => g + 1);
        else if (message.event.object?.type === 'card') apply(message.event.object as unknown as Card);
      }),
    [apply],
  );

  const cards = useMemo(() => (byId ? [...byId.values()].sort(compare) : undefined), [byId, compare]);
  return { cards, truncated, error, apply };
}
