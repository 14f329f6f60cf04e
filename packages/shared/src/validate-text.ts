/** Text every store can hold: shared by field validation and the parsers of structured fields. */

/**
 * NUL, and a UTF-16 surrogate without its other half: PostgreSQL's text and jsonb refuse both while
 * SQLite stores them, and no person types them. A pair (an emoji) is fine.
 */
export const UNSTORABLE_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** True when every store can hold the string as it is. */
export function isStorableText(text: string): boolean {
  return !UNSTORABLE_TEXT.test(text);
}
