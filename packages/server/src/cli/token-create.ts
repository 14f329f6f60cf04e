/** prodboard token create: mints a personal access token and prints it alone on the last line. */
import { formatScopes, parseScopes } from '@prodboard/shared';
import { parseExpiry } from '../auth/expiry.js';
import { accessTokenCreator } from '../commands/access-token-creator.js';
import { DB_HELP, DB_OPTIONS, ExitError, configWith, parse, withStore } from './options.js';

const USAGE = `Usage: prodboard token create --email E --name N [--scopes board:read,card:write] [--expires 30d] [--workspace W] [--db FILE]

Creates a personal access token for the user and prints it on the last line of stdout
(shown once; only its hash is stored).

Options:
  --email E            the user the token acts as (required)
  --name N             what the token is for, e.g. "Claude Desktop" (required)
  --scopes S           model:level pairs, level none | read | write (default: write on every model)
  --expires D          30d, 12h, 90m, an ISO date, or never (default: never)
  --workspace W        workspace slug (default: the user's first workspace)
${DB_HELP}`;

const OPTIONS = {
  ...DB_OPTIONS,
  email: { type: 'string' },
  name: { type: 'string' },
  scopes: { type: 'string' },
  expires: { type: 'string' },
  workspace: { type: 'string' },
} as const;

export async function tokenCreateCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, OPTIONS, USAGE);
  if (values.help) return console.log(USAGE), 0;
  if (!values.email || !values.name) throw new ExitError(`--email and --name are required\n\n${USAGE}`, 2);
  const scopes = parseScopes(values.scopes);
  const expiresAt = parseExpiry(values.expires);
  const { token, row } = await withStore(configWith(values), async (store) => {
    const user = await store.getUserByEmail(values.email!);
    if (!user) throw new ExitError(`no user with email ${values.email}; create one with prodboard user create`);
    const memberships = await store.listMemberships(user.id);
    let membership = memberships[0];
    if (values.workspace) {
      const workspace = await store.getWorkspaceBySlug(values.workspace);
      membership = memberships.find((m) => m.workspace_id === workspace?.id)!;
      if (!membership) throw new ExitError(`${values.email} is not a member of workspace ${values.workspace}`);
    }
    if (!membership) throw new ExitError(`${values.email} is not a member of any workspace`);
    return store.transaction((tx) => accessTokenCreator(tx, { userId: user.id, workspaceId: membership.workspace_id, name: values.name!, scopes, expiresAt }));
  });
  console.log(`created token "${row.name}" (${row.id}) with scopes ${formatScopes(scopes)}, expires ${row.expires_at ?? 'never'}`);
  console.log(token);
  return 0;
}
