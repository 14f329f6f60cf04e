/**
 * `prodmcp update`: replaces this file with the newer build the server distributes, after checking
 * its sha256; an install from npm prints the npm command instead.
 */
import { ApiError } from '../http/api-error.js';
import { ok, parseOptions, type Io } from '../cli/io.js';
import type { Runtime } from '../runtime.js';
import { UpdateError, downloadVerified, replaceScript } from '../update/installer.js';
import { installedFromNpm, npmCommand, runningScriptPath } from '../update/location.js';
import { fetchServerBuild, isNewer, recordCheck } from '../update/versions.js';
import { COMMAND_NAME, VERSION } from '../version.js';

/** Exit code 0 when up to date or updated (or the npm command was printed), 1 on failure. */
export async function run(runtime: Runtime, args: string[], io: Io): Promise<number> {
  parseOptions(args, {}, 'usage: prodmcp update');
  try {
    const build = await fetchServerBuild(runtime.api, 10_000);
    recordCheck(runtime.state, build.version);
    if (!build.available || !build.version || !build.sha256) {
      io.err(`the server at ${runtime.settings.baseUrl} has no ${COMMAND_NAME} build to offer; this is ${VERSION}`);
      return 1;
    }
    if (!isNewer(build.version)) {
      io.err(`already up to date: this is ${VERSION}; the server distributes ${build.version}`);
      return 0;
    }
    const target = runningScriptPath();
    if (installedFromNpm(target)) {
      io.err(`${COMMAND_NAME} ${build.version} is available; this copy was installed with npm, so update it with npm:`);
      io.out(npmCommand(build.version));
      return 0;
    }
    if (VERSION === '0.0.0-dev') {
      io.err(`this ${COMMAND_NAME} runs from source, not from a build; run npm run build instead`);
      return 1;
    }
    const body = await downloadVerified(runtime.api, { ...build, version: build.version, sha256: build.sha256 });
    const { previous } = replaceScript(target, body, build.version);
    io.err(`${ok(io)} updated ${target} from ${VERSION} to ${build.version} (sha256 verified; the previous file is ${previous}). Restart your MCP host to use it.`);
    return 0;
  } catch (err) {
    if (err instanceof ApiError || err instanceof UpdateError) {
      io.err(`update failed: ${err.message}`);
      return 1;
    }
    throw err;
  }
}
