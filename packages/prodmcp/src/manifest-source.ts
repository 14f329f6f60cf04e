/**
 * The manifest the tools are built from: the server's (GET /xapi2/mcp/manifest), cached in
 * ~/.prodmcp/manifest.json for as long as the server's Cache-Control allows, with the manifest
 * built into @prodboard/shared as the fallback. A field added on the server therefore shows up as
 * a tool argument without a new prodmcp release.
 */
import { MANIFEST, type FieldSpec, type Manifest, type ModelSpec } from '@prodboard/shared';
import type { Runtime } from './runtime.js';
import { STATE_FILES } from './state.js';

/** Where the manifest in use came from. */
export type ManifestOrigin = 'server' | 'cache' | 'built-in';

/** A manifest and where it came from. */
export interface LoadedManifest {
  models: Manifest;
  origin: ManifestOrigin;
  /** When it was fetched from the server (ms since epoch), for server and cache. */
  fetchedAt?: number;
  /** Why the fallback was used, when it was. */
  note?: string;
}

const DEFAULT_TTL_SECONDS = 3600;
const MIN_TTL_SECONDS = 60;
const MAX_TTL_SECONDS = 86_400;
const FETCH_TIMEOUT_MS = 5000;
/** With a stale copy at hand, how long to wait for a fresh one before using the stale one. */
const STALE_WAIT_MS = 200;
const MODEL_NAME = /^[a-z][a-z0-9_]{0,40}$/;
const OPS = new Set(['list', 'read', 'create', 'update', 'delete']);

const isStringArray = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === 'string');

function parseField(value: unknown): FieldSpec | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const field = value as Record<string, unknown>;
  if (typeof field.name !== 'string' || !/^[a-z][a-z0-9_]*$/i.test(field.name) || typeof field.type !== 'string') return undefined;
  if (field.values !== undefined && !isStringArray(field.values)) return undefined;
  if (field.max_len !== undefined && !(Number.isInteger(field.max_len) && (field.max_len as number) > 0)) return undefined;
  return field as unknown as FieldSpec;
}

function parseModel(value: unknown): ModelSpec | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const model = value as Record<string, unknown>;
  const lists = ['ops', 'create_fields', 'update_fields', 'allowed_filters', 'allowed_sorts'] as const;
  if (!lists.every((key) => isStringArray(model[key]))) return undefined;
  if (!(model.ops as string[]).every((op) => OPS.has(op))) return undefined;
  if (typeof model.default_sort !== 'string' || !Number.isInteger(model.max_limit) || (model.max_limit as number) < 1) return undefined;
  if (!Array.isArray(model.fields)) return undefined;
  const fields = model.fields.map(parseField);
  if (fields.some((f) => f === undefined)) return undefined;
  return { ...(model as unknown as ModelSpec), fields: fields as FieldSpec[], search_fields: isStringArray(model.search_fields) ? model.search_fields : [] };
}

/** The manifest in `value`, or undefined when it is not a usable manifest. */
export function parseManifest(value: unknown): Manifest | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const out: Manifest = {};
  for (const [name, spec] of Object.entries(value as Record<string, unknown>)) {
    if (!MODEL_NAME.test(name)) return undefined;
    const model = parseModel(spec);
    if (!model) return undefined;
    out[name] = model;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function ttlSeconds(cacheControl: string | string[] | undefined): number {
  const match = /max-age=(\d+)/.exec(String(cacheControl ?? ''));
  const seconds = match ? Number(match[1]) : DEFAULT_TTL_SECONDS;
  return Math.min(MAX_TTL_SECONDS, Math.max(MIN_TTL_SECONDS, seconds));
}

interface CachedManifest {
  models: Manifest;
  fetchedAt: number;
  ttlSeconds: number;
}

function readCache(runtime: Runtime): CachedManifest | undefined {
  const raw = runtime.state.read(STATE_FILES.manifest);
  if (raw.base_url !== runtime.settings.baseUrl || typeof raw.fetched_at !== 'number') return undefined;
  const models = parseManifest(raw.models);
  if (!models) return undefined;
  return { models, fetchedAt: raw.fetched_at, ttlSeconds: typeof raw.ttl_seconds === 'number' ? raw.ttl_seconds : DEFAULT_TTL_SECONDS };
}

async function fetchManifest(runtime: Runtime): Promise<CachedManifest> {
  const response = await runtime.api.call('GET', '/xapi2/mcp/manifest', { auth: false, timeoutMs: FETCH_TIMEOUT_MS });
  if (response.status !== 200) throw runtime.api.errorFrom(response, { auth: false });
  let body: unknown;
  try {
    body = JSON.parse(response.body.toString('utf8'));
  } catch {
    throw new Error('the manifest is not JSON');
  }
  const models = parseManifest((body as { models?: unknown } | null)?.models);
  if (!models) throw new Error('the server sent a manifest this prodmcp cannot read');
  const fetched: CachedManifest = { models, fetchedAt: Date.now(), ttlSeconds: ttlSeconds(response.headers['cache-control']) };
  try {
    runtime.state.write(STATE_FILES.manifest, {
      base_url: runtime.settings.baseUrl, fetched_at: fetched.fetchedAt, ttl_seconds: fetched.ttlSeconds, models,
    });
  } catch {
    // an unwritable home directory only costs a fetch next time
  }
  return fetched;
}

/**
 * The manifest to build tools from. A fresh cache is used without touching the network; otherwise
 * the server is asked, waiting at most `waitMs` (200 ms when a stale copy is at hand) before
 * settling for the stale cache or the built-in manifest. The fetch still completes in the
 * background and refreshes the cache for the next start.
 */
export async function loadManifest(runtime: Runtime, options: { waitMs: number }): Promise<LoadedManifest> {
  const cached = readCache(runtime);
  if (cached && Date.now() - cached.fetchedAt < cached.ttlSeconds * 1000) {
    return { models: cached.models, origin: 'cache', fetchedAt: cached.fetchedAt };
  }
  let failure = 'the server did not answer in time';
  const fetching = fetchManifest(runtime).then(
    (fetched) => fetched,
    (err: Error) => {
      failure = err.message;
      return undefined;
    },
  );
  // An unref'd timer (the global one, so a test's clock drives it): a command that has its answer must not wait for it to exit.
  const deadline = new Promise<undefined>((resolve) => setTimeout(resolve, cached ? Math.min(options.waitMs, STALE_WAIT_MS) : options.waitMs, undefined).unref());
  const fetched = await Promise.race([fetching, deadline]);
  if (fetched) return { models: fetched.models, origin: 'server', fetchedAt: fetched.fetchedAt };
  if (cached) return { models: cached.models, origin: 'cache', fetchedAt: cached.fetchedAt, note: `stale cache: ${failure}` };
  return { models: MANIFEST, origin: 'built-in', note: failure };
}
