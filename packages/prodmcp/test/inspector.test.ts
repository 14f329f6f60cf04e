/**
 * The MCP Inspector's CLI (an independent client) lists and calls prodmcp's tools. The Inspector
 * needs Node ≥ 22.19, so npx fetches Node 22 beside it; the first run downloads both.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { makeToken, signUp, startServer, type TestServer } from '../../server/test/helpers.js';
import { PRODMCP, freshHome } from './support.js';

const INSPECTOR = '@modelcontextprotocol/inspector@2.12.0';
const DOWNLOAD_TIMEOUT_MS = 10 * 60_000;

function quote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Runs `mcp-inspector --cli node dist/prodmcp.mjs <args>` under Node 22. */
function inspector(env: Record<string, string>, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const serverEnv = Object.entries(env).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
  const command = ['mcp-inspector', '--cli', 'node', PRODMCP, ...serverEnv, ...args].map(quote).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['-y', '-p', 'node@22', '-p', INSPECTOR, '-c', command], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the inspector did not finish within ${DOWNLOAD_TIMEOUT_MS / 1000} s; stderr: ${stderr.slice(-2000)}`));
    }, DOWNLOAD_TIMEOUT_MS);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('the MCP Inspector CLI', { timeout: 2 * DOWNLOAD_TIMEOUT_MS }, () => {
  let server: TestServer;
  let env: Record<string, string>;
  let home: string;

  before(async () => {
    server = await startServer();
    const user = await signUp(server);
    const { token } = await makeToken(server, user);
    home = freshHome();
    env = { HOME: home, PRODMCP_BASE_URL: server.url, PRODMCP_TOKEN: token, PRODMCP_NO_AUTOUPDATE: '1' };
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
