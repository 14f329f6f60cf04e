/**
 * Updates against the real server: the server distributes a newer build (a copy of this one with a
 * bumped PRODMCP_VERSION line); `prodmcp update` replaces its own file after checking the sha256
 * the server announced, keeps the old file aside, refuses a tampered download, and leaves an npm
 * install to npm. While serving, prodmcp checks at most daily and tells the host.
 */
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeToken, signUp, startServer, type TestServer } from '../../server/test/helpers.js';
import { PRODMCP, RawHost, freshHome, prodmcpEnv, runCli, startFakeServer, type FakeServer } from './support.js';

const CURRENT = '1.1.0';
const NEXT = '1.2.0';

describe('prodmcp update', () => {
  let dir: string;
  let original: Buffer;
  let newer: Buffer;
  let server: TestServer;
  let token: string;
  const fakes: FakeServer[] = [];
  const homes: string[] = [];

  /** A copy of the current build installed at `path`, as a user would have it. */
  const install = (path: string) => {
    mkdirSync(join(path, '..'), { recursive: true });
    copyFileSync(PRODMCP, path);
    chmodSync(path, 0o755);
    return path;
  };
  const envFor = (baseUrl: string, extra: Record<string, string | undefined> = {}) => {
    const home = freshHome();
    homes.push(home);
    return prodmcpEnv(home, baseUrl, extra);
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'prodmcp-update-'));
    original = readFileSync(PRODMCP);
    const text = original.toString('utf8');
    assert.ok(text.includes(`const PRODMCP_VERSION = "${CURRENT}";`));
    newer = Buffer.from(text.replace(`const PRODMCP_VERSION = "${CURRENT}";`, `const PRODMCP_VERSION = "${NEXT}";`));
    const served = join(dir, 'served', 'prodmcp.mjs');
    mkdirSync(join(dir, 'served'));
    writeFileSync(served, newer);
    server = await startServer({ mcpScriptPath: served });
    token = (await makeToken(server, await signUp(server))).token;
  });

  after(async () => {
    await server?.close();
    for (const fake of fakes) await fake.close();
    for (const home of homes) rmSync(home, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  test('downloads the newer build, checks its sha256, swaps it in and keeps the old file aside', async () => {
    // A space in the install path: the running file's path comes from its file URL, decoded.
    const target = install(join(dir, 'my tools', 'bin', 'prodmcp.mjs'));
    const env = envFor(server.url);
    const result = await runCli(['update'], env, { file: target, timeoutMs: 60_000 });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, new RegExp(`updated .* from ${CURRENT} to ${NEXT} \\(sha256 verified; the previous file is ${target.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.old\\)`));
    assert.ok(readFileSync(target).equals(newer), 'the file is the served build');
    assert.ok(readFileSync(`${target}.old`).equals(original), 'the previous build is kept aside');
    assert.equal(statSync(target).mode & 0o777, 0o755, 'still executable');
    assert.equal((await runCli(['--version'], env, { file: target })).stdout.trim(), `prodmcp ${NEXT}`);
    const again = await runCli(['update'], env, { file: target });
    assert.equal(again.code, 0);
    assert.match(again.stderr, new RegExp(`already up to date: this is ${NEXT}`));
    const check = JSON.parse(readFileSync(join(env.HOME, '.prodmcp', 'update_check.json'), 'utf8'));
    assert.equal(check.latest, NEXT);
  });

  test('a download that does not match the announced sha256 is refused and nothing changes', async () => {
    const target = install(join(dir, 'tampered', 'prodmcp.mjs'));
    // In front of the real server: the announcement passes through, the file is altered on the way.
    const front = await startFakeServer(async (req, res) => {
      const upstream = await fetch(server.url + req.url);
      let body = Buffer.from(await upstream.arrayBuffer());
      if (req.url === '/xapi2/mcp/script') body = Buffer.from(body.toString('utf8').replace('//# prodmcp-payload', '//# prodmcp-payload\n//globalThis.pwned=1;'));
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/octet-stream' });
      res.end(body);
    });
    fakes.push(front);
    const result = await runCli(['update'], envFor(front.url), { file: target });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /update failed: the downloaded file does not match the sha256 the server announced .*nothing was changed/);
    assert.ok(readFileSync(target).equals(original));
    assert.equal(existsSync(`${target}.old`), false);
    assert.ok(front.requests.some((r) => r.url === '/xapi2/mcp/script'), 'the file was downloaded and checked');
  });

  test('installed from npm (under node_modules): prints the npm command and leaves the file alone', async () => {
    const target = install(join(dir, 'project', 'node_modules', '@production-board', 'prodmcp', 'dist', 'prodmcp.mjs'));
    const result = await runCli(['update'], envFor(server.url), { file: target });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), `npm install -g @production-board/prodmcp@${NEXT}`);
    assert.match(result.stderr, /installed with npm/);
    assert.ok(readFileSync(target).equals(original));
  });

  test('pre-releases order by semver: a build at 1.2.0-rc.2 updates to the served 1.2.0-rc.10', async () => {
    const text = original.toString('utf8');
    const at = (version: string) => Buffer.from(text.replace(`const PRODMCP_VERSION = "${CURRENT}";`, `const PRODMCP_VERSION = "${version}";`));
    const served = join(dir, 'served-rc', 'prodmcp.mjs');
    mkdirSync(join(dir, 'served-rc'));
    writeFileSync(served, at('1.2.0-rc.10'));
    const rcServer = await startServer({ mcpScriptPath: served });
    try {
      const target = join(dir, 'rc', 'prodmcp.mjs');
      mkdirSync(join(dir, 'rc'));
      writeFileSync(target, at('1.2.0-rc.2'), { mode: 0o755 });
      const result = await runCli(['update'], envFor(rcServer.url), { file: target });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /from 1\.2\.0-rc\.2 to 1\.2\.0-rc\.10 \(sha256 verified/);
      assert.equal((await runCli(['--version'], envFor(rcServer.url), { file: target })).stdout.trim(), 'prodmcp 1.2.0-rc.10');
    } finally {
      await rcServer.close();
    }
  });

  test('a server without a build to offer says so', async () => {
    const bare = await startServer({ mcpScriptPath: join(dir, 'nothing-here.mjs') });
    try {
      const result = await runCli(['update'], envFor(bare.url), { file: install(join(dir, 'bare', 'prodmcp.mjs')) });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /has no prodmcp build to offer; this is 1\.1\.0/);
    } finally {
      await bare.close();
    }
  });

  test('serving, it checks at most daily and tells the host a newer version is out', async () => {
    const counter = await startFakeServer(async (req, res) => {
      const upstream = await fetch(server.url + req.url, { method: req.method, headers: { authorization: String(req.headers.authorization ?? ''), 'content-type': 'application/json' }, body: req.body || undefined });
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
      res.end(Buffer.from(await upstream.arrayBuffer()));
    });
    fakes.push(counter);
    const env = envFor(counter.url, { PRODMCP_TOKEN: token, PRODMCP_NO_AUTOUPDATE: undefined });
    const versionChecks = () => counter.requests.filter((r) => r.url === '/xapi2/mcp/version').length;

    for (const round of [1, 2]) {
      const host = new RawHost(env);
      try {
        await host.initialize();
        const notice = await host.waitFor((m) => m.method === 'notifications/message' && /is available/.test(m.params.data));
        assert.equal(notice.params.data, `prodmcp ${NEXT} is available (this is ${CURRENT}): run \`prodmcp update\`, then restart your MCP host.`);
        assert.equal(await host.close(), 0);
      } finally {
        host.kill();
      }
      assert.equal(versionChecks(), 1, `round ${round}: one check a day`);
    }
    const file = join(env.HOME, '.prodmcp', 'update_check.json');
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).latest, NEXT);
    assert.equal(statSync(file).mode & 0o777, 0o600);

    const quiet = envFor(counter.url, { PRODMCP_TOKEN: token, PRODMCP_NO_AUTOUPDATE: '1' });
    const host = new RawHost(quiet);
    try {
      await host.initialize();
      await host.call('tools/list');
      assert.equal(await host.close(), 0);
    } finally {
      host.kill();
    }
    assert.equal(versionChecks(), 1, 'PRODMCP_NO_AUTOUPDATE=1: no check');
    assert.equal(existsSync(join(quiet.HOME, '.prodmcp', 'update_check.json')), false);
  });
});
