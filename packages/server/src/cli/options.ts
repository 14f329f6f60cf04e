/**
 * Command-line plumbing: parsing options with node:util, the usage error, and opening the store
 * every database command shares (`--db`).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { configFromEnv, parsePublicUrl, type ServerConfig } from '../config.js';
import { openConfiguredStore } from '../store/open.js';
import type { Store } from '../store/types.js';

/** An error that ends the command with a message and an exit code (2: usage). */
export class ExitError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

/** The options every command that opens the database takes. */
export const DB_OPTIONS = {
  db: { type: 'string' },
  'database-url': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

/** The help lines for DB_OPTIONS. */
export const DB_HELP = `  --db FILE            SQLite database file (env PRODBOARD_DB; default ./data/prodboard.db)
  --database-url URL   use PostgreSQL instead, e.g. postgres://user@host:5432/prodboard (env DATABASE_URL)
  -h, --help           show this help`;

/** Parsed option values: strings and booleans by option type. */
export type ParsedValues<O> = { [K in keyof O]?: O[K] extends { type: 'boolean' } ? boolean : string };

/** Parses argv against the options, turning parse failures into usage errors. */
export function parse<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O, usage: string): { values: ParsedValues<O> } {
  try {
    return parseArgs({ args: argv, options, allowPositionals: false, strict: true }) as { values: ParsedValues<O> };
  } catch (err) {
    throw new ExitError(`${(err as Error).message}\n\n${usage}`, 2);
  }
}

/** The configuration with command-line values applied. */
export function configWith(values: { db?: string; 'database-url'?: string; host?: string; port?: string; 'public-url'?: string }): ServerConfig {
  let config: ServerConfig;
  try {
    config = configFromEnv();
    if (values['public-url'] !== undefined) config.publicUrl = parsePublicUrl(values['public-url']);
  } catch (err) {
    throw new ExitError((err as Error).message.replace('PRODBOARD_PUBLIC_URL', values['public-url'] !== undefined ? '--public-url' : 'PRODBOARD_PUBLIC_URL'), 2);
  }
  if (values.db) {
    config.dbPath = values.db;
    config.databaseUrl = undefined;
  }
  if (values['database-url']) config.databaseUrl = values['database-url'];
  if (values.host) config.host = values.host;
  if (values.port !== undefined) {
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ExitError(`--port must be a port number (0-65535); got "${values.port}"`, 2);
    config.port = port;
  }
  return config;
}

/** Opens the configured store and applies pending migrations (told to `onMigrated`, when given). */
export async function openStore(config: ServerConfig, onMigrated?: (applied: number[], store: Store) => void): Promise<Store> {
  let store: Store;
  try {
    store = openConfiguredStore(config);
  } catch (err) {
    throw new ExitError((err as Error).message, 2);
  }
  try {
    const applied = await store.migrate();
    onMigrated?.(applied, store);
  } catch (err) {
    await store.close().catch(() => undefined);
    throw new ExitError(`cannot open ${store.description}: ${(err as Error).message}`);
  }
  return store;
}

/** Runs `fn` with an open store, closing it afterwards. */
export async function withStore<T>(config: ServerConfig, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(config);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
