/**
 * ~/.prodmcp: the directory (mode 0700) and its JSON files (mode 0600), each written atomically
 * (a temporary file renamed over the old one), so a crash never leaves half a file behind. The file
 * names are the reference client's, so a user moving from it keeps their login and device id.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The state files and what each holds. */
export const STATE_FILES = {
  /** The saved token: {token, kind: "pat" | "session", user_id, email, saved_at, base_url}. */
  credentials: 'credentials.json',
  /** {device_id}: the anonymous id telemetry is grouped by. */
  device: 'device.json',
  /** {checked_at, latest}: when the server was last asked for a newer prodmcp. */
  updateCheck: 'update_check.json',
  /** {base_url, fetched_at, ttl_seconds, models}: the server's manifest, the tools are built from. */
  manifest: 'manifest.json',
} as const;

/** The name of one state file. */
export type StateFile = (typeof STATE_FILES)[keyof typeof STATE_FILES];

/** The content of a state file: a JSON object. */
export type StateData = Record<string, unknown>;

/** The state directory. Reads never throw: a missing or corrupt file reads as `{}`. */
export class StateDir {
  private ensured = false;

  constructor(readonly path: string) {}

  /** Creates the directory if needed and (re)applies mode 0700. */
  ensure(): void {
    if (this.ensured) return;
    mkdirSync(this.path, { recursive: true, mode: 0o700 });
    chmodSync(this.path, 0o700);
    this.ensured = true;
  }

  /** The full path of a state file. */
  file(name: StateFile): string {
    return join(this.path, name);
  }

  /** The file's JSON object, or `{}` when it is missing, unreadable or not an object. */
  read(name: StateFile): StateData {
    try {
      const parsed: unknown = JSON.parse(readFileSync(this.file(name), 'utf8') || '{}');
      return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as StateData) : {};
    } catch {
      return {};
    }
  }

  /** Writes the file atomically with mode 0600. */
  write(name: StateFile, data: StateData): void {
    this.ensure();
    const target = this.file(name);
    const temp = `${target}.${process.pid}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`;
    try {
      writeFileSync(temp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
      chmodSync(temp, 0o600);
      renameSync(temp, target);
    } catch (err) {
      rmSync(temp, { force: true });
      throw err;
    }
  }

  /** Deletes the file; true when there was one. */
  remove(name: StateFile): boolean {
    try {
      unlinkSync(this.file(name));
      return true;
    } catch {
      return false;
    }
  }

  /** The permission bits of the directory (or a file in it), or undefined when it does not exist. */
  mode(name?: StateFile): number | undefined {
    try {
      return statSync(name ? this.file(name) : this.path).mode & 0o777;
    } catch {
      return undefined;
    }
  }
}
