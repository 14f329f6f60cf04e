/** `prodmcp tools`: the tool catalogue as JSON, exactly as tools/list shows it to a host. */
import type { Io } from '../cli/io.js';
import { loadManifest } from '../manifest-source.js';
import type { Runtime } from '../runtime.js';
import { buildCatalogue, publicTool, toolsFor } from '@prodboard/tools';
import { toolSelection } from './serve.js';

/** Prints the catalogue; exit code 0. */
export async function run(runtime: Runtime, args: string[], io: Io): Promise<number> {
  // The tools serve would list: the same --toolsets and --read-only (or PRODMCP_TOOLSETS / PRODMCP_READ_ONLY).
  const selection = toolSelection(args, process.env);
  const manifest = await loadManifest(runtime, { waitMs: 2000 });
  io.out(JSON.stringify(toolsFor(buildCatalogue(manifest.models), () => true, selection).map(publicTool), null, 2));
  return 0;
}
