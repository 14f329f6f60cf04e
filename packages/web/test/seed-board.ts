/**
 * A big board for the scale test and the web benchmark: one board whose cards are written straight
 * through the store in one transaction (the API would take minutes for thousands of creates), with
 * varied titles, priorities, people, tags and due dates. Deterministic, so every run sees the same board.
 */
import { PRIORITIES, type Json } from '@prodboard/shared';
import { newId } from '../../server/src/context.js';
import type { ObjectRow, Store } from '../../server/src/store/types.js';


const WORDS = 'deploy review migrate refactor login billing invoice export search cache queue retry webhook onboarding dashboard report mobile layout drag column token scope audit upload avatar email filter archive restore import chart alert latency'.split(' ');
const PEOPLE = ['ada', 'grace', 'linus', 'barbara', 'ken', 'margaret'];
const TAGS = ['bug', 'feature', 'ui', 'api', 'infra', 'docs', 'perf'];

/** How the cards spread over the default columns: a long first column, as real backlogs have. */
export const SPREAD = { todo: 0.6, in_progress: 0.2, review: 0.12, done: 0.08 } as const;

/** A small deterministic PRNG (mulberry32), so every seed is the same data (also used by bench/seed.ts). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Creates a board with `cards` cards for the user in the workspace; returns its id and the cards per column. */
export async function seedBoard(
  store: Store,
  owner: { userId: string; workspaceId: string },
  cards: number,
  name = `Big board (${cards.toLocaleString('en-US')} cards)`,
): Promise<{ boardId: string; perColumn: Record<string, number> }> {
  const random = prng(cards);
  const pick = <T,>(list: readonly T[]) => list[Math.floor(random() * list.length)];
  const now = new Date().toISOString();
  const base = (type: string, data: Record<string, Json>): ObjectRow => ({
    id: newId(), workspace_id: owner.workspaceId, type, status: 'active', owned_by: owner.userId, created_by: owner.userId, updated_by: owner.userId,
    is_archived: false, is_deleted: false, created_at: now, updated_at: now, version: 1, deleted_at: null, deleted_with: null, data,
  });
  const board = base('board', {
    name,
    accent: 'blue',
    description: 'A large board for measuring load and scroll speed.',
    tags: ['bench'],
    columns: [
      { key: 'todo', name: 'To do' },
      { key: 'in_progress', name: 'In progress', wip_limit: 500 },
      { key: 'review', name: 'Review' },
      { key: 'done', name: 'Done' },
    ],
  });
  const perColumn: Record<string, number> = {};
  const keys = Object.keys(SPREAD) as Array<keyof typeof SPREAD>;
  let left = cards;
  keys.forEach((key, i) => {
    perColumn[key] = i === keys.length - 1 ? left : Math.round(cards * SPREAD[key]);
    left -= perColumn[key];
  });
  await store.transaction(async (tx) => {
    await tx.insertObject(board);
    for (const key of keys) {
      for (let i = 0; i < perColumn[key]; i++) {
        const words = Array.from({ length: 3 + Math.floor(random() * 5) }, () => pick(WORDS));
        const data: Record<string, Json> = {
          title: `${words[0].charAt(0).toUpperCase()}${words[0].slice(1)} ${words.slice(1).join(' ')} #${i + 1}`,
          board_id: board.id,
          status: key,
          position: (i + 1) * 1024,
          priority: pick(PRIORITIES),
        };
        if (random() < 0.7) data.assignee = pick(PEOPLE);
        if (random() < 0.6) data.tags = [...new Set([pick(TAGS), pick(TAGS)])];
        if (random() < 0.4) data.due_date = `2026-${String(1 + Math.floor(random() * 12)).padStart(2, '0')}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`;
        await tx.insertObject(base('card', data));
      }
    }
  });
  return { boardId: board.id as string, perColumn };
}
