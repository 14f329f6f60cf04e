/**
 * Human identifiers (issue 12): a board's short key (`WEB`), unique in its workspace, and a card's
 * key, its board's key and its number on that board (`WEB-42`). Browser-safe.
 */

/** A board key: a letter, then letters or digits, 2 to 10 in all, uppercase. */
export const BOARD_KEY = /^[A-Z][A-Z0-9]{1,9}$/;
/** A card key: a board key, a dash and the card's number on that board. */
const CARD_KEY = /^([A-Za-z][A-Za-z0-9]{1,9})-([1-9][0-9]{0,8})$/;

/** The message for a board key that is not well-formed (names what to send). */
export const BOARD_KEY_RULE = 'key must be 2 to 10 letters A-Z or digits, starting with a letter, like WEB or OPS2';

/** A key as typed (any case, spaces around) → its stored form; undefined when it is not well-formed. */
export function normalizeBoardKey(raw: string): string | undefined {
  const key = raw.trim().toUpperCase();
  return BOARD_KEY.test(key) ? key : undefined;
}

/** `web-42` → `{ boardKey: 'WEB', number: 42 }`; undefined when it is not a card key. */
export function parseCardKey(raw: string): { boardKey: string; number: number } | undefined {
  const m = CARD_KEY.exec(raw.trim());
  return m ? { boardKey: m[1].toUpperCase(), number: Number(m[2]) } : undefined;
}

/** A card's key from its board's key and its number. */
export function cardKey(boardKey: string, number: number): string {
  return `${boardKey}-${number}`;
}

/**
 * The key a board name suggests: its words' initials when it has several ("Website redesign" → WR),
 * else the first three letters of its one word ("Web" → WEB); letters A-Z and digits only (accents
 * folded), starting with a letter; `BOARD` when the name has none.
 */
export function suggestBoardKey(name: string): string {
  const words = name.normalize('NFKD').replace(/\p{M}+/gu, '').toUpperCase().match(/[A-Z0-9]+/g) ?? [];
  let key = (words.length >= 2 ? words.map((w) => w[0]).join('') : (words[0] ?? '').slice(0, 3)).replace(/^[0-9]+/, '').slice(0, 10);
  if (key.length < 2) key = words.join('').replace(/^[0-9]+/, '').slice(0, 3);
  return BOARD_KEY.test(key) ? key : 'BOARD';
}

/** The nth candidate for a key (n = 1 is the key itself): WEB, WEB2, WEB3 … within 10 characters. */
export function keyCandidate(base: string, n: number): string {
  if (n === 1) return base;
  const suffix = String(n);
  return base.slice(0, 10 - suffix.length) + suffix;
}
