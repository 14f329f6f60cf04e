/** The twelve board accent colours (names from the manifest), as the colours people see. */
import { ACCENTS } from '@prodboard/shared';

const HEX: Record<(typeof ACCENTS)[number], string> = {
  slate: '#64748b',
  gray: '#6b7280',
  blue: '#3b82f6',
  indigo: '#6366f1',
  violet: '#8b5cf6',
  fuchsia: '#d946ef',
  amber: '#f59e0b',
  orange: '#f97316',
  emerald: '#10b981',
  green: '#22c55e',
  rose: '#f43f5e',
  red: '#ef4444',
};

/** The colour of an accent name; boards without one are indigo, the app's own colour. */
export function accentColor(accent: string | undefined): string {
  return HEX[(accent ?? 'indigo') as keyof typeof HEX] ?? HEX.indigo;
}

/**
 * The avatar colours: the accents' hues without the greys, each in a shade deep enough for white
 * initials at 4.5:1 or better (the accents themselves are 2.5 to 4.3:1; a browser test checks).
 */
export const PERSON_COLORS = [
  '#1d4ed8', // blue
  '#4338ca', // indigo
  '#6d28d9', // violet
  '#a21caf', // fuchsia
  '#b45309', // amber
  '#c2410c', // orange
  '#047857', // emerald
  '#15803d', // green
  '#be123c', // rose
  '#b91c1c', // red
] as const;

/** A person's avatar colour, picked by hashing the name so each person keeps theirs. */
export function personColor(name: string): string {
  let hash = 0;
  for (const ch of name) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return PERSON_COLORS[hash % PERSON_COLORS.length];
}
