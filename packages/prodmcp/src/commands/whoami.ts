/** `prodmcp whoami`: prints the user the token in use belongs to. */
import { HOW_TO_SIGN_IN } from '../credentials.js';
import { ApiError } from '../http/api-error.js';
import { parseOptions, type Io } from '../cli/io.js';
import type { Runtime } from '../runtime.js';

/** Exit code 0, 1 when the server refuses, 3 when no token is configured (as the reference client). */
export async function run(runtime: Runtime, args: string[], io: Io): Promise<number> {
  parseOptions(args, {}, 'usage: prodmcp whoami');
  if (!runtime.token()) {
    io.err(`not signed in: ${HOW_TO_SIGN_IN}`);
    return 3;
  }
  try {
    io.out(JSON.stringify(await runtime.api.json('GET', '/xapi2/auth/me'), null, 2));
    return 0;
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    io.err(`error: ${err.message}`);
    return 1;
  }
}
