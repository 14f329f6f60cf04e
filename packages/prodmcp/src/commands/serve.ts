/**
 * `prodmcp serve` (the default): the MCP server on stdio. Start-up does only what the first answer
 * needs; the update check and telemetry start after it.
 */
import { HOW_TO_SIGN_IN, credentialsForOtherServer } from '../credentials.js';
import { parseOptions, type Io } from '../cli/io.js';
import { loadManifest } from '../manifest-source.js';
import { Notices } from '../mcp/notices.js';
import type { Runtime } from '../runtime.js';
import { buildCatalogue } from '@prodboard/tools';
import { updateAdvice } from '../update/location.js';
import { dailyCheck } from '../update/versions.js';

/** How long the first connection waits for the server's manifest when there is no fresh copy. */
const MANIFEST_WAIT_MS = 1500;

/** Runs the MCP server until the host closes stdin; exit code 0. */
export async function run(runtime: Runtime, args: string[], io: Io): Promise<number> {
  parseOptions(args, {}, 'usage: prodmcp serve');
  // Ask for the manifest first, so the request is in flight while the SDK loads.
  const manifest = loadManifest(runtime, { waitMs: MANIFEST_WAIT_MS });
  const tools = manifest.then((loaded) => buildCatalogue(loaded.models));
  const { runStdioServer } = await import('../mcp/stdio-server.js');
  const notices = new Notices(io.err);

  if (!runtime.token()) {
    const other = credentialsForOtherServer(runtime.state, runtime.settings);
    notices.add(
      'warning',
      other
        ? `The saved token belongs to ${other.base_url}, not ${runtime.settings.baseUrl}: run \`prodmcp login\` for this server, or ${HOW_TO_SIGN_IN}. Tool calls return 401 until then.`
        : `No token configured: ${HOW_TO_SIGN_IN}. Tool calls return 401 until then.`,
    );
  }

  let backgroundStarted = false;
  const startBackgroundWork = () => {
    if (backgroundStarted) return;
    backgroundStarted = true;
    void manifest.then((loaded) => {
      if (loaded.origin === 'built-in') notices.add('info', `Using the built-in tool catalogue: could not read the server's manifest (${loaded.note}).`);
    });
    if (runtime.settings.autoUpdate) {
      void dailyCheck(runtime.api, runtime.state).then((latest) => {
        if (latest) notices.add('info', updateAdvice(latest));
      });
    }
  };
  // The background work must not compete with the first answer; it starts right after it (or after 2 s).
  const fallback = setTimeout(startBackgroundWork, 2000);

  let announced = false;
  await runStdioServer({
    runtime,
    tools: () => tools,
    notices,
    onConnection: (era) => {
      if (announced) return;
      announced = true;
      runtime.telemetry.track('mcp.serve_start', { era });
    },
    onFirstAnswer: () => setImmediate(startBackgroundWork),
    debug: process.env.PRODMCP_DEBUG ? io.err : undefined,
  });
  clearTimeout(fallback);
  runtime.telemetry.track('mcp.serve_stop');
  return 0;
}
