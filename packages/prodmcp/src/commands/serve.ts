/**
 * `prodmcp serve` (the default): the MCP server on stdio. Start-up does only what the first answer
 * needs; the update check and telemetry start after it.
 */
import { HOW_TO_SIGN_IN, credentialsForOtherServer } from '../credentials.js';
import { ExitError, parseOptions, type Io } from '../cli/io.js';
import { loadManifest } from '../manifest-source.js';
import { Notices } from '../mcp/notices.js';
import type { Runtime } from '../runtime.js';
import { buildCatalogue, parseToolSelection, toolsFor, toolsetHelp, type ToolSelection } from '@prodboard/tools';
import { updateAdvice } from '../update/location.js';
import { dailyCheck } from '../update/versions.js';

/** How long the first connection waits for the server's manifest when there is no fresh copy. */
const MANIFEST_WAIT_MS = 1500;

/** The usage line of serve's options. */
export const SERVE_USAGE = 'usage: prodmcp [serve] [--toolsets a,b] [--read-only]';

/**
 * The tools to list: --toolsets / --read-only, else PRODMCP_TOOLSETS / PRODMCP_READ_ONLY; a bad
 * value ends prodmcp with exit code 2 and a message naming the valid toolsets.
 */
export function toolSelection(args: string[], env: NodeJS.ProcessEnv): ToolSelection {
  const options = parseOptions(args, { toolsets: 'string', 'read-only': 'flag' }, `${SERVE_USAGE}\ntoolsets: ${toolsetHelp()}`);
  const fromFlags = options.toolsets !== undefined;
  const parsed = parseToolSelection({
    toolsets: typeof options.toolsets === 'string' ? options.toolsets : env.PRODMCP_TOOLSETS?.trim() || null,
    readOnly: options['read-only'] === true ? 'true' : env.PRODMCP_READ_ONLY?.trim() || null,
  });
  if ('error' in parsed) throw new ExitError(2, `prodmcp: ${fromFlags ? '--toolsets' : 'PRODMCP_TOOLSETS / PRODMCP_READ_ONLY'}: ${parsed.error}`);
  return parsed.selection;
}

/** Runs the MCP server until the host closes stdin; exit code 0. */
export async function run(runtime: Runtime, args: string[], io: Io): Promise<number> {
  const selection = toolSelection(args, process.env);
  // Ask for the manifest first, so the request is in flight while the SDK loads.
  const manifest = loadManifest(runtime, { waitMs: MANIFEST_WAIT_MS });
  // The server refuses what the token may not do; the selection decides what is listed.
  const tools = manifest.then((loaded) => toolsFor(buildCatalogue(loaded.models), () => true, selection));
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
