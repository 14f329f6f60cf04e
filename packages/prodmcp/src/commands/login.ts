/**
 * `prodmcp login`: saves a token for the MCP host to use. A personal access token is checked
 * against /xapi2/auth/me before it is saved; without one, email and password are asked for and
 * exchanged for a session token.
 */
import { saveCredentials, tokenKind } from '../credentials.js';
import { ApiError } from '../http/api-error.js';
import { ExitError, ok, parseOptions, type Io } from '../cli/io.js';
import { Prompter } from '../cli/prompt.js';
import type { Runtime } from '../runtime.js';

const USAGE = 'usage: prodmcp login [--token pat_...] [--email you@example.com]';

interface Me {
  id?: string;
  email?: string;
}

/** Signs in and saves the token; exit code 0, 1 when the server refuses, 130 when input ends. */
export async function run(runtime: Runtime, args: string[], io: Io): Promise<number> {
  const options = parseOptions(args, { token: 'string', email: 'string' }, USAGE);
  const prompter = new Prompter();
  try {
    let token = typeof options.token === 'string' ? options.token.trim() : undefined;
    if (token === undefined && options.email === undefined) {
      token = await prompter.ask('Personal access token (pat_..., or press Enter to sign in with email and password): ');
      if (token === undefined) throw new ExitError(130, '\nlogin cancelled');
    }
    if (token) return await saveToken(runtime, io, token);
    const email = typeof options.email === 'string' ? options.email.trim() : await prompter.ask('Email: ');
    if (email === undefined) throw new ExitError(130, '\nlogin cancelled');
    if (!email) throw new ExitError(2, 'an email is required to sign in with a password');
    const password = await prompter.askSecret('Password: ');
    if (password === undefined) throw new ExitError(130, '\nlogin cancelled');
    return await signIn(runtime, io, email, password);
  } catch (err) {
    if (err instanceof ApiError) {
      io.err(`login failed: ${err.message}`);
      return 1;
    }
    throw err;
  } finally {
    prompter.close();
  }
}

function warnAboutEnvToken(runtime: Runtime, io: Io): void {
  if (runtime.settings.envToken) io.err('note: PRODMCP_TOKEN is set in this environment; it takes precedence over the saved token');
}

async function saveToken(runtime: Runtime, io: Io, token: string): Promise<number> {
  const me = (await runtime.api.json<Me>('GET', '/xapi2/auth/me', { auth: false, headers: { authorization: `Bearer ${token}` } })) ?? {};
  const kind = tokenKind(token);
  saveCredentials(runtime.state, {
    token, kind, user_id: me.id ?? null, email: me.email ?? null, saved_at: Math.floor(Date.now() / 1000), base_url: runtime.settings.baseUrl,
  });
  io.err(`${ok(io)} signed in as ${me.email ?? me.id ?? '?'} (${kind === 'pat' ? 'personal access token' : 'session token'}) on ${runtime.settings.baseUrl}`);
  warnAboutEnvToken(runtime, io);
  return 0;
}

async function signIn(runtime: Runtime, io: Io, email: string, password: string): Promise<number> {
  const answer = await runtime.api.json<{ access_token?: string; user?: Me }>('POST', '/xapi2/auth/login', { auth: false, body: { email, password } });
  if (!answer?.access_token) {
    io.err('login failed: the server did not return a token; is PRODMCP_BASE_URL a prodboard server?');
    return 1;
  }
  saveCredentials(runtime.state, {
    token: answer.access_token, kind: 'session', user_id: answer.user?.id ?? null, email: answer.user?.email ?? email,
    saved_at: Math.floor(Date.now() / 1000), base_url: runtime.settings.baseUrl,
  });
  io.err(`${ok(io)} signed in as ${answer.user?.email ?? email} on ${runtime.settings.baseUrl}`);
  warnAboutEnvToken(runtime, io);
  return 0;
}
