/**
 * Builds dist/prodmcp.mjs: one executable ESM file holding prodmcp, the MCP SDK and the shared
 * package. Its first lines are the shebang and the PRODMCP_VERSION line the server reads (within
 * the first 64 KiB) to announce the build it distributes.
 */
import { build } from 'esbuild';
import { chmodSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const outfile = join(root, 'dist', 'prodmcp.mjs');

await build({
  entryPoints: [join(root, 'src', 'main.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
  alias: { '@modelcontextprotocol/server/_shims': join(root, 'src', 'sdk-shims.ts') },
  banner: {
    js: [
      '#!/usr/bin/env node',
      `const PRODMCP_VERSION = ${JSON.stringify(version)};`,
    ].join('\n'),
  },
});
chmodSync(outfile, 0o755);
