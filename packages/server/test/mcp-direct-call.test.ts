/**
 * /mcp's direct path for plain tools/call requests (src/mcp/direct-call.ts) against the SDK's
 * pipeline: two apps on one store, one serving plain calls directly, one sending everything through
 * the SDK (PRODBOARD_MCP_DIRECT_CALLS=0). Every kind of call, good and bad, gets the same status,
 * content type and body, byte for byte, from both; the direct app's metrics say which path served
 * each, so a case that silently fell back to the SDK (or was taken when it should not be) fails.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Agent, request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import { connectionSignal } from '../src/mcp/connection-signal.js';
import { TEST_STORE, databaseSnapshot, makeToken, request, signUp, startServer, type TestServer } from './helpers.js';

const METRICS_TOKEN = 'direct-call-metrics-token';
const REVISION = '2026-07-28';
const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': REVISION,
  'io.modelcontextprotocol/clientInfo': { name: 'direct-call-test', version: '1.0.0' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

interface Call {
  /** Query of /mcp (`toolsets=reference`). */
  query?: string;
  token?: string;
  /** Headers over the ones the SDK client sends (undefined removes one). */
  headers?: Record<string, string | undefined>;
  /** The JSON-RPC message, or a raw body. */
  body: unknown;
}

interface Answer {
  status: number;
  contentType: string | null;
  body: string;
}

/** A tools/call as the SDK client sends it, with the standard headers matching the body. */
function toolCall(name: string, args: unknown, options: { id?: unknown; meta?: unknown; params?: Record<string, unknown> } = {}): { body: unknown; headers: Record<string, string> } {
  return {
    body: { jsonrpc: '2.0', id: 'id' in options ? options.id : 1, method: 'tools/call', params: { name, arguments: args, _meta: options.meta ?? ENVELOPE, ...options.params } },
    headers: { 'mcp-method': 'tools/call', 'mcp-name': name, 'mcp-protocol-version': REVISION },
  };
}

async function post(url: string, call: Call, token: string): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${call.token ?? token}` };
  for (const [name, value] of Object.entries(call.headers ?? {})) {
    if (value === undefined) delete headers[name];
    else headers[name] = value;
  }
  const response = await fetch(new URL(`/mcp${call.query ? `?${call.query}` : '?toolsets=reference'}`, url), {
    method: 'POST',
    headers,
    body: typeof call.body === 'string' ? call.body : JSON.stringify(call.body),
  });
  return { status: response.status, contentType: response.headers.get('content-type'), body: await response.text() };
}

describe(`/mcp's direct tools/call path answers as the SDK does (${TEST_STORE})`, () => {
  let server: TestServer;
  let sdkApp: FastifyInstance;
  let sdkUrl: string;
  let token: string;
  let readOnly: string;
  let card: { id: string; key: string; version: number; data: { board_id: string } };

  /** How many tool calls the direct app served on each path. */
  const served = async () => {
    const text = (await request(server, 'GET', '/metrics', { token: METRICS_TOKEN })).body as string;
    const count = (path: string) => Number(new RegExp(`prodboard_mcp_tool_calls_total\\{path="${path}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
    return { direct: count('direct'), sdk: count('sdk') };
  };

  /** Sends `call` to both apps and checks the answers are identical; returns the direct app's, and whether it served it directly. */
  const both = async (call: Call): Promise<Answer & { direct: boolean }> => {
    const before = await served();
    const direct = await post(server.url, call, token);
    const afterDirect = await served();
    const sdk = await post(sdkUrl, call, token);
    assert.deepEqual(direct, sdk, `the direct path and the SDK's answered differently to ${JSON.stringify(call.body).slice(0, 300)}`);
    return { ...direct, direct: afterDirect.direct > before.direct };
  };

  before(async () => {
    server = await startServer({ metricsToken: METRICS_TOKEN });
    sdkApp = await buildApp({ store: server.store, config: { ...server.config, mcpDirectCalls: false } });
    sdkUrl = await sdkApp.listen({ host: '127.0.0.1', port: 0 });
    const owner = await signUp(server);
    token = (await makeToken(server, owner, 'board:write,card:write')).token;
    readOnly = (await makeToken(server, owner, 'board:read,card:read')).token;
    const board = (await owner.api.post('/xapi2/data/board', { body: { name: 'Direct', columns: 'To do, Done' } })).body;
    card = (await owner.api.post('/xapi2/data/card', { body: { title: 'Both paths read me', board_id: board.id, tags: ['x'], description: 'quotes " and \\ and ünïcode ✓' } })).body;
    assert.ok(card.key, JSON.stringify(card));
  });

  after(async () => {
    await sdkApp?.close();
    await server?.close();
  });

  test('plain calls are served directly, with the answer the SDK gives: results, failures in the one error shape, bad arguments', async () => {
    const cases: Array<[string, Call]> = [
      ['card_get by id', toolCall('card_get', { id: card.id })],
      ['card_get by key, default toolset', { query: 'toolsets=default', ...toolCall('card_get', { card: card.key }) }],
      ['a string id', toolCall('card_get', { id: card.id }, { id: 'call-7' })],
      ['arguments left out', toolCall('whoami', undefined)],
      ['a card that does not exist', toolCall('card_get', { id: '0190f5a2-7c1e-7b3d-9a4e-2f1c3d4e5f60' })],
      ['a malformed id', toolCall('card_get', { id: 'nope' })],
      ['an unknown argument', toolCall('card_get', { id: card.id, idx: 1 })],
      ['a stale version', { query: 'toolsets=default', ...toolCall('card_update', { card: card.key, version: card.version + 5, title: 'never written' }) }],
      ['a list', toolCall('card_list', { filter: { board_id: card.data.board_id } })],
      ['a long client name in the envelope', toolCall('card_get', { id: card.id }, { meta: { ...ENVELOPE, 'io.modelcontextprotocol/clientInfo': { name: 'n'.repeat(20_000), version: '1' } } })],
    ];
    for (const [label, call] of cases) {
      const answer = await both(call);
      assert.equal(answer.status, 200, label);
      assert.equal(answer.direct, true, `${label}: should have been served directly`);
      const parsed = JSON.parse(answer.body);
      assert.equal(parsed.jsonrpc, '2.0', label);
      assert.equal(parsed.result.resultType, 'complete', label);
      assert.deepEqual(JSON.parse(parsed.result.content[0].text), parsed.result.structuredContent, label);
    }
    const got = JSON.parse((await both(toolCall('card_get', { id: card.id }))).body).result.structuredContent;
    assert.equal(got.data.description, 'quotes " and \\ and ünïcode ✓');
  });

  test('everything else goes to the SDK, which answers or refuses it as before', async () => {
    const { body: plain, headers } = toolCall('card_get', { id: card.id });
    const message = plain as { params: Record<string, unknown> };
    const cases: Array<[string, Call, number]> = [
      ['an unknown tool', toolCall('no_such_tool', {}), 200],
      ['a write tool with a read-only token', { ...toolCall('card_delete', { id: card.id }), token: readOnly }, 200],
      ['a progress token', toolCall('card_get', { id: card.id }, { meta: { ...ENVELOPE, progressToken: 5 } }), 200],
      ['a log level in the envelope', toolCall('card_get', { id: card.id }, { meta: { ...ENVELOPE, 'io.modelcontextprotocol/logLevel': 'debug' } }), 200],
      ['client info without a version', toolCall('card_get', { id: card.id }, { meta: { ...ENVELOPE, 'io.modelcontextprotocol/clientInfo': { name: 'x' } } }), 400],
      ['capabilities that are not an object', toolCall('card_get', { id: card.id }, { meta: { ...ENVELOPE, 'io.modelcontextprotocol/clientCapabilities': 'all' } }), 400],
      ['an envelope naming another revision than the header', toolCall('card_get', { id: card.id }, { meta: { ...ENVELOPE, 'io.modelcontextprotocol/protocolVersion': '2099-01-01' } }), 400],
      ['no MCP-Protocol-Version header', { body: plain, headers: { ...headers, 'mcp-protocol-version': undefined } }, 400],
      ['no Mcp-Name header', { body: plain, headers: { ...headers, 'mcp-name': undefined } }, 400],
      ['an Mcp-Name header naming another tool', { body: plain, headers: { ...headers, 'mcp-name': 'card_list' } }, 400],
      ['an Mcp-Method header naming another method', { body: plain, headers: { ...headers, 'mcp-method': 'tools/list' } }, 400],
      ['a fractional id', toolCall('card_get', { id: card.id }, { id: 1.5 }), 400],
      ['a null id', toolCall('card_get', { id: card.id }, { id: null }), 400],
      ['arguments that are an array', toolCall('card_get', [card.id]), 200],
      ['a task-augmented call', toolCall('card_get', { id: card.id }, { params: { task: { ttl: 1000 } } }), 200],
      ['an extra member in the message', { body: { ...message, extra: true }, headers }, 400],
      ['jsonrpc 1.0', { body: { ...message, jsonrpc: '1.0' }, headers }, 400],
      ['a batch', { body: [plain], headers }, 400],
    ];
    for (const [label, call, status] of cases) {
      const answer = await both(call);
      assert.equal(answer.direct, false, `${label}: should have gone to the SDK`);
      assert.equal(answer.status, status, `${label}: ${answer.body.slice(0, 300)}`);
    }
  });

  test('an envelope is judged as it was sent: one JSON writes like a valid one already judged is still refused', async () => {
    // 1e999 reads as Infinity, which JSON writes as null: a verdict remembered by the written form
    // would serve the second call, which the SDK refuses.
    const meta = (b: string) =>
      `{"io.modelcontextprotocol/protocolVersion":"${REVISION}","io.modelcontextprotocol/clientInfo":{"name":"t","version":"1"},"io.modelcontextprotocol/clientCapabilities":{"experimental":{"z":{"b":${b}}}}}`;
    const raw = (b: string) => `{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"whoami","arguments":{},"_meta":${meta(b)}}}`;
    const { headers } = toolCall('whoami', {});
    const valid = await both({ body: raw('null'), headers });
    assert.equal(valid.status, 200, valid.body);
    assert.equal(valid.direct, true);
    const infinite = await both({ body: raw('1e999'), headers });
    assert.equal(infinite.status, 400, infinite.body);
    assert.equal(infinite.direct, false);
  });

  test('Host and Origin: a pair let through before does not let through another Origin with the same Host', async () => {
    const call = toolCall('whoami', {});
    const origin = new URL(server.url).origin;
    assert.equal((await both({ ...call, headers: { ...call.headers, origin } })).status, 200);
    const forged = await both({ ...call, headers: { ...call.headers, origin: 'http://evil.example' } });
    assert.equal(forged.status, 403, forged.body);
    assert.equal(forged.direct, false);
    assert.equal((await both({ ...call, headers: { ...call.headers, origin } })).status, 200);
  });

  test('a refused call changes nothing, on either path, and a direct write lands once', async () => {
    const snapshot = await databaseSnapshot(server);
    await both({ query: 'toolsets=default', ...toolCall('card_update', { card: card.key, version: card.version + 1, title: 'stale' }) });
    await both({ query: 'toolsets=default', ...toolCall('card_update', { card: card.key, version: card.version, colour: 'red' }) });
    await both({ query: 'toolsets=default', ...toolCall('card_update', { card: card.key, version: card.version, title: 'NUL \u0000 here' }) });
    assert.deepEqual(await databaseSnapshot(server), snapshot);

    const before = await served();
    const moved = await post(server.url, { query: 'toolsets=default', ...toolCall('card_update', { card: card.key, version: card.version, title: 'Renamed directly' }) }, token);
    assert.equal((await served()).direct, before.direct + 1);
    const result = JSON.parse(moved.body).result;
    assert.notEqual(result.isError, true, moved.body);
    const stored = (await request(server, 'GET', `/xapi2/data/card/${card.id}`, { token })).body;
    assert.equal(stored.data.title, 'Renamed directly');
    assert.equal(stored.version, card.version + 1);
  });
});

// A safety net, not a duration check: were the signal never to abort, the test would otherwise hang.
test("a call's signal (mcp/connection-signal.ts) aborts when its client's connection closes, and only then", { timeout: 60_000 }, async () => {
  const app = Fastify();
  const seen: AbortSignal[] = [];
  let arrived!: () => void;
  const waiting = new Promise<void>((resolve) => (arrived = resolve));
  const cancelled: Promise<void>[] = [];
  app.get('/quick', async (request) => {
    seen.push(connectionSignal(request));
    return { ok: true };
  });
  app.get('/slow', async (request) => {
    const signal = connectionSignal(request);
    seen.push(signal);
    // The answer waits for the cancellation: the test passes only if the signal aborts.
    cancelled.push(once(signal, 'abort').then(() => undefined));
    arrived();
    await cancelled[0];
    return { never: 'sent' };
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    // Two calls on one keep-alive connection share its signal, which stays live after both.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    for (let i = 0; i < 2; i++) assert.equal((await fetchVia(agent, `${url}/quick`)).status, 200);
    assert.equal(seen.length, 2);
    assert.equal(seen[0], seen[1]);
    assert.equal(seen[0].aborted, false);
    agent.destroy();

    // A client that goes away mid-call: the call's signal aborts.
    const gone = httpRequest(`${url}/slow`);
    gone.on('error', () => undefined);
    gone.end();
    await waiting;
    gone.destroy();
    await cancelled[0];
    assert.equal(seen[2].aborted, true);
    assert.notEqual(seen[2], seen[0]);
  } finally {
    await app.close();
  }
});

/** A GET through a given agent (fetch has no agent option). */
function fetchVia(agent: Agent, url: string): Promise<{ status: number }> {
  return new Promise((resolve, reject) => {
    httpRequest(url, { agent }, (res) => {
      res.resume().on('end', () => resolve({ status: res.statusCode ?? 0 }));
    })
      .on('error', reject)
      .end();
  });
}
