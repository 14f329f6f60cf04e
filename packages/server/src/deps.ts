/** What the routes are built from: the store and the configuration (injected, never imported). */
import type { ServerConfig } from './config.js';
import type { Store } from './store/types.js';
import type { Metrics } from './http/metrics.js';

export interface AppDeps {
  store: Store;
  config: ServerConfig;
  /** Present when /metrics is on: routes report what only they see (live streams, event lag). */
  metrics?: Metrics;
}
