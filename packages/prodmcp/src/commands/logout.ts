/** `prodmcp logout`: forgets the saved token (and ends a saved session on the server). */
import { readCredentials } from '../credentials.js';
import { ok, parseOptions, type Io } from '../cli/io.js';
import type { Runtime } from '../runtime.js';
import { STATE_FILES } from '../state.js';

/** Removes credentials.json; exit code 0. */
export async function run(runtime: Runtime, args: string[], io: Io): Promise<number> {
  parseOptions(args, {}, 'usage: prodmcp logout');
  const saved = readCredentials(runtime.state);
  if (!saved) {
    io.err('not signed in');
  } else {
    if (saved.kind === 'session' && (!saved.base_url || saved.base_url === runtime.settings.baseUrl)) {
      // Best effort: end the session on the server too, so the token is useless even if copied.
      await runtime.api
        .call('POST', '/xapi2/auth/logout', { auth: false, headers: { authorization: `Bearer ${saved.token}` }, timeoutMs: 5000, redirects: 'none' })
        .catch(() => undefined);
    }
    runtime.state.remove(STATE_FILES.credentials);
    io.err(`${ok(io)} signed out`);
  }
  if (runtime.settings.envToken) io.err('note: PRODMCP_TOKEN is still set in this environment and will be used');
  return 0;
}
