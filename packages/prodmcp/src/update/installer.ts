/**
 * `prodmcp update`: downloads the build the server distributes (GET /xapi2/mcp/script), checks
 * it against the sha256 the server announced, checks it is a prodmcp build of the announced
 * version that starts, and only then puts it in place of the running file in one rename, keeping
 * the previous file beside it as `<file>.old`. An install from npm is left to npm.
 */
import { chmodSync, closeSync, copyFileSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import * as builtins from '../builtins.js';
import type { ApiClient } from '../http/api-client.js';
import type { ServerBuild } from './versions.js';

/** The version line every build carries near its top (the server reads the same line). */
export const VERSION_LINE = /PRODMCP_VERSION\s*=\s*["']([^"']+)["']/;

/** A refused update; the message says why and what to do. */
export class UpdateError extends Error {}

/** Downloads the script and proves it is the announced build; returns its bytes. */
export async function downloadVerified(api: ApiClient, build: ServerBuild & { version: string; sha256: string }): Promise<Buffer> {
  const response = await api.call('GET', '/xapi2/mcp/script', { auth: false, timeoutMs: 60_000 });
  if (response.status !== 200) throw api.errorFrom(response, { auth: false });
  const body = response.body;
  const digest = builtins.crypto().createHash('sha256').update(body).digest('hex');
  if (digest !== build.sha256) {
    throw new UpdateError(`the downloaded file does not match the sha256 the server announced (${build.sha256.slice(0, 12)}…, got ${digest.slice(0, 12)}…); nothing was changed. Try again; if it persists, the download is being altered on the way`);
  }
  const header = response.headers['x-prodmcp-sha256'];
  if (typeof header === 'string' && header.toLowerCase() !== digest) {
    throw new UpdateError('the download and its x-prodmcp-sha256 header disagree; nothing was changed');
  }
  const head = body.subarray(0, 64 * 1024).toString('utf8');
  if (!head.startsWith('#!')) throw new UpdateError('the download is not a prodmcp build (no #! line); nothing was changed');
  const version = VERSION_LINE.exec(head)?.[1];
  if (version !== build.version) {
    throw new UpdateError(`the download says it is version ${version ?? '(none)'}, not ${build.version} as announced; nothing was changed`);
  }
  return body;
}

function writeFileDurably(path: string, body: Buffer, mode: number): void {
  const fd = openSync(path, 'wx', mode);
  try {
    writeSync(fd, body);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(path, mode);
}

/**
 * Replaces `target` with `body` in one rename, after running the new file once (`--version`) to
 * prove it starts. The previous file is kept as `<target>.old`.
 */
export function replaceScript(target: string, body: Buffer, expectedVersion: string): { previous: string } {
  const { spawnSync } = builtins.childProcess();
  const mode = statSync(target).mode & 0o777;
  // Beside the target (so the rename is atomic) and ending in .mjs (so node runs it as ESM for the probe).
  const temp = `${target}.next-${process.pid}-${Date.now().toString(36)}.mjs`;
  const previous = `${target}.old`;
  try {
    try {
      writeFileDurably(temp, body, mode | 0o100);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new UpdateError(`cannot write next to ${target} (${code}); run the update as the user who owns that file, or reinstall prodmcp there. Nothing was changed`);
    }
    const probe = spawnSync(process.execPath, [temp, '--version'], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, PRODMCP_NO_AUTOUPDATE: '1', PRODMCP_NO_TELEMETRY: '1' } });
    if (probe.status !== 0 || !probe.stdout.includes(expectedVersion)) {
      throw new UpdateError(`the new build did not start (${(probe.stderr || probe.stdout || String(probe.error ?? '')).trim().slice(0, 200)}); nothing was changed`);
    }
    copyFileSync(target, previous);
    renameSync(temp, target);
    return { previous };
  } finally {
    rmSync(temp, { force: true });
  }
}
