/**
 * Where each card of a column sits: cards take the height of what they show (a title-only card is
 * short, a card with a long title and tags is tall), so the virtual list places them by the running
 * sum of their heights. A card never drawn yet has an estimate from its content; once drawn, its
 * measured height replaces the estimate, and the cards below move to fit.
 */
import type { Card } from '../api/types.js';

/** Space between two cards. */
export const CARD_GAP = 8;
/** Padding at the top of a list (matches the CSS). */
export const LIST_PADDING = 8;

// The card's box in styles.css: padding, border, the title's line height, the meta line.
const CARD_CHROME = 2 * 10 + 2;
const TITLE_LINE = 19;
const TITLE_MAX_LINES = 3;
/** Title characters per line at the desktop column width (13.5 px text in 246 px). */
const TITLE_CHARS_PER_LINE = 34;
const META_ROW = 22;
const META_GAP = 6;

/** A card's height before it is measured, from what it shows. */
export function estimateCardHeight(card: Card): number {
  const { title = '', priority, due_date: due, tags = [], assignee } = card.data;
  const lines = Math.min(TITLE_MAX_LINES, Math.max(1, Math.ceil(title.length / TITLE_CHARS_PER_LINE)));
  const hasMeta = Boolean(priority || due || assignee || tags.length > 0);
  // Tags wrap instead of being cut, so many of them take further rows.
  const metaChars = (priority ? 9 : 0) + (due ? 12 : 0) + tags.reduce((sum, t) => sum + t.length + 3, 0) + (assignee ? 4 : 0);
  const metaRows = hasMeta ? Math.max(1, Math.ceil(metaChars / 36)) : 0;
  return CARD_CHROME + lines * TITLE_LINE + (hasMeta ? META_GAP + metaRows * META_ROW + (metaRows - 1) * 4 : 0);
}

/** The tops and heights of a column's cards, in list coordinates (0 is the top of the first card). */
export interface ColumnLayout {
  /** The top of card `i` (`i === count` gives the end of the list). */
  top(i: number): number;
  height(i: number): number;
  /** The whole list's height. */
  readonly total: number;
  /** The index of the card at `offset` (clamped to the cards). */
  indexAt(offset: number): number;
  /** Where a card dropped at `offset` lands: before the first card whose middle is below it. */
  insertionAt(offset: number): number;
}

/** Lays out `cards` with the heights measured so far (by card id) and estimates for the rest. */
export function layoutColumn(cards: readonly Card[], measured: ReadonlyMap<string, number>): ColumnLayout {
  const tops = new Float64Array(cards.length + 1);
  const heights = new Float64Array(cards.length);
  for (let i = 0; i < cards.length; i++) {
    heights[i] = measured.get(cards[i].id) ?? estimateCardHeight(cards[i]);
    tops[i + 1] = tops[i] + heights[i] + CARD_GAP;
  }
  /** The last index whose top is at or above `offset` (binary search over the sorted tops). */
  const search = (offset: number) => {
    let low = 0;
    let high = cards.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (tops[mid] <= offset) low = mid;
      else high = mid - 1;
    }
    return Math.max(0, low);
  };
  return {
    top: (i) => tops[Math.max(0, Math.min(i, cards.length))],
    height: (i) => heights[i] ?? 0,
    total: tops[cards.length],
    indexAt: search,
    insertionAt(offset) {
      if (cards.length === 0) return 0;
      const i = search(offset);
      return offset > tops[i] + heights[i] / 2 ? i + 1 : i;
    },
  };
}

const layouts = new WeakMap<Element, ColumnLayout>();

/** Records the layout of the cards in a column's scrolling body (ColumnView does, on every render). */
export function setBodyLayout(body: Element, layout: ColumnLayout): void {
  layouts.set(body, layout);
}

/** The layout of the cards in a column's scrolling body, for drag and drop and for scrolling a card into view. */
export function bodyLayout(body: Element): ColumnLayout | undefined {
  return layouts.get(body);
}
