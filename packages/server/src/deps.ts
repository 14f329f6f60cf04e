/** What the routes are built from: the store and the configuration (injected, never imported). */
import type { ServerConfig } from './config.js';
import type { Store } from './store/types.js';

export interface AppDeps {
  store: Store;
  config: ServerConfig;
}
