/**
 * Roles and token scopes: who may do what, as data shared by the server, prodmcp and the web app.
 */
import { AppError, listWords } from './errors.js';
import { MODEL_NAMES } from './manifest.js';
import { clipEcho } from './validate.js';

/** Workspace roles, most powerful first. */
export const ROLES = ['owner', 'admin', 'member', 'viewer'] as const;
/** A member's role in a workspace. */
export type Role = (typeof ROLES)[number];

/** What a token may do with one model. */
export const SCOPE_LEVELS = ['none', 'read', 'write'] as const;
/** One scope level; `write` implies `read`. */
export type ScopeLevel = (typeof SCOPE_LEVELS)[number];
/** Per-model scopes of a personal access token. */
export type Scopes = Record<string, ScopeLevel>;

/** True when the role may write data (every role but viewer). */
export function roleCanWrite(role: Role): boolean {
  return role !== 'viewer';
}

/** True when the level grants the access asked for. */
export function scopeAllows(level: ScopeLevel | undefined, access: 'read' | 'write'): boolean {
  return level === 'write' || (access === 'read' && level === 'read');
}

/** The one example every scope error gives. */
const SCOPE_FIX = `write model:level with model one of ${listWords(MODEL_NAMES)} and level one of ${listWords(SCOPE_LEVELS)}, e.g. board:read,card:write`;

/**
 * Parses `board:read,card:write` into scopes; models not named get `none`. An empty spec means
 * read and write on every model. Each part is exactly `model:level`.
 */
export function parseScopes(spec: string | undefined): Scopes {
  const scopes: Scopes = Object.fromEntries(MODEL_NAMES.map((m) => [m, 'none' as ScopeLevel]));
  if (spec === undefined || spec.trim() === '') {
    for (const m of MODEL_NAMES) scopes[m] = 'write';
    return scopes;
  }
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [model, level, ...rest] = part.split(':');
    if (rest.length > 0 || !MODEL_NAMES.includes(model) || !(SCOPE_LEVELS as readonly string[]).includes(level ?? '')) {
      const quoted = clipEcho(part);
      throw new AppError('validation_failed', `scope "${quoted}" is not valid; ${SCOPE_FIX}`, { errors: [{ field: 'scopes', message: `invalid scope "${quoted}"` }] });
    }
    scopes[model] = level as ScopeLevel;
  }
  return scopes;
}

/**
 * Scopes as a client sends them: a `board:read,card:write` string, or an object such as
 * `{"board": "read"}` (models left out get `none`; an empty object grants nothing).
 */
export function parseScopesInput(raw: unknown): Scopes {
  if (raw === undefined || typeof raw === 'string') return parseScopes(raw);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new AppError('validation_failed', 'scopes must be an object such as {"board": "read", "card": "write"} or a string such as "board:read,card:write"', { errors: [{ field: 'scopes', message: 'wrong type' }] });
  }
  const scopes: Scopes = Object.fromEntries(MODEL_NAMES.map((m) => [m, 'none' as ScopeLevel]));
  for (const [model, level] of Object.entries(raw as Record<string, unknown>)) {
    if (!MODEL_NAMES.includes(model) || typeof level !== 'string' || !(SCOPE_LEVELS as readonly string[]).includes(level)) {
      const field = `scopes.${clipEcho(model)}`;
      const what = typeof level === 'string' ? `"${clipEcho(level)}"` : level === null ? 'null' : Array.isArray(level) ? 'an array' : typeof level;
      throw new AppError('validation_failed', `${field}: ${what} is not a valid scope; send {"board": "read", "card": "write"} with models ${MODEL_NAMES.join(', ')} and levels ${SCOPE_LEVELS.join(', ')}`, { errors: [{ field, message: 'invalid scope' }] });
    }
    scopes[model] = level as ScopeLevel;
  }
  return scopes;
}

/** Scopes as `board:read,card:write`. */
export function formatScopes(scopes: Scopes): string {
  // In manifest order, whatever order the store kept the keys in (PostgreSQL's jsonb reorders them).
  const rank = (model: string) => (MODEL_NAMES.includes(model) ? MODEL_NAMES.indexOf(model) : MODEL_NAMES.length);
  return Object.entries(scopes)
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([model, level]) => `${model}:${level}`)
    .join(',');
}

/** Scopes no wider than the role allows: a viewer's `write` becomes `read` (what consent shows and a grant keeps). */
export function capScopesToRole(scopes: Scopes, role: Role): Scopes {
  if (roleCanWrite(role)) return { ...scopes };
  return Object.fromEntries(Object.entries(scopes).map(([model, level]) => [model, level === 'write' ? 'read' : level]));
}

/** Every OAuth scope value (`board:read`, `board:write`, ...), for the authorization server's metadata. */
export const OAUTH_SCOPES: string[] = MODEL_NAMES.flatMap((m) => [`${m}:read`, `${m}:write`]);

/** An OAuth `scope` parameter (space-separated `board:read card:write`) as scopes; absent or empty means everything. */
export function parseOAuthScope(scope: string | undefined): Scopes {
  return parseScopes(scope === undefined ? undefined : scope.trim().split(/\s+/).join(','));
}

/** Scopes as an OAuth `scope` value: the granted levels, space-separated, `none` left out. */
export function formatOAuthScope(scopes: Scopes): string {
  return Object.entries(scopes)
    .filter(([, level]) => level !== 'none')
    .map(([model, level]) => `${model}:${level}`)
    .join(' ');
}
