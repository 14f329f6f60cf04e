/**
 * prodmcp: the Production Board MCP server for AI hosts, and its setup commands.
 *
 * The entry stays thin: it picks the command, builds the runtime and maps the outcome to an exit
 * code. Commands are loaded lazily so `serve` (what hosts run on every start) evaluates nothing it
 * does not need.
 */
import { ExitError, processIo, type Io } from './cli/io.js';
import { createRuntime } from './runtime.js';
import { SettingsError } from './settings.js';
import { COMMAND_NAME, VERSION } from './version.js';

type Command = { run: (runtime: ReturnType<typeof createRuntime>, args: string[], io: Io) => Promise<number> };

const COMMANDS: Record<string, { help: string; load: () => Promise<Command> }> = {
  serve: { help: 'run the MCP server over stdio (default); --toolsets a,b and --read-only choose the tools listed', load: () => import('./commands/serve.js') },
  login: { help: 'save a token: --token pat_..., or sign in with email and password', load: () => import('./commands/login.js') },
  logout: { help: 'forget the saved token', load: () => import('./commands/logout.js') },
  whoami: { help: 'print the user the token belongs to', load: () => import('./commands/whoami.js') },
  version: { help: 'print the version, the server and the tool count', load: () => import('./commands/version.js') },
  tools: { help: 'print the tool catalogue (JSON)', load: () => import('./commands/tools.js') },
  doctor: { help: 'check the server, the token and the tools', load: () => import('./commands/doctor.js') },
  update: { help: 'replace this file with the newer build the server distributes', load: () => import('./commands/update.js') },
};

function usage(toolsets?: string): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    `usage: ${COMMAND_NAME} [command]`,
    '',
    'Production Board MCP server. Without a command it serves MCP over stdio, as AI hosts run it.',
    '',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.help}`),
    '',
    'Environment: PRODMCP_TOKEN, PRODMCP_BASE_URL (default http://127.0.0.1:4747), PRODMCP_TIMEOUT (seconds),',
    'PRODMCP_NO_TELEMETRY=1 / DO_NOT_TRACK=1, PRODMCP_NO_AUTOUPDATE=1, PRODMCP_TOOLSETS (as --toolsets), PRODMCP_READ_ONLY=1',
    '(as --read-only). State: ~/.prodmcp',
    '',
    toolsets ? `Toolsets (default: default): ${toolsets}.` : 'Toolsets: prodmcp --help lists them.',
  ].join('\n');
}

/** Runs one command line; resolves with the exit code. */
async function main(argv: string[], io: Io = processIo): Promise<number> {
  // Options without a command are serve's (prodmcp --toolsets default,trash).
  const [verb = 'serve', ...args] = argv[0]?.startsWith('--') && !['--help', '--version'].includes(argv[0]) ? ['serve', ...argv] : argv;
  if (verb === '-h' || verb === '--help' || verb === 'help') {
    // The tool layer loads only for the help that lists its toolsets, never on serve's path.
    io.out(usage((await import('@prodboard/tools')).toolsetHelp()));
    return 0;
  }
  if (verb === '-V' || verb === '--version') {
    io.out(`${COMMAND_NAME} ${VERSION}`);
    return 0;
  }
  const command = Object.hasOwn(COMMANDS, verb) ? COMMANDS[verb] : undefined;
  if (!command) throw new ExitError(2, `unknown command "${verb}"\n${usage()}`);
  let runtime;
  try {
    runtime = createRuntime();
  } catch (err) {
    if (err instanceof SettingsError) throw new ExitError(2, `${COMMAND_NAME}: ${err.message}`);
    throw err;
  }
  try {
    const { run } = await command.load();
    return await run(runtime, args, io);
  } finally {
    await runtime.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof ExitError) {
      if (err.message) processIo.err(err.message);
      process.exit(err.code);
    }
    processIo.err(`${COMMAND_NAME}: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
