/**
 * The MCP Inspector's CLI (an independent client) lists and calls prodmcp's tools over stdio, and
 * the server's own /mcp over Streamable HTTP (the same tools, in process on the server). The Inspector
 * needs Node ≥ 22.19, so it runs under npx beside Node 22 (the `node` package). Both are installed
 * before the tests start by `npm run test:tools` (scripts/install-test-tools.sh, which `npm test` runs
 * first); the test runs npx offline, so it never downloads a toolchain mid-run, and says what to run
 * when they are missing.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeToken, signUp, startServer, type TestServer } from '../../server/test/helpers.js';
import { PRODMCP, freshHome } from './support.js';

/** What `npm run test:tools` installs, read from the same place it reads them: packages/prodmcp/package.json. */
const { node: NODE, package: INSPECTOR } = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { inspector: { node: string; package: string } }).inspector;
/** A guard against a hung Inspector; with everything installed a run takes seconds. */
const RUN_TIMEOUT_MS = 2 * 60_000;

function quote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a shell command beside Node 22 and the Inspector, from the npx cache only (`--offline`). */
function npxOffline(command: string, env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['--offline', '-y', '-p', NODE, '-p', INSPECTOR, '-c', command], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`npx ${command} did not finish within ${RUN_TIMEOUT_MS / 1000} s; stderr: ${stderr.slice(-2000)}`));
    }, RUN_TIMEOUT_MS);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Node 22 and the Inspector are in the npx cache, or an error that says how to install them. */
async function checkInstalled(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const run = await npxOffline('node --version && mcp-inspector --help >/dev/null', env);
  if (run.code !== 0 || !/^v22\./.test(run.stdout)) {
    throw new Error(
      `${NODE} and ${INSPECTOR} are not installed, and tests download nothing: run \`npm run test:tools\` ` +
      `(npx -y -p ${NODE} -p ${INSPECTOR} -c 'node --version'). npx said: ${run.stderr.trim().split('\n').slice(-3).join(' / ')}`,
    );
  }
}

/** Runs `mcp-inspector --cli node dist/prodmcp.mjs <args>` under Node 22. */
function inspector(env: Record<string, string>, args: string[]): Promise<Run> {
  const serverEnv = Object.entries(env).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
  return npxOffline(['mcp-inspector', '--cli', 'node', PRODMCP, ...serverEnv, ...args].map(quote).join(' '));
}

/** Runs `mcp-inspector --cli <server>/mcp --transport http` with a bearer token under Node 22. */
function inspectorHttp(url: string, token: string, args: string[]): Promise<Run> {
  return npxOffline(['mcp-inspector', '--cli', `${url}/mcp?toolsets=reference`, '--transport', 'http', '--header', `Authorization: Bearer ${token}`, ...args].map(quote).join(' '));
}

test('without what npm run test:tools installs, the Inspector test says what to run instead of downloading', async () => {
  const emptyCache = mkdtempSync(join(tmpdir(), 'prodmcp-npm-cache-'));
  try {
    await assert.rejects(checkInstalled({ ...process.env, npm_config_cache: emptyCache }), /are not installed, and tests download nothing: run `npm run test:tools` .*ENOTCACHED/s);
  } finally {
    rmSync(emptyCache, { recursive: true, force: true });
  }
});

describe('the MCP Inspector CLI', { timeout: 4 * RUN_TIMEOUT_MS }, () => {
  let server: TestServer;
  let env: Record<string, string>;
  let home: string;

  before(async () => {
    await checkInstalled();
    server = await startServer();
    const user = await signUp(server);
    const { token } = await makeToken(server, user);
    home = freshHome();
    env = { HOME: home, PRODMCP_BASE_URL: server.url, PRODMCP_TOKEN: token, PRODMCP_NO_AUTOUPDATE: '1', PRODMCP_TOOLSETS: 'reference' };
  });

  after(async () => {
    await server?.close();
    rmSync(home, { recursive: true, force: true });
  });

  test('tools/list, with the strict schema portability check finding nothing to report', async () => {
    const result = await inspector(env, ['--method', 'tools/list', '--strict']);
    assert.equal(result.code, 0, result.stderr.slice(-3000));
    const { tools } = JSON.parse(result.stdout);
    assert.equal(tools.length, 11);
    assert.ok(tools.find((t: any) => t.name === 'card_list').annotations.readOnlyHint);
    assert.doesNotMatch(result.stderr, /^(Warning|Error): tool/m, 'no portability findings');
  });

  test('the default and every other toolset pass the strict schema portability check too', async () => {
    const result = await inspector({ ...env, PRODMCP_TOOLSETS: 'all' }, ['--method', 'tools/list', '--strict']);
    assert.equal(result.code, 0, result.stderr.slice(-3000));
    assert.ok(JSON.parse(result.stdout).tools.some((t: any) => t.name === 'card_move'));
    assert.doesNotMatch(result.stderr, /^(Warning|Error): tool/m, 'no portability findings');
  });

  test('tools/call creates a board and lists it back', async () => {
    const created = await inspector(env, ['--method', 'tools/call', '--tool-name', 'board_create', '--tool-arg', 'name=Inspected', '--tool-arg', 'columns=To do, Done']);
    assert.equal(created.code, 0, created.stderr.slice(-3000));
    const board = JSON.parse(created.stdout).structuredContent;
    assert.equal(board.data.name, 'Inspected');
    assert.deepEqual(board.data.columns.map((c: any) => c.key), ['to_do', 'done']);
    const listed = await inspector(env, ['--method', 'tools/call', '--tool-name', 'board_list']);
    assert.equal(listed.code, 0, listed.stderr.slice(-3000));
    assert.deepEqual(JSON.parse(listed.stdout).structuredContent.data.map((b: any) => b.id), [board.id]);
  });
});

describe('the MCP Inspector CLI over HTTP, against /mcp', { timeout: 4 * RUN_TIMEOUT_MS }, () => {
  let server: TestServer;
  let token: string;
  let readOnly: string;

  before(async () => {
    await checkInstalled();
    server = await startServer();
    const user = await signUp(server);
    token = (await makeToken(server, user)).token;
    readOnly = (await makeToken(server, user, 'board:read,card:read')).token;
  });

  after(async () => server?.close());

  test('tools/list, strict, lists what prodmcp lists; a read-only token gets the read tools only', async () => {
    const result = await inspectorHttp(server.url, token, ['--method', 'tools/list', '--strict']);
    assert.equal(result.code, 0, result.stderr.slice(-3000));
    assert.deepEqual(JSON.parse(result.stdout).tools.map((t: any) => t.name), [
      'board_list', 'board_get', 'board_create', 'board_update', 'board_delete', 'card_list', 'card_get', 'card_create', 'card_update', 'card_delete', 'whoami',
    ]);
    assert.doesNotMatch(result.stderr, /^(Warning|Error): tool/m, 'no portability findings');
    const limited = await inspectorHttp(server.url, readOnly, ['--method', 'tools/list']);
    assert.equal(limited.code, 0, limited.stderr.slice(-3000));
    assert.deepEqual(JSON.parse(limited.stdout).tools.map((t: any) => t.name), ['board_list', 'board_get', 'card_list', 'card_get', 'whoami']);
  });

  test('tools/call creates a board and lists it back', async () => {
    const created = await inspectorHttp(server.url, token, ['--method', 'tools/call', '--tool-name', 'board_create', '--tool-arg', 'name=Over HTTP', '--tool-arg', 'columns=To do, Done']);
    assert.equal(created.code, 0, created.stderr.slice(-3000));
    const board = JSON.parse(created.stdout).structuredContent;
    assert.deepEqual(board.data.columns.map((c: any) => c.key), ['to_do', 'done']);
    const listed = await inspectorHttp(server.url, token, ['--method', 'tools/call', '--tool-name', 'board_list']);
    assert.equal(listed.code, 0, listed.stderr.slice(-3000));
    assert.deepEqual(JSON.parse(listed.stdout).structuredContent.data.map((b: any) => b.id), [board.id]);
  });

  test('a wrong token: the 401 challenge sends the Inspector to sign in (OAuth), not into a hang', async () => {
    const refused = await inspectorHttp(server.url, 'pat_wrong', ['--method', 'tools/list']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr + refused.stdout, /"code":"auth_required"/);
  });
});
