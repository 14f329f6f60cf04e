/**
 * The built prodmcp, spawned by the official MCP client over stdio against a real prodboard server,
 * in both protocol eras: the 2026-07-28 stateless protocol and the 2025 `initialize` handshake.
 * Every tool runs; results are compact text beside the same structuredContent; failures are
 * isError results with the server's message and HTTP status.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { makeToken, signUp, startServer, type TestServer } from '../../server/test/helpers.js';
import { connectSdkClient, errorResult, freshHome, okResult, prodmcpEnv, type SdkConnection } from './support.js';

for (const era of ['modern', 'legacy'] as const) {
  describe(`prodmcp through the SDK client (${era} era)`, () => {
    let server: TestServer;
    let home: string;
    let mcp: SdkConnection;
    let user: Awaited<ReturnType<typeof signUp>>;
    const call = async (name: string, args: Record<string, unknown> = {}) => mcp.client.callTool({ name, arguments: args });
    const ok = async (name: string, args: Record<string, unknown> = {}) => okResult(await call(name, args));
    const fails = async (name: string, args: Record<string, unknown> = {}) => errorResult(await call(name, args));

    before(async () => {
      server = await startServer();
      user = await signUp(server);
      const { token } = await makeToken(server, user, 'board:write,card:write');
      home = freshHome();
      mcp = await connectSdkClient(prodmcpEnv(home, server.url, { PRODMCP_TOKEN: token }), era);
    });

    after(async () => {
      await mcp?.close();
      await server?.close();
      rmSync(home, { recursive: true, force: true });
    });

    test('the protocol version, server identity and instructions', () => {
      const version = (mcp.client as unknown as { getNegotiatedProtocolVersion(): string }).getNegotiatedProtocolVersion();
      assert.equal(version, era === 'modern' ? '2026-07-28' : '2025-11-25');
      assert.match(mcp.client.getInstructions() ?? '', /confirm with the user/);
      assert.match(mcp.client.getInstructions() ?? '', /status is the key of a column/);
    });

    test('lists the eleven tools of the reference client, with annotations and manifest-derived schemas', async () => {
      const { tools } = await mcp.client.listTools();
      assert.deepEqual(tools.map((t) => t.name), [
        'board_list', 'board_get', 'board_create', 'board_update', 'board_delete',
        'card_list', 'card_get', 'card_create', 'card_update', 'card_delete', 'whoami',
      ]);
      const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
      assert.equal(byName.card_list.annotations?.readOnlyHint, true);
      assert.equal(byName.card_delete.annotations?.destructiveHint, true);
      assert.equal(byName.card_create.annotations?.readOnlyHint, false);
      assert.equal(byName.card_update.annotations?.idempotentHint, true);
      const boardCreate = byName.board_create.inputSchema as any;
      assert.deepEqual(boardCreate.required, ['name']);
      assert.equal(boardCreate.properties.columns.type, 'array');
      assert.deepEqual(Object.keys(boardCreate.properties.columns.items.properties), ['key', 'name', 'wip_limit']);
      assert.deepEqual(boardCreate.properties.accent.enum.length, 12);
      const cardList = byName.card_list.inputSchema as any;
      assert.deepEqual(Object.keys(cardList.properties), ['limit', 'offset', 'after', 'sort', 'q', 'filter', 'all']);
      assert.equal(cardList.properties.limit.maximum, 200);
      assert.deepEqual(Object.keys(cardList.properties.filter.properties), ['status', 'priority', 'tags', 'assignee', 'board_id', 'assignees', 'record_status', 'is_archived', 'owned_by']);
      assert.match(byName.card_list.description ?? '', /filter\.status is the card's column key/);
      assert.deepEqual((byName.card_update.inputSchema as any).required, ['id']);
      assert.deepEqual((byName.card_update.inputSchema as any).properties.due_date.anyOf, [{ type: 'string', maxLength: 32 }, { type: 'null' }], 'null clears it');
    });

    test('whoami, and the whole life of a board and its cards', async () => {
      const me = await ok('whoami');
      assert.equal(me.email, user.email);
      assert.equal(me.scope_string, 'board:write,card:write');

      const board = await ok('board_create', { name: `Launch ${era}`, columns: 'To do, Doing, Done', tags: ['q3'], accent: 'blue' });
      assert.deepEqual(board.data.columns, [{ key: 'to_do', name: 'To do' }, { key: 'doing', name: 'Doing' }, { key: 'done', name: 'Done' }]);
      const other = await ok('board_create', { name: `Other ${era}`, columns: [{ key: 'todo', name: 'Todo', wip_limit: 3 }, { name: 'Shipped' }] });
      assert.deepEqual(other.data.columns, [{ key: 'todo', name: 'Todo', wip_limit: 3 }, { key: 'shipped', name: 'Shipped' }]);
      assert.equal((await ok('board_get', { id: board.id })).data.name, `Launch ${era}`);

      const a = await ok('card_create', { title: 'Write the post', board_id: board.id, status: 'doing', priority: 'high', tags: ['blog'], due_date: '2026-12-31' });
      const b = await ok('card_create', { title: 'Record the demo', board_id: board.id, status: 'to_do', priority: 'low', assignee: 'sam' });
      const c = await ok('card_create', { title: 'Ship it', board_id: board.id, status: 'Done', priority: 'critical' });
      assert.equal(c.data.status, 'done', 'a column name is accepted and normalised to its key');

      // The friendly `status` filter is the card's column, not the record lifecycle.
      const doing = await ok('card_list', { filter: { status: 'doing', board_id: board.id } });
      assert.deepEqual(doing.data.map((x: any) => x.id), [a.id]);
      assert.equal(doing.meta.count, 1);
      assert.equal(doing.meta.has_more, false);
      const active = await ok('card_list', { filter: { record_status: 'active', board_id: board.id } });
      assert.equal(active.data.length, 3);
      const urgent = await ok('card_list', { filter: { priority: ['high', 'critical'], board_id: board.id }, sort: '-priority' });
      assert.deepEqual(urgent.data.map((x: any) => x.data.title), ['Ship it', 'Write the post']);
      const wire = await ok('card_list', { filter: { data__assignee: 'sam' } });
      assert.deepEqual(wire.data.map((x: any) => x.id), [b.id], 'the wire names of filters are accepted too');
      const tagged = await ok('card_list', { filter: { tags: 'blog' } });
      assert.deepEqual(tagged.data.map((x: any) => x.id), [a.id]);
      const found = await ok('card_list', { q: 'demo' });
      assert.deepEqual(found.data.map((x: any) => x.id), [b.id]);

      const page1 = await ok('card_list', { filter: { board_id: board.id }, sort: 'created_at', limit: 2 });
      assert.equal(page1.meta.has_more, true);
      const page2 = await ok('card_list', { filter: { board_id: board.id }, sort: 'created_at', limit: 2, after: page1.meta.next_cursor });
      assert.deepEqual([...page1.data, ...page2.data].map((x: any) => x.id), [a.id, b.id, c.id]);

      const moved = await ok('card_update', { id: b.id, status: 'doing', assignee: null });
      assert.equal(moved.data.status, 'doing');
      assert.equal(moved.data.assignee, undefined, 'null clears an optional field');
      assert.equal(moved.data.title, 'Record the demo', 'untouched fields stay');
      const archived = await ok('card_update', { id: c.id, is_archived: true });
      assert.equal(archived.is_archived, true);
      assert.deepEqual((await ok('card_list', { filter: { board_id: board.id, is_archived: true } })).data.map((x: any) => x.id), [c.id]);

      const renamed = await ok('board_update', { id: board.id, description: 'Q3 launch', columns: [{ key: 'to_do', name: 'To do' }, { key: 'doing', name: 'Doing' }, { key: 'done', name: 'Done' }, { name: 'Later' }] });
      assert.equal(renamed.data.columns.length, 4);
      assert.equal((await ok('board_list', { filter: { name: `Launch ${era}` } })).data[0].id, board.id);
      assert.equal((await ok('board_list', { filter: { accent: 'blue' }, sort: '-data__name' })).data.length >= 1, true);

      const deleted = await ok('card_delete', { id: a.id });
      assert.equal(deleted.ok, true);
      const gone = await fails('card_get', { id: a.id });
      assert.equal(gone.http_status, 404);
      assert.match(gone.error, /was not found in this workspace/);
      assert.equal((await ok('board_delete', { id: other.id })).ok, true);
    });

    test('text is compact JSON: a fraction of the reference client\'s indented text', async () => {
      await ok('card_create', { title: 'Compact', description: 'x'.repeat(50), tags: ['a', 'b'] });
      const result: any = await call('card_list', { limit: 50 });
      const text: string = result.content[0].text;
      assert.ok(!text.includes('\n'), 'no newlines, no indentation');
      const indented = JSON.stringify(JSON.parse(text), null, 2);
      assert.ok(text.length < indented.length * 0.75, `compact ${text.length} chars vs indented ${indented.length}`);
    });

    test('bad arguments are isError results naming the argument and the allowed values', async () => {
      const wrongType: any = await call('card_list', { limit: 'ten' });
      assert.equal(wrongType.isError, true);
      assert.match(JSON.parse(wrongType.content[0].text).error, /limit must be a whole number from 1 to 200; got "ten"/);
      // Bad arguments fail in the shape of every other failure: a code and a field per problem.
      assert.deepEqual(wrongType.structuredContent, {
        error: 'invalid arguments: limit must be a whole number from 1 to 200; got "ten"', http_status: 400, code: 'validation_failed',
        errors: [{ field: 'limit', message: 'limit must be a whole number from 1 to 200; got "ten"' }],
      });
      const badEnum: any = await call('card_create', { title: 'x', priority: 'urgent' });
      assert.match(JSON.parse(badEnum.content[0].text).error, /priority must be one of: low, medium, high, critical; got "urgent"/);
      const badFilter: any = await call('card_list', { filter: { colour: 'red' } });
      assert.match(JSON.parse(badFilter.content[0].text).error, /filter has no key "colour"; allowed keys: status, priority, tags, assignee, board_id, assignees, record_status, is_archived, owned_by/);
      const badSort: any = await call('board_list', { sort: 'title' });
      assert.match(JSON.parse(badSort.content[0].text).error, /sort must be one of: created_at, -created_at, updated_at, -updated_at, data__name, -data__name/);
      const missing: any = await call('card_get', {});
      assert.match(JSON.parse(missing.content[0].text).error, /id is required/);
      const extra: any = await call('board_create', { name: 'x', owner: 'me' });
      assert.match(JSON.parse(extra.content[0].text).error, /unknown argument "owner"; the arguments are: name, description, accent, settings, tags, columns/);
      const badColumns: any = await call('board_create', { name: 'x', columns: [] });
      assert.match(JSON.parse(badColumns.content[0].text).error, /columns must hold at least 1 item/);
    });

    test('server-side failures carry the server\'s message and status', async () => {
      const board = await ok('board_create', { name: `Strict ${era}`, columns: 'A, B' });
      const failure = await fails('card_create', { title: 'Nowhere', board_id: board.id, status: 'z' });
      assert.equal(failure.http_status, 400);
      assert.equal(failure.code, 'validation_failed');
      assert.match(failure.error, /status "z" is not a column of this board; use one of the column keys: a \(A\), b \(B\)/);
    });

    test('an unknown tool is a protocol error naming it', async () => {
      await assert.rejects(call('card_explode', {}), /card_explode/);
    });
  });
}

describe('all: true walks every page, with progress', () => {
  let server: TestServer;
  let home: string;
  let mcp: SdkConnection;

  before(async () => {
    server = await startServer();
    const user = await signUp(server);
    const { token } = await makeToken(server, user);
    const board = (await user.api.post('/xapi2/data/board', { body: { name: 'Big' } })).body;
    for (let i = 0; i < 450; i++) {
      const res = await user.api.post('/xapi2/data/card', { body: { title: `Card ${i}`, board_id: board.id } });
      assert.equal(res.status, 201);
    }
    home = freshHome();
    mcp = await connectSdkClient(prodmcpEnv(home, server.url, { PRODMCP_TOKEN: token }), 'legacy');
  });

  after(async () => {
    await mcp?.close();
    await server?.close();
    rmSync(home, { recursive: true, force: true });
  });

  test('450 cards in pages of 200 with the cursor; progress after each page', async () => {
    const progress: Array<{ progress: number; message?: string }> = [];
    const result = await mcp.client.callTool(
      { name: 'card_list', arguments: { all: true, limit: 200 } },
      { onprogress: (p) => progress.push(p) },
    );
    const listed = okResult(result);
    assert.equal(listed.data.length, 450);
    assert.equal(new Set(listed.data.map((c: any) => c.id)).size, 450, 'no row twice');
    assert.equal(listed.meta.pages, 3);
    assert.equal(listed.meta.has_more, false);
    assert.deepEqual(progress.map((p) => p.progress), [200, 400]);
    assert.match(progress[0].message ?? '', /200 card objects fetched \(page 1\)/);
  });
});
