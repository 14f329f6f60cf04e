/**
 * Bearer tokens: random, prefixed by kind, stored only as a SHA-256 hash.
 * (Tokens carry 256 random bits, so a fast hash is enough; a password KDF would only slow every request.)
 */
import { createHmac, hash, randomBytes } from 'node:crypto';

/**
 * Session tokens come from login; personal access tokens from the Integrations page or the CLI; the
 * OAuth kinds from the authorization server (src/oauth): a code, an access token valid only at /mcp,
 * and a refresh token.
 */
export type TokenKind = 'session' | 'pat' | 'oauth_code' | 'oauth_access' | 'oauth_refresh';

const PREFIX: Record<TokenKind, string> = { session: 'ses_', pat: 'pat_', oauth_code: 'oac_', oauth_access: 'oat_', oauth_refresh: 'ort_' };

/** A new random token of that kind. */
export function generateToken(kind: TokenKind): string {
  return PREFIX[kind] + randomBytes(32).toString('base64url');
}

/**
 * The token of a session's one successor: derived from the session's own token (which is never
 * stored) and its stored random salt, so every use of an old token hands out the same successor,
 * and neither a stolen old token nor a copy of the database alone yields it.
 */
export function successorToken(token: string, salt: string): string {
  return PREFIX.session + createHmac('sha256', token).update(`prodboard session successor\0${salt}`).digest('base64url');
}

/** The stored form of a token (every authenticated request computes it: the one-shot hash is 3× cheaper than createHash). */
export function hashToken(token: string): string {
  return hash('sha256', token, 'hex');
}

/** The kind a token's prefix claims, or undefined for anything else. */
export function tokenKind(token: string): TokenKind | undefined {
  return KIND_BY_PREFIX.get(token.slice(0, 4));
}

/** Every authenticated request asks tokenKind: one lookup, no array and closure per call. */
const KIND_BY_PREFIX = new Map((Object.keys(PREFIX) as TokenKind[]).map((kind) => [PREFIX[kind], kind]));

/** The part of a token safe to show in lists: its kind and first characters. */
export function tokenPrefix(token: string): string {
  return token.slice(0, 12);
}
