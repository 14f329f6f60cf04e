/**
 * The default paths the server derives from its own location (the web app it serves, the prodmcp
 * build it distributes) hold when the install path has a space in it: the source is copied under
 * "Production Board copy/" and its defaults must point at files that exist there.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

test('default web root and prodmcp path work from an install path with a space', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'prodboard path-'));
  try {
    const root = join(dir, 'Production Board copy', 'packages');
    mkdirSync(join(root, 'server', 'src'), { recursive: true });
    mkdirSync(join(root, 'web', 'dist'), { recursive: true });
    mkdirSync(join(root, 'prodmcp', 'dist'), { recursive: true });
    writeFileSync(join(root, 'web', 'dist', 'index.html'), '<!doctype html>');
    writeFileSync(join(root, 'prodmcp', 'dist', 'prodmcp.mjs'), '#!/usr/bin/env node\n');
    copyFileSync(fileURLToPath(new URL('../src/config.ts', import.meta.url)), join(root, 'server', 'src', 'config.ts'));

    const { configFromEnv } = (await import(pathToFileURL(join(root, 'server', 'src', 'config.ts')).href)) as typeof import('../src/config.js');
    const config = configFromEnv({});
    assert.equal(config.webRoot, join(root, 'web', 'dist'));
    assert.ok(existsSync(join(config.webRoot, 'index.html')), `web root ${config.webRoot}`);
    assert.equal(config.mcpScriptPath, join(root, 'prodmcp', 'dist', 'prodmcp.mjs'));
    assert.ok(existsSync(config.mcpScriptPath), `prodmcp build ${config.mcpScriptPath}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
