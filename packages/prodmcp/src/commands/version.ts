/** `prodmcp version`: this build, the server it talks to and the size of its tool catalogue. */
import { parseOptions, type Io } from '../cli/io.js';
import { loadManifest } from '../manifest-source.js';
import type { Runtime } from '../runtime.js';
import { buildCatalogue, toolsFor } from '@prodboard/tools';
import { toolSelection } from './serve.js';
import { APP_NAME, COMMAND_NAME, VERSION } from '../version.js';

/** Prints the version report; exit code 0. */
export async function run(runtime: Runtime, args: string[], io: Io): Promise<number> {
  parseOptions(args, {}, 'usage: prodmcp version');
  const manifest = await loadManifest(runtime, { waitMs: 2000 });
  io.out(`${COMMAND_NAME} ${VERSION}`);
  io.out(`server: ${runtime.settings.baseUrl}`);
  io.out(`app: ${APP_NAME} (prod)`);
  io.out(`models: ${Object.keys(manifest.models).length}`);
  io.out(`tools: ${toolsFor(buildCatalogue(manifest.models), () => true, toolSelection([], process.env)).length}`);
  io.out(`manifest: ${manifest.origin}`);
  return 0;
}
