/** `prodmcp tools`: the tool catalogue as JSON, exactly as tools/list shows it to a host. */
import { parseOptions, type Io } from '../cli/io.js';
import { loadManifest } from '../manifest-source.js';
import type { Runtime } from '../runtime.js';
import { buildCatalogue, publicTool } from '@prodboard/tools';

/** Prints the catalogue; exit code 0. */
export async function run(runtime: Runtime, args: string[], io: Io): Promise<number> {
  parseOptions(args, {}, 'usage: prodmcp tools');
  const manifest = await loadManifest(runtime, { waitMs: 2000 });
  io.out(JSON.stringify(buildCatalogue(manifest.models).map(publicTool), null, 2));
  return 0;
}
