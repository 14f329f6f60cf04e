/**
 * In-process measurements on PostgreSQL, without HTTP: EXPLAIN (ANALYZE, BUFFERS) of the exact SQL
 * and parameters the store sends for the list, get-by-id and end-of-column queries, and the store's
 * listObjects, getObject and authenticate timed directly (each includes its round trips to the
 * server over TCP, which is what a request pays too).
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { openPostgresStore, type PostgresStore } from '../packages/server/dist/store/postgres/postgres-store.js';
import { authenticate } from '../packages/server/dist/http/authenticate.js';
import { credentialSql } from '../packages/server/dist/store/sql/rows.js';
import { configFromEnv } from '../packages/server/dist/config.js';
import { listQuery, time, type InProcessResult, type PlanCheck, type Timing } from './inprocess.js';
import type { SeedMeta } from './seed.js';

/** One statement as the store sent it to the pool. */
interface Call {
  sql: string;
  params: unknown[];
}

/**
 * Records every client.query (text and parameters) while `fn` runs, so we EXPLAIN exactly what the
 * store runs, whatever SQL it builds today. Every query reaches a pg.Client, whether the store sends
 * it through pool.query or on a connection it took from the pool (as root queries do, to keep their
 * named statements bounded); bookkeeping such as DEALLOCATE is not recorded.
 */
async function recordQueries(fn: () => Promise<unknown>): Promise<Call[]> {
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  const calls: Call[] = [];
  proto.query = function (this: unknown, ...args: unknown[]) {
    const [first, values] = args;
    // The store sends named query configs ({name, text, values}); plain (text, values) calls also count.
    if (typeof first === 'string') {
      if (!/^\s*DEALLOCATE\b/i.test(first)) calls.push({ sql: first, params: Array.isArray(values) ? values : [] });
    }
    else if (first && typeof first === 'object' && typeof (first as { text?: unknown }).text === 'string') {
      const config = first as { text: string; values?: unknown[] };
      calls.push({ sql: config.text, params: config.values ?? [] });
    }
    return original.apply(this, args);
  };
  try {
    await fn();
  } finally {
    proto.query = original;
  }
  return calls;
}

async function explain(store: PostgresStore, call: Call): Promise<string[]> {
  const rows = await store.rawQuery<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${call.sql}`, call.params);
  return rows.map((r) => r['QUERY PLAN']);
}

/** True when a plan line is a sort step (Sort, Incremental Sort), not an index scan's ordering. */
const isSort = (line: string) => /^\s*(->\s+)?(Incremental )?Sort\b/.test(line);

export interface PgInProcessResult extends InProcessResult {
  /** Settings that explain the plans and timings (shared_buffers, jit, ...). */
  settings: Record<string, string>;
}

export async function measurePgInProcess(url: string, meta: SeedMeta, iterations: number): Promise<PgInProcessResult> {
  const query = listQuery(meta);
  const card = meta.sampleCardIds[0];
  const column = { workspaceId: meta.workspaceId, boardId: meta.create.boardId, status: meta.create.status };
  const store = openPostgresStore(url);
  try {
    // 1. The SQL the store sends, captured, then EXPLAINed with the same parameters. The first
    //    EXPLAIN ANALYZE warms the pages the second one reads; the second is the one reported.
    let page: Awaited<ReturnType<PostgresStore['listObjects']>> | undefined;
    const [list] = await recordQueries(async () => (page = await store.listObjects(query)));
    const [get] = await recordQueries(() => store.getObject(meta.workspaceId, 'card', card));
    const [max] = await recordQueries(() => store.maxPosition(column, undefined));
    if (page?.items.length !== 50 || !page.hasMore) throw new Error(`the list returned ${page?.items.length} rows; expected 50 and more`);

    const plans: PlanCheck[] = [];
    {
      await explain(store, list);
      const plan = await explain(store, list);
      const usesIndex = plan.some((l) => /Index (Only )?Scan using objects_card_column/.test(l));
      const sorts = plan.some(isSort);
      const ok = usesIndex && !sorts;
      const note = ok
        ? 'an index scan of objects_card_column gives the rows in (position, id) order: no sort step, stops after LIMIT'
        : `${usesIndex ? '' : 'does not use objects_card_column; '}${sorts ? 'sorts the column\'s rows (a Sort node)' : ''}`;
      plans.push({ name: 'list: 50 of the 5,000-card column by position', sql: list.sql, params: list.params, plan, ok, note });
    }
    {
      await explain(store, get);
      const plan = await explain(store, get);
      const ok = plan.some((l) => /Index Scan using objects_pkey/.test(l));
      plans.push({ name: 'get-by-id', sql: get.sql, params: get.params, plan, ok, note: ok ? 'primary key' : 'does not use the primary key' });
    }
    {
      const plan = await explain(store, max);
      const ok = plan.some((l) => /using objects_card_column/.test(l));
      plans.push({ name: 'create: end of column (maxPosition)', sql: max.sql, params: max.params, plan, ok, note: ok ? 'uses objects_card_column' : 'does not use objects_card_column' });
    }
    const [{ n: columnCards }] = await store.rawQuery<{ n: number }>(
      `SELECT count(*)::int AS n FROM objects WHERE workspace_id = $1 AND type = 'card' AND NOT is_deleted AND NOT is_archived
         AND data->>'board_id' = $2 AND data->>'status' = $3`,
      [meta.workspaceId, meta.list.boardId, meta.list.status],
    );
    const settings = Object.fromEntries(
      (await store.rawQuery<{ name: string; setting: string }>(
        `SELECT name, setting || coalesce(' ' || unit, '') AS setting FROM pg_settings
          WHERE name IN ('server_version', 'shared_buffers', 'effective_cache_size', 'work_mem', 'jit', 'random_page_cost', 'max_connections')`,
      )).map((r) => [r.name, r.setting]),
    );

    // 2. Timings through the store's own pool.
    const config = configFromEnv({});
    const request = { headers: { authorization: `Bearer ${meta.token}` } } as never;
    const reply = { header: () => reply } as never;
    const ids = meta.sampleCardIds;
    const timings: Record<string, Timing> = {};
    timings['round trip: SELECT 1 (one query, no rows)'] = await time(iterations * 4, 200, () => store.rawQuery('SELECT 1'));
    // Same label as SQLite's so the two line up; pg's rows come with jsonb already JSON.parsed.
    timings['list: SQL only (driver call, raw rows)'] = await time(iterations, 50, () => store.rawQuery(list.sql, list.params));
    timings['list: store.listObjects (seq check, then the cached page)'] = await time(iterations, 50, () => store.listObjects(query));
    timings['list: listObjects + the response body'] = await time(iterations, 50, async () => {
      const p = await store.listObjects(query);
      return `{"data":[${p.items.join(',')}],"meta":${JSON.stringify({ count: p.items.length, has_more: p.hasMore })}}`;
    });
    timings['get: store.getObject (random card)'] = await time(iterations * 4, 200, (i) => store.getObject(meta.workspaceId, 'card', ids[i % ids.length]));
    const tokenHash = createHash('sha256').update(meta.token).digest('hex');
    timings['auth: credential read, uncached (1 query)'] = await time(iterations * 4, 200, () => store.rawQuery(credentialSql('pat', '$1'), [tokenHash]));
    timings['auth: authenticate(PAT) (cached credential + sha256)'] = await time(iterations * 4, 200, () => authenticate(store, config, request, reply));
    timings['get request: authenticate + getObject (1 round trip)'] = await time(iterations * 4, 200, async (i) => {
      await authenticate(store, config, request, reply);
      return store.getObject(meta.workspaceId, 'card', ids[i % ids.length]);
    });
    return { column_cards: columnCards, plans, timings, settings };
  } finally {
    await store.close();
  }
}
