/**
 * The assistant task benchmark (issue 12, "Measure it"): the tasks an assistant is asked to do on a
 * 200-card board, run through the official MCP SDK client over stdio against (a) our prodmcp and
 * (b) the reference client (python3 prodmcp-reference.py), each on a fresh copy of one seed served by
 * a real `prodboard serve`. Counted per task: tool calls, bytes of the tool results' text (what a
 * host hands the model; the whole result's compact JSON is kept too), and whether every change is
 * visible afterwards (checked through the HTTP API, not through the client). tools/list is counted
 * in compact JSON.
 *
 * The tasks (each starts from what an assistant is told: the board's name, "Web"):
 *   overview   columns with their counts and the 5 most urgent cards
 *   move       move the 30 `bug` cards in Review to Done
 *   create     create 20 cards
 *   changes    what changed since a time (15 changes made after it through the API, 2 of them deletions)
 *   comment    find the card about a login timeout and add a comment (the reference client has no
 *              comment tool: it runs the search, and its bytes are the 40 % target's yardstick)
 *
 * Our side uses the task tools of issue 12 (board_overview, card_update_many, card_create_many,
 * activity_list, comment_add, card_list). A tool that is not in tools/list makes its task report
 * "tool missing" instead of failing the bench. Targets: ≤ 2 calls per task, ≤ 10 % of the reference
 * client's bytes (the comment task: 40 %), every change visible.
 *
 * Standalone: `npm run build && node --import tsx bench/tasks.ts`; or call runTaskBench().
 * Environment: BENCH_TASK_SCALE=tiny (a 14-card board, as the smoke test runs it),
 * BENCH_REFERENCE (the reference client's file; default ../shared/reference/prodmcp-reference.py).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { PRODBOARD, prodboardCli, spawnServer, type Server } from './load.js';
import { prng } from '../packages/web/test/seed-board.js';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
export const PRODMCP = join(ROOT, 'packages', 'prodmcp', 'dist', 'prodmcp.mjs');
/**
 * The reference client: BENCH_REFERENCE, else shared/reference/ beside the checkout (or beside its
 * worktree folder), else the workplace's copy the server's reference-client test uses (a clean
 * clone elsewhere, as CI makes, has no shared folder beside it).
 */
const REFERENCE_CANDIDATES = [
  process.env.BENCH_REFERENCE,
  join(ROOT, '..', 'shared', 'reference', 'prodmcp-reference.py'),
  join(ROOT, '..', '..', 'shared', 'reference', 'prodmcp-reference.py'),
  '/work/shared/reference/prodmcp-reference.py',
].filter((p): p is string => Boolean(p));

/** The size of the seed and of each task. */
export interface TaskScale {
  cards: number;
  /** `bug` cards in Review (the move task moves them all to Done). */
  bugs: number;
  /** Cards the create task creates. */
  creates: number;
  /** Changes made after the "since" time, of which `deletions` are deletions. */
  changes: number;
  deletions: number;
}
/** The board of issue 12. */
export const FULL_SCALE: TaskScale = { cards: 200, bugs: 30, creates: 20, changes: 15, deletions: 2 };
/** A tiny board for the smoke test. */
export const TINY_SCALE: TaskScale = { cards: 14, bugs: 3, creates: 2, changes: 4, deletions: 1 };

export const TASKS = ['overview', 'move', 'create', 'changes', 'comment'] as const;
export type TaskName = (typeof TASKS)[number];
export const TASK_TITLES: Record<TaskName, string> = {
  overview: 'overview: columns with counts + 5 most urgent',
  move: 'move the bug cards in Review to Done',
  create: 'create cards',
  changes: 'what changed since a time',
  comment: 'find the login-timeout card, add a comment',
};
/** Share of the reference client's bytes each task may use (issue 12). */
export const BYTE_TARGETS: Record<TaskName, number> = { overview: 0.1, move: 0.1, create: 0.1, changes: 0.1, comment: 0.4 };
export const CALL_TARGET = 2;

export type Side = 'ours' | 'reference';

/** One task on one side. */
export interface TaskResult {
  task: TaskName;
  status: 'done' | 'tool missing' | 'failed';
  /** tools/call requests made. */
  calls: number;
  /** UTF-8 bytes of the results' text content. */
  bytes: number;
  /** UTF-8 bytes of the results' compact JSON (content and structuredContent). */
  wireBytes: number;
  /** "30 of 30 moved", "13 of 15 visible", ... */
  check?: string;
  /** Every change the task made (or had to find) is visible. */
  complete?: boolean;
  note?: string;
}

export interface SideResult {
  side: Side;
  /** What ran: "node prodmcp.mjs", "python3 prodmcp-reference.py". */
  command: string;
  tools: number;
  toolsListBytes: number;
  tasks: TaskResult[];
}

export interface TaskBenchResult {
  node: string;
  loadAverage: number[];
  scale: TaskScale;
  seedSeconds: number;
  sides: SideResult[];
  /** Why the reference side did not run, when it did not. */
  referenceSkipped?: string;
}

/** Thrown inside a task when a tool it needs is not offered. */
class ToolMissing extends Error {}

// ── The seed ────────────────────────────────────────────────────────────────────────────────────

const COLUMNS = [
  { key: 'backlog', name: 'Backlog' },
  { key: 'todo', name: 'To do', wip_limit: 40 },
  { key: 'doing', name: 'In progress', wip_limit: 8 },
  { key: 'review', name: 'Review', wip_limit: 50 },
  { key: 'done', name: 'Done' },
];
const PRIORITIES = ['low', 'medium', 'high', 'critical'] as const;
const PEOPLE = ['ada', 'grace', 'linus', 'barbara', 'ken', 'margaret'];
const TAGS = ['feature', 'ui', 'api', 'infra', 'docs', 'security', 'perf', 'customer'];
/** Filler words; neither "login" nor "timeout" (one card alone is about a login timeout). */
const WORDS = ('deploy review migrate refactor billing invoice export search cache queue retry webhook onboarding dashboard ' +
  'report mobile layout drag drop column token scope audit upload avatar email notification locale filter sort archive').split(' ');
const LOGIN_TITLE = 'Login timeout on the SSO page after 30 seconds';
const COMMENT = 'Reproduced on staging: the SSO callback waits on a 30 s upstream timeout. Raising it and adding a retry.';


/** What the seed holds, as the tasks and their checks need it. */
interface SeedInfo {
  token: string;
  boardId: string;
  boardKey: string | null;
  bugIds: string[];
  login: { id: string; key: string | null };
}

interface Api {
  (method: string, path: string, body?: unknown): Promise<any>;
}

function api(url: string, token: string): Api {
  return async (method, path, body) => {
    const res = await fetch(new URL(path, url), {
      method,
      headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : undefined;
  };
}

/** Seeds the board through the API of a server on `dbPath`. */
async function seedBoard(dbPath: string, scale: TaskScale): Promise<SeedInfo> {
  if (scale.cards - scale.bugs - 1 < scale.changes) throw new Error(`a board of ${scale.cards} cards cannot hold ${scale.bugs} bugs, the login card and ${scale.changes} cards to change`);
  prodboardCli(['user', 'create', '--email', 'tasks@example.com', '--password', 'tasks passphrase 1', '--role', 'owner', '--workspace', 'tasks'], dbPath);
  const token = prodboardCli(['token', 'create', '--email', 'tasks@example.com', '--name', 'tasks'], dbPath).split('\n').pop()!.trim();
  const server = await startProdboard(dbPath);
  try {
    const call = api(server.url, token);
    const board = await call('POST', '/xapi2/data/board', { name: 'Web', description: 'The web app', columns: COLUMNS, tags: ['web'] });
    const rand = prng(0x7a5c);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
    const day = 86_400_000;
    const today = Date.now();
    const bugIds: string[] = [];
    let login: SeedInfo['login'] | undefined;
    for (let i = 0; i < scale.cards; i++) {
      const card: Record<string, unknown> = { board_id: board.id, priority: pick(PRIORITIES) };
      if (rand() < 0.7) card.assignee = pick(PEOPLE);
      // Due dates from two weeks ago to two months ahead; a third of the cards have none.
      if (rand() < 0.66) card.due_date = new Date(today + Math.floor(rand() * 75 - 14) * day).toISOString().slice(0, 10);
      const words = Array.from({ length: 3 + Math.floor(rand() * 4) }, () => pick(WORDS)).join(' ');
      card.description = Array.from({ length: 8 + Math.floor(rand() * 20) }, () => pick(WORDS)).join(' ');
      if (i < scale.bugs) {
        Object.assign(card, { title: `Bug: ${words}`, status: 'review', tags: ['bug', pick(TAGS)] });
      } else if (i === scale.bugs) {
        Object.assign(card, { title: LOGIN_TITLE, status: 'doing', priority: 'high', tags: ['customer', 'security'], description: 'Users on the SSO page see a timeout at login after 30 seconds.' });
      } else {
        // The rest over every column; some are bugs elsewhere and some in Review are not bugs, so the
        // move task has to filter on both.
        const j = i - scale.bugs - 1;
        const column = COLUMNS[j % COLUMNS.length].key;
        const tags = [...new Set([pick(TAGS), ...(j % 7 === 3 && column !== 'review' ? ['bug'] : [])])];
        Object.assign(card, { title: `${words[0].toUpperCase()}${words.slice(1)} #${j}`, status: column, tags });
      }
      const created = await call('POST', '/xapi2/data/card', card);
      if (i < scale.bugs) bugIds.push(created.id);
      if (i === scale.bugs) login = { id: created.id, key: created.key ?? null };
    }
    return { token, boardId: board.id, boardKey: board.key ?? null, bugIds, login: login! };
  } finally {
    await server.stop();
  }
}

function startProdboard(dbPath: string): Promise<Server> {
  return spawnServer('prodboard (tasks)', [PRODBOARD, 'serve', '--host', '127.0.0.1', '--port', '0', '--db', dbPath], /running at (http:\/\/\S+)/, {});
}

function copyDb(from: string, to: string) {
  for (const suffix of ['', '-wal', '-shm']) if (existsSync(from + suffix)) copyFileSync(from + suffix, to + suffix);
}

// ── The MCP clients ─────────────────────────────────────────────────────────────────────────────

/** A connected client that counts tool calls and the bytes of their results. */
class CountingClient {
  calls = 0;
  bytes = 0;
  wireBytes = 0;
  /** The text of every result of the current task, for the visibility checks. */
  texts: string[] = [];
  constructor(
    readonly client: Client,
    readonly toolNames: Set<string>,
  ) {}

  reset() {
    this.calls = 0;
    this.bytes = 0;
    this.wireBytes = 0;
    this.texts = [];
  }

  /** Throws ToolMissing before any call when one of `names` is not offered. */
  need(...names: string[]) {
    const missing = names.filter((n) => !this.toolNames.has(n));
    if (missing.length > 0) throw new ToolMissing(missing.join(', '));
  }

  /** Calls a tool; its text and its structuredContent. An isError result throws with its text. */
  async call(name: string, args: Record<string, unknown>): Promise<{ text: string; structured: any }> {
    this.need(name);
    this.calls += 1;
    const result = (await this.client.callTool({ name, arguments: args })) as { content?: Array<{ type: string; text?: string }>; structuredContent?: unknown; isError?: boolean };
    const text = (result.content ?? []).map((c) => (c.type === 'text' ? (c.text ?? '') : '')).join('\n');
    this.bytes += Buffer.byteLength(text);
    this.wireBytes += Buffer.byteLength(JSON.stringify(result));
    this.texts.push(text);
    if (result.isError) throw new Error(`${name} answered isError: ${text.slice(0, 400)}`);
    return { text, structured: result.structuredContent };
  }
}

async function connect(side: Side, baseUrl: string, token: string, home: string): Promise<{ client: Client; command: string }> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !key.startsWith('PRODMCP_') && key !== 'DO_NOT_TRACK') env[key] = value;
  Object.assign(env, { HOME: home, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost', PRODMCP_BASE_URL: baseUrl, PRODMCP_TOKEN: token, PRODMCP_NO_AUTOUPDATE: '1' });
  const [command, args, label] = side === 'ours'
    ? [process.execPath, [PRODMCP], 'node prodmcp.mjs']
    : ['python3', [referencePath()], 'python3 prodmcp-reference.py'];
  const transport = new StdioClientTransport({ command, args, env, stderr: 'ignore' });
  const client = new Client({ name: 'task-bench', version: '1' });
  await client.connect(transport);
  return { client, command: label };
}

/** Where the reference client is (the first candidate that exists). */
export function referencePath(): string {
  return REFERENCE_CANDIDATES.find((p) => existsSync(p)) ?? REFERENCE_CANDIDATES[0];
}

/** Why the reference client cannot run here, or undefined when it can. */
export function referenceUnavailable(): string | undefined {
  if (!existsSync(referencePath())) return `${referencePath()} is missing`;
  const python = spawnSync('python3', ['--version'], { encoding: 'utf8' });
  if (python.status !== 0) return 'python3 is not installed';
  return undefined;
}

// ── The tasks ───────────────────────────────────────────────────────────────────────────────────

/** What a task gets: the client, the API (for setting up and for checks, never counted) and the seed. */
interface TaskContext {
  mcp: CountingClient;
  api: Api;
  seed: SeedInfo;
  scale: TaskScale;
  side: Side;
}
type TaskRun = (ctx: TaskContext) => Promise<{ check: string; complete: boolean; note?: string }>;

/** The reference client's board lookup: boards are found by listing them (it takes ids only). */
async function referenceBoard(mcp: CountingClient): Promise<{ id: string; columns: Array<{ key: string; name: string; wip_limit?: number }> }> {
  const { structured } = await mcp.call('board_list', { filter: { name: 'Web' } });
  const board = structured?.data?.find((b: any) => b.data?.name === 'Web');
  if (!board) throw new Error('board_list did not find the board Web');
  return { id: board.id, columns: board.data.columns };
}

/**
 * A board's cards through the reference client's card_list, page by page (200, its most), until the
 * last page or until `enough` says the rows so far answer the question.
 */
async function referenceCards(mcp: CountingClient, boardId: string, extra: Record<string, unknown> = {}, enough?: (rows: any[]) => boolean): Promise<any[]> {
  const rows: any[] = [];
  for (let offset = 0; ; ) {
    const { structured } = await mcp.call('card_list', { filter: { board_id: boardId }, limit: 200, ...extra, ...(offset ? { offset } : {}) });
    const page = structured?.data ?? [];
    rows.push(...page);
    offset += page.length;
    if (!structured?.meta?.has_more || page.length === 0 || enough?.(rows)) return rows;
  }
}

const RANK: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3 };

/** Whether `text` names the card: its id, or its key as a whole word. */
function mentions(text: string, card: { id: string; key?: string | null; title?: string }): boolean {
  if (text.includes(card.id)) return true;
  if (card.key && new RegExp(`(^|[^A-Za-z0-9-])${card.key}(?![0-9])`).test(text)) return true;
  return false;
}

/** The board's cards as the API lists them (for checks). */
async function allCards(call: Api, boardId: string): Promise<any[]> {
  const rows: any[] = [];
  for (let after: string | undefined; ; ) {
    const page = await call('GET', `/xapi2/data/card?data__board_id=${boardId}&limit=200${after ? `&after=${after}` : ''}`);
    rows.push(...page.data);
    if (!page.meta.has_more) return rows;
    after = page.meta.next_cursor;
  }
}

const TASK_RUNS: Record<TaskName, Record<Side, TaskRun>> = {
  overview: {
    ours: async ({ mcp, api: call, seed }) => {
      const { text } = await mcp.call('board_overview', { board: 'Web' });
      return overviewCheck(text, await allCards(call, seed.boardId));
    },
    reference: async ({ mcp, api: call, seed }) => {
      const board = await referenceBoard(mcp);
      const cards = await referenceCards(mcp, board.id);
      // What the assistant makes of it: counts per column and the 5 most urgent (priority, then due date).
      const urgent = [...cards].filter((c) => c.data.status !== 'done').sort((a, b) => RANK[a.data.priority] - RANK[b.data.priority] || String(a.data.due_date ?? '9').localeCompare(String(b.data.due_date ?? '9'))).slice(0, 5);
      const summary = board.columns.map((c) => `${c.name}: ${cards.filter((x) => x.data.status === c.key).length}`).join(', ') + `; urgent: ${urgent.map((c) => c.data.title).join('; ')}`;
      return overviewCheck(summary, await allCards(call, seed.boardId));
    },
  },
  move: {
    ours: async ({ mcp, api: call, seed }) => {
      mcp.need('card_update_many');
      const before = await allCards(call, seed.boardId);
      await mcp.call('card_update_many', { board: 'Web', filter: { column: 'Review', tag: 'bug' }, set: { column: 'Done' } });
      return moveCheck(call, seed, before);
    },
    reference: async ({ mcp, api: call, seed }) => {
      const before = await allCards(call, seed.boardId);
      const board = await referenceBoard(mcp);
      const review = board.columns.find((c) => c.name === 'Review')!.key;
      const done = board.columns.find((c) => c.name === 'Done')!.key;
      // Its `status` filter is the record's status (active, ...); the column is data__status.
      const bugs = await referenceCards(mcp, board.id, { filter: { board_id: board.id, data__status: review, tags: 'bug' } });
      for (const card of bugs) await mcp.call('card_update', { id: card.id, status: done });
      return moveCheck(call, seed, before);
    },
  },
  create: {
    ours: async ({ mcp, api: call, seed, scale }) => {
      mcp.need('card_create_many');
      // Issue 12's tools name the column `column` (a key or a name).
      const cards = newCards(scale, 'ours').map(({ status, ...card }) => ({ ...card, column: status === 'todo' ? 'To do' : status }));
      await mcp.call('card_create_many', { board: 'Web', cards });
      return createCheck(call, seed, scale, 'ours');
    },
    reference: async ({ mcp, api: call, seed, scale }) => {
      const board = await referenceBoard(mcp);
      for (const card of newCards(scale, 'reference')) await mcp.call('card_create', { ...card, board_id: board.id });
      return createCheck(call, seed, scale, 'reference');
    },
  },
  changes: {
    ours: async (ctx) => {
      ctx.mcp.need('activity_list');
      const { since, changed } = await makeChanges(ctx);
      await ctx.mcp.call('activity_list', { board: 'Web', since });
      const seen = changed.filter((c) => ctx.mcp.texts.some((t) => mentions(t, c)));
      return { check: `${seen.length} of ${changed.length} changes visible`, complete: seen.length === changed.length };
    },
    reference: async (ctx) => {
      const { since, changed } = await makeChanges(ctx);
      const board = await referenceBoard(ctx.mcp);
      // The newest first, reading on only while every row is newer than the time; the assistant keeps
      // what was updated after it. Deleted cards are not listed.
      const rows = await referenceCards(ctx.mcp, board.id, { sort: '-updated_at' }, (got) => got[got.length - 1].updated_at <= since);
      const recent = new Set(rows.filter((r) => r.updated_at > since).map((r) => r.id));
      const seen = changed.filter((c) => recent.has(c.id));
      return { check: `${seen.length} of ${changed.length} changes visible`, complete: seen.length === changed.length };
    },
  },
  comment: {
    ours: async ({ mcp, api: call, seed }) => {
      mcp.need('card_list', 'comment_add');
      const { text } = await mcp.call('card_list', { q: 'login timeout' });
      if (!mentions(text, seed.login)) throw new Error(`card_list {q: "login timeout"} did not name the card ${seed.login.key ?? seed.login.id}`);
      await mcp.call('comment_add', { card: seed.login.key && text.includes(seed.login.key) ? seed.login.key : seed.login.id, body: COMMENT });
      const comments = await call('GET', `/xapi2/cards/${seed.login.id}/comments`);
      const found = (comments.data ?? []).some((c: any) => c.body === COMMENT);
      return { check: found ? 'found, comment added' : 'comment not on the card', complete: found };
    },
    reference: async ({ mcp, seed }) => {
      // No comment tool: the search alone, the part both can do.
      const { text } = await mcp.call('card_list', { q: 'login timeout' });
      const found = mentions(text, seed.login);
      return { check: found ? 'found (no comment tool)' : 'not found', complete: false, note: 'the reference client has no comment tool: search only' };
    },
  },
};

/** The overview is right when it names every column and gives its count. */
async function overviewCheck(text: string, cards: any[]) {
  // The column's name, then its count as a whole number within a short stretch (any format: prose, JSON, a table).
  const counted = COLUMNS.filter((c) => new RegExp(`${c.name}.{0,80}?(?<![0-9.])${cards.filter((x) => x.data.status === c.key).length}(?![0-9])`, 'is').test(text));
  return { check: `${counted.length} of ${COLUMNS.length} column counts shown`, complete: counted.length === COLUMNS.length };
}

/** All the bugs in Done, and no other card moved (compared with the board before the task). */
async function moveCheck(call: Api, seed: SeedInfo, before: any[]) {
  const cards = await allCards(call, seed.boardId);
  const moved = seed.bugIds.filter((id) => cards.find((c) => c.id === id)?.data.status === 'done').length;
  const was = new Map(before.map((c) => [c.id, c.data.status]));
  const strays = cards.filter((c) => !seed.bugIds.includes(c.id) && was.get(c.id) !== c.data.status).length;
  return { check: `${moved} of ${seed.bugIds.length} moved${strays ? `, ${strays} other cards moved too` : ''}`, complete: moved === seed.bugIds.length && strays === 0 };
}

function newCards(scale: TaskScale, side: Side) {
  return Array.from({ length: scale.creates }, (_, i) => ({ title: `New ${side} card ${i + 1}: ${WORDS[i % WORDS.length]}`, status: 'todo', priority: PRIORITIES[i % 4], tags: ['planned'] }));
}

async function createCheck(call: Api, seed: SeedInfo, scale: TaskScale, side: Side) {
  const titles = new Set(newCards(scale, side).map((c) => c.title));
  const made = (await allCards(call, seed.boardId)).filter((c) => titles.has(c.data.title)).length;
  return { check: `${made} of ${scale.creates} created`, complete: made === scale.creates };
}

/**
 * Marks a time, then makes scale.changes changes through the API after it: updates, moves, a
 * created card, and scale.deletions deletions. Returns the time and the changed cards.
 */
async function makeChanges({ api: call, seed, scale }: TaskContext): Promise<{ since: string; changed: Array<{ id: string; key: string | null }> }> {
  const cards = (await allCards(call, seed.boardId)).filter((c) => c.id !== seed.login.id && !seed.bugIds.includes(c.id));
  // The server stamps with its own clock at millisecond precision: wait for it to pass the mark.
  const since = new Date().toISOString();
  await waitPast(since);
  const changed: Array<{ id: string; key: string | null }> = [];
  const edits = scale.changes - scale.deletions - 1;
  for (let i = 0; i < edits; i++) {
    const card = cards[i];
    const set = i % 3 === 0 ? { priority: card.data.priority === 'critical' ? 'low' : 'critical' } : i % 3 === 1 ? { status: card.data.status === 'done' ? 'todo' : 'done' } : { title: `${card.data.title} (edited)` };
    await call('PATCH', `/xapi2/data/card/${card.id}`, set);
    changed.push({ id: card.id, key: card.key ?? null });
  }
  const created = await call('POST', '/xapi2/data/card', { board_id: seed.boardId, title: 'Added after the mark', status: 'todo' });
  changed.push({ id: created.id, key: created.key ?? null });
  for (let i = 0; i < scale.deletions; i++) {
    const card = cards[edits + i];
    await call('DELETE', `/xapi2/data/card/${card.id}`);
    changed.push({ id: card.id, key: card.key ?? null });
  }
  return { since, changed };
}

/** Resolves once the wall clock is past `iso` (a millisecond or so; not a timing assertion). */
export async function waitPast(iso: string) {
  while (new Date().toISOString() <= iso) await new Promise((resolve) => setImmediate(resolve));
}

// ── The run ─────────────────────────────────────────────────────────────────────────────────────

async function runSide(side: Side, seedDb: string, seed: SeedInfo, scale: TaskScale, dir: string, log: (line: string) => void): Promise<SideResult> {
  const db = join(dir, `${side}.db`);
  copyDb(seedDb, db);
  const home = join(dir, `home-${side}`);
  mkdirSync(home, { recursive: true });
  const server = await startProdboard(db);
  let client: Client | undefined;
  try {
    const call = api(server.url, seed.token);
    const connected = await connect(side, server.url, seed.token, home);
    client = connected.client;
    const { tools } = await client.listTools();
    const mcp = new CountingClient(client, new Set(tools.map((t) => t.name)));
    const result: SideResult = { side, command: connected.command, tools: tools.length, toolsListBytes: Buffer.byteLength(JSON.stringify(tools)), tasks: [] };
    for (const task of TASKS) {
      mcp.reset();
      let outcome: TaskResult;
      try {
        const r = await TASK_RUNS[task][side]({ mcp, api: call, seed, scale, side });
        outcome = { task, status: 'done', calls: mcp.calls, bytes: mcp.bytes, wireBytes: mcp.wireBytes, ...r };
      } catch (err) {
        outcome = err instanceof ToolMissing
          ? { task, status: 'tool missing', calls: mcp.calls, bytes: mcp.bytes, wireBytes: mcp.wireBytes, note: `not offered: ${err.message}` }
          : { task, status: 'failed', calls: mcp.calls, bytes: mcp.bytes, wireBytes: mcp.wireBytes, note: String((err as Error).message ?? err).slice(0, 500) };
      }
      log(`${side} ${task}: ${outcome.status}, ${outcome.calls} calls, ${outcome.bytes} bytes${outcome.check ? `, ${outcome.check}` : ''}${outcome.note ? ` (${outcome.note})` : ''}`);
      result.tasks.push(outcome);
    }
    return result;
  } finally {
    await client?.close();
    await server.stop();
  }
}

/** Seeds once, then runs every task on each side, each side on a fresh copy of the seed. */
export async function runTaskBench(options: { scale?: TaskScale; sides?: Side[]; log?: (line: string) => void } = {}): Promise<TaskBenchResult> {
  const scale = options.scale ?? (process.env.BENCH_TASK_SCALE === 'tiny' ? TINY_SCALE : FULL_SCALE);
  const log = options.log ?? (() => undefined);
  if (!existsSync(PRODMCP)) throw new Error(`${PRODMCP} is missing: run npm run build first`);
  const dir = mkdtempSync(join(tmpdir(), 'prodboard-tasks-'));
  try {
    const seedDb = join(dir, 'seed.db');
    const started = performance.now();
    const seed = await seedBoard(seedDb, scale);
    const seedSeconds = Number(((performance.now() - started) / 1000).toFixed(1));
    log(`seeded the board Web${seed.boardKey ? ` (${seed.boardKey})` : ''}: ${scale.cards} cards, ${scale.bugs} bugs in Review, in ${seedSeconds} s`);
    const unavailable = referenceUnavailable();
    const sides = (options.sides ?? ['ours', 'reference']).filter((s) => s === 'ours' || !unavailable);
    const result: TaskBenchResult = { node: process.version, loadAverage: loadavg(), scale, seedSeconds, sides: [], ...(unavailable ? { referenceSkipped: unavailable } : {}) };
    for (const side of sides) result.sides.push(await runSide(side, seedDb, seed, scale, dir, log));
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The figures side by side, with the targets. */
export function formatTaskBench(r: TaskBenchResult): string {
  const ours = r.sides.find((s) => s.side === 'ours');
  const ref = r.sides.find((s) => s.side === 'reference');
  const kb = (n: number) => n.toLocaleString('en');
  const lines = [`assistant tasks on a ${r.scale.cards}-card board through the MCP SDK client over stdio (node ${r.node}, load ${r.loadAverage.map((x) => x.toFixed(2)).join(' ')}); bytes: tool results' text`];
  if (r.referenceSkipped) lines.push(`  reference client not run: ${r.referenceSkipped}`);
  lines.push(`  tools/list (compact JSON): ours ${ours ? `${kb(ours.toolsListBytes)} bytes, ${ours.tools} tools` : 'n/a'}; reference ${ref ? `${kb(ref.toolsListBytes)} bytes, ${ref.tools} tools` : 'n/a'}` +
    (ours && ref ? `   target ≤ reference: ${ours.toolsListBytes <= ref.toolsListBytes ? 'met' : 'MISSED'}` : ''));
  const head = `  ${'task'.padEnd(46)}${'ours calls'.padStart(11)}${'bytes'.padStart(10)}${'ref calls'.padStart(11)}${'bytes'.padStart(10)}${'÷ ref'.padStart(8)}   ours: check / reference: check`;
  lines.push(head);
  for (const task of TASKS) {
    const o = ours?.tasks.find((t) => t.task === task);
    const f = ref?.tasks.find((t) => t.task === task);
    const share = o?.status === 'done' && f?.status === 'done' && f.bytes > 0 ? o.bytes / f.bytes : undefined;
    const cell = (t: TaskResult | undefined) => (t ? (t.status === 'done' ? [String(t.calls), kb(t.bytes)] : [t.status === 'tool missing' ? 'missing' : 'FAILED', '']) : ['n/a', '']);
    const [oc, ob] = cell(o);
    const [fc, fb] = cell(f);
    lines.push(`  ${TASK_TITLES[task].padEnd(46)}${oc.padStart(11)}${ob.padStart(10)}${fc.padStart(11)}${fb.padStart(10)}${(share === undefined ? '' : `${(share * 100).toFixed(1)} %`).padStart(8)}   ${o?.check ?? o?.status ?? ''} / ${f?.check ?? f?.status ?? ''}`);
  }
  for (const task of TASKS) {
    const o = ours?.tasks.find((t) => t.task === task);
    const f = ref?.tasks.find((t) => t.task === task);
    if (!o) continue;
    if (o.status !== 'done') {
      lines.push(`  ${task}: ${o.status === 'tool missing' ? 'tool missing' : 'FAILED'} (${o.note}): targets not measured`);
      continue;
    }
    const share = f?.status === 'done' && f.bytes > 0 ? o.bytes / f.bytes : undefined;
    lines.push(`  ${task}: ${o.calls} calls, target ≤ ${CALL_TARGET}: ${o.calls <= CALL_TARGET ? 'met' : 'MISSED'}; ` +
      `bytes ${share === undefined ? 'n/a (no reference figure)' : `${(share * 100).toFixed(1)} % of the reference's, target ≤ ${BYTE_TARGETS[task] * 100} %: ${share <= BYTE_TARGETS[task] ? 'met' : 'MISSED'}`}; ` +
      `every change visible (${o.check}): ${o.complete ? 'met' : 'MISSED'}`);
  }
  const notes = r.sides.flatMap((s) => s.tasks.filter((t) => t.note && t.status !== 'tool missing').map((t) => `  note (${s.side} ${t.task}): ${t.note}`));
  return [...lines, ...notes].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const result = await runTaskBench({ log: (line) => console.log(`  ${line}`) });
  console.log(formatTaskBench(result));
  const out = join(ROOT, 'bench', 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'tasks.json'), `${JSON.stringify(result, null, 2)}\n`);
}
