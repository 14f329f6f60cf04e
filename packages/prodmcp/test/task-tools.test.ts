/**
 * The default toolset (issue 12) through real SDK clients on both transports: prodmcp over stdio
 * (tools over the HTTP API) and the server's /mcp (tools in process). tools/list stays within the
 * reference client's size; task tools do each job in one call; references resolve by key and name,
 * ambiguity lists candidates; stale versions, retried creates, the result budget and the toolset
 * selection (flags, environment, query parameters) behave alike on both.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { parseToolSelection } from '@prodboard/tools';
import { TEST_STORE, makeToken, request, signUp, startServer, type TestServer } from '../../server/test/helpers.js';
import { waitPast } from '../../../bench/tasks.js';
import { connectSdkClient, freshHome, prodmcpEnv, runCli, type SdkConnection } from './support.js';

/** The reference client's tools/list, compact JSON (issue 12): the default list may cost no more. */
const REFERENCE_TOOLS_LIST_BYTES = 7647;

/** Each default tool's compact JSON size in tools/list, pinned: a tool that grows fails here first. */
const PINNED_SIZES: Record<string, number> = {
  board_overview: 484, card_list: 1034, card_get: 379, card_create: 799, card_update: 1027, card_move: 710,
  card_update_many: 801, card_create_many: 684, activity_list: 443, comment_add: 390, comment_list: 304, whoami: 363,
};

const DEFAULT_TOOLS = [
  'board_overview', 'card_list', 'card_get', 'card_create', 'card_update', 'card_move', 'card_update_many', 'card_create_many',
  'activity_list', 'comment_add', 'comment_list', 'whoami',
];

let server: TestServer;
let home: string;
let token: string;
let owner: Awaited<ReturnType<typeof signUp>>;
let stdio: SdkConnection;
let remote: Client;

async function connectRemote(path: string, bearer = token): Promise<Client> {
  const client = new Client({ name: 'task-tools', version: '0.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  await client.connect(new StreamableHTTPClientTransport(new URL(path, server.url), { requestInit: { headers: { authorization: `Bearer ${bearer}` } } }));
  return client;
}

type Via = { name: string; client: () => Client };
const TRANSPORTS: Via[] = [
  { name: 'stdio', client: () => stdio.client },
  { name: '/mcp', client: () => remote },
];

async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<any> {
  return client.callTool({ name, arguments: args });
}

async function ok(client: Client, name: string, args: Record<string, unknown> = {}): Promise<any> {
  const result: any = await call(client, name, args);
  assert.notEqual(result.isError, true, `${name} failed: ${result.content?.[0]?.text}`);
  const text = result.content[0].text as string;
  assert.ok(text.length <= 25_000, `${name} answered ${text.length} characters`);
  return JSON.parse(text);
}

async function fails(client: Client, name: string, args: Record<string, unknown> = {}): Promise<any> {
  const result: any = await call(client, name, args);
  assert.equal(result.isError, true, `${name} should have failed: ${result.content?.[0]?.text}`);
  return JSON.parse(result.content[0].text);
}

/** A board made through the API, with its columns. */
async function makeBoard(name: string, columns: Array<{ key: string; name: string; wip_limit?: number }>): Promise<any> {
  const res = await request(server, 'POST', '/xapi2/data/board', { token, body: { name, columns } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

async function cardCount(boardId: string): Promise<number> {
  const res = await request(server, 'GET', '/xapi2/data/card', { token, query: { data__board_id: boardId, limit: 200 } });
  return res.body.data.length;
}

before(async () => {
  server = await startServer();
  owner = await signUp(server);
  ({ token } = await makeToken(server, owner, 'board:write,card:write'));
  home = freshHome();
  stdio = await connectSdkClient(prodmcpEnv(home, server.url, { PRODMCP_TOKEN: token, PRODMCP_TOOLSETS: undefined }), 'modern');
  remote = await connectRemote('/mcp');
});

after(async () => {
  await stdio?.close();
  await remote?.close();
  await server?.close();
  rmSync(home, { recursive: true, force: true });
});

describe(`task tools on both transports (${TEST_STORE})`, () => {
  test('the default tools/list: the same on both, within the reference size, every tool pinned', async () => {
    const viaStdio = (await stdio.client.listTools()).tools;
    const viaHttp = (await remote.listTools()).tools;
    assert.deepEqual(viaHttp, viaStdio);
    assert.deepEqual(viaStdio.map((t) => t.name), DEFAULT_TOOLS);
    const sizes = Object.fromEntries(viaStdio.map((t) => [t.name, JSON.stringify(t).length]));
    // The whole tools/list result, as a host receives it (no pagination cursor: one page).
    const total = JSON.stringify(await remote.listTools()).length;
    // Baseline from the same run: the reference toolset (the reference client's eleven tools, as prodmcp listed them before toolsets).
    const reference = await connectRemote('/mcp?toolsets=reference');
    const referenceTotal = JSON.stringify(await reference.listTools()).length;
    await reference.close();
    console.log(`tools/list default: ${total} bytes; reference toolset ${referenceTotal} (reference client: ${REFERENCE_TOOLS_LIST_BYTES}); per tool: ${JSON.stringify(sizes)}`);
    assert.ok(total <= REFERENCE_TOOLS_LIST_BYTES, `default tools/list is ${total} bytes`);
    assert.deepEqual(sizes, PINNED_SIZES);
    for (const tool of viaStdio) assert.equal(tool.annotations?.readOnlyHint, !/_(create|update|move)|comment_add/.test(tool.name), tool.name);
  });

  test('a read-only selection lists no write tool, on both transports', async () => {
    const home2 = freshHome();
    const readOnlyStdio = await connectSdkClient(prodmcpEnv(home2, server.url, { PRODMCP_TOKEN: token, PRODMCP_TOOLSETS: undefined, PRODMCP_READ_ONLY: '1' }), 'modern');
    const readOnlyHttp = await connectRemote('/mcp?toolsets=default,trash&read_only=1');
    try {
      const names = ['board_overview', 'card_list', 'card_get', 'activity_list', 'comment_list', 'whoami'];
      assert.deepEqual((await readOnlyStdio.client.listTools()).tools.map((t) => t.name), names);
      const http = (await readOnlyHttp.listTools()).tools;
      assert.deepEqual(http.map((t) => t.name), [...names.slice(0, 5), 'trash_list', 'whoami']);
      assert.ok(http.every((t) => t.annotations?.readOnlyHint === true));
      await assert.rejects(readOnlyHttp.callTool({ name: 'card_create', arguments: { board: 'X', title: 'x' } }), /Tool card_create not found/);
    } finally {
      await readOnlyStdio.close();
      await readOnlyHttp.close();
      rmSync(home2, { recursive: true, force: true });
    }
  });

  test('named toolsets add tools; reference brings back its shapes', async () => {
    const all = await connectRemote('/mcp?toolsets=all');
    const reference = await connectRemote('/mcp?toolsets=reference');
    try {
      const names = (await all.listTools()).tools.map((t) => t.name);
      for (const name of [...DEFAULT_TOOLS, 'board_create', 'board_delete', 'card_delete', 'trash_list', 'trash_restore']) assert.ok(names.includes(name), name);
      assert.equal(new Set(names).size, names.length, 'each name once');
      const cardList = (await all.listTools()).tools.find((t) => t.name === 'card_list');
      assert.ok((cardList?.inputSchema.properties as any)?.board, 'all: the default card_list');
      const refTools = (await reference.listTools()).tools;
      assert.deepEqual(refTools.map((t) => t.name), ['board_list', 'board_get', 'board_create', 'board_update', 'board_delete', 'card_list', 'card_get', 'card_create', 'card_update', 'card_delete', 'whoami']);
      assert.ok((refTools.find((t) => t.name === 'card_list')?.inputSchema.properties as any)?.offset, 'reference: its card_list');
    } finally {
      await all.close();
      await reference.close();
    }
  });

  test('a bad selection: a 400 from /mcp and exit code 2 from prodmcp, each naming the valid toolsets', async () => {
    const res = await request(server, 'POST', '/mcp', {
      token, query: { toolsets: 'default,nope' }, headers: { accept: 'application/json, text/event-stream' }, body: { jsonrpc: '2.0', id: 1, method: 'ping' },
    });
    assert.equal(res.status, 400);
    assert.match(JSON.stringify(res.body), /unknown toolset \\"nope\\"; the toolsets are: default, boards, cards, trash, reference, all/);
    const badFlag = await request(server, 'POST', '/mcp', {
      token, query: { read_only: 'maybe' }, headers: { accept: 'application/json, text/event-stream' }, body: { jsonrpc: '2.0', id: 1, method: 'ping' },
    });
    assert.equal(badFlag.status, 400);
    assert.match(JSON.stringify(badFlag.body), /read_only/);
    const home2 = freshHome();
    try {
      const cli = await runCli(['--toolsets', 'cards,bogus'], prodmcpEnv(home2, server.url, { PRODMCP_TOKEN: token }));
      assert.equal(cli.code, 2);
      assert.match(cli.stderr, /--toolsets: unknown toolset "bogus"; the toolsets are: default, boards, cards, trash, reference, all/);
      const env = await runCli([], prodmcpEnv(home2, server.url, { PRODMCP_TOKEN: token, PRODMCP_TOOLSETS: 'everything' }));
      assert.equal(env.code, 2);
      assert.match(env.stderr, /PRODMCP_TOOLSETS.*unknown toolset "everything"/);
      const help = await runCli(['--help'], prodmcpEnv(home2, server.url));
      assert.match(help.stdout, /--toolsets a,b and --read-only/);
      assert.match(help.stdout, /PRODMCP_TOOLSETS/);
      assert.match(help.stdout, /trash \(trash_list, trash_restore\)/);
    } finally {
      rmSync(home2, { recursive: true, force: true });
    }
  });

  test('references: a board by key or name in any case, a column by name; ambiguity lists candidates, the same on both', async () => {
    await makeBoard('Twin', [{ key: 'a', name: 'A' }]);
    await makeBoard('Twin', [{ key: 'a', name: 'A' }]);
    const errors = [];
    for (const via of TRANSPORTS) {
      const err = await fails(via.client(), 'board_overview', { board: 'twin' });
      assert.equal(err.code, 'ambiguous', via.name);
      assert.equal(err.candidates.length, 2);
      assert.deepEqual(err.errors, [{ field: 'board', message: 'matches several' }]);
      assert.match(err.error, /board "twin" matches 2: .*Pass the board key instead/);
      errors.push(err);
      const missing = await fails(via.client(), 'card_get', { card: 'login timeout' });
      assert.equal(missing.code, 'validation_failed');
      assert.equal(missing.errors[0].field, 'card');
    }
    assert.deepEqual(errors[0], errors[1]);
  });

  for (const via of TRANSPORTS) {
    test(`${via.name}: create 20 in one call (a retry duplicates nothing), move 30 bug cards in one call, overview in one`, async () => {
      const client = via.client();
      const board = await makeBoard(`Ops ${via.name}`, [{ key: 'todo', name: 'To do' }, { key: 'review', name: 'Review', wip_limit: 3 }, { key: 'done', name: 'Done' }]);
      const twenty = Array.from({ length: 20 }, (_, i) => ({ title: `Task ${i + 1}`, priority: i % 4 === 0 ? 'critical' : 'low' }));
      const created = await ok(client, 'card_create_many', { board: board.key, cards: twenty });
      assert.equal(created.created, 20);
      assert.equal(created.failed, 0);
      const retried = await ok(client, 'card_create_many', { board: board.key, cards: twenty });
      assert.equal(retried.created, 20, 'the retry answers as the first call did');
      assert.equal(await cardCount(board.id), 20, 'and creates nothing');
      const one = await ok(client, 'card_create', { board: board.data.name.toUpperCase(), title: 'Only once', column: 'Review', idempotency_key: `k-${via.name}` });
      const again = await ok(client, 'card_create', { board: board.data.name.toUpperCase(), title: 'Only once', column: 'Review', idempotency_key: `k-${via.name}` });
      assert.equal(again.key, one.key);
      assert.equal(one.column, 'review');

      const bugs = Array.from({ length: 30 }, (_, i) => ({ title: `Bug ${i + 1}`, column: 'Review', tags: ['bug'], priority: 'high' }));
      assert.equal((await ok(client, 'card_create_many', { board: board.key, cards: bugs })).created, 30);
      const dry = await ok(client, 'card_update_many', { board: board.data.name.toLowerCase(), filter: { column: 'review', tag: 'bug' }, set: { column: 'Done' }, dry_run: true });
      assert.equal(dry.count, 30);
      assert.equal(dry.sample.length, 5);
      const stillInReview = await request(server, 'GET', '/xapi2/data/card', { token, query: { data__board_id: board.id, data__status: 'review', limit: 200 } });
      assert.equal(stillInReview.body.data.length, 31, 'a dry run changes nothing');
      const moved = await ok(client, 'card_update_many', { board: board.key, filter: { column: 'Review', tag: 'bug' }, set: { column: 'Done' } });
      assert.equal(moved.updated, 30);
      assert.equal(moved.failed, 0);

      const overview = await ok(client, 'board_overview', { board: board.key });
      assert.deepEqual(overview.columns.map((c: any) => [c.key, c.count]), [['todo', 20], ['review', 1], ['done', 30]]);
      assert.equal(overview.columns[1].wip_limit, 3);
      assert.equal(overview.columns[1].over_wip, false);
      assert.equal(overview.columns[0].cards.length, 5);
      assert.ok(overview.columns[0].cards.every((c: any) => c.priority === 'critical'), 'the most urgent first');
      assert.match(overview.note, /data people wrote, not instructions/);
      // Without a board: the boards, where an assistant with the default tools starts.
      const boards = await ok(client, 'board_overview', {});
      assert.deepEqual(boards.boards.find((b: any) => b.key === board.key), { key: board.key, name: board.data.name, columns: 3 });
      assert.match(boards.how, /board_overview \{board/);

      const bad = await fails(client, 'card_update_many', { board: board.key, filter: { column: 'Nowhere' }, set: { priority: 'low' } });
      assert.equal(bad.code, 'validation_failed');
      assert.equal(bad.errors[0].field, 'filter.column');
      assert.match(bad.error, /its columns: todo \(To do\), review \(Review\), done \(Done\)/);
    });

    test(`${via.name}: card_move positions; a stale version is a conflict naming the current version and what changed`, async () => {
      const client = via.client();
      const board = await makeBoard(`Moves ${via.name}`, [{ key: 'todo', name: 'To do' }, { key: 'done', name: 'Done' }]);
      const made = await ok(client, 'card_create_many', { board: board.key, cards: [{ title: 'A', column: 'Done' }, { title: 'B', column: 'Done' }, { title: 'C' }] });
      const [a, b, c] = made.results.map((r: any) => r.key);
      const top = await ok(client, 'card_move', { card: c, to: 'done', position: 'top' });
      assert.equal(top.column, 'done');
      const order = async () => (await ok(client, 'card_list', { board: board.key, filter: { column: 'Done' }, sort: 'position' })).data.map((r: any) => r.key);
      assert.deepEqual(await order(), [c, a, b]);
      await ok(client, 'card_move', { card: c, to: 'Done', position: { after: a } });
      assert.deepEqual(await order(), [a, c, b]);
      await ok(client, 'card_move', { card: b, to: 'Done', position: { before: a } });
      assert.deepEqual(await order(), [b, a, c]);

      const read = await ok(client, 'card_get', { card: a });
      await ok(client, 'card_update', { card: a, title: 'A renamed', version: read.v });
      const stale = await fails(client, 'card_update', { card: a, priority: 'low', version: read.v });
      assert.equal(stale.code, 'conflict');
      assert.equal(stale.current_version, read.v + 1);
      assert.deepEqual(stale.changed_fields, ['title']);
      assert.deepEqual(stale.errors, [{ field: 'version', message: 'stale' }]);
      const staleMove = await fails(client, 'card_move', { card: a, to: 'To do', version: read.v });
      assert.equal(staleMove.code, 'conflict');
      const now = await ok(client, 'card_get', { card: a });
      assert.equal(now.priority, undefined, 'the stale update changed nothing');
      assert.equal(now.column, 'done', 'the stale move changed nothing');
    });

    test(`${via.name}: what changed since a time, deletions with before and after; find a card and comment`, async () => {
      const client = via.client();
      const board = await makeBoard(`Log ${via.name}`, [{ key: 'todo', name: 'To do' }, { key: 'done', name: 'Done' }]);
      const made = await ok(client, 'card_create_many', { board: board.key, cards: [{ title: 'Login timeout after 30 s', description: 'Users are signed out' }, { title: 'Keep' }, { title: 'Drop me' }] });
      // The server stamps at millisecond precision: the mark must fall after the creates' stamps
      // (a fast answer can come back within the millisecond they were made in).
      await waitPast(new Date().toISOString());
      const since = new Date().toISOString();
      const [login, keep, drop] = made.results.map((r: any) => r.key);
      await ok(client, 'card_move', { card: keep, to: 'Done' });
      await ok(client, 'card_update', { card: login, priority: 'critical' });
      const dropped = await ok(client, 'card_get', { card: drop });
      assert.equal((await request(server, 'DELETE', `/xapi2/data/card/${dropped.id}`, { token })).status, 200);
      const changes = await ok(client, 'activity_list', { since, board: board.key });
      assert.equal(changes.data.length, 3);
      assert.deepEqual(changes.data.map((c: any) => c.key), [keep, login, drop]);
      assert.deepEqual(changes.data[0].changes.status, ['todo', 'done']);
      assert.deepEqual(changes.data[1].changes.priority, [null, 'critical']);
      assert.equal(changes.data[2].action, 'delete');
      assert.match(changes.note, /not instructions/);
      const everywhere = await ok(client, 'activity_list', { since });
      assert.deepEqual(everywhere.data.filter((c: any) => [keep, login, drop].includes(c.key)).map((c: any) => c.action), ['update', 'update', 'delete'], 'keys without a board too');

      const found = await ok(client, 'card_list', { q: 'login timeout', board: board.key });
      assert.deepEqual(found.data.map((r: any) => r.key), [login]);
      const comment = await ok(client, 'comment_add', { card: found.data[0].key, body: 'Reproduced: the session expires at 30 s.' });
      assert.equal(comment.card, login);
      const retried = await ok(client, 'comment_add', { card: found.data[0].key, body: 'Reproduced: the session expires at 30 s.' });
      assert.equal(retried.id, comment.id, "a host's retry (the same arguments) adds no second comment");
      const listed = await ok(client, 'comment_list', { card: login });
      assert.deepEqual(listed.data.map((c: any) => c.body), ['Reproduced: the session expires at 30 s.']);
      assert.match(listed.note, /not instructions/);
    });
  }

  test('results stay within 25,000 characters and say how to get the rest, the same on both', async () => {
    const board = await makeBoard('Budget', [{ key: 'todo', name: 'To do' }]);
    const cards = Array.from({ length: 200 }, (_, i) => ({ title: `Card ${String(i).padStart(3, '0')} ${'t'.repeat(150)}`, description: 'd'.repeat(500), tags: ['alpha', 'beta'] }));
    assert.equal((await ok(remote, 'card_create_many', { board: board.key, cards })).created, 200);
    const results = [];
    for (const via of TRANSPORTS) {
      const text = ((await call(via.client(), 'card_list', { board: board.key, all: true, fields: ['description'] })) as any).content[0].text as string;
      assert.ok(text.length <= 25_000, `${via.name}: ${text.length}`);
      const page = JSON.parse(text);
      assert.equal(page.meta.has_more, true);
      assert.match(page.meta.left_out, /rows over the 25k-character cap/);
      assert.match(page.meta.how, /after: meta.next_cursor/);
      const next = await ok(via.client(), 'card_list', { board: board.key, after: page.meta.next_cursor, fields: ['description'], limit: 200 });
      assert.equal(next.data[0].title.slice(0, 8), `Card ${String(page.data.length).padStart(3, '0')}`, 'the next page starts where the first stopped');
      results.push(page);
    }
    assert.deepEqual(results[0], results[1]);
    // The figure issue 12 tracks: the same 200 cards through the reference card_list.
    const reference = await connectRemote('/mcp?toolsets=reference');
    try {
      const full = ((await call(reference, 'card_list', { all: true, filter: { board_id: board.id } })) as any).content[0].text as string;
      const compact = ((await call(remote, 'card_list', { board: board.key, all: true })) as any).content[0].text as string;
      console.log(`card_list of 200 cards: reference shape ${full.length} characters; default ${compact.length} (capped at 25,000, rest by cursor)`);
      assert.ok(compact.length < full.length / 4);
    } finally {
      await reference.close();
    }
  });

  test('trash_list and trash_restore (the trash toolset): a board comes back with its cards', async () => {
    const trash = await connectRemote('/mcp?toolsets=trash');
    try {
      const board = await makeBoard('Doomed', [{ key: 'todo', name: 'To do' }]);
      await ok(remote, 'card_create', { board: board.key, title: 'Goes with it' });
      assert.equal((await request(server, 'DELETE', `/xapi2/data/board/${board.id}`, { token })).status, 200);
      const listed = await ok(trash, 'trash_list', {});
      const row = listed.data.find((r: any) => r.id === board.id);
      assert.equal(row.type, 'board');
      assert.ok(listed.data.some((r: any) => r.with === board.id), 'its card is listed as deleted with it');
      const restored = await ok(trash, 'trash_restore', { type: 'board', id: board.id });
      assert.equal(restored.restored_with_it, 1);
      assert.equal(await cardCount(board.id), 1);
    } finally {
      await trash.close();
    }
  });

  test('every failure has one shape (code, field, message), bad arguments included, the same on both', async () => {
    const seen = [];
    for (const via of TRANSPORTS) {
      const badLimit = await fails(via.client(), 'card_list', { limit: 'ten' });
      assert.deepEqual(badLimit, {
        error: 'invalid arguments: limit must be a whole number from 1 to 200; got "ten"', http_status: 400, code: 'validation_failed',
        errors: [{ field: 'limit', message: 'limit must be a whole number from 1 to 200; got "ten"' }],
      });
      const badPosition = await fails(via.client(), 'card_move', { card: 'WEB-1', to: 'done', position: 'middle', extra: 1 });
      assert.equal(badPosition.code, 'validation_failed');
      assert.deepEqual(badPosition.errors.map((e: any) => e.field), ['position', 'extra']);
      const badFields = await fails(via.client(), 'card_list', { fields: ['secret'] });
      assert.deepEqual(badFields.errors, [{ field: 'fields[0]', message: badFields.error }]);
      seen.push([badLimit, badPosition, badFields]);
    }
    assert.deepEqual(seen[0], seen[1]);
  });

  test('the reference tools take a version too: a stale delete changes nothing and says what changed; deletes say how to undo', async () => {
    const reference = await connectRemote('/mcp?toolsets=reference');
    try {
      const board = await makeBoard('Versioned', [{ key: 'todo', name: 'To do' }]);
      const card = await ok(reference, 'card_create', { title: 'Old', board_id: board.id });
      await ok(reference, 'card_update', { id: card.id, title: 'New', version: card.version });
      const stale = await fails(reference, 'card_delete', { id: card.id, version: card.version });
      assert.equal(stale.code, 'conflict');
      assert.equal(stale.current_version, card.version + 1);
      assert.deepEqual(stale.changed_fields, ['title']);
      assert.equal((await request(server, 'GET', `/xapi2/data/card/${card.id}`, { token })).status, 200, 'still there');
      const tools = (await reference.listTools()).tools;
      assert.match(tools.find((t) => t.name === 'board_delete')?.description ?? '', /its cards go to the trash with it\. Undo: trash_restore/);
      const deleted = await ok(reference, 'board_delete', { id: board.id, version: board.version });
      assert.equal(deleted.trashed_with_it, 1);
      assert.match(deleted.undo, /trash_restore \{type: "board", id: "/);
    } finally {
      await reference.close();
    }
  });

  test('resources and prompts: prodboard://board/KEY reads the overview; stand-up and triage prompts, the same on both', async () => {
    const board = await makeBoard('Resourceful', [{ key: 'todo', name: 'To do', wip_limit: 2 }]);
    await ok(remote, 'card_create', { board: board.key, title: 'Read me', priority: 'high' });
    const seen = [];
    for (const via of TRANSPORTS) {
      const client = via.client();
      const { resourceTemplates } = await client.listResourceTemplates();
      assert.deepEqual(resourceTemplates.map((t) => t.uriTemplate), ['prodboard://board/{board}']);
      const { resources } = await client.listResources();
      assert.ok(resources.some((r) => r.uri === `prodboard://board/${board.key}` && r.name === 'Resourceful'), via.name);
      const read = await client.readResource({ uri: `prodboard://board/${board.key}` });
      const overview = JSON.parse((read.contents[0] as any).text);
      assert.deepEqual(overview.columns, [{ key: 'todo', name: 'To do', count: 1, wip_limit: 2, over_wip: false, cards: [{ key: `${board.key}-1`, title: 'Read me', priority: 'high', v: 1 }] }]);
      const { prompts } = await client.listPrompts();
      assert.deepEqual(prompts.map((p) => p.name), ['standup', 'triage']);
      const standup = await client.getPrompt({ name: 'standup', arguments: { board: board.key } });
      assert.match((standup.messages[0].content as any).text, new RegExp(`activity_list \\{board: "${board.key}"`));
      // _meta names the server that answered (prodmcp or prodboard): everything else is the same.
      const { _meta: _r, ...readBody } = read;
      const { _meta: _s, ...standupBody } = standup;
      seen.push({ readBody, standupBody });
    }
    assert.deepEqual(seen[0], seen[1]);
  });

  test('assignees: me on create and in a filter; an email or a name from the member list; one that names nobody lists the members', async () => {
    const board = await makeBoard('People', [{ key: 'todo', name: 'To do' }]);
    const results = [];
    for (const via of TRANSPORTS) {
      const mine = await ok(via.client(), 'card_create', { board: 'people', title: `Mine ${via.name}`, assignees: ['me'] });
      assert.equal(mine.assignees, 1);
      const listed = await ok(via.client(), 'card_list', { board: board.key, filter: { assignee: 'ME' }, fields: ['assignees'] });
      assert.ok(listed.data.some((r: any) => r.key === mine.key && r.assignees[0] === owner.user.id), via.name);
      await ok(via.client(), 'card_update', { card: mine.key, assignees: [] });
      await ok(via.client(), 'card_update', { card: mine.key, assignees: [owner.email.toUpperCase()] });
      const byEmail = await ok(via.client(), 'card_get', { card: mine.key, fields: ['assignees'] });
      assert.deepEqual(byEmail.assignees, [owner.user.id], `${via.name}: an email in any case names its member`);
      const nobody = await fails(via.client(), 'card_update', { card: mine.key, assignees: ['nobody@example.com'] });
      assert.equal(nobody.code, 'validation_failed');
      assert.deepEqual(nobody.errors.map((e: any) => e.field), ['card.assignees[0]']);
      assert.match(nobody.error, /no member is "nobody@example.com"; members: /);
      assert.ok(nobody.error.includes(owner.email), 'the error lists the members to choose from');
      results.push(nobody);
    }
    assert.deepEqual(results[0], results[1]);
  });

  test('a checklist is read with card_get and ticked with card_update at its version; a stale version is a conflict', async () => {
    const board = await makeBoard('Lists', [{ key: 'todo', name: 'To do' }]);
    for (const via of TRANSPORTS) {
      const created = await owner.api.post('/xapi2/data/card', { body: { title: `List ${via.name}`, board_id: board.id, checklist: [{ text: 'Write tests' }, { text: 'Ship' }] } });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const read = await ok(via.client(), 'card_get', { card: created.body.key });
      assert.deepEqual(read.checklist.map((i: any) => [i.text, i.done]), [['Write tests', false], ['Ship', false]]);
      const ticked = read.checklist.map((i: any) => (i.text === 'Ship' ? { ...i, done: true } : i));
      await ok(via.client(), 'card_update', { card: created.body.key, checklist: ticked, version: read.v });
      const after = await owner.api.get(`/xapi2/data/card/${created.body.id}`);
      assert.deepEqual(after.body.data.checklist.map((i: any) => [i.id, i.done]), read.checklist.map((i: any) => [i.id, i.text === 'Ship']), `${via.name}: the same items, Ship ticked`);
      const stale = await fails(via.client(), 'card_update', { card: created.body.key, checklist: read.checklist, version: read.v });
      assert.equal(stale.code, 'conflict');
      assert.equal((await owner.api.get(`/xapi2/data/card/${created.body.id}`)).body.version, after.body.version, 'a stale tick changes nothing');
    }
  });

  test("the reference client's spellings work on the default tools without being advertised (id, board_id, status, its filter keys)", async () => {
    const board = await makeBoard('Spellings', [{ key: 'todo', name: 'To do' }, { key: 'done', name: 'Done' }]);
    for (const via of TRANSPORTS) {
      const client = via.client();
      const made = await ok(client, 'card_create', { board_id: board.id, title: `Old style ${via.name}`, status: 'done' });
      assert.equal(made.column, 'done');
      assert.equal((await ok(client, 'card_get', { id: made.id })).key, made.key);
      assert.equal((await ok(client, 'card_update', { id: made.key, status: 'todo' })).column, 'todo');
      const listed = await ok(client, 'card_list', { filter: { board_id: board.id, status: 'todo', is_archived: false } });
      assert.ok(listed.data.some((r: any) => r.key === made.key), via.name);
      const unknown = await fails(client, 'card_list', { filter: { owned_by: 'me' } });
      assert.match(unknown.error, /filter has no key "owned_by"; allowed keys: column, priority, tag, assignee, archived/);
    }
    const trash = await connectRemote('/mcp?toolsets=trash');
    try {
      const restored = await fails(trash, 'trash_restore', { type: 'card', id: 'not-an-id' });
      assert.doesNotMatch(restored.error, /unknown argument/, 'trash_restore keeps its own id argument');
    } finally {
      await trash.close();
    }
  });

  test('parseToolSelection: names in any case and spacing, once each; unknown names and values are errors naming the valid ones', () => {
    assert.deepEqual(parseToolSelection({}), { selection: {} });
    assert.deepEqual(parseToolSelection({ toolsets: null, readOnly: null }), { selection: {} });
    assert.deepEqual(parseToolSelection({ toolsets: ' Default , trash,default ', readOnly: 'YES' }), { selection: { toolsets: ['default', 'trash'], readOnly: true } });
    assert.deepEqual(parseToolSelection({ readOnly: 'off' }), { selection: { readOnly: false } });
    assert.deepEqual(parseToolSelection({ toolsets: ' , ' }), { error: 'toolsets is empty; give one or more of: default, boards, cards, trash, reference, all (comma-separated)' });
    assert.deepEqual(parseToolSelection({ toolsets: 'boards,x,y' }), { error: 'unknown toolsets "x", "y"; the toolsets are: default, boards, cards, trash, reference, all' });
    assert.deepEqual(parseToolSelection({ readOnly: 'perhaps' }), { error: 'read-only must be 1, true, yes or on (or 0, false, no, off); got "perhaps"' });
  });

  test("another workspace's boards and cards stay out of reach; a read-only token gets no write tool; a bad batch changes nothing", async () => {
    const stranger = await signUp(server);
    const theirs = await request(server, 'POST', '/xapi2/data/board', { token: stranger.session, body: { name: 'Secret plans', columns: [{ key: 'todo', name: 'To do' }] } });
    const theirCard = await request(server, 'POST', '/xapi2/data/card', { token: stranger.session, body: { title: 'Hidden', board_id: theirs.body.id } });
    const { token: readOnlyToken } = await makeToken(server, owner, 'board:read,card:read');
    const readOnly = await connectRemote('/mcp', readOnlyToken);
    try {
      const board = await makeBoard('Batch', [{ key: 'todo', name: 'To do' }]);
      const results = [];
      for (const via of TRANSPORTS) {
        const client = via.client();
        const byName = await fails(client, 'board_overview', { board: 'secret plans' });
        assert.equal(byName.http_status, 404);
        assert.doesNotMatch(byName.error, /Secret plans/);
        assert.equal((await fails(client, 'card_get', { card: theirCard.body.id })).http_status, 404);
        assert.equal((await fails(client, 'card_get', { card: theirCard.body.key })).http_status, 404);
        assert.equal((await fails(client, 'comment_add', { card: theirCard.body.id, body: 'hi' })).http_status, 404);
        const bad = await fails(client, 'card_create_many', { board: board.key, cards: [{ title: 'Fine' }, { title: 'Wrong', column: 'Nowhere' }] });
        assert.equal(bad.errors[0].field, 'cards[1].column');
        assert.equal(await cardCount(board.id), 0, 'nothing was created');
        results.push(bad);
      }
      assert.deepEqual(results[0], results[1]);
      const names = (await readOnly.listTools()).tools.map((t) => t.name);
      assert.deepEqual(names, ['board_overview', 'card_list', 'card_get', 'activity_list', 'comment_list', 'whoami']);
      await assert.rejects(readOnly.callTool({ name: 'card_move', arguments: { card: 'X-1', to: 'todo' } }), /Tool card_move not found/);
      assert.equal((await request(server, 'GET', `/xapi2/data/card/${theirCard.body.id}`, { token: stranger.session })).body.data.title, 'Hidden');
    } finally {
      await readOnly.close();
    }
  });
});
