/** prodboard user password: a password reset link for an account (or, with --password, the new password set at once). */
import { hashPassword } from '../auth/passwords.js';
import { parseExpiry } from '../auth/expiry.js';
import { DEFAULT_RESET_EXPIRY, PASSWORD_RESET_PATH, checkNewPassword, passwordResetIssuer, passwordSetter } from '../commands/password-reset.js';
import { DB_HELP, DB_OPTIONS, ExitError, configWith, parse, withStore } from './options.js';

const USAGE = `Usage: prodboard user password --email E [--password P] [--expires 24h] [--public-url URL] [--db FILE]

Prints a one-time link that sets a new password for the account (for someone locked out). With
--password, sets that password at once instead. Either way, every session of the account ends.

Options:
  --email E            the account (required)
  --password P         set this password now (8 to 1024 characters; or set PRODBOARD_PASSWORD)
  --expires D          how long the link works: 24h, 7d, an ISO date (default: ${DEFAULT_RESET_EXPIRY})
  --public-url URL     the address people open the server at (default: PRODBOARD_PUBLIC_URL, else host and port)
${DB_HELP}`;

const OPTIONS = {
  ...DB_OPTIONS,
  email: { type: 'string' },
  password: { type: 'string' },
  expires: { type: 'string' },
  'public-url': { type: 'string' },
} as const;

export async function userPasswordCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, OPTIONS, USAGE);
  if (values.help) return console.log(USAGE), 0;
  if (!values.email) throw new ExitError(`--email is required\n\n${USAGE}`, 2);
  const password = values.password ?? process.env.PRODBOARD_PASSWORD;
  const config = configWith(values);
  const now = Date.now();
  const hash = password === undefined ? undefined : await hashPassword(checkNewPassword(password, 'password'));
  const expiresAt = hash ? undefined : parseExpiry(values.expires ?? DEFAULT_RESET_EXPIRY, now, { never: false })!;
  const result = await withStore(config, async (store) => {
    const user = await store.getUserByEmail(values.email!);
    if (!user) throw new ExitError(`no account with email ${values.email}; create one with prodboard user create`);
    const at = new Date(now).toISOString();
    if (hash) {
      await store.transaction((tx) => passwordSetter(tx, user.id, hash, at, null, 'set with prodboard user password'));
      return { email: user.email };
    }
    const first = (await store.listMemberships(user.id))[0];
    const { token, row } = await store.transaction((tx) =>
      passwordResetIssuer(tx, { userId: user.id, workspaceId: first?.workspace_id ?? null, createdBy: null, now: at, expiresAt: expiresAt! }),
    );
    return { email: user.email, token, expiresAt: row.expires_at };
  });
  if (!result.token) {
    console.log(`password set for ${result.email}; every session of the account was signed out`);
    return 0;
  }
  const base = config.publicUrl ?? `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}`;
  console.log(`password reset link for ${result.email}, valid once until ${result.expiresAt}:`);
  console.log(`${base}${PASSWORD_RESET_PATH}${result.token}`);
  return 0;
}
