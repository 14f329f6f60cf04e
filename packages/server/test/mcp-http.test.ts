/**
 * /mcp: the official SDK client over Streamable HTTP against a real server, in both protocol eras;
 * the bearer token and its 401 challenge; tools filtered by role and scopes; workspace isolation;
 * DNS rebinding refused; and (PostgreSQL) two instances serving one client alternately.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { McpServer } from '@modelcontextprotocol/server';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import { configFromEnv } from '../src/config.js';
import { openPostgresStore, type PostgresStore } from '../src/store/postgres/postgres-store.js';
import { TEST_DATABASE_URL, TEST_STORE, databaseSnapshot, makeToken, request, signUp, startServer, type TestServer } from './helpers.js';

type Era = 'modern' | 'legacy';

/**
 * An SDK client connected to a server's /mcp with a bearer token (`fetch` reroutes requests, for two
 * instances); the reference client's toolset unless `path` asks otherwise.
 */
async function connect(url: string, token: string, era: Era = 'modern', fetchImpl?: typeof fetch, path = '/mcp?toolsets=reference'): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(path, url), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
    ...(fetchImpl && { fetch: fetchImpl }),
  });
  const client = new Client({ name: 'mcp-http-test', version: '0.0.0' }, era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {});
  await client.connect(transport);
  return client;
}

/** The JSON of a successful tool result (text and structuredContent agree). */
function ok(result: any): any {
  assert.notEqual(result.isError, true, `the tool failed: ${result.content?.[0]?.text}`);
  const parsed = JSON.parse(result.content[0].text);
  assert.deepEqual(result.structuredContent, parsed);
  return parsed;
}

/** The JSON of a failed tool result. */
function failed(result: any): { error: string; http_status: number; code: string; errors?: Array<{ field: string }> } {
  assert.equal(result.isError, true, `the tool should have failed: ${result.content?.[0]?.text}`);
  return JSON.parse(result.content[0].text);
}

/** A raw HTTP exchange with chosen Host and Origin headers (fetch will not send a forged Host). */
function rawPost(url: string, headers: Record<string, string>, body: unknown): Promise<{ status: number; body: string }> {
  const target = new URL('/mcp', url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(target, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c) => (text += c)).on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const PING = { jsonrpc: '2.0', id: 1, method: 'ping' };
const ALL_TOOLS = ['board_list', 'board_get', 'board_create', 'board_update', 'board_delete', 'card_list', 'card_get', 'card_create', 'card_update', 'card_delete', 'whoami'];
const READ_TOOLS = ['board_list', 'board_get', 'card_list', 'card_get', 'whoami'];

describe(`/mcp over Streamable HTTP (${TEST_STORE})`, () => {
  let server: TestServer;
  let owner: Awaited<ReturnType<typeof signUp>>;
  let outsider: Awaited<ReturnType<typeof signUp>>;
  let token: string;
  const clients: Client[] = [];
  const open = async (t: string, era: Era = 'modern') => {
    const client = await connect(server.url, t, era);
    clients.push(client);
    return client;
  };

  before(async () => {
    server = await startServer();
    owner = await signUp(server);
    outsider = await signUp(server);
    token = (await makeToken(server, owner, 'board:write,card:write')).token;
  });
  after(async () => {
    for (const client of clients) await client.close();
    await server.close();
  });

  for (const era of ['modern', 'legacy'] as const) {
    test(`${era} era: lists the tools and runs a board's and a card's whole life, with the API's results`, async () => {
      const mcp = await open(token, era);
      const version = (mcp as unknown as { getNegotiatedProtocolVersion(): string }).getNegotiatedProtocolVersion();
      assert.equal(version, era === 'modern' ? '2026-07-28' : '2025-11-25');
      assert.match(mcp.getInstructions() ?? '', /confirm with the user/);
      const { tools } = await mcp.listTools();
      assert.deepEqual(tools.map((t) => t.name), ALL_TOOLS);
      const call = (name: string, args: Record<string, unknown> = {}) => mcp.callTool({ name, arguments: args });

      const me = ok(await call('whoami'));
      assert.equal(me.email, owner.email);
      assert.equal(me.scope_string, 'board:write,card:write');
      const board = ok(await call('board_create', { name: `Remote ${era}`, columns: 'To do, Done' }));
      assert.deepEqual(board.data.columns, [{ key: 'to_do', name: 'To do' }, { key: 'done', name: 'Done' }]);
      const card = ok(await call('card_create', { title: 'Over HTTP', board_id: board.id, status: 'Done', priority: 'high' }));
      assert.equal(card.data.status, 'done', 'a column name is normalised to its key');
      // The tool's result is the API's object, field for field.
      const viaApi = await request(server, 'GET', `/xapi2/data/card/${card.id}`, { token });
      assert.deepEqual(ok(await call('card_get', { id: card.id })), viaApi.body);
      const listed = ok(await call('card_list', { filter: { board_id: board.id, status: 'done' } }));
      assert.deepEqual(listed.data.map((c: any) => c.id), [card.id]);
      assert.equal(listed.meta.has_more, false);
      const updated = ok(await call('card_update', { id: card.id, priority: null, title: 'Renamed' }));
      assert.equal(updated.data.title, 'Renamed');
      assert.equal(updated.data.priority, undefined);
      assert.equal(updated.version, card.version + 1);
      const deleted = ok(await call('board_delete', { id: board.id }));
      assert.equal(deleted.trashed_with_it, 1);
      assert.equal((await request(server, 'GET', `/xapi2/data/card/${card.id}`, { token })).status, 404, 'the card went to the trash with its board');

      // Activity records who did it, as for the API.
      const activity = await request(server, 'GET', '/xapi2/activity', { token });
      assert.ok(activity.body.data.some((e: any) => e.object_id === card.id && e.actor_id === owner.user.id), JSON.stringify(activity.body.data.slice(-3)));
    });
  }

  test('bad arguments and bad values: an isError result naming the field, and nothing changes', async () => {
    const mcp = await open(token);
    const before = await databaseSnapshot(server);
    // Arguments that miss the schema are refused by the SDK's check, which quotes our message.
    const badEnum = await mcp.callTool({ name: 'card_create', arguments: { title: 'x', priority: 'urgent' } });
    assert.equal(badEnum.isError, true);
    assert.match(JSON.parse((badEnum.content as any)[0].text).error, /priority must be one of: low, medium, high, critical; got "urgent"/);
    const board = (await request(server, 'POST', '/xapi2/data/board', { token, body: { name: 'Strict', columns: 'A, B' } })).body;
    const snapshot = await databaseSnapshot(server);
    const badStatus = failed(await mcp.callTool({ name: 'card_create', arguments: { title: 'x', board_id: board.id, status: 'nowhere' } }));
    assert.equal(badStatus.http_status, 400);
    assert.match(badStatus.error, /status "nowhere" is not a column of this board; use one of the column keys: a \(A\), b \(B\)/);
    assert.equal(badStatus.code, 'validation_failed');
    assert.deepEqual(await databaseSnapshot(server), snapshot);
    const badId = failed(await mcp.callTool({ name: 'card_get', arguments: { id: 'not-a-uuid' } }));
    assert.equal(badId.http_status, 400);
    assert.notDeepEqual(before, snapshot);
  });

  test('no token, a malformed header, a wrong or expired token: 401 with the resource metadata challenge', async () => {
    const metadata = `${server.url}/.well-known/oauth-protected-resource/mcp`;
    const expired = await makeToken(server, owner, 'card:read', new Date(Date.now() - 60_000).toISOString());
    const cases: Array<[string, Record<string, string>, string, boolean]> = [
      ['no token', {}, 'unauthenticated', false],
      ['not a bearer header', { authorization: 'Basic dXNlcjpwdw==' }, 'unauthenticated', true],
      ['a wrong token', { authorization: 'Bearer pat_not_a_real_one' }, 'unauthenticated', true],
      ['an expired token', { authorization: `Bearer ${expired.token}` }, 'token_expired', true],
    ];
    for (const [label, headers, code, presented] of cases) {
      const res = await fetch(new URL('/mcp', server.url), {
        method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers }, body: JSON.stringify(PING),
      });
      assert.equal(res.status, 401, label);
      assert.equal(res.headers.get('www-authenticate'), `Bearer resource_metadata="${metadata}"${presented ? ', error="invalid_token"' : ''}`, label);
      const body = await res.json();
      assert.equal(body.code, code, label);
      assert.match(body.detail, /personal access token/, label);
    }
    // The SDK client sees the refusal as an error, not as a server it could talk to.
    await assert.rejects(connect(server.url, 'pat_wrong'));
    // GET and DELETE are refused the same way before anything else.
    for (const method of ['GET', 'DELETE']) {
      const res = await fetch(new URL('/mcp', server.url), { method });
      assert.equal(res.status, 401);
      assert.match(res.headers.get('www-authenticate') ?? '', /resource_metadata=/);
    }
  });

  test('a read-only token lists no write tool, and calling one is refused without a change', async () => {
    const readOnly = await open((await makeToken(server, owner, 'board:read,card:read')).token);
    assert.deepEqual((await readOnly.listTools()).tools.map((t) => t.name), ['board_list', 'board_get', 'card_list', 'card_get', 'whoami']);
    const cardsOnly = await open((await makeToken(server, owner, 'card:write')).token);
    assert.deepEqual((await cardsOnly.listTools()).tools.map((t) => t.name), ['card_list', 'card_get', 'card_create', 'card_update', 'card_delete', 'whoami']);
    const before = await databaseSnapshot(server);
    await assert.rejects(readOnly.callTool({ name: 'card_create', arguments: { title: 'sneaky' } }), /Tool card_create not found/);
    await assert.rejects(cardsOnly.callTool({ name: 'board_list', arguments: {} }), /Tool board_list not found/);
    assert.deepEqual(await databaseSnapshot(server), before);
  });

  test("a viewer's session lists no write tool either (role, not only scopes)", async () => {
    const viewer = await signUp(server, { role: 'viewer', workspace: owner.workspace.slug });
    const mcp = await open(viewer.session);
    assert.deepEqual((await mcp.listTools()).tools.map((t) => t.name), ['board_list', 'board_get', 'card_list', 'card_get', 'whoami']);
  });

  test('the default toolset: a viewer lists only reads; a bad selection is a 400; stale versions and bad batches change nothing', async () => {
    const viewer = await signUp(server, { role: 'viewer', workspace: owner.workspace.slug });
    const viewing = await connect(server.url, viewer.session, 'modern', undefined, '/mcp');
    try {
      assert.deepEqual((await viewing.listTools()).tools.map((t) => t.name), ['board_overview', 'card_list', 'card_get', 'activity_list', 'comment_list', 'whoami']);
    } finally {
      await viewing.close();
    }
    const bad = await request(server, 'POST', '/mcp', {
      token, query: { toolsets: 'default,everything' }, headers: { accept: 'application/json, text/event-stream' }, body: PING,
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 'invalid_query');
    assert.deepEqual(bad.body.errors.map((e: { field: string }) => e.field), ['toolsets']);

    const mcp = await connect(server.url, token, 'modern', undefined, '/mcp');
    const missingBoard = failed(await mcp.callTool({ name: 'card_create_many', arguments: { board: 'Snapshot', cards: [{ title: 'x' }] } }));
    assert.equal(missingBoard.http_status, 404);
    try {
      const created = (await request(server, 'POST', '/xapi2/data/board', { token, body: { name: 'Snapshot', columns: [{ key: 'todo', name: 'To do' }] } })).body;
      const card = ok(await mcp.callTool({ name: 'card_create', arguments: { board: created.key, title: 'Versioned' } }));
      ok(await mcp.callTool({ name: 'card_update', arguments: { card: card.key, title: 'Changed', version: card.v } }));
      const before = await databaseSnapshot(server);
      const stale = failed(await mcp.callTool({ name: 'card_move', arguments: { card: card.key, to: 'To do', position: 'top', version: card.v } }));
      assert.equal(stale.code, 'conflict');
      const badBatch = failed(await mcp.callTool({ name: 'card_update_many', arguments: { board: created.key, filter: {}, set: { column: 'Nowhere' } } }));
      assert.equal(badBatch.code, 'validation_failed');
      const unknown = failed(await mcp.callTool({ name: 'card_create', arguments: { board: 'nothing like it', title: 'x' } }));
      assert.equal(unknown.http_status, 404);
      assert.deepEqual(await databaseSnapshot(server), before, 'nothing changed');
    } finally {
      await mcp.close();
    }
  });

  test("another workspace's ids are answered as missing, and nothing of it changes or shows", async () => {
    const secretBoard = (await outsider.api.post('/xapi2/data/board', { body: { name: 'Secret board', columns: 'A, B' } })).body;
    const secretCard = (await outsider.api.post('/xapi2/data/card', { body: { title: 'Secret card', board_id: secretBoard.id } })).body;
    const mcp = await open(token);
    const before = await databaseSnapshot(server);
    for (const [name, args] of [
      ['card_get', { id: secretCard.id }],
      ['card_update', { id: secretCard.id, title: 'mine now' }],
      ['card_delete', { id: secretCard.id }],
      ['board_get', { id: secretBoard.id }],
      ['board_delete', { id: secretBoard.id }],
    ] as const) {
      const result = failed(await mcp.callTool({ name, arguments: args }));
      assert.equal(result.http_status, 404, name);
      assert.equal(result.code, 'not_found', name);
    }
    const placed = failed(await mcp.callTool({ name: 'card_create', arguments: { title: 'into theirs', board_id: secretBoard.id } }));
    assert.ok(placed.http_status >= 400 && placed.http_status < 500);
    assert.deepEqual(await databaseSnapshot(server), before);
    const all = ok(await mcp.callTool({ name: 'card_list', arguments: { all: true } }));
    assert.ok(!JSON.stringify(all).includes('Secret'), 'the listing leaks the other workspace');
  });

  test('concurrent calls on one connection each do their own work', async () => {
    const mcp = await open(token);
    const board = ok(await mcp.callTool({ name: 'board_create', arguments: { name: 'Busy', columns: 'Todo' } }));
    const created = await Promise.all(
      Array.from({ length: 12 }, (_, i) => mcp.callTool({ name: 'card_create', arguments: { title: `parallel ${i}`, board_id: board.id } }).then(ok)),
    );
    assert.equal(new Set(created.map((c) => c.id)).size, 12);
    const listed = ok(await mcp.callTool({ name: 'card_list', arguments: { filter: { board_id: board.id }, limit: 50 } }));
    assert.deepEqual(listed.data.map((c: any) => c.data.title).sort(), created.map((c) => c.data.title).sort());
  });

  test('McpServers reused across callers leak nothing: each caller, interleaved, gets its own tools and its own data', async () => {
    const ownerCard = ok(await (await open(token)).callTool({ name: 'card_create', arguments: { title: 'Pool: the owner\'s card' } }));
    const outsiderToken = (await makeToken(server, outsider, 'board:write,card:write')).token;
    const outsiderCard = (await outsider.api.post('/xapi2/data/card', { body: { title: "Pool: the outsider's card" } })).body;
    const viewer = await signUp(server, { role: 'viewer', workspace: owner.workspace.slug });
    // Owner and outsider may use the same tools (so share servers) but see different workspaces;
    // the read-only token and the viewer share the read tools by scopes and by role respectively.
    const callers = [
      { name: 'owner', client: await open(token), email: owner.email, tools: ALL_TOOLS, mine: ownerCard.id, theirs: outsiderCard.id },
      { name: 'outsider', client: await open(outsiderToken), email: outsider.email, tools: ALL_TOOLS, mine: outsiderCard.id, theirs: ownerCard.id },
      { name: 'read-only', client: await open((await makeToken(server, owner, 'board:read,card:read')).token), email: owner.email, tools: READ_TOOLS, mine: ownerCard.id, theirs: outsiderCard.id },
      { name: 'viewer', client: await open(viewer.session), email: viewer.email, tools: READ_TOOLS, mine: ownerCard.id, theirs: outsiderCard.id },
    ];
    const exchange = async (caller: (typeof callers)[number]) => {
      assert.deepEqual((await caller.client.listTools()).tools.map((t) => t.name), caller.tools, caller.name);
      assert.equal(ok(await caller.client.callTool({ name: 'whoami', arguments: {} })).email, caller.email, caller.name);
      assert.equal(ok(await caller.client.callTool({ name: 'card_get', arguments: { id: caller.mine } })).id, caller.mine, caller.name);
      assert.equal(failed(await caller.client.callTool({ name: 'card_get', arguments: { id: caller.theirs } })).http_status, 404, caller.name);
      const ids = ok(await caller.client.callTool({ name: 'card_list', arguments: { all: true } })).data.map((c: any) => c.id);
      assert.ok(ids.includes(caller.mine) && !ids.includes(caller.theirs), `${caller.name} lists ${ids.join(', ')}`);
    };

    // Which McpServer served each request (the SDK connects the instance to each exchange's transport).
    const servedBy: Array<{ server: McpServer; caller: string }> = [];
    let current = '';
    const connect = McpServer.prototype.connect;
    McpServer.prototype.connect = function (this: McpServer, transport) {
      servedBy.push({ server: this, caller: current });
      return connect.call(this, transport);
    };
    try {
      // One exchange at a time, callers alternating: an idle server is there for every request but the first of each tool list.
      for (let round = 0; round < 2; round++) {
        for (const caller of callers) {
          current = caller.name;
          await exchange(caller);
        }
      }
      // All at once, several rounds: concurrent exchanges on servers of the same lists.
      current = '';
      await Promise.all(callers.flatMap((caller) => [exchange(caller), exchange(caller)]));
    } finally {
      McpServer.prototype.connect = connect;
    }

    const callersOf = new Map<McpServer, Set<string>>();
    for (const { server: instance, caller } of servedBy) if (caller) callersOf.set(instance, (callersOf.get(instance) ?? new Set()).add(caller));
    const shared = (a: string, b: string) => [...callersOf.values()].some((names) => names.has(a) && names.has(b));
    assert.ok(shared('owner', 'outsider'), 'one server served both workspaces in turn (otherwise this test proves nothing)');
    assert.ok(shared('read-only', 'viewer'), 'one server served the read-only token and the viewer in turn');
    assert.ok(!shared('owner', 'read-only') && !shared('outsider', 'viewer'), 'callers with different tools never share a server');
    assert.ok(new Set(servedBy.map((s) => s.server)).size < servedBy.length / 4, `${new Set(servedBy.map((s) => s.server)).size} servers for ${servedBy.length} requests`);
  });

  test('Host and Origin are checked against DNS rebinding', async () => {
    const port = new URL(server.url).port;
    const auth = { authorization: `Bearer ${token}` };
    const rebound = await rawPost(server.url, { ...auth, host: `evil.example:${port}` }, PING);
    assert.equal(rebound.status, 403, rebound.body);
    assert.match(rebound.body, /Invalid Host/i);
    const foreignOrigin = await rawPost(server.url, { ...auth, origin: 'http://evil.example' }, PING);
    assert.equal(foreignOrigin.status, 403, foreignOrigin.body);
    // Refused before the token is even looked at: no 401 that would tell the page the endpoint exists.
    assert.equal((await rawPost(server.url, { host: 'evil.example' }, PING)).status, 403);
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`]) {
      const fine = await rawPost(server.url, { ...auth, host, origin: `http://${host}` }, PING);
      assert.equal(fine.status, 200, `${host}: ${fine.body}`);
      // A legacy request answered as one event of a stream (the client accepts both).
      assert.match(fine.body, /^data: \{"result":\{\},"jsonrpc":"2\.0","id":1\}$/m);
    }
  });

  test('the public address names the allowed host, and the 401 challenge uses it', async () => {
    const pub = await startServer({ publicUrl: 'https://board.example.com' });
    try {
      const user = await signUp(pub);
      const pat = (await makeToken(pub, user, 'card:read')).token;
      const port = new URL(pub.url).port;
      assert.equal((await rawPost(pub.url, { authorization: `Bearer ${pat}`, host: 'board.example.com', origin: 'https://board.example.com' }, PING)).status, 200);
      assert.equal((await rawPost(pub.url, { authorization: `Bearer ${pat}`, host: `127.0.0.1:${port}` }, PING)).status, 200, 'the listen address still answers');
      assert.equal((await rawPost(pub.url, { authorization: `Bearer ${pat}`, host: 'other.example.com' }, PING)).status, 403);
      const res = await rawPost(pub.url, { host: 'board.example.com' }, PING);
      assert.equal(res.status, 401);
    } finally {
      await pub.close();
    }
  });
});

describe('/mcp on two instances sharing one PostgreSQL database', { skip: TEST_STORE !== 'postgres' && 'PostgreSQL only' }, () => {
  const schema = `pb_mcp_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 7)}`;
  const stores: PostgresStore[] = [];
  const apps: FastifyInstance[] = [];
  const urls: string[] = [];

  before(async () => {
    for (let i = 0; i < 2; i++) {
      const store = openPostgresStore(TEST_DATABASE_URL, { schema, max: 3 });
      await store.migrate();
      const app = await buildApp({ store, config: { ...configFromEnv({}), databaseUrl: TEST_DATABASE_URL, port: 0 } });
      stores.push(store);
      apps.push(app);
      urls.push(await app.listen({ host: '127.0.0.1', port: 0 }));
    }
  });
  after(async () => {
    for (const app of apps) await app.close();
    await stores[0]?.dropSchema();
    for (const store of stores) await store.close();
  });

  for (const era of ['modern', 'legacy'] as const) {
    test(`${era} era: one client, its requests sent to each instance in turn`, async () => {
      const first = { url: urls[0], store: stores[0] } as unknown as TestServer;
      const user = await signUp(first);
      const { token } = await makeToken(first, user, 'board:write,card:write');
      const served = [0, 0];
      let turn = 0;
      // Every request, the handshake included, goes to the next instance.
      const alternate: typeof fetch = (input, init) => {
        const i = turn++ % 2;
        served[i]++;
        const target = new URL(String(input instanceof Request ? input.url : input));
        const base = new URL(urls[i]);
        target.host = base.host;
        return fetch(target, init);
      };
      const mcp = await connect(urls[0], token, era, alternate);
      try {
        const board = ok(await mcp.callTool({ name: 'board_create', arguments: { name: `Shared ${era}`, columns: 'To do, Done' } }));
        const card = ok(await mcp.callTool({ name: 'card_create', arguments: { title: 'Made on one', board_id: board.id } }));
        assert.equal(ok(await mcp.callTool({ name: 'card_get', arguments: { id: card.id } })).data.title, 'Made on one');
        ok(await mcp.callTool({ name: 'card_update', arguments: { id: card.id, status: 'done' } }));
        assert.equal(ok(await mcp.callTool({ name: 'card_get', arguments: { id: card.id } })).data.status, 'done');
        assert.deepEqual(ok(await mcp.callTool({ name: 'card_list', arguments: { filter: { board_id: board.id } } })).data.map((c: any) => c.id), [card.id]);
        assert.ok(served[0] >= 3 && served[1] >= 3, `both instances served: ${served.join(' + ')}`);
      } finally {
        await mcp.close();
      }
    });
  }
});
