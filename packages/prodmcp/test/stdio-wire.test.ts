/**
 * prodmcp on the wire, as a 2025-era host speaks to it: newline-delimited JSON-RPC with an
 * `initialize` handshake at an earlier protocol version, and every kind of bad input a host (or a
 * broken pipe) can produce. The server keeps serving after each.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { makeToken, signUp, startServer, type TestServer } from '../../server/test/helpers.js';
import { RawHost, freshHome, okResult, prodmcpEnv, sendJson, startFakeServer } from './support.js';

describe('the initialize handshake at earlier protocol versions', () => {
  let server: TestServer;
  let token: string;
  const homes: string[] = [];
  const hosts: RawHost[] = [];

  const start = (extra: Record<string, string> = {}) => {
    const home = freshHome();
    homes.push(home);
    const host = new RawHost(prodmcpEnv(home, server.url, { PRODMCP_TOKEN: token, ...extra }));
    hosts.push(host);
    return host;
  };

  before(async () => {
    server = await startServer();
    const user = await signUp(server);
    token = (await makeToken(server, user)).token;
  });

  after(async () => {
    for (const host of hosts) host.kill();
    await server?.close();
    for (const home of homes) rmSync(home, { recursive: true, force: true });
  });

  for (const version of ['2025-06-18', '2025-03-26', '2024-11-05']) {
    test(`a host opening with initialize at ${version} gets ${version}, and tools work`, async () => {
      const host = start();
      const init = await host.initialize(version);
      assert.equal(init.protocolVersion, version);
      assert.equal(init.serverInfo.name, 'prodmcp');
      assert.equal(init.serverInfo.version, '1.1.0');
      assert.deepEqual(init.capabilities.tools, { listChanged: false });
      // Like the reference client: the reads hosts probe answer empty, not "method not found".
      assert.deepEqual(await host.call('resources/list'), { resources: [] });
      assert.deepEqual(await host.call('prompts/list'), { prompts: [] });
      assert.deepEqual(await host.call('ping'), {});
      assert.match(init.instructions, /Call whoami first/);
      const { tools } = await host.call('tools/list');
      assert.equal(tools.length, 11);
      const created = await host.tool('board_create', { name: `Board at ${version}` });
      assert.notEqual(created.isError, true);
      assert.equal(JSON.parse(created.content[0].text).data.name, `Board at ${version}`);
      assert.equal(await host.close(), 0);
      assert.deepEqual(host.garbage, [], 'nothing but JSON-RPC on stdout');
    });
  }

  test('a version the server does not know is answered with the latest 2025-era version it speaks', async () => {
    const host = start();
    const init = await host.initialize('2099-01-01');
    assert.equal(init.protocolVersion, '2025-11-25');
    assert.equal(await host.close(), 0);
  });

  test('without a token: a warning log notification after initialized, and 401 results that say how to sign in', async () => {
    const home = freshHome();
    homes.push(home);
    const host = new RawHost(prodmcpEnv(home, server.url));
    hosts.push(host);
    await host.initialize();
    const warning = await host.waitFor((m) => m.method === 'notifications/message');
    assert.equal(warning.params.level, 'warning');
    assert.equal(warning.params.logger, 'prodmcp');
    assert.match(warning.params.data, /No token configured: set PRODMCP_TOKEN=pat_\.\.\. in the MCP host config/);
    const result = await host.tool('whoami');
    assert.equal(result.isError, true);
    const body = JSON.parse(result.content[0].text);
    assert.equal(body.http_status, 401);
    assert.match(body.error, /prodmcp login/);
    assert.match(host.stderr(), /warning: No token configured/);
    assert.equal(await host.close(), 0);
  });
});

describe('bad input on the wire', () => {
  let server: TestServer;
  let host: RawHost;
  let home: string;

  before(async () => {
    server = await startServer();
    const user = await signUp(server);
    const { token } = await makeToken(server, user);
    home = freshHome();
    host = new RawHost(prodmcpEnv(home, server.url, { PRODMCP_TOKEN: token }));
    await host.initialize();
  });

  after(async () => {
    host?.kill();
    await server?.close();
    rmSync(home, { recursive: true, force: true });
  });

  const stillServing = async () => okResult(await host.tool('whoami'));

  test('a line of broken JSON: parse error -32700 with id null, then business as usual', async () => {
    const before = host.unsolicited.length;
    host.writeLine('{"jsonrpc": "2.0", "id": 99, "method": "tools/list"');
    const error = await host.waitFor((m, i = host.unsolicited.indexOf(m)) => i >= before && m.error?.code === -32700);
    assert.equal(error.id, null);
    assert.match(error.error!.message, /not valid JSON/);
    await stillServing();
  });

  for (const [label, line, id] of [
    ['a number', '42', null],
    ['a string', '"tools/list"', null],
    ['an array (a batch)', '[{"jsonrpc":"2.0","id":7,"method":"ping"}]', null],
    ['an object without jsonrpc', '{"id": 5, "method": "tools/list"}', 5],
  ] as const) {
    test(`a non-message (${label}): invalid request -32600, then business as usual`, async () => {
      const before = host.unsolicited.length;
      host.writeLine(line);
      const error = await host.waitFor((m) => host.unsolicited.indexOf(m) >= before && m.error?.code === -32600);
      assert.equal(error.id, id);
      await stillServing();
    });
  }

  test('a 10 MB line is skipped without being buffered and answered -32600 with its id', async () => {
    const huge = JSON.stringify({ jsonrpc: '2.0', id: 'huge-1', method: 'tools/call', params: { name: 'card_create', arguments: { title: 'big', description: 'x'.repeat(10 * 1024 * 1024) } } });
    const answer = host.answerTo('huge-1');
    host.writeLine(huge);
    const response = await answer;
    assert.equal(response.error?.code, -32600);
    assert.match(response.error!.message, /message too large: a message may be at most 4 MiB/);
    await stillServing();
    const listed = okResult(await host.tool('card_list', { q: 'big' }));
    assert.equal(listed.data.length, 0, 'nothing was created');
  });

  test('an unknown method and an unknown tool are JSON-RPC errors', async () => {
    const method = await host.send('tools/explode');
    assert.equal(method.error?.code, -32601);
    const tool = await host.send('tools/call', { name: 'card_explode', arguments: {} });
    assert.equal(tool.error?.code, -32602);
    assert.match(tool.error!.message, /card_explode/);
    await stillServing();
  });

  test('arguments of the wrong type or an unknown enum value are isError results naming the argument', async () => {
    const typed = await host.tool('card_update', { id: 42, title: ['not', 'a', 'string'], due_date: 20261231 });
    assert.equal(typed.isError, true);
    assert.match(typed.content[0].text, /id must be a string; got 42/);
    assert.match(typed.content[0].text, /title must be a string; got an array/);
    assert.match(typed.content[0].text, /due_date must be a string or null; got 20261231/);
    const enumerated = await host.tool('board_create', { name: 'x', accent: 'chartreuse' });
    assert.match(JSON.parse(enumerated.content[0].text).error, /accent must be one of: slate, gray, blue, indigo, violet, fuchsia, amber, orange, emerald, green, rose, red; got "chartreuse"/);
    const notObject = await host.send('tools/call', { name: 'card_list', arguments: [1, 2] });
    assert.ok(notObject.error || notObject.result?.isError, 'arguments that are not an object are refused');
    await stillServing();
  });
});

describe('the host going away', () => {
  test('stdin closed in the middle of a call: the call is abandoned, the upstream request aborted, exit 0', async () => {
    let release!: () => void;
    const slow = await startFakeServer(async (req, res) => {
      if (req.url.startsWith('/xapi2/mcp/manifest')) return sendJson(res, 404, { detail: 'no manifest here' });
      await new Promise<void>((resolve) => (release = resolve));
      sendJson(res, 200, { id: 'late' });
    });
    const home = freshHome();
    const host = new RawHost(prodmcpEnv(home, slow.url, { PRODMCP_TOKEN: 'pat_test' }));
    try {
      await host.initialize();
      void host.send('tools/call', { name: 'whoami', arguments: {} }).catch(() => undefined);
      const upstream = await slow.request((r) => r.url === '/xapi2/auth/me');
      assert.equal(await host.close(5000), 0);
      assert.equal(await upstream.aborted, true, 'the in-flight HTTP request was aborted');
      assert.doesNotMatch(host.stderr(), /EPIPE|unexpected error/);
    } finally {
      release?.();
      host.kill();
      await slow.close();
      rmSync(home, { recursive: true, force: true });
    }
  });
});
