/**
 * Builds dist/prodmcp.mjs: one executable file holding prodmcp, the MCP SDK and the shared package.
 *
 * Layout: the shebang; the PRODMCP_VERSION line the server reads (within the first 64 KiB) to
 * announce the build it distributes; the launcher (src/launcher.ts), which compiles the rest with
 * a V8 code cache; then the program itself, bundled as a function body, each line prefixed with
 * `//` after the payload marker.
 */
import { build } from 'esbuild';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const outfile = join(root, 'dist', 'prodmcp.mjs');

const common = { bundle: true, platform: 'node', target: 'node20', minify: true, legalComments: 'none', logLevel: 'warning', write: false };

const program = await build({
  ...common,
  entryPoints: [join(root, 'src', 'main.ts')],
  format: 'cjs',
  // The SDK's Node shim only adds AJV; prodmcp brings its own validator (src/sdk-shims.ts).
  alias: { '@modelcontextprotocol/server/_shims': join(root, 'src', 'sdk-shims.ts') },
  // The program runs as a function body; the launcher passes these in.
  define: { 'import.meta.url': '__prodmcpMetaUrl' },
});
const launcher = await build({ ...common, entryPoints: [join(root, 'src', 'launcher.ts')], format: 'esm' });

const programText = program.outputFiles[0].text;
// Each program line becomes a `//` comment line; these characters would end a comment early.
if (/[\r\u2028\u2029]/.test(programText)) throw new Error('the bundle contains a CR or U+2028/9 line terminator; cannot embed it');
if (programText.includes('//# prodmcp-payload')) throw new Error('the bundle contains the payload marker');
if (/\bimport\s*\(/.test(programText)) throw new Error('the bundle contains import(): builtins must load through src/builtins.ts');

const file = [
  '#!/usr/bin/env node',
  `const PRODMCP_VERSION = ${JSON.stringify(version)};`,
  launcher.outputFiles[0].text.trimEnd(),
  '//# prodmcp-payload',
  programText.trimEnd().split('\n').map((line) => `//${line}`).join('\n'),
  '',
].join('\n');

mkdirSync(dirname(outfile), { recursive: true });
writeFileSync(outfile, file);
chmodSync(outfile, 0o755);
