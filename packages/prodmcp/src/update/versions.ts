/**
 * What the server distributes (GET /xapi2/mcp/version), and the at-most-daily check that tells the
 * user when it is newer than the running build.
 */
// Only the two functions: the rest of semver would be bundled for nothing.
import compare from 'semver/functions/compare.js';
import valid from 'semver/functions/valid.js';
import type { ApiClient } from '../http/api-client.js';
import { STATE_FILES, type StateDir } from '../state.js';
import { VERSION } from '../version.js';

/** The build a server distributes. */
export interface ServerBuild {
  version: string | null;
  sha256?: string;
  available: boolean;
}

/** How often the server is asked, at most. */
export const CHECK_INTERVAL_MS = 24 * 3600 * 1000;

/** Orders two valid versions by semver precedence (1.10.0 > 1.9.2 > 1.9.2-rc.10 > 1.9.2-rc.2); throws on an invalid one. */
export function compareVersions(a: string, b: string): number {
  return compare(a, b);
}

/** True when `candidate` is a valid version newer than the running one; anything else is not newer. */
export function isNewer(candidate: string | null | undefined, current = VERSION): candidate is string {
  return typeof candidate === 'string' && valid(candidate) !== null && valid(current) !== null && compare(candidate, current) > 0;
}

/** Asks the server which prodmcp it distributes. */
export async function fetchServerBuild(api: ApiClient, timeoutMs = 5000): Promise<ServerBuild> {
  const info = await api.json<Record<string, unknown> | null>('GET', '/xapi2/mcp/version', { auth: false, timeoutMs });
  const version = typeof info?.version === 'string' ? info.version : null;
  const sha256 = typeof info?.sha256 === 'string' ? info.sha256.toLowerCase() : undefined;
  return { version, sha256, available: info?.available !== false && version !== null };
}

/** The newest version the last check saw, when it is newer than the running build. */
export function knownNewerVersion(state: StateDir): string | undefined {
  const latest = state.read(STATE_FILES.updateCheck).latest;
  return isNewer(latest as string | null) ? (latest as string) : undefined;
}

/** True when the last check is older than a day (or there was none). */
export function checkDue(state: StateDir, now = Date.now()): boolean {
  const last = state.read(STATE_FILES.updateCheck).checked_at;
  return typeof last !== 'number' || now - last * 1000 >= CHECK_INTERVAL_MS;
}

/** Records a check (seconds since epoch, like the reference client). */
export function recordCheck(state: StateDir, latest: string | null): void {
  state.write(STATE_FILES.updateCheck, { checked_at: Math.floor(Date.now() / 1000), latest });
}

/** The daily check: asks the server when due and returns a newer version, if any. Never throws. */
export async function dailyCheck(api: ApiClient, state: StateDir): Promise<string | undefined> {
  try {
    if (!checkDue(state)) return knownNewerVersion(state);
    let latest: string | null = null;
    try {
      latest = (await fetchServerBuild(api)).version;
    } finally {
      recordCheck(state, latest);
    }
    return isNewer(latest) ? latest : undefined;
  } catch {
    return undefined;
  }
}
