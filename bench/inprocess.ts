/**
 * In-process measurements, without HTTP: the store's list and get calls timed directly (so SQL cost
 * can be told from HTTP cost), and EXPLAIN QUERY PLAN of the exact SQL the store prepares.
 */
import { modelOf, parseListQuery } from '@prodboard/shared';
import { openSqliteStore } from '../packages/server/dist/store/sqlite/sqlite-store.js';
import { buildListSql } from '../packages/server/dist/store/sqlite/list-query.js';
import { authenticate } from '../packages/server/dist/http/authenticate.js';
import { configFromEnv } from '../packages/server/dist/config.js';
import { presentObject } from '../packages/server/dist/presenters.js';
import type { ObjectListQuery } from '../packages/server/dist/store/types.js';
import type { SeedMeta } from './seed.js';

export interface Timing {
  n: number;
  median_ms: number;
  p99_ms: number;
  mean_ms: number;
}

export interface PlanCheck {
  name: string;
  sql: string;
  plan: string[];
  ok: boolean;
  note: string;
}

export interface InProcessResult {
  column_cards: number;
  plans: PlanCheck[];
  timings: Record<string, Timing>;
}

async function time(n: number, warmup: number, fn: (i: number) => unknown): Promise<Timing> {
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

export async function measureInProcess(file: string, meta: SeedMeta, iterations: number): Promise<InProcessResult> {
  const store = openSqliteStore(file);
  const db = store.connection;
  // Record every SQL text the store prepares, to EXPLAIN exactly what it runs.
  const prepared: string[] = [];
  const prepare = db.prepare.bind(db);
  (db as { prepare: typeof db.prepare }).prepare = ((sql: string) => {
    prepared.push(sql);
    return prepare(sql);
  }) as typeof db.prepare;

  try {
    const query = listQuery(meta);
    const card = meta.sampleCardIds[0];
    const column = { workspaceId: meta.workspaceId, boardId: meta.create.boardId, status: meta.create.status };
    const config = configFromEnv({});
    const request = { headers: { authorization: `Bearer ${meta.token}` } } as never;
    const reply = { header: () => reply } as never;

    // One call of each, capturing the SQL.
    const firstPage = await store.listObjects(query);
    const listSql = prepared.at(-1)!;
    await store.getObject(meta.workspaceId, 'card', card);
    const getSql = prepared.at(-1)!;
    await store.maxPosition(column, undefined);
    const maxSql = prepared.at(-1)!;

    const built = buildListSql(query);
    if (built.sql !== listSql) throw new Error(`the store prepared other SQL than buildListSql returns:\n${listSql}\n${built.sql}`);
    const columnCards = (db.prepare(
      `SELECT count(*) AS n FROM objects WHERE workspace_id = ? AND type = 'card' AND is_deleted = 0 AND is_archived = 0
         AND json_extract(data, '$.board_id') = ? AND json_extract(data, '$.status') = ?`,
    ).get(meta.workspaceId, meta.list.boardId, meta.list.status) as { n: number }).n;
    if (firstPage.rows.length !== 50 || !firstPage.hasMore) throw new Error(`the list returned ${firstPage.rows.length} rows (has_more ${firstPage.hasMore}); expected 50 and more`);

    const explain = (sql: string, params: unknown[]) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((r) => r.detail);

    const plans: PlanCheck[] = [];
    {
      const plan = explain(built.sql, built.params);
      const usesIndex = plan.some((d) => d.includes('INDEX objects_card_column'));
      const tempSort = plan.some((d) => d.includes('TEMP B-TREE'));
      let note = usesIndex && !tempSort ? 'uses objects_card_column for the filter and the order (no sort step)' : '';
      if (!usesIndex || tempSort) {
        // Can the index serve this SQL at all? INDEXED BY fails when the expressions do not match.
        const forced = built.sql.replace('FROM objects WHERE', 'FROM objects INDEXED BY objects_card_column WHERE');
        try {
          const forcedPlan = explain(forced, built.params);
          note = `the planner chose otherwise although the index fits (forced plan: ${forcedPlan.join(' | ')})`;
        } catch (err) {
          note = `the index cannot serve this SQL: ${(err as Error).message}`;
        }
        if (tempSort) note += '; the ORDER BY needs a temporary b-tree sort';
      }
      plans.push({ name: 'list: 50 of the 5,000-card column by position', sql: built.sql, plan, ok: usesIndex && !tempSort, note });
    }
    {
      const plan = explain(getSql, [card, meta.workspaceId, 'card']);
      const ok = plan.some((d) => d.includes('sqlite_autoindex_objects_1'));
      plans.push({ name: 'get-by-id', sql: getSql, plan, ok, note: ok ? 'unique index on id' : 'does not use the unique index on id' });
    }
    {
      const plan = explain(maxSql, [meta.workspaceId, meta.create.boardId, meta.create.status, null]);
      const ok = plan.some((d) => d.includes('INDEX objects_card_column'));
      plans.push({ name: 'create: end of column (maxPosition)', sql: maxSql, plan, ok, note: ok ? 'uses objects_card_column' : 'does not use objects_card_column' });
    }

    const ids = meta.sampleCardIds;
    const rawList = db.prepare(built.sql);
    const timings: Record<string, Timing> = {};
    timings['list: SQL only (stmt.all, raw rows)'] = await time(iterations, 50, () => rawList.all(...built.params));
    timings['list: store.listObjects (SQL + JSON.parse of rows)'] = await time(iterations, 50, () => store.listObjects(query));
    timings['list: listObjects + present + JSON.stringify'] = await time(iterations, 50, async () => {
      const page = await store.listObjects(query);
      return JSON.stringify({ data: page.rows.map(presentObject), meta: { count: page.rows.length, has_more: page.hasMore } });
    });
    timings['get: store.getObject (random card)'] = await time(iterations * 4, 200, (i) => store.getObject(meta.workspaceId, 'card', ids[i % ids.length]));
    timings['auth: authenticate(PAT) (4 queries + sha256)'] = await time(iterations * 4, 200, () => authenticate(store, config, request, reply));
    return { column_cards: columnCards, plans, timings };
  } finally {
    await store.close();
  }
}
