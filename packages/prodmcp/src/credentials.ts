/**
 * Which token prodmcp sends, and where it came from. PRODMCP_TOKEN wins over the saved token; a
 * saved token is only ever sent to the server it was saved for.
 */
import type { Settings } from './settings.js';
import { STATE_FILES, type StateDir } from './state.js';

/** What `prodmcp login` saves in credentials.json. */
export interface SavedCredentials {
  token: string;
  /** `pat` for personal access tokens; `session` for a login with email and password. */
  kind: 'pat' | 'session';
  user_id?: string | null;
  email?: string | null;
  saved_at?: number;
  /** The server the token belongs to (absent in files the reference client wrote). */
  base_url?: string;
}

/** The token in use and its origin. */
export type TokenSource =
  | { origin: 'env'; token: string }
  | { origin: 'file'; token: string; kind: 'pat' | 'session'; email?: string | null };

/** The kind of a token by its prefix: personal access tokens start with `pat_`. */
export function tokenKind(token: string): 'pat' | 'session' {
  return token.startsWith('pat_') ? 'pat' : 'session';
}

/** The saved credentials, or undefined when there are none (or the file is unusable). */
export function readCredentials(state: StateDir): SavedCredentials | undefined {
  const raw = state.read(STATE_FILES.credentials);
  if (typeof raw.token !== 'string' || raw.token === '') return undefined;
  return {
    ...raw,
    token: raw.token,
    kind: raw.kind === 'pat' || raw.kind === 'session' ? raw.kind : tokenKind(raw.token),
  } as SavedCredentials;
}

/** Saves credentials (mode 0600, atomically). */
export function saveCredentials(state: StateDir, credentials: SavedCredentials): void {
  state.write(STATE_FILES.credentials, { ...credentials });
}

/** The saved credentials when they belong to another server than the configured one. */
export function credentialsForOtherServer(state: StateDir, settings: Settings): SavedCredentials | undefined {
  const saved = readCredentials(state);
  return saved?.base_url && saved.base_url !== settings.baseUrl ? saved : undefined;
}

/** The token to send: PRODMCP_TOKEN, else the token saved for this server, else none. */
export function resolveToken(settings: Settings, state: StateDir): TokenSource | undefined {
  if (settings.envToken) return { origin: 'env', token: settings.envToken };
  const saved = readCredentials(state);
  if (!saved || (saved.base_url && saved.base_url !== settings.baseUrl)) return undefined;
  return { origin: 'file', token: saved.token, kind: saved.kind, email: saved.email };
}

/** How to sign in, in words a person or an AI model can act on. */
export const HOW_TO_SIGN_IN =
  'set PRODMCP_TOKEN=pat_... in the MCP host config (create a token on the Integrations page of Production Board), or run `prodmcp login` once';

/** What to do about a 401, given where the rejected token came from. */
export function signInAgainHint(source: TokenSource | undefined): string {
  if (!source) return `Not signed in: ${HOW_TO_SIGN_IN}.`;
  if (source.origin === 'env') {
    return 'Create a new token on the Integrations page of Production Board and put it in PRODMCP_TOKEN in the MCP host config, then restart the host.';
  }
  return source.kind === 'session'
    ? 'Run `prodmcp login` again to sign in (or `prodmcp login --token pat_...` with a personal access token).'
    : 'Create a new token on the Integrations page of Production Board and run `prodmcp login --token pat_...` with it.';
}
