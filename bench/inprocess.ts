/**
 * In-process measurements, without HTTP: the store's list and get calls timed directly (so SQL cost
 * can be told from HTTP cost), and EXPLAIN QUERY PLAN of the exact SQL the store prepares.
 */
import { createHash } from 'node:crypto';
import { modelOf, parseListQuery } from '@prodboard/shared';
import { openSqliteStore } from '../packages/server/dist/store/sqlite/sqlite-store.js';
import { authenticate } from '../packages/server/dist/http/authenticate.js';
import { credentialSql } from '../packages/server/dist/store/sql/rows.js';
import { configFromEnv } from '../packages/server/dist/config.js';
import type { ObjectListQuery } from '../packages/server/dist/store/types.js';
import type { SeedMeta } from './seed.js';

/** Latencies of one operation timed in a loop (milliseconds). */
export interface Timing {
  n: number;
  median_ms: number;
  p99_ms: number;
  mean_ms: number;
}

/** One query's plan and whether it is the plan we expect. */
export interface PlanCheck {
  name: string;
  sql: string;
  /** The parameters it ran with. */
  params?: unknown;
  plan: string[];
  ok: boolean;
  note: string;
}

/** The in-process measurements of one store. */
export interface InProcessResult {
  column_cards: number;
  plans: PlanCheck[];
  timings: Record<string, Timing>;
}

/** Times `n` calls of `fn` after `warmup` untimed ones. */
export async function time(n: number, warmup: number, fn: (i: number) => unknown): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await fn(i);
  const samples = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await fn(i);
    samples[i] = Number(process.hrtime.bigint() - t) / 1e6;
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (x: number) => Number(x.toFixed(3));
  return {
    n,
    median_ms: round(sorted[Math.floor(n / 2)]),
    p99_ms: round(sorted[Math.min(n - 1, Math.floor(n * 0.99))]),
    mean_ms: round(sorted.reduce((a, b) => a + b, 0) / n),
  };
}

/** The list query of the benchmark, parsed exactly as the route parses it. */
export function listQuery(meta: SeedMeta): ObjectListQuery {
  const q = parseListQuery('card', modelOf('card')!, {
    data__board_id: meta.list.boardId, data__status: meta.list.status, sort: 'data__position', limit: '50',
  });
  return { ...q, workspaceId: meta.workspaceId, type: 'card' };
}

/** The last SQL a store prepared-and-ran, with the exact arguments it was run with. */
interface Call {
  sql: string;
  args: unknown[];
}

/**
 * Makes `db` record every statement call (SQL text and arguments), so we EXPLAIN exactly what the
 * store runs, whatever SQL builder and parameter style it uses today.
 */
function recordCalls(db: { prepare: (sql: string) => unknown }): Call[] {
  const calls: Call[] = [];
  const prepare = db.prepare.bind(db);
  db.prepare = (sql: string) => {
    const stmt = prepare(sql) as object;
    return new Proxy(stmt, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target);
        if (typeof value !== 'function') return value;
        if (prop === 'all' || prop === 'get' || prop === 'run' || prop === 'iterate') {
          return (...args: unknown[]) => {
            calls.push({ sql, args });
            return value.apply(target, args);
          };
        }
        return value.bind(target);
      },
    });
  };
  return calls;
}

/** SQLite: EXPLAIN QUERY PLAN of the store's list, get and maxPosition SQL, and the timings. */
export async function measureInProcess(file: string, meta: SeedMeta, iterations: number): Promise<InProcessResult> {
  const query = listQuery(meta);
  const card = meta.sampleCardIds[0];
  const column = { workspaceId: meta.workspaceId, boardId: meta.create.boardId, status: meta.create.status };

  // 1. Capture the SQL the store runs and EXPLAIN it (on a store of its own, so timings below
  //    run without the recording wrapper).
  const plans: PlanCheck[] = [];
  let list: Call;
  let columnCards: number;
  {
    const store = openSqliteStore(file);
    try {
      const db = store.connection;
      const calls = recordCalls(db as never);
      const last = () => calls.at(-1)!;
      const firstPage = await store.listObjects(query);
      list = last();
      await store.getObject(meta.workspaceId, 'card', card);
      const get = last();
      await store.maxPosition(column, undefined);
      const max = last();
      if (firstPage.items.length !== 50 || !firstPage.hasMore) {
        throw new Error(`the list returned ${firstPage.items.length} rows (has_more ${firstPage.hasMore}); expected 50 and more`);
      }
      columnCards = (db.prepare(
        `SELECT count(*) AS n FROM objects WHERE workspace_id = ? AND type = 'card' AND is_deleted = 0 AND is_archived = 0
           AND json_extract(data, '$.board_id') = ? AND json_extract(data, '$.status') = ?`,
      ).get(meta.workspaceId, meta.list.boardId, meta.list.status) as { n: number }).n;

      const explain = (call: Call, sql = call.sql) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...call.args) as Array<{ detail: string }>).map((r) => r.detail);
      {
        const plan = explain(list);
        const usesIndex = plan.some((d) => d.includes('INDEX objects_card_column'));
        const tempSort = plan.some((d) => d.includes('TEMP B-TREE'));
        let note = usesIndex && !tempSort ? 'uses objects_card_column for the filter and the order (no sort step)' : '';
        if (!usesIndex || tempSort) note = diagnose(list, explain, tempSort);
        plans.push({ name: 'list: 50 of the 5,000-card column by position', sql: list.sql, params: list.args, plan, ok: usesIndex && !tempSort, note });
      }
      {
        const plan = explain(get);
        const ok = plan.some((d) => d.includes('sqlite_autoindex_objects_1'));
        plans.push({ name: 'get-by-id', sql: get.sql, params: get.args, plan, ok, note: ok ? 'unique index on id' : 'does not use the unique index on id' });
      }
      {
        const plan = explain(max);
        const ok = plan.some((d) => d.includes('INDEX objects_card_column'));
        plans.push({ name: 'create: end of column (maxPosition)', sql: max.sql, params: max.args, plan, ok, note: ok ? 'uses objects_card_column' : 'does not use objects_card_column' });
      }
    } finally {
      await store.close();
    }
  }

  // 2. Timings, on a plain store.
  const store = openSqliteStore(file);
  try {
    const db = store.connection;
    const config = configFromEnv({});
    const request = { headers: { authorization: `Bearer ${meta.token}` } } as never;
    const reply = { header: () => reply } as never;
    const ids = meta.sampleCardIds;
    const rawList = db.prepare(list.sql);
    const timings: Record<string, Timing> = {};
    timings['list: SQL only (driver call, raw rows)'] = await time(iterations, 50, () => rawList.all(...list.args));
    // The same SQL with its values written in: no bound parameters, so SQLite never recompiles it.
    // (A statement whose plan may depend on a bound value is recompiled at every execution after a
    // bind: partial-index conditions such as is_deleted = 0, and index columns with sqlite_stat4 samples.)
    const inlined = db.prepare(inlineParams(list.sql, list.args));
    const idsOf = (rows: unknown[]) => (rows as Array<{ id: string }>).map((r) => r.id).join();
    if (idsOf(inlined.all()) !== idsOf(rawList.all(...list.args))) throw new Error('the list SQL with inlined values returns other rows');
    timings['list: same SQL, values inlined (no binding)'] = await time(iterations, 50, () => inlined.all());
    timings['list: store.listObjects (seq check, then the cached page)'] = await time(iterations, 50, () => store.listObjects(query));
    timings['list: listObjects + the response body'] = await time(iterations, 50, async () => {
      const page = await store.listObjects(query);
      return `{"data":[${page.items.join(',')}],"meta":${JSON.stringify({ count: page.items.length, has_more: page.hasMore })}}`;
    });
    timings['get: store.getObject (random card)'] = await time(iterations * 4, 200, (i) => store.getObject(meta.workspaceId, 'card', ids[i % ids.length]));
    const credential = db.prepare(credentialSql('pat', '?'));
    const tokenHash = createHash('sha256').update(meta.token).digest('hex');
    timings['auth: credential read, uncached (1 query)'] = await time(iterations * 4, 200, () => credential.get(tokenHash));
    timings['auth: authenticate(PAT) (cached credential + sha256)'] = await time(iterations * 4, 200, () => authenticate(store, config, request, reply));
    return { column_cards: columnCards, plans, timings };
  } finally {
    await store.close();
  }
}

/** SQL text with every parameter replaced by its value as an SQL literal (strings, numbers, NULL). */
export function inlineParams(sql: string, args: unknown[]): string {
  const literal = (v: unknown) =>
    v === null || v === undefined ? 'NULL' : typeof v === 'number' || typeof v === 'bigint' ? String(v) : typeof v === 'boolean' ? (v ? '1' : '0') : `'${String(v).replace(/'/g, "''")}'`;
  const named = args.length === 1 && args[0] !== null && typeof args[0] === 'object' ? (args[0] as Record<string, unknown>) : undefined;
  let out = '';
  let next = 0;
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i];
    if (ch === "'") {
      const end = sql.indexOf("'", i + 1);
      out += sql.slice(i, end + 1);
      i = end;
    } else if (ch === '?' && !named) {
      out += literal(args[next++]);
    } else if (named && (ch === '@' || ch === ':' || ch === '$') && /\w/.test(sql[i + 1] ?? '')) {
      const name = /^\w+/.exec(sql.slice(i + 1))![0];
      out += Object.hasOwn(named, name) ? literal(named[name]) : ch + name;
      i += name.length;
    } else {
      out += ch;
    }
  }
  return out;
}

/** Why the list does not use objects_card_column (or needs a sort step), found by experiment. */
function diagnose(list: Call, explain: (call: Call, sql?: string) => string[], tempSort: boolean): string {
  const notes: string[] = [];
  const forced = list.sql.replace(/FROM objects WHERE/, 'FROM objects INDEXED BY objects_card_column WHERE');
  try {
    notes.push(`the planner did not choose it although INDEXED BY accepts it (forced plan: ${explain(list, forced).join(' | ')})`);
  } catch (err) {
    notes.push(`SQLite cannot use the index for this SQL at all (INDEXED BY objects_card_column: "${(err as Error).message}")`);
    // The index is partial (WHERE is_deleted = 0): a bound parameter in place of the literal 0 does
    // not prove the index's condition, so the index is unusable. Check by inlining the literals.
    const inlined = list.sql.replace(/is_deleted = (\?|[@:$]\w+)/, 'is_deleted = 0').replace(/is_archived = (\?|[@:$]\w+)/, 'is_archived = 0');
    if (inlined !== list.sql) {
      try {
        const plan = explain(list, inlined.replace(/FROM objects WHERE/, 'FROM objects INDEXED BY objects_card_column WHERE'));
        notes.push(`with the literal "is_deleted = 0" that the partial index's WHERE names, it is used: ${plan.join(' | ')}`);
      } catch (err2) {
        notes.push(`even with literal is_deleted = 0 it cannot: ${(err2 as Error).message}`);
      }
    }
    if (!/json_extract\(data, '\$\.board_id'\)/.test(list.sql) || !/json_extract\(data, '\$\.status'\)/.test(list.sql) || !/json_extract\(data, '\$\.position'\)/.test(list.sql)) {
      notes.push("the filter or sort expressions differ from the index's json_extract(data, '$.board_id' / '$.status' / '$.position')");
    }
  }
  if (tempSort) notes.push('the ORDER BY needs a temporary b-tree sort of every row of the column');
  return notes.join('; ');
}
