/** Opens the configured store: PostgreSQL when a database URL is given, else the SQLite file. */
import type { ServerConfig } from '../config.js';
import { openPostgresStore } from './postgres/postgres-store.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './types.js';

/** The store for the configuration, not yet migrated. */
export function openConfiguredStore(config: Pick<ServerConfig, 'dbPath' | 'databaseUrl'> & Partial<Pick<ServerConfig, 'pageCacheBytes'>>): Store {
  const options = { pageCacheBytes: config.pageCacheBytes };
  if (config.databaseUrl) {
    if (!/^postgres(ql)?:\/\//.test(config.databaseUrl)) {
      throw new Error('the database URL must start with postgres:// (for SQLite, use --db FILE instead)');
    }
    return openPostgresStore(config.databaseUrl, options);
  }
  return openSqliteStore(config.dbPath, options);
}
