/**
 * Moving a card, as the server understands it: the server owns positions, and a position equal to
 * a card's position means "insert before that card". This turns "put it at index i of that column"
 * into the PATCH body, plus a provisional position so the board shows the move at once.
 */
import type { Card } from '../api/types.js';

/** The gap the client leaves when it places a card after the last one (the server respaces as needed). */
const STEP = 1024;

/** A planned move: what to send, and where to show the card until the server answers. */
export interface MovePlan {
  body: { status?: string; position?: number };
  provisional: number;
}

const positionOf = (card: Card) => card.data.position ?? 0;

/**
 * Plans moving `card` into column `status` so that it lands at `index` among the column's other
 * cards (`list` is the column in order, and may include the card itself). Null when nothing moves.
 */
export function planMove(card: Card, status: string, list: readonly Card[], index: number): MovePlan | null {
  const sameColumn = card.data.status === status;
  const others = list.filter((c) => c.id !== card.id);
  const at = Math.max(0, Math.min(index, others.length));
  if (sameColumn && list.findIndex((c) => c.id === card.id) === at) return null;

  const before = others[at];
  const after = others[at - 1];
  const body: MovePlan['body'] = {};
  if (!sameColumn) body.status = status;
  let provisional: number;
  if (before) {
    body.position = positionOf(before);
    const low = after ? positionOf(after) : positionOf(before) - STEP;
    provisional = (low + positionOf(before)) / 2;
  } else {
    provisional = (after ? positionOf(after) : 0) + STEP;
    // Into another column, the server puts a card without a position at the end; within one, ask for past the last.
    if (sameColumn) body.position = provisional;
  }
  return { body, provisional };
}

/** Orders cards as the server does: by position, then id. */
export function byPosition(a: Card, b: Card): number {
  const pa = a.data.position ?? Number.POSITIVE_INFINITY;
  const pb = b.data.position ?? Number.POSITIVE_INFINITY;
  return pa - pb || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
