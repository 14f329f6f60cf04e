/**
 * The official MCP conformance suite against /mcp, on the scenarios that apply to a product
 * without fixture tools. The suite has no option for headers, so a small local proxy adds the
 * bearer token; it passes Host and Origin through untouched, so the DNS rebinding scenario tests
 * the server's own checks. The suite needs Node 22: both come from the npx cache, installed before
 * the tests by `npm run test:tools` (scripts/install-test-tools.sh); the test never downloads them.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TEST_STORE, makeToken, signUp, startServer, type TestServer } from './helpers.js';

/** What `npm run test:tools` installs, read from where it reads them: packages/server/package.json. */
const { node: NODE, package: SUITE } = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { conformance: { node: string; package: string } }).conformance;
const SCENARIOS = ['server-initialize', 'ping', 'tools-list', 'logging-set-level', 'dns-rebinding-protection'];
/** A guard against a hung run; with everything installed a scenario takes seconds. */
const RUN_TIMEOUT_MS = 2 * 60_000;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the suite's CLI beside Node 22 from the npx cache only (`--offline`). */
function conformance(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  const command = ['conformance', ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['--offline', '-y', '-p', NODE, '-p', SUITE, '-c', command], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`conformance ${args.join(' ')} did not finish within ${RUN_TIMEOUT_MS / 1000} s; stderr: ${stderr.slice(-2000)}`));
    }, RUN_TIMEOUT_MS);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A proxy to `target` that adds `Authorization: Bearer <token>` and changes nothing else. */
async function tokenProxy(target: string, token: string): Promise<{ url: string; requests: number; close(): Promise<void> }> {
  const upstream = new URL(target);
  const state = { requests: 0 };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    state.requests++;
    const forwarded = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, authorization: `Bearer ${token}` } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on('error', () => res.destroy());
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}`,
    get requests() {
      return state.requests;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

test('without what npm run test:tools installs, the conformance test says what to run instead of downloading', async () => {
  const emptyCache = mkdtempSync(join(tmpdir(), 'prodboard-npm-cache-'));
  try {
    const run = await conformance(['--version'], { ...process.env, npm_config_cache: emptyCache });
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /ENOTCACHED/);
  } finally {
    rmSync(emptyCache, { recursive: true, force: true });
  }
});

describe(`the MCP conformance suite against /mcp (${TEST_STORE})`, { timeout: SCENARIOS.length * RUN_TIMEOUT_MS }, () => {
  let server: TestServer;
  let proxy: Awaited<ReturnType<typeof tokenProxy>>;
  let output: string;

  before(async () => {
    const installed = await conformance(['--version']);
    assert.equal(installed.code, 0, `${SUITE} under ${NODE} is not installed, and tests download nothing: run \`npm run test:tools\`. npx said: ${installed.stderr.slice(-500)}`);
    server = await startServer();
    const user = await signUp(server);
    proxy = await tokenProxy(server.url, (await makeToken(server, user, 'board:read,card:read')).token);
    output = mkdtempSync(join(tmpdir(), 'prodboard-conformance-'));
  });
  after(async () => {
    await proxy?.close();
    await server?.close();
    if (output) rmSync(output, { recursive: true, force: true });
  });

  for (const scenario of SCENARIOS) {
    test(scenario, async (t) => {
      const before = proxy.requests;
      const run = await conformance(['server', '--url', `${proxy.url}/mcp`, '--scenario', scenario, '--output-dir', output]);
      const report = `${run.stdout}\n${run.stderr}`.slice(-4000);
      assert.equal(run.code, 0, report);
      assert.match(run.stdout, /Passed: [1-9]\d*\/\d+, 0 failed/, report);
      assert.ok(proxy.requests > before, 'the suite reached the server through the proxy');
      t.diagnostic(run.stdout.trim().split('\n').slice(-12).join('\n'));
    });
  }
});
