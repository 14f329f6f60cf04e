/**
 * The prodboard CLI: dispatches to commands (plain async functions, imported lazily so `--help`
 * and `token create` start fast) and maps every error to a message and an exit code, once.
 */
import { AppError } from '@prodboard/shared';
import { ExitError } from './options.js';

const USAGE = `prodboard: the Production Board server

Usage: prodboard [command] [options]

Commands:
  serve                 run the server (the default)
  migrate               apply pending database migrations
  user create           create an account (and its workspace)
  user password         print a password reset link for an account (or set its password)
  token create          create a personal access token for a user
  copy                  copy a SQLite database into an empty PostgreSQL one
  backup                copy a running server's SQLite database to a file
  restore               put a backup in place of the SQLite database (server stopped)

Run prodboard <command> --help for a command's options.`;

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./serve.js')).serveCommand,
  migrate: async () => (await import('./migrate.js')).migrateCommand,
  'user create': async () => (await import('./user-create.js')).userCreateCommand,
  'user password': async () => (await import('./user-password.js')).userPasswordCommand,
  'token create': async () => (await import('./token-create.js')).tokenCreateCommand,
  copy: async () => (await import('./copy.js')).copyCommand,
  backup: async () => (await import('./backup.js')).backupCommand,
  restore: async () => (await import('./restore.js')).restoreCommand,
};

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [first, second] = argv;
  if (first === '--help' || first === '-h' || first === 'help') {
    console.log(USAGE);
    return 0;
  }
  let name = 'serve';
  let rest = argv;
  if (first !== undefined && !first.startsWith('-')) {
    if (COMMANDS[`${first} ${second}`]) {
      name = `${first} ${second}`;
      rest = argv.slice(2);
    } else if (COMMANDS[first]) {
      name = first;
      rest = argv.slice(1);
    } else {
      console.error(`prodboard: unknown command "${[first, second].filter(Boolean).join(' ')}"\n\n${USAGE}`);
      return 2;
    }
  }
  try {
    const command = await COMMANDS[name]();
    return await command(rest);
  } catch (err) {
    if (err instanceof ExitError) {
      console.error(`prodboard ${name}: ${err.message}`);
      return err.exitCode;
    }
    if (err instanceof AppError) {
      console.error(`prodboard ${name}: ${err.message}`);
      return 1;
    }
    throw err;
  }
}
