/**
 * Settings from the environment. The reference client's variables keep their meaning
 * (PRODMCP_TOKEN, PRODMCP_BASE_URL, PRODMCP_NO_TELEMETRY, PRODMCP_NO_AUTOUPDATE); DO_NOT_TRACK is
 * honoured too, and PRODMCP_TIMEOUT bounds each HTTP call.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where the local prodboard server listens by default (`prodboard serve`). */
export const DEFAULT_BASE_URL = 'http://127.0.0.1:4747';
const DEFAULT_TIMEOUT_SECONDS = 30;

/** Everything prodmcp reads from its environment. */
export interface Settings {
  /** The prodboard server, without a trailing slash. */
  baseUrl: string;
  /** PRODMCP_TOKEN: always wins over the saved token. */
  envToken?: string;
  telemetry: boolean;
  autoUpdate: boolean;
  /** Deadline of one HTTP call, retries included. */
  timeoutMs: number;
  /** ~/.prodmcp */
  stateDir: string;
}

/** An unusable setting; the message says which variable and what it must look like. */
export class SettingsError extends Error {}

function truthy(value: string | undefined): boolean {
  return ['1', 'true', 'yes', 'on'].includes((value ?? '').trim().toLowerCase());
}

function parseBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new SettingsError(`PRODMCP_BASE_URL must be an http(s) URL such as ${DEFAULT_BASE_URL}; got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SettingsError(`PRODMCP_BASE_URL must start with http:// or https://; got "${raw}"`);
  }
  if (url.username || url.password) {
    throw new SettingsError('PRODMCP_BASE_URL must not carry a user name or password; use PRODMCP_TOKEN or prodmcp login');
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

function parseTimeout(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return DEFAULT_TIMEOUT_SECONDS * 1000;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new SettingsError(`PRODMCP_TIMEOUT must be a number of seconds greater than 0; got "${raw}"`);
  }
  return Math.round(seconds * 1000);
}

/** Reads the settings; throws SettingsError naming the variable to fix. */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): Settings {
  const token = env.PRODMCP_TOKEN?.trim();
  return {
    baseUrl: parseBaseUrl(env.PRODMCP_BASE_URL?.trim() || DEFAULT_BASE_URL),
    envToken: token ? token : undefined,
    telemetry: !truthy(env.PRODMCP_NO_TELEMETRY) && !truthy(env.DO_NOT_TRACK),
    autoUpdate: !truthy(env.PRODMCP_NO_AUTOUPDATE),
    timeoutMs: parseTimeout(env.PRODMCP_TIMEOUT),
    stateDir: join(homedir(), '.prodmcp'),
  };
}
