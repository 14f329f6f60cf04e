/**
 * Serving the web app: its files, index.html for its pages (the app routes itself), JSON 404s kept
 * for the API and for missing files, nothing outside the build directory, and a hint when unbuilt.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startServer, type TestServer } from './helpers.js';

let server: TestServer;
let root: string;

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'prodboard-web-'));
  mkdirSync(join(root, 'app', 'assets'), { recursive: true });
  writeFileSync(join(root, 'app', 'index.html'), '<!doctype html><title>Production Board</title><div id="root"></div>');
  writeFileSync(join(root, 'app', 'assets', 'index-abc123.js'), 'console.log("app")');
  writeFileSync(join(root, 'app', 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(join(root, 'secret.txt'), 'outside the web root');
  server = await startServer({ webRoot: join(root, 'app') });
});
after(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

const get = (path: string) => fetch(new URL(path, server.url), { redirect: 'manual' });

describe('the web app at /', () => {
  test('/ and every page path answer with index.html, never cached, with a strict CSP', async () => {
    for (const path of ['/', '/boards/0190f5a2-7c1e-7b3d-9a4e-2f1c3d4e5f60', '/setup', '/integrations?x=1']) {
      const res = await get(path);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
      assert.equal(res.headers.get('cache-control'), 'no-cache');
      assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
      assert.match(await res.text(), /<div id="root">/);
    }
  });

  test('built files are served with their type; hashed assets are cached for good', async () => {
    const js = await get('/assets/index-abc123.js');
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.match(js.headers.get('cache-control') ?? '', /immutable/);
    assert.equal(await js.text(), 'console.log("app")');
    const svg = await get('/favicon.svg');
    assert.equal(svg.headers.get('content-type'), 'image/svg+xml');
    const head = await fetch(new URL('/assets/index-abc123.js', server.url), { method: 'HEAD' });
    assert.equal(head.status, 200);
  });

  test('a missing file and an unknown API path stay JSON 404s; nothing outside the build is reachable', async () => {
    const missing = await get('/assets/gone-123.js');
    assert.equal(missing.status, 404);
    assert.equal((await missing.json()).code, 'not_found');
    const api = await get('/xapi2/no-such-thing');
    assert.equal(api.status, 404);
    assert.match((await api.json()).detail, /the API lives under \/xapi2/);
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) {
      const res = await get(path);
      assert.notEqual(await res.text(), 'outside the web root', path);
    }
    const post = await fetch(new URL('/boards', server.url), { method: 'POST' });
    assert.equal(post.status, 404);
  });

  test('an unbuilt app answers with a hint to build it', async () => {
    const bare = await startServer({ webRoot: join(root, 'nowhere') });
    try {
      const hint = await fetch(new URL('/', bare.url));
      assert.equal(hint.status, 503);
      assert.match(await hint.text(), /npm run build/);
    } finally {
      await bare.close();
    }
  });
});
