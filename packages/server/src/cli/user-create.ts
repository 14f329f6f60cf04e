/** prodboard user create: creates an account (and its workspace when new). */
import { ROLES } from '@prodboard/shared';
import { DB_HELP, DB_OPTIONS, ExitError, configWith, parse, withStore } from './options.js';
import { DEFAULT_WORKSPACE, userCreator } from '../commands/user-creator.js';

const USAGE = `Usage: prodboard user create --email E --password P [--name N] [--role ROLE] [--workspace W] [--db FILE]

Creates an account. The workspace is created if it does not exist.

Options:
  --email E            the sign-in email (required)
  --password P         at least 8 characters (required; or set PRODBOARD_PASSWORD to keep it out of shell history)
  --name N             display name (default: the part of the email before @)
  --role ROLE          ${ROLES.join(' | ')} (default: member; the first user of a workspace should be owner)
  --workspace W        workspace slug (default: ${DEFAULT_WORKSPACE})
${DB_HELP}`;

const OPTIONS = {
  ...DB_OPTIONS,
  email: { type: 'string' },
  password: { type: 'string' },
  name: { type: 'string' },
  role: { type: 'string' },
  workspace: { type: 'string' },
} as const;

export async function userCreateCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, OPTIONS, USAGE);
  if (values.help) return console.log(USAGE), 0;
  const password = values.password ?? process.env.PRODBOARD_PASSWORD;
  if (!values.email || !password) throw new ExitError(`--email and --password are required\n\n${USAGE}`, 2);
  const { user, workspace, role } = await withStore(configWith(values), (store) =>
    userCreator(store, { email: values.email!, password, name: values.name, role: values.role, workspace: values.workspace }),
  );
  console.log(`created ${role} ${user.email} (${user.id}) in workspace ${workspace.slug}`);
  return 0;
}
