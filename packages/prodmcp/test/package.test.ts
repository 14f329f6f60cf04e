/**
 * prodmcp as an npm package: packed from this directory (the built file, README and package.json,
 * nothing else), under the project's scoped name, with no dependency left to resolve (the workspace
 * packages and the SDK are bundled into the one file), installed from the tarball into an empty
 * project with no registry at all (--offline), where its `prodmcp` bin runs.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, test } from 'node:test';
import { PACKAGE_NAME } from '../src/version.js';
import { prodmcpEnv, runCli } from './support.js';

const run = promisify(execFile);
const HERE = join(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(readFileSync(join(HERE, 'package.json'), 'utf8')) as Record<string, any>;
const dirs: string[] = [];
const temp = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

test('the package is publishable under the scoped name, with a bin, files, engines and no runtime dependency', () => {
  assert.equal(manifest.name, PACKAGE_NAME);
  assert.match(manifest.name, /^@production-board\//, "the project's own scope, never the unscoped `prodmcp`");
  assert.equal(manifest.private, undefined, 'not private');
  assert.deepEqual(manifest.bin, { prodmcp: 'dist/prodmcp.mjs' });
  assert.deepEqual(manifest.files, ['dist/prodmcp.mjs']);
  assert.ok(manifest.engines?.node, 'engines.node is set');
  assert.equal(manifest.publishConfig?.access, 'public');
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies', 'bundleDependencies']) {
    assert.equal(manifest[field], undefined, `${field}: everything is bundled into dist/prodmcp.mjs`);
  }
});

test('npm pack holds only the built file, README and package.json; installed offline from the tarball, `prodmcp --help` runs', { timeout: 120_000 }, async () => {
  const out = temp('prodmcp-pack-');
  // --ignore-scripts: the file under test is the one already built (prepack would rebuild it).
  const packed = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', out], { cwd: HERE });
  const [info] = JSON.parse(packed.stdout) as Array<{ filename: string; name: string; files: Array<{ path: string }> }>;
  assert.equal(info.name, PACKAGE_NAME);
  assert.deepEqual(info.files.map((f) => f.path).sort(), ['README.md', 'dist/prodmcp.mjs', 'package.json']);

  const project = temp('prodmcp-install-');
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'host', version: '0.0.0', private: true }));
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', join(out, info.filename)], { cwd: project });
  const lock = JSON.parse(readFileSync(join(project, 'package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
  assert.deepEqual(Object.keys(lock.packages).sort(), ['', `node_modules/${PACKAGE_NAME}`], 'nothing else was installed');

  const bin = join(project, 'node_modules', '.bin', 'prodmcp');
  const help = await runCli(['--help'], prodmcpEnv(temp('prodmcp-home-'), 'http://127.0.0.1:9'), { file: bin });
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /^usage: prodmcp/);
  assert.match(help.stdout, /serve/);
});
