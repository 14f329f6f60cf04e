/**
 * Comments on cards: the input rule (one Markdown `body`) and how `@mentions` are written, shared by
 * the server (which validates and resolves mentions) and the web app (which renders them).
 *
 * A comment is not a manifest model: it lives on its card (read with the card's read access, written
 * with its write access), is listed per card, and has an author rule no generic model has.
 */
import { isStorableText } from './validate.js';
import { validationError } from './errors.js';

/** Limits on a comment, shared by the server and the composer. */
export const COMMENT_LIMITS = { maxBodyLength: 10_000, maxMentions: 50 } as const;

/**
 * A mention as written in a body: `@` at the start or after a space or punctuation, then a handle of
 * letters, digits, `.`, `_`, `-` (or a whole email address). The handle must end on a letter or
 * digit, so "ask @ana." mentions `ana`.
 */
export const MENTION_PATTERN = /(?<![\p{L}\p{N}_@.])@([\p{L}\p{N}](?:[\p{L}\p{N}._+-]*[\p{L}\p{N}])?(?:@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+)?)/gu;

/** The mention handles in a body, each once, in order of first appearance. */
export function mentionHandles(body: string): string[] {
  const seen = new Set<string>();
  for (const m of body.matchAll(MENTION_PATTERN)) seen.add(m[1]);
  return [...seen];
}

/** A member as mentions see them. */
export interface MentionCandidate {
  user_id: string;
  name: string;
  email: string;
}

/** The handles by which a member can be mentioned: their name without spaces, first name, email and its local part (folded). */
export function handlesOf(member: MentionCandidate): string[] {
  const fold = (s: string) => s.normalize('NFKC').toLowerCase();
  const name = member.name.trim();
  const out = new Set<string>();
  if (name) {
    out.add(fold(name.replace(/\s+/g, '')));
    out.add(fold(name.split(/\s+/)[0]));
  }
  out.add(fold(member.email));
  out.add(fold(member.email.split('@')[0]));
  return [...out].filter(Boolean);
}

/**
 * Resolves each handle to the one member it names (`@ana`, `@AnaLima`, `@ana.lima@example.com`);
 * a handle that names no member, or more than one, is plain text.
 */
export function resolveMentions(body: string, members: readonly MentionCandidate[]): Array<{ user_id: string; handle: string }> {
  const byHandle = new Map<string, Set<string>>();
  for (const member of members) {
    for (const handle of handlesOf(member)) {
      const ids = byHandle.get(handle) ?? new Set<string>();
      ids.add(member.user_id);
      byHandle.set(handle, ids);
    }
  }
  const out: Array<{ user_id: string; handle: string }> = [];
  for (const handle of mentionHandles(body)) {
    const ids = byHandle.get(handle.normalize('NFKC').toLowerCase());
    if (ids?.size === 1) out.push({ user_id: [...ids][0], handle });
    if (out.length >= COMMENT_LIMITS.maxMentions) break;
  }
  return out;
}

/** Validates a comment's create or update body: exactly `{body}`, non-blank text within the limit. */
export function validateCommentInput(input: unknown): { body: string } {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw validationError([{ field: 'body', message: 'send a JSON object {"body": "your comment in Markdown"}' }]);
  }
  const unknown = Object.keys(input).filter((k) => k !== 'body');
  if (unknown.length > 0) {
    throw validationError(unknown.map((k) => ({ field: k.slice(0, 64), message: `${k.slice(0, 64)} is not a comment field; a comment takes only body` })));
  }
  const body = (input as { body?: unknown }).body;
  const fail = (message: string) => validationError([{ field: 'body', message }]);
  if (body === undefined || body === null) throw fail('body is required: the comment text, in Markdown');
  if (typeof body !== 'string') throw fail('body must be a string of Markdown text');
  if (body.trim() === '') throw fail('body must not be blank; write the comment text');
  if (body.length > COMMENT_LIMITS.maxBodyLength) throw fail(`body must be at most ${COMMENT_LIMITS.maxBodyLength} characters (got ${body.length}); shorten it or split it into several comments`);
  if (!isStorableText(body)) throw fail('body must not contain NUL characters or unpaired UTF-16 surrogates');
  return { body };
}
