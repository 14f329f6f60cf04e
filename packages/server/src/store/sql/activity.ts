/**
 * Activity reads and telemetry counts where the SQL is the same on both stores (see executor.ts).
 * Each function is the Store method of its name (documented in types.ts), over a handle's executor.
 */
import type { Executor } from './executor.js';

/** The seq of the last activity before `at` (0 when none): a feed asked for `since=<time>` starts after it. */
export async function activitySeqAt(x: Executor, workspaceId: string, at: string): Promise<number> {
  const row = await x.get<{ seq: number | null }>('SELECT max(seq) AS seq FROM activity WHERE workspace_id = ? AND created_at < ?', [workspaceId, at]);
  return Number(row?.seq ?? 0);
}

export async function countAnalytics(x: Executor): Promise<number> {
  return Number((await x.get<{ n: number }>('SELECT count(*) AS n FROM analytics_events'))!.n);
}
