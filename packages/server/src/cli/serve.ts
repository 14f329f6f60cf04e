/**
 * prodboard serve: runs the server until SIGINT/SIGTERM, then drains requests and closes the store.
 * Everything it says is a JSON log line (see log.ts); a start that cannot succeed (port taken,
 * database held by another server, database unreachable) is one `fatal` line and an exit code.
 */
import { AppError } from '@prodboard/shared';
import type { Logger } from 'pino';
import { buildApp } from '../app.js';
import { issueSetupToken } from '../operations/setup.js';
import type { Store } from '../store/types.js';
import { lockDatabase, type DbLock } from './db-lock.js';
import { captureProcessOutput, createLogger } from './log.js';
import { DB_HELP, DB_OPTIONS, ExitError, configWith, openStore, parse } from './options.js';

/** Exit code of a start refused because the address is taken (or not ours to take). */
export const EXIT_PORT_IN_USE = 3;
/** How often a server started by npm/npx checks that its parent is still there. */
const PARENT_CHECK_MS = 500;

const USAGE = `Usage: prodboard serve [--host H] [--port P] [--public-url URL] [--db FILE]

Runs the Production Board server. It logs JSON lines on stdout.

Options:
  --host H             address to listen on (env PRODBOARD_HOST; default 127.0.0.1)
  --port P             port (env PRODBOARD_PORT; default 4747; 0 picks a free one)
  --public-url URL     the address people open the board at, used in the links it writes
                       (env PRODBOARD_PUBLIC_URL; default: the address it listens on)
${DB_HELP}

Exit codes: 0 stopped by SIGINT/SIGTERM, 1 failed, 2 usage, 3 port in use,
4 another server already runs on this SQLite database.`;

const OPTIONS = { ...DB_OPTIONS, host: { type: 'string' }, port: { type: 'string' }, 'public-url': { type: 'string' } } as const;

/** The listen error as one sentence, or undefined when it is not about the address. */
function listenFailure(err: Error & { code?: string }, host: string, port: number): ExitError | undefined {
  if (err.code === 'EADDRINUSE') {
    return new ExitError(`port ${port} on ${host} is already in use (another prodboard, or another program); stop it, or pick another port with --port or PRODBOARD_PORT`, EXIT_PORT_IN_USE);
  }
  if (err.code === 'EACCES') {
    return new ExitError(`not allowed to listen on port ${port} of ${host} (ports below 1024 need privileges); pick a port of 1024 or more with --port`, EXIT_PORT_IN_USE);
  }
  if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') {
    return new ExitError(`${host} is not an address of this machine; pick one with --host (127.0.0.1, or 0.0.0.0 for every interface)`, EXIT_PORT_IN_USE);
  }
  return undefined;
}

/**
 * Resolves when the process is asked to stop: SIGINT, SIGTERM, SIGHUP, or, when npm/npx started
 * it, its parent going away. (npx runs the bin through `sh -c`, which does not pass on the signal
 * npx forwards to it: the shell dies and this process would be left running without a parent.)
 */
function stopRequested(log: Logger): { reason: Promise<string>; dispose(): void } {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  let resolveStop!: (reason: string) => void;
  const reason = new Promise<string>((resolve) => (resolveStop = resolve));
  const handlers = signals.map((signal) => {
    const handler = () => resolveStop(`${signal} received`);
    process.once(signal, handler);
    return [signal, handler] as const;
  });
  let watcher: NodeJS.Timeout | undefined;
  if (process.env.npm_lifecycle_event || process.env.npm_command) {
    const parent = process.ppid;
    watcher = setInterval(() => {
      if (process.ppid !== parent) resolveStop(`the parent process (${parent}) is gone`);
    }, PARENT_CHECK_MS);
    watcher.unref();
    log.debug({ parent }, 'started by npm: stopping when the parent process goes away');
  }
  return {
    reason,
    dispose() {
      if (watcher) clearInterval(watcher);
      for (const [signal, handler] of handlers) process.off(signal, handler);
    },
  };
}

export async function serveCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, OPTIONS, USAGE);
  if (values.help) return console.log(USAGE), 0;
  let level = process.env.PRODBOARD_LOG_LEVEL || 'info';
  let log = createLogger(level);
  const restore = captureProcessOutput(log);
  let lock: DbLock | undefined;
  let store: Store | undefined;
  try {
    const config = configWith(values);
    if (config.logLevel !== level) {
      level = config.logLevel;
      log = createLogger(level);
    }
    // PRODBOARD_UNSAFE_SHARE_SQLITE=1 lets a second server read the same file (the benchmark's
    // page-cache-off server): each process's credential cache would miss the other's changes.
    if (!config.databaseUrl && config.dbPath !== ':memory:' && process.env.PRODBOARD_UNSAFE_SHARE_SQLITE !== '1') lock = lockDatabase(config.dbPath);
    store = await openStore(config, (applied, opened) => {
      if (applied.length) log.info({ migrations: applied }, `applied migrations ${applied.join(', ')} to ${opened.description}`);
    });
    const app = await buildApp({ store, config }, log);
    const stop = stopRequested(log);
    let address: string;
    try {
      address = await app.listen({ host: config.host, port: config.port });
    } catch (err) {
      stop.dispose();
      await app.close().catch(() => undefined);
      throw listenFailure(err as Error, config.host, config.port) ?? err;
    }
    const url = address.replace('[::1]', 'localhost');
    log.info({ url, store: store.description }, `Production Board is running at ${url} (database ${store.description})`);
    if (!config.publicUrl && ['0.0.0.0', '::'].includes(config.host)) {
      log.warn('Invite links will point at localhost: set PRODBOARD_PUBLIC_URL (or --public-url) to the address people open the board at.');
    }
    const setupToken = await issueSetupToken(store);
    if (setupToken) {
      const setupUrl = `${url}/setup#token=${setupToken}`;
      log.info(
        { setup_url: setupUrl },
        `No account exists yet. Create the first (owner) account with the one-time link ${setupUrl} , or from a shell: npx prodboard user create --email you@example.com --password '...' --role owner --db ${config.dbPath}`,
      );
    }

    const reason = await stop.reason;
    stop.dispose();
    log.info({ reason }, `${reason}: finishing requests in flight, then stopping`);
    await app.close();
    await store.close();
    store = undefined;
    log.info('stopped');
    return 0;
  } catch (err) {
    if (err instanceof ExitError) {
      log.fatal({ exitCode: err.exitCode }, err.message);
      return err.exitCode;
    }
    if (err instanceof AppError) {
      log.fatal({ exitCode: 1 }, err.message);
      return 1;
    }
    log.fatal({ err, exitCode: 1 }, `prodboard serve failed: ${(err as Error).message}`);
    return 1;
  } finally {
    await store?.close().catch(() => undefined);
    lock?.release();
    restore();
  }
}
