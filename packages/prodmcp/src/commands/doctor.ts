/**
 * `prodmcp doctor`: a health check for when an MCP host says the server failed: is the prodboard
 * server reachable, is the token valid, where do the tools come from, is ~/.prodmcp private.
 */
import { credentialsForOtherServer, HOW_TO_SIGN_IN, type TokenSource } from '../credentials.js';
import { ApiError } from '../http/api-error.js';
import { parseOptions, type Io } from '../cli/io.js';
import { loadManifest } from '../manifest-source.js';
import type { Runtime } from '../runtime.js';
import { buildCatalogue, toolsFor } from '@prodboard/tools';
import { toolSelection } from './serve.js';
import { fetchServerBuild, isNewer, recordCheck } from '../update/versions.js';
import { COMMAND_NAME, VERSION } from '../version.js';
import { updateAdvice } from '../update/location.js';

function describeToken(source: TokenSource | undefined): string {
  if (!source) return 'NOT SET: set PRODMCP_TOKEN=pat_... in the MCP host config, or run `prodmcp login`';
  if (source.origin === 'env') return `set (PRODMCP_TOKEN, ${source.token.startsWith('pat_') ? 'personal access token' : 'session token'})`;
  return `set (saved by prodmcp login: ${source.kind === 'pat' ? 'personal access token' : 'session'}${source.email ? ` for ${source.email}` : ''})`;
}

function ago(ms: number): string {
  const minutes = Math.round((Date.now() - ms) / 60_000);
  return minutes < 1 ? 'just now' : minutes < 120 ? `${minutes} min ago` : `${Math.round(minutes / 60)} h ago`;
}

/** Prints the report; exit code 0 when the server and the token work, 1 otherwise (no token included). */
export async function run(runtime: Runtime, args: string[], io: Io): Promise<number> {
  parseOptions(args, {}, 'usage: prodmcp doctor');
  const { settings, state, api } = runtime;
  let healthy = true;
  io.out(`${COMMAND_NAME} ${VERSION} (node ${process.version}, ${process.platform} ${process.arch})`);
  io.out(`server: ${settings.baseUrl}`);

  const mode = state.mode();
  io.out(`state: ${state.path} ${mode === undefined ? '(not created yet)' : mode === 0o700 ? '(mode 0700)' : `(mode 0${mode.toString(8)}: should be 0700; run chmod 700 ${state.path})`}`);

  const token = runtime.token();
  io.out(`token: ${describeToken(token)}`);
  const other = credentialsForOtherServer(state, settings);
  if (!token && other) io.out(`  (the saved token is for ${other.base_url}; run \`prodmcp login\` for this server)`);

  try {
    const build = await fetchServerBuild(api);
    recordCheck(state, build.version);
    const freshness = !build.version ? 'it distributes no prodmcp build'
      : isNewer(build.version) ? `it distributes ${build.version}: ${updateAdvice(build.version)}`
      : `it distributes ${build.version}; this one is up to date`;
    io.out(`upstream: ok (${freshness})`);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    io.out(`upstream: FAIL - ${err.message}`);
    healthy = false;
  }

  if (!token) {
    // Every tool needs a token: a setup without one cannot work, however healthy the server is.
    io.out(`identity: FAIL - no token: ${HOW_TO_SIGN_IN}`);
    healthy = false;
  } else if (healthy) {
    try {
      const me = await api.json<Record<string, any>>('GET', '/xapi2/auth/me');
      const scopes = me.scope_string ? `; token scopes: ${me.scope_string}` : '';
      io.out(`identity: ${me.email ?? me.id} (${me.role ?? '?'} in workspace ${JSON.stringify(me.workspace?.name ?? me.workspace?.slug ?? '?')}${scopes})`);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      io.out(`identity: FAIL - ${err.message}`);
      healthy = false;
    }
  }

  const manifest = await loadManifest(runtime, { waitMs: 3000 });
  const source = manifest.origin === 'built-in' ? `built-in (${manifest.note})` : `${manifest.origin}, fetched ${ago(manifest.fetchedAt ?? Date.now())}`;
  io.out(`manifest: ${Object.keys(manifest.models).join(', ')} from the ${source}`);
  // The tools serve would list, with PRODMCP_TOOLSETS / PRODMCP_READ_ONLY.
  const tools = toolsFor(buildCatalogue(manifest.models), () => true, toolSelection([], process.env));
  io.out(`tools: ${tools.length}`);
  for (const tool of tools) io.out(` - ${tool.name}`);
  io.out(`telemetry: ${settings.telemetry ? `on, to ${settings.baseUrl} only (PRODMCP_NO_TELEMETRY=1 or DO_NOT_TRACK=1 turns it off)` : 'off'}`);
  io.out(`update check: ${settings.autoUpdate ? 'daily, while serving (PRODMCP_NO_AUTOUPDATE=1 turns it off)' : 'off'}`);
  io.out(healthy ? 'result: ok' : 'result: FAIL (see above)');
  return healthy ? 0 : 1;
}
