/**
 * The board's quick filters (assignee, priority, tag, due) applied to loaded cards, and the state of
 * a due date. Search (`q`) runs on the server's full-text index and arrives as a set of ids.
 */
import type { Card } from '../api/types.js';

/** The filter values, as kept in the page's URL. */
export interface CardFilters {
  assignee?: string;
  priority?: string;
  tag?: string;
  due?: string;
}

/** The assignee filter value meaning "nobody". */
export const UNASSIGNED = '-';

/** The assignee filter value meaning "the signed-in person" (as `data__assignees=me` in the API). */
export const ASSIGNED_TO_ME = 'me';

/** The due-date choices of the filter. */
export const DUE_CHOICES = [
  { value: 'overdue', label: 'Overdue' },
  { value: 'today', label: 'Due today' },
  { value: 'week', label: 'Due within 7 days' },
  { value: 'none', label: 'No due date' },
] as const;

function localDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** Where a due date stands today: overdue, today, within a week, later (or undefined without one). */
export function dueState(due: string | undefined, now = new Date()): 'overdue' | 'today' | 'soon' | 'later' | undefined {
  if (!due) return undefined;
  const day = due.slice(0, 10);
  const today = localDay(now);
  if (day < today) return 'overdue';
  if (day === today) return 'today';
  const week = new Date(now);
  week.setDate(week.getDate() + 7);
  return day <= localDay(week) ? 'soon' : 'later';
}

/** True when any filter is set. */
export function hasFilters(filters: CardFilters): boolean {
  return Object.values(filters).some((v) => v !== undefined && v !== '');
}

/**
 * True when the card passes every filter (and is among `matches` when a search is active). The
 * assignee filter is a member's user id (or `me`, the signed-in `meId`), or an unmatched free text.
 */
export function cardMatches(card: Card, filters: CardFilters, matches?: ReadonlySet<string>, now = new Date(), meId?: string): boolean {
  if (matches && !matches.has(card.id)) return false;
  const d = card.data;
  if (filters.assignee) {
    const ids = d.assignees ?? [];
    if (filters.assignee === UNASSIGNED) {
      if (ids.length > 0 || d.assignee) return false;
    } else {
      const wanted = filters.assignee === ASSIGNED_TO_ME ? meId : filters.assignee;
      if (!wanted || !(ids.includes(wanted) || d.assignee === wanted)) return false;
    }
  }
  if (filters.priority && d.priority !== filters.priority) return false;
  if (filters.tag && !(d.tags ?? []).includes(filters.tag)) return false;
  if (filters.due) {
    const state = dueState(d.due_date, now);
    if (filters.due === 'none' && state !== undefined) return false;
    if (filters.due === 'overdue' && state !== 'overdue') return false;
    if (filters.due === 'today' && state !== 'today') return false;
    if (filters.due === 'week' && state !== 'today' && state !== 'soon') return false;
  }
  return true;
}

/** The distinct unmatched (free-text) assignees and the tags of the loaded cards, sorted, for the filter menus. */
export function filterChoices(cards: Iterable<Card>): { assignees: string[]; tags: string[] } {
  const assignees = new Set<string>();
  const tags = new Set<string>();
  for (const card of cards) {
    if (card.data.assignee) assignees.add(card.data.assignee);
    for (const tag of card.data.tags ?? []) tags.add(tag);
  }
  const sort = (s: Set<string>) => [...s].sort((a, b) => a.localeCompare(b));
  return { assignees: sort(assignees), tags: sort(tags) };
}
