/**
 * The runtime of one prodmcp process: settings, the state directory, the token in use, the API
 * client and telemetry, wired once so every command and tool shares them.
 */
import { readCredentials, resolveToken, saveCredentials, type TokenSource } from './credentials.js';
import { ApiClient } from './http/api-client.js';
import { settingsFromEnv, type Settings } from './settings.js';
import { StateDir } from './state.js';
import { Telemetry } from './telemetry.js';

/** Everything a command or a tool needs. */
export interface Runtime {
  settings: Settings;
  state: StateDir;
  api: ApiClient;
  telemetry: Telemetry;
  /** The token in use: PRODMCP_TOKEN, else the one saved for this server (read once, then kept current). */
  token(): TokenSource | undefined;
  /** Sends queued telemetry (bounded) and closes idle connections. */
  close(): Promise<void>;
}

/**
 * Keeps a sliding session alive: the server renews a session token now and then, and the new one
 * replaces the saved one. Tokens from the environment and personal access tokens are never
 * rewritten (the server does not renew PATs, and an environment token belongs to the host config).
 */
function persistRenewedSession(state: StateDir, renewed: string, source: TokenSource): boolean {
  if (source.origin !== 'file' || source.kind !== 'session') return false;
  const saved = readCredentials(state);
  if (!saved || saved.kind !== 'session' || saved.token !== source.token) return false;
  saveCredentials(state, { ...saved, token: renewed, saved_at: Math.floor(Date.now() / 1000) });
  return true;
}

/** Builds the runtime from the environment (throws SettingsError on a bad variable). */
export function createRuntime(env: NodeJS.ProcessEnv = process.env): Runtime {
  const settings = settingsFromEnv(env);
  const state = new StateDir(settings.stateDir);
  const telemetry = new Telemetry(settings.telemetry, state);
  let cached: TokenSource | undefined | null = null;
  const token = () => (cached === null ? (cached = resolveToken(settings, state)) : cached);
  const api = new ApiClient({
    baseUrl: settings.baseUrl,
    timeoutMs: settings.timeoutMs,
    token,
    extraHeaders: () => telemetry.headers(),
    onRefreshToken: (renewed, source) => {
      try {
        if (persistRenewedSession(state, renewed, source)) cached = { ...source, token: renewed };
      } catch {
        // keep using the current token; the server accepts it for a while after renewal
      }
    },
  });
  telemetry.attach(api);
  return {
    settings,
    state,
    api,
    telemetry,
    token,
    async close() {
      await telemetry.flush();
      api.close();
    },
  };
}
