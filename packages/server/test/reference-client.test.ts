/**
 * The reference client (prodmcp-reference.py 1.0.2, the first client ever written for this system)
 * against a real server: the server must serve it unchanged. The client is spawned as an AI host
 * would spawn it, driven over stdio with newline-delimited JSON-RPC 2.0, and its tool results are
 * checked; its CLI verbs (login, whoami, doctor, logout) run as a user would run them.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeToken, request, signUp, startServer, type TestServer } from './helpers.js';

const REFERENCE = '/work/shared/reference/prodmcp-reference.py';
const ANSWER_TIMEOUT_MS = 20_000;

/** The environment of one client process: a fresh HOME, our server, no auto-update, telemetry on. */
function clientEnv(home: string, server: { url: string }, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('PRODMCP_')) env[key] = value;
  }
  return { ...env, HOME: home, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost', PRODMCP_BASE_URL: server.url, PRODMCP_NO_AUTOUPDATE: '1', ...extra };
}

function freshHome(): string {
  return mkdtempSync(join(tmpdir(), 'prodmcp-home-'));
}

/** A JSON-RPC 2.0 message as the client writes it. */
interface RpcMessage {
  jsonrpc: '2.0';
  id?: number | string | null;
  method?: string;
  params?: any;
  result?: any;
  error?: { code: number; message: string; data?: unknown };
}

/** A `tools/call` result. */
interface ToolResult {
  isError: boolean;
  content: Array<{ type: string; text: string }>;
  structuredContent?: any;
}

/** The reference client as an MCP host sees it: a child process spoken to over stdin/stdout. */
class McpHost {
  private nextId = 1;
  private readonly pending = new Map<number, { method: string; resolve: (m: RpcMessage) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private buffer = '';
  private stderrText = '';
  /** Server-to-host messages without an id (`notifications/message` log lines). */
  readonly notifications: RpcMessage[] = [];
  /** Lines on stdout that are not JSON: the MCP stdio transport allows none. */
  readonly garbage: string[] = [];
  /** Tool calls that succeeded; each one sends exactly one telemetry event. */
  successfulToolCalls = 0;
  readonly exited: Promise<number | null>;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => this.receive(chunk));
    child.stderr.on('data', (chunk: string) => (this.stderrText += chunk));
    this.exited = new Promise((resolve) => {
      child.on('exit', (code) => {
        for (const [id, p] of this.pending) {
          clearTimeout(p.timer);
          p.reject(new Error(`prodmcp exited (code ${code}) before answering ${p.method} (id ${id}); stderr: ${this.stderr()}`));
        }
        this.pending.clear();
        resolve(code);
      });
    });
  }

  /** Spawns `python3 prodmcp-reference.py` (the default verb, `serve`). */
  static start(env: NodeJS.ProcessEnv): McpHost {
    return new McpHost(spawn('python3', [REFERENCE], { env, stdio: ['pipe', 'pipe', 'pipe'] }));
  }

  stderr(): string {
    return this.stderrText.slice(-2000);
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    let newline: number;
    while ((newline = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, newline).trim();
      this.buffer = this.buffer.slice(newline + 1);
      if (!line) continue;
      let message: RpcMessage;
      try {
        message = JSON.parse(line) as RpcMessage;
      } catch {
        this.garbage.push(line);
        continue;
      }
      const waiting = typeof message.id === 'number' ? this.pending.get(message.id) : undefined;
      if (waiting && message.method === undefined) {
        this.pending.delete(message.id as number);
        clearTimeout(waiting.timer);
        waiting.resolve(message);
      } else {
        this.notifications.push(message);
      }
    }
  }

  /** Sends a request and resolves with the whole response (result or error). */
  send(method: string, params?: unknown, timeoutMs = ANSWER_TIMEOUT_MS): Promise<RpcMessage> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`prodmcp did not answer ${method} (id ${id}) within ${timeoutMs} ms; stderr: ${this.stderr()}`));
      }, timeoutMs);
      this.pending.set(id, { method, resolve, reject, timer });
      this.child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) }) + '\n');
    });
  }

  /** Sends a request and returns its result, failing on a JSON-RPC error. */
  async call(method: string, params?: unknown): Promise<any> {
    const response = await this.send(method, params);
    assert.equal(response.jsonrpc, '2.0');
    assert.equal(response.error, undefined, `${method} failed: ${JSON.stringify(response.error)}`);
    return response.result;
  }

  notify(method: string, params?: unknown): void {
    this.child.stdin.write(JSON.stringify({ jsonrpc: '2.0', method, ...(params === undefined ? {} : { params }) }) + '\n');
  }

  /** Calls a tool and returns the raw tool result. */
  async tool(name: string, args: Record<string, unknown> = {}): Promise<ToolResult> {
    const result = (await this.call('tools/call', { name, arguments: args })) as ToolResult;
    if (result.isError === false) this.successfulToolCalls += 1;
    return result;
  }

  /** Calls a tool that must succeed; returns its JSON, checked equal to `structuredContent`. */
  async ok(name: string, args: Record<string, unknown> = {}): Promise<any> {
    const result = await this.tool(name, args);
    assert.equal(result.isError, false, `${name} ${JSON.stringify(args)} failed: ${result.content?.[0]?.text}`);
    assert.equal(result.content.length, 1);
    assert.equal(result.content[0].type, 'text');
    const parsed: unknown = JSON.parse(result.content[0].text);
    assert.deepEqual(result.structuredContent, parsed, 'structuredContent carries the same value as the text');
    return parsed;
  }

  /** Calls a tool that must fail; returns its `{error, http_status}`. */
  async fails(name: string, args: Record<string, unknown> = {}): Promise<{ error: string; http_status: number }> {
    const result = await this.tool(name, args);
    assert.equal(result.isError, true, `${name} ${JSON.stringify(args)} should fail but returned ${result.content?.[0]?.text}`);
    assert.equal(result.structuredContent, undefined);
    return JSON.parse(result.content[0].text);
  }

  /** The MCP handshake as a host does it. */
  async initialize(protocolVersion = '2025-06-18'): Promise<any> {
    const result = await this.call('initialize', { protocolVersion, capabilities: {}, clientInfo: { name: 'prodboard-test', version: '0.0.0' } });
    this.notify('notifications/initialized');
    return result;
  }

  /** Closes stdin (how a host shuts a stdio server down) and waits for a clean exit. */
  async close(): Promise<number | null> {
    if (this.child.exitCode !== null) return this.child.exitCode;
    this.child.stdin.end();
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(resolve, 15_000, 'timeout').unref());
    const outcome = await Promise.race([this.exited, timeout]);
    if (outcome === 'timeout') {
      this.child.kill('SIGKILL');
      throw new Error(`prodmcp did not exit within 15 s of stdin closing; stderr: ${this.stderr()}`);
    }
    return outcome;
  }

  /** Last resort for a failed test: never leave a child behind. */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

/** Runs one CLI verb of the reference client and collects its output. */
function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [REFERENCE, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`prodmcp ${args.join(' ')} did not finish within ${ANSWER_TIMEOUT_MS} ms; stderr: ${stderr}`));
    }, ANSWER_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const titles = (rows: Array<{ data: { title: string } }>) => rows.map((r) => r.data.title);
const ids = (rows: Array<{ id: string }>) => rows.map((r) => r.id);

const ALL_TOOLS = [
  'board_create', 'board_delete', 'board_get', 'board_list', 'board_update',
  'card_create', 'card_delete', 'card_get', 'card_list', 'card_update', 'whoami',
];

describe('the reference client over stdio with PRODMCP_TOKEN', () => {
  let server: TestServer;
  let user: Awaited<ReturnType<typeof signUp>>;
  let token: string;
  let home: string;
  let host: McpHost;
  const spawned: McpHost[] = [];
  const homes: string[] = [];

  let board: any;
  const cards: Record<string, any> = {};

  before(async () => {
    server = await startServer();
    user = await signUp(server);
    ({ token } = await makeToken(server, user));
    home = freshHome();
    homes.push(home);
    host = McpHost.start(clientEnv(home, server, { PRODMCP_TOKEN: token }));
    spawned.push(host);
  });
  after(async () => {
    for (const h of spawned) h.kill();
    for (const h of homes) rmSync(h, { recursive: true, force: true });
    await server.close();
  });

  test('initialize answers with the client identity and negotiates the protocol version', async () => {
    const result = await host.initialize('2025-06-18');
    assert.equal(result.protocolVersion, '2025-06-18');
    assert.equal(result.serverInfo.name, 'prodmcp');
    assert.equal(result.serverInfo.version, '1.0.2');
    assert.deepEqual(result.capabilities.tools, { listChanged: false });
    assert.match(result.instructions, /Production Board/);

    const older = await host.call('initialize', { protocolVersion: '2024-11-05', capabilities: {}, clientInfo: { name: 'old', version: '1' } });
    assert.equal(older.protocolVersion, '2024-11-05', 'an older host version is echoed back');
    const newer = await host.call('initialize', { protocolVersion: '2099-01-01', capabilities: {}, clientInfo: { name: 'new', version: '1' } });
    assert.equal(newer.protocolVersion, '2025-06-18', 'a newer host version is answered with the client\'s own');

    assert.deepEqual(await host.call('ping'), {});
    const unknown = await host.send('no/such/method');
    assert.equal(unknown.error?.code, -32601);
    assert.equal(
      host.notifications.filter((n) => n.method === 'notifications/message' && n.params?.level === 'warning').length,
      0,
      'with a token configured the client warns about nothing',
    );
  });

  test('tools/list offers the 11 tools built from the manifest', async () => {
    const { tools } = await host.call('tools/list');
    assert.equal(tools.length, 11);
    assert.deepEqual(tools.map((t: { name: string }) => t.name).sort(), ALL_TOOLS);
    const byName = new Map(tools.map((t: any) => [t.name, t]));
    const list: any = byName.get('card_list');
    assert.equal(list.annotations.readOnlyHint, true);
    assert.match(list.inputSchema.properties.filter.description, /Keys: assignee, board_id, is_archived, owned_by, priority, status, tags\./);
    const create: any = byName.get('card_create');
    assert.deepEqual(create.inputSchema.properties.priority.enum, ['low', 'medium', 'high', 'critical']);
    assert.equal((byName.get('card_delete') as any).annotations.destructiveHint, true);
    assert.equal((byName.get('board_create') as any).inputSchema.properties.columns.type, 'string', 'the reference advertises columns as a string');
  });

  test('whoami returns the token\'s user, workspace and scopes', async () => {
    const me = await host.ok('whoami');
    assert.equal(me.id, user.user.id);
    assert.equal(me.email, user.email);
    assert.equal(me.role, 'owner');
    assert.equal(me.workspace.id, user.workspace.id);
    assert.equal(me.workspace.slug, user.workspace.slug);
    assert.equal(me.auth, 'pat');
    assert.deepEqual(me.scopes, { board: 'write', card: 'write' });
  });

  test('board_create takes columns as a comma-separated string and stores them normalised', async () => {
    board = await host.ok('board_create', { name: 'Launch plan', accent: 'violet', tags: ['q3'], columns: 'Backlog, In progress, Done' });
    assert.match(board.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(board.type, 'board');
    assert.equal(board.status, 'active');
    assert.equal(board.version, 1);
    assert.equal(board.owned_by, user.user.id);
    assert.equal(board.data.name, 'Launch plan');
    assert.deepEqual(board.data.columns, [
      { key: 'backlog', name: 'Backlog' },
      { key: 'in_progress', name: 'In progress' },
      { key: 'done', name: 'Done' },
    ]);
    const read = await host.ok('board_get', { id: board.id });
    assert.deepEqual(read, board);
    const listed = await host.ok('board_list', { filter: { name: 'Launch plan' } });
    assert.deepEqual(ids(listed.data), [board.id]);
  });

  test('card_create puts cards on the board, with a column name accepted for status', async () => {
    const specs: Array<[string, Record<string, unknown>]> = [
      ['spec', { title: 'Write the spec', priority: 'high', tags: ['docs'], assignee: 'ada' }],
      ['login', { title: 'Fix login bug', priority: 'critical', tags: ['bug', 'auth'], assignee: 'bob', description: 'Users are logged out after a minute' }],
      ['landing', { title: 'Polish the landing page', priority: 'low', tags: ['ui'], due_date: '2026-12-31' }],
      ['review', { title: 'Review the API', priority: 'high', status: 'In progress', assignee: 'ada' }],
      ['ship', { title: 'Ship it', priority: 'medium', status: 'done' }],
      ['plain', { title: 'Plain card' }],
    ];
    for (const [name, fields] of specs) {
      const card = await host.ok('card_create', { board_id: board.id, ...fields });
      assert.equal(card.type, 'card');
      assert.equal(card.version, 1);
      assert.equal(card.data.board_id, board.id);
      assert.equal(card.data.title, fields.title);
      for (const key of ['priority', 'assignee', 'due_date', 'description'] as const) assert.equal(card.data[key], fields[key]);
      assert.deepEqual(card.data.tags, fields.tags);
      cards[name] = card;
    }
    assert.equal(cards.spec.data.status, 'backlog', 'a card without status lands in the first column');
    assert.equal(cards.review.data.status, 'in_progress', 'a column name becomes its key');
    assert.equal(cards.ship.data.status, 'done');
    const backlog = [cards.spec, cards.login, cards.landing, cards.plain].map((c) => c.data.position);
    assert.deepEqual([...backlog].sort((a, b) => a - b), backlog, 'new cards go to the end of their column');
  });

  test('card_list filters by friendly keys (board_id, priority, tags, assignee) and IN lists', async () => {
    const high = await host.ok('card_list', { filter: { board_id: board.id, priority: 'high' } });
    // Both sit at the first position of their column; the tie breaks by id, so the older comes first.
    assert.deepEqual(titles(high.data), ['Write the spec', 'Review the API']);
    assert.equal(high.meta.count, 2);
    assert.equal(high.meta.has_more, false);

    const urgent = await host.ok('card_list', { filter: { board_id: board.id, priority: ['high', 'critical'] } });
    assert.deepEqual(new Set(titles(urgent.data)), new Set(['Write the spec', 'Review the API', 'Fix login bug']));

    const bugs = await host.ok('card_list', { filter: { board_id: board.id, tags: 'bug' } });
    assert.deepEqual(titles(bugs.data), ['Fix login bug']);

    const ada = await host.ok('card_list', { filter: { assignee: 'ada', owned_by: 'me' } });
    assert.deepEqual(new Set(titles(ada.data)), new Set(['Write the spec', 'Review the API']));

    const unknown = await host.fails('card_list', { filter: { colour: 'red' } });
    assert.equal(unknown.http_status, 400);
    assert.match(unknown.error, /unknown filter "colour".*data__priority/);
  });

  test('card_list sorts: by priority in manifest order, descending with ties by id; by creation; by position by default', async () => {
    const desc = await host.ok('card_list', { filter: { board_id: board.id }, sort: '-data__priority' });
    assert.deepEqual(desc.data.map((c: any) => c.data.priority), ['critical', 'high', 'high', 'medium', 'low', undefined]);
    const tied = desc.data.slice(1, 3).map((c: any) => c.id);
    assert.deepEqual(tied, [...tied].sort().reverse(), 'ties break by id in the sort direction');

    const asc = await host.ok('card_list', { filter: { board_id: board.id }, sort: 'created_at' });
    assert.deepEqual(ids(asc.data), ['spec', 'login', 'landing', 'review', 'ship', 'plain'].map((n) => cards[n].id));

    const backlog = await host.ok('card_list', { filter: { board_id: board.id, data__status: 'backlog' } });
    assert.deepEqual(titles(backlog.data), ['Write the spec', 'Fix login bug', 'Polish the landing page', 'Plain card'], 'the default sort is by position');

    const bad = await host.fails('card_list', { sort: 'title' });
    assert.equal(bad.http_status, 400);
    assert.match(bad.error, /unknown sort "title".*data__position/);
  });

  test('the status quirk: friendly `status` is the record lifecycle column, `data__status` is the card column', async () => {
    const byColumnName = await host.ok('card_list', { filter: { board_id: board.id, status: 'backlog' } });
    assert.deepEqual(byColumnName.data, [], 'status=backlog filters the lifecycle column, where no card is "backlog"');
    const active = await host.ok('card_list', { filter: { board_id: board.id, status: 'active' } });
    assert.equal(active.data.length, 6, 'every live card has lifecycle status "active"');
    const inProgress = await host.ok('card_list', { filter: { board_id: board.id, data__status: 'in_progress' } });
    assert.deepEqual(titles(inProgress.data), ['Review the API']);
  });

  test('card_list with q searches titles and descriptions', async () => {
    const login = await host.ok('card_list', { q: 'login' });
    assert.deepEqual(titles(login.data), ['Fix login bug']);
    const byDescription = await host.ok('card_list', { q: 'logged out', filter: { board_id: board.id } });
    assert.deepEqual(titles(byDescription.data), ['Fix login bug']);
    const prefix = await host.ok('card_list', { q: 'land' });
    assert.deepEqual(titles(prefix.data), ['Polish the landing page'], 'words match as prefixes');
    const none = await host.ok('card_list', { q: 'zeppelin' });
    assert.deepEqual(none.data, []);

    // The client sends JSON with \u escapes (Python's ensure_ascii); text must round-trip and be searchable.
    const title = 'Café menü for Zoë 🚀';
    const unicode = await host.ok('card_create', { title });
    assert.equal(unicode.data.title, title);
    for (const q of ['café', 'cafe', 'ZOË']) {
      const found = await host.ok('card_list', { q });
      assert.deepEqual(titles(found.data), [title], `q=${q}`);
    }
  });

  describe('card_list with all: true walks every page', () => {
    let bulkBoard: any;
    const created: string[] = [];
    const PRIORITY_CYCLE = ['low', 'medium', 'high', 'critical', undefined];

    before(async () => {
      const api = (await makeToken(server, user)).api;
      bulkBoard = (await api.post('/xapi2/data/board', { body: { name: 'Bulk', columns: 'Todo, Done' } })).body;
      for (let i = 0; i < 230; i++) {
        const priority = PRIORITY_CYCLE[i % PRIORITY_CYCLE.length];
        const res = await api.post('/xapi2/data/card', {
          body: { title: `Bulk task ${i}`, board_id: bulkBoard.id, ...(priority ? { priority } : {}), ...(i % 7 === 0 ? { due_date: '2026-01-0' + ((i % 9) + 1) } : {}) },
        });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        created.push(res.body.id);
      }
    });

    const expectEveryCardOnce = (result: any, pages: number) => {
      const got = ids(result.data);
      assert.equal(new Set(got).size, got.length, `no card twice (got ${got.length} rows, ${new Set(got).size} distinct)`);
      assert.deepEqual([...got].sort(), [...created].sort(), 'every card exactly once');
      assert.equal(result.meta.count, 230);
      assert.equal(result.meta.has_more, false);
      assert.equal(result.meta.pages, pages);
    };

    test('in the default order (position), 50 to a page', async () => {
      const result = await host.ok('card_list', { filter: { board_id: bulkBoard.id }, all: true });
      expectEveryCardOnce(result, 5);
      assert.deepEqual(ids(result.data), created, 'in position order, as created');
    });

    test('with the largest page (limit 200)', async () => {
      const result = await host.ok('card_list', { filter: { board_id: bulkBoard.id }, all: true, limit: 200 });
      expectEveryCardOnce(result, 2);
      assert.deepEqual(ids(result.data), created);
    });

    test('with pages that divide the list exactly: has_more is false on the last full page', async () => {
      for (const [limit, pages] of [[46, 5], [115, 2]]) {
        const result = await host.ok('card_list', { filter: { board_id: bulkBoard.id }, all: true, limit });
        expectEveryCardOnce(result, pages);
      }
    });

    test('sorted by priority both ways, with many ties and missing values', async () => {
      for (const sort of ['data__priority', '-data__priority']) {
        const result = await host.ok('card_list', { filter: { board_id: bulkBoard.id }, all: true, sort, limit: 30 });
        expectEveryCardOnce(result, 8);
        const rank = (c: any) => (c.data.priority === undefined ? -1 : ['low', 'medium', 'high', 'critical'].indexOf(c.data.priority));
        const ranks = result.data.map(rank);
        const expected = [...ranks].sort((a, b) => (sort.startsWith('-') ? b - a : a - b));
        assert.deepEqual(ranks, expected, `${sort}: in priority order`);
      }
    });

    test('sorted by due date (mostly missing), creation time (ties within a millisecond), column (all tied) and more', async () => {
      for (const sort of ['data__due_date', '-data__due_date', 'created_at', '-created_at', 'data__status', '-data__status', '-data__position', 'updated_at']) {
        const result = await host.ok('card_list', { filter: { board_id: bulkBoard.id }, all: true, sort, limit: 40 });
        expectEveryCardOnce(result, 6);
        if (sort === 'created_at') assert.deepEqual(ids(result.data), created, 'created_at, then id');
        if (sort === '-created_at') assert.deepEqual(ids(result.data), [...created].reverse(), '-created_at, then id descending');
      }
    });

    test('ranked by a search', async () => {
      const result = await host.ok('card_list', { q: 'bulk task', all: true });
      expectEveryCardOnce(result, 5);
      assert.deepEqual(ids(result.data), created, 'every title ranks the same, so the tie-break by id decides');
    });
  });

  test('card_get returns one card', async () => {
    const card = await host.ok('card_get', { id: cards.spec.id });
    assert.deepEqual(card, cards.spec);
  });

  test('card_update changes only what it names; a status given as a column name moves the card', async () => {
    const updated = await host.ok('card_update', { id: cards.spec.id, title: 'Write the full spec', status: 'In progress' });
    assert.equal(updated.id, cards.spec.id);
    assert.equal(updated.version, 2);
    assert.equal(updated.data.title, 'Write the full spec');
    assert.equal(updated.data.status, 'in_progress');
    assert.equal(updated.data.priority, 'high');
    assert.deepEqual(updated.data.tags, ['docs']);
    assert.equal(updated.data.assignee, 'ada');
    assert.ok(updated.data.position > cards.review.data.position, 'a moved card goes to the end of its new column');
    assert.deepEqual(await host.ok('card_get', { id: cards.spec.id }), updated);

    const column = await host.ok('card_list', { filter: { board_id: board.id, data__status: 'in_progress' } });
    assert.deepEqual(titles(column.data), ['Review the API', 'Write the full spec']);

    const badColumn = await host.fails('card_update', { id: cards.spec.id, status: 'Blocked' });
    assert.equal(badColumn.http_status, 400);
    assert.match(badColumn.error, /backlog.*in_progress.*done/);
  });

  test('is_archived is settable and filterable with the Python booleans the client sends', async () => {
    const archived = await host.ok('card_update', { id: cards.plain.id, is_archived: true });
    assert.equal(archived.is_archived, true);
    const live = await host.ok('card_list', { filter: { board_id: board.id } });
    assert.equal(ids(live.data).includes(cards.plain.id), false, 'archived cards are left out by default');
    const onlyArchived = await host.ok('card_list', { filter: { board_id: board.id, is_archived: true } });
    assert.deepEqual(ids(onlyArchived.data), [cards.plain.id]);
    const notArchived = await host.ok('card_list', { filter: { board_id: board.id, is_archived: false } });
    assert.equal(notArchived.data.length, 5);
  });

  test('card_delete removes the card; card_get then reports 404', async () => {
    const deleted = await host.ok('card_delete', { id: cards.landing.id });
    assert.equal(deleted.ok, true);
    assert.equal(deleted.id, cards.landing.id);
    const gone = await host.fails('card_get', { id: cards.landing.id });
    assert.equal(gone.http_status, 404);
    assert.match(gone.error, new RegExp(`card ${cards.landing.id} was not found`));
    const search = await host.ok('card_list', { q: 'landing' });
    assert.deepEqual(search.data, []);
    const again = await host.fails('card_delete', { id: cards.landing.id });
    assert.equal(again.http_status, 404);
    const notAnId = await host.fails('card_get', { id: 'not-an-id' });
    assert.equal(notAnId.http_status, 400);
  });

  test('a validation failure comes back as a tool error with the server\'s message and 400, and writes nothing', async () => {
    const before = await host.ok('card_list', { filter: { board_id: board.id } });
    const args = { title: 'Urgent thing', board_id: board.id, priority: 'urgent' };
    const failed = await host.fails('card_create', args);
    assert.equal(failed.http_status, 400);
    const direct = await request(server, 'POST', '/xapi2/data/card', { token, body: args });
    assert.equal(direct.status, 400);
    assert.equal(failed.error, direct.body.i18n.en, 'the client shows the server\'s own message');
    assert.match(failed.error, /priority must be one of: low, medium, high or critical/);

    const missing = await host.fails('card_create', { description: 'no title' });
    assert.equal(missing.http_status, 400);
    assert.match(missing.error, /title is required/);

    const after = await host.ok('card_list', { filter: { board_id: board.id } });
    assert.deepEqual(ids(after.data), ids(before.data));
  });

  test('a token with card:read only can list but not create: 403 naming the scope it needs', async () => {
    const readOnly = await makeToken(server, user, 'card:read');
    const readHome = freshHome();
    homes.push(readHome);
    const reader = McpHost.start(clientEnv(readHome, server, { PRODMCP_TOKEN: readOnly.token }));
    spawned.push(reader);
    await reader.initialize();
    const me = await reader.ok('whoami');
    assert.deepEqual(me.scopes, { board: 'none', card: 'read' });
    const listed = await reader.ok('card_list', { filter: { board_id: board.id } });
    assert.equal(listed.data.length, 4, "the live, unarchived cards of the board");
    const denied = await reader.fails('card_create', { title: 'Not allowed', board_id: board.id });
    assert.equal(denied.http_status, 403);
    assert.match(denied.error, /card:write/);
    const boards = await reader.fails('board_list');
    assert.equal(boards.http_status, 403);
    assert.match(boards.error, /board:read/);
    assert.equal((await request(server, 'GET', '/xapi2/data/card', { token, query: { q: 'allowed' } })).body.data.length, 0);
    assert.equal(await reader.close(), 0);
    assert.deepEqual(reader.garbage, []);
  });

  test('board_update takes columns as a string and refuses to drop a busy column; board_delete takes its cards along', async () => {
    const temp = await host.ok('board_create', { name: 'Temporary', columns: 'A, B' });
    const card = await host.ok('card_create', { title: 'Held in B', board_id: temp.id, status: 'b' });
    const busy = await host.fails('board_update', { id: temp.id, columns: 'A' });
    assert.equal(busy.http_status, 409);
    assert.match(busy.error, /b still hold 1 card/);
    const grown = await host.ok('board_update', { id: temp.id, columns: 'A, B, C', description: 'three columns now' });
    assert.deepEqual(grown.data.columns.map((c: { key: string }) => c.key), ['a', 'b', 'c']);
    assert.equal(grown.data.name, 'Temporary');
    assert.equal(grown.version, 2);
    const deleted = await host.ok('board_delete', { id: temp.id });
    assert.equal(deleted.ok, true);
    assert.equal(deleted.trashed_with_it, 1);
    assert.equal((await host.fails('card_get', { id: card.id })).http_status, 404);
    assert.equal((await host.fails('board_get', { id: temp.id })).http_status, 404);
  });

  test('the server recorded the client\'s telemetry, one event per action, without secrets', async () => {
    assert.equal(await host.close(), 0, `the client exits cleanly when stdin closes; stderr: ${host.stderr()}`);
    assert.deepEqual(host.garbage, [], 'nothing but JSON-RPC on stdout');
    // Each process sends mcp.serve_start and mcp.serve_stop, and one event per successful tool call.
    const expected = spawned.reduce((n, h) => n + 2 + h.successfulToolCalls, 0);
    assert.equal(await server.store.countAnalytics(), expected);
    const rows = await server.query<{ type: string; device_id: string; payload: string }>('SELECT type, device_id, payload FROM analytics_events');
    const types = new Set(rows.map((r) => r.type));
    for (const type of ['mcp.serve_start', 'mcp.whoami', 'mcp.crud', 'mcp.serve_stop']) assert.ok(types.has(type), `${type} recorded`);
    const device = JSON.parse(readFileSync(join(home, '.prodmcp', 'device.json'), 'utf8')).device_id;
    assert.ok(rows.some((r) => r.device_id === device), 'events carry the client\'s device id');
    const listAll = rows.filter((r) => r.type === 'mcp.crud' && JSON.parse(r.payload).event.meta.op === 'list_all');
    assert.ok(listAll.length > 0, 'the list_all event is recorded with its meta');
    for (const r of rows) assert.equal(r.payload.includes(token.slice(4)), false, 'no token in telemetry');
  });
});

describe('the reference client with its token in ~/.prodmcp/credentials.json', () => {
  let server: TestServer;
  let user: Awaited<ReturnType<typeof signUp>>;
  let token: string;
  let home: string;
  let env: NodeJS.ProcessEnv;
  let host: McpHost | undefined;

  before(async () => {
    server = await startServer();
    user = await signUp(server);
    ({ token } = await makeToken(server, user, 'board:write,card:write'));
    home = freshHome();
    env = clientEnv(home, server);
    assert.equal(env.PRODMCP_TOKEN, undefined);
  });
  after(async () => {
    host?.kill();
    rmSync(home, { recursive: true, force: true });
    await server.close();
  });

  const credsPath = () => join(home, '.prodmcp', 'credentials.json');

  test('login --token with a bad token fails and saves nothing', async () => {
    const res = await runCli(['login', '--token', 'pat_not-a-real-token'], env);
    assert.equal(res.code, 1, res.stderr);
    assert.match(res.stderr, /login failed: this token is not valid/);
    assert.equal(existsSync(credsPath()), false);
  });

  test('login --token validates the token and stores it privately', async () => {
    const res = await runCli(['login', '--token', token], env);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stderr, new RegExp(`signed in as ${user.email.replace(/[.+]/g, '\\$&')}`));
    const creds = JSON.parse(readFileSync(credsPath(), 'utf8'));
    assert.equal(creds.token, token);
    assert.equal(creds.kind, 'pat');
    assert.equal(creds.user_id, user.user.id);
    assert.equal(creds.email, user.email);
    assert.equal(statSync(credsPath()).mode & 0o777, 0o600);
    assert.equal(statSync(join(home, '.prodmcp')).mode & 0o777, 0o700);
  });

  test('the whoami and doctor verbs exit 0 with the stored token', async () => {
    const whoami = await runCli(['whoami'], env);
    assert.equal(whoami.code, 0, whoami.stderr);
    const me = JSON.parse(whoami.stdout);
    assert.equal(me.email, user.email);
    assert.equal(me.workspace.id, user.workspace.id);

    const doctor = await runCli(['doctor'], env);
    assert.equal(doctor.code, 0, doctor.stdout + doctor.stderr);
    assert.match(doctor.stdout, /token: set \(file\)/);
    assert.match(doctor.stdout, /upstream: ok/);
    assert.ok(doctor.stdout.includes(`identity: ${user.email}`), doctor.stdout);
    assert.match(doctor.stdout, /tools: 11/);
  });

  test('serve uses the stored token', async () => {
    host = McpHost.start(env);
    const init = await host.initialize();
    assert.equal(init.serverInfo.name, 'prodmcp');
    const me = await host.ok('whoami');
    assert.equal(me.email, user.email);
    assert.equal(me.auth, 'pat');
    const board = await host.ok('board_create', { name: 'From the file', columns: 'One, Two' });
    const card = await host.ok('card_create', { title: 'Stored token works', board_id: board.id, status: 'Two' });
    assert.equal(card.data.status, 'two');
    assert.equal(await host.close(), 0);
    assert.equal(await server.store.countAnalytics(), 2 + host.successfulToolCalls);
  });

  test('with PRODMCP_NO_TELEMETRY=1 the client sends no analytics headers or events and still works', async () => {
    const before = await server.store.countAnalytics();
    const quiet = McpHost.start({ ...env, PRODMCP_NO_TELEMETRY: '1' });
    try {
      await quiet.initialize();
      const me = await quiet.ok('whoami');
      assert.equal(me.email, user.email);
      const listed = await quiet.ok('card_list', { q: 'stored token' });
      assert.deepEqual(titles(listed.data), ['Stored token works']);
      assert.equal(await quiet.close(), 0);
    } finally {
      quiet.kill();
    }
    assert.equal(await server.store.countAnalytics(), before);
  });

  test('logout removes the token; whoami then says not signed in', async () => {
    const logout = await runCli(['logout'], env);
    assert.equal(logout.code, 0, logout.stderr);
    assert.equal(existsSync(credsPath()), false);
    const whoami = await runCli(['whoami'], env);
    assert.equal(whoami.code, 3);
    assert.match(whoami.stderr, /not signed in/);
  });
});

describe('the reference client with a sliding session token', () => {
  let server: TestServer;
  let user: Awaited<ReturnType<typeof signUp>>;
  let home: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    // Every request renews the session, so every call of the client sees x-auth-refresh-token.
    server = await startServer({ sessionRefreshMs: 0 });
    user = await signUp(server);
    home = freshHome();
    env = clientEnv(home, server);
  });
  after(async () => {
    rmSync(home, { recursive: true, force: true });
    await server.close();
  });

  test('the client stores each renewed session token and keeps working with it', async () => {
    const credsPath = join(home, '.prodmcp', 'credentials.json');
    const login = await runCli(['login', '--token', user.session], env);
    assert.equal(login.code, 0, login.stderr);
    assert.equal(JSON.parse(readFileSync(credsPath, 'utf8')).kind, 'session');

    let previous = JSON.parse(readFileSync(credsPath, 'utf8')).token as string;
    for (let round = 0; round < 3; round++) {
      const whoami = await runCli(['whoami'], env);
      assert.equal(whoami.code, 0, `round ${round}: ${whoami.stderr}`);
      assert.equal(JSON.parse(whoami.stdout).email, user.email);
      const stored = JSON.parse(readFileSync(credsPath, 'utf8')).token as string;
      assert.match(stored, /^ses_/);
      assert.notEqual(stored, previous, `round ${round}: the renewed token was stored`);
      previous = stored;
    }
    const me = await request(server, 'GET', '/xapi2/auth/me', { token: previous });
    assert.equal(me.status, 200);
    assert.equal(me.body.auth, 'session');
  });
});
