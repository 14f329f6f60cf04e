/**
 * A workspace's activity as a live feed for one connection: replays what the client missed since its
 * Last-Event-ID, then follows new commits (the store calls back after each one), and re-checks the
 * credential at every heartbeat so a revoked token or a signed-out session stops receiving. A change
 * to the connection's own membership (a new role, removal) is re-checked at once: the client gets a
 * `member` event with its current role, or `unauthorized` and the end of the stream.
 *
 * Each event carries the activity row and the object as it is now, so a client can apply events
 * idempotently (keep whichever copy has the higher version) and never has to fetch per event.
 */
import { AppError } from '@prodboard/shared';
import type { Actor } from '../context.js';
import type { EventStream } from '../http/event-stream.js';
import { liveActivityTypes } from '../policies.js';
import { presentActivity, presentObject } from '../presenters.js';
import type { ActivityRow, Store } from '../store/types.js';

/** Events read per query while following. */
const PAGE = 200;
/** A client further behind than this is told to reload (`reset`) instead of being replayed to. */
export const REPLAY_LIMIT = 1000;

export interface FeedOptions {
  store: Store;
  stream: EventStream;
  actor: Actor;
  /** The seq the client saw last (Last-Event-ID), or undefined for a fresh client. */
  resumeFrom: number | undefined;
  /** A fresh stream first replays the events of the last this many seconds (0: starts at now). */
  replaySeconds?: number;
  /** The server's clock (config.now), which replaySeconds counts back from. */
  now: () => number;
  heartbeatMs: number;
  /** Re-authenticates the connection's credential; throws an AppError when it no longer works. */
  reauthenticate: () => Promise<Actor>;
  /** Called when a heartbeat finds the credential no longer works, before the stream ends (to log it). */
  onRefused?: (err: AppError) => void;
  /** Called after each followed (not replayed) event is written to the stream (event lag). */
  onLiveDelivery?: (row: ActivityRow) => void;
}

/** What a feed reads: the activity types the actor may see live, and membership changes (only the actor's own are sent). */
function feedTypes(actor: Actor): string[] {
  return [...liveActivityTypes(actor), 'member'];
}

/** Runs a feed until the stream closes. */
export async function runActivityFeed(options: FeedOptions): Promise<void> {
  const { store, stream } = options;
  const workspaceId = options.actor.workspace.id;
  let actor = options.actor;
  let types = feedTypes(actor);
  /** The seq of the last event sent; only meaningful once `started`. */
  let cursor = 0;
  /** The starting point is set and its replay sent: from here on, commits are followed. */
  let started = false;
  let pumping: Promise<void> | undefined;
  let again = false;

  /** Re-checks the credential: on success the feed follows the actor's current role and scopes; else it tells the client and ends. */
  const recheck = async (): Promise<boolean> => {
    try {
      actor = await options.reauthenticate();
      types = feedTypes(actor);
      return true;
    } catch (err) {
      if (err instanceof AppError) options.onRefused?.(err);
      const body = err instanceof AppError ? err.toBody() : { detail: 'the live stream stopped; reconnect', code: 'internal' };
      await stream.send({ event: 'unauthorized', data: body }).finally(() => stream.end());
      return false;
    }
  };

  const sendRow = async (row: ActivityRow) => {
    // Ids only ever grow on one stream: a client's Last-Event-ID must never move backwards.
    if (row.seq <= cursor) return true;
    if (row.object_type === 'member') {
      // A change to the memberships: only the member's own reaches them, at once (a new role, or removal).
      cursor = row.seq;
      if (row.object_id !== actor.user.id) return true;
      if (!(await recheck())) return false;
      return stream.send({ id: row.seq, event: 'member', data: { ...presentActivity(row), role: actor.role } });
    }
    const object = await store.getObject(workspaceId, row.object_type, row.object_id);
    cursor = row.seq;
    return stream.send({ id: row.seq, event: 'activity', data: { ...presentActivity(row), object: object ? presentObject(object) : null } });
  };

  const pump = async () => {
    do {
      again = false;
      for (;;) {
        const rows = await store.listActivity(workspaceId, cursor, types, PAGE);
        for (const row of rows) {
          if (!(await sendRow(row))) return;
          options.onLiveDelivery?.(row);
        }
        if (rows.length < PAGE) break;
      }
    } while (again && !stream.closed);
  };

  const follow = () => {
    if (stream.closed) return;
    if (pumping !== undefined) {
      again = true;
      return;
    }
    pumping = pump()
      .catch(() => stream.end())
      .finally(() => {
        pumping = undefined;
        // A commit announced after the pump's last look but before it let go would otherwise wait for the next one.
        if (again) follow();
      });
  };

  // Subscribe before reading the starting point, so no commit falls between the two. Until the
  // starting point is set and its replay sent, a commit needs no pump of its own: the `follow()` that
  // ends the start reads everything committed by then. (Pumping earlier would read from cursor 0,
  // i.e. replay the whole history, interleaved with the replay.)
  const unsubscribe = store.subscribeActivity((ws, seq) => {
    if (started && ws === workspaceId && seq > cursor) follow();
  });
  const heartbeat = setInterval(() => {
    void recheck().then((ok) => ok && stream.comment('ping'));
  }, options.heartbeatMs);
  stream.onClose(() => {
    clearInterval(heartbeat);
    unsubscribe();
  });

  try {
    const latest = await store.latestActivitySeq(workspaceId);
    const from = options.resumeFrom;
    if (from === undefined && !options.replaySeconds) {
      cursor = latest;
      await stream.send({ id: cursor, event: 'ready', data: { seq: cursor, resumed: false } });
    } else if (from === undefined) {
      // Events committed in the last few seconds, which the client's data reads may not have seen.
      cursor = await store.activitySeqAt(workspaceId, new Date(options.now() - options.replaySeconds! * 1000).toISOString());
      const recent = await store.listActivity(workspaceId, cursor, types, REPLAY_LIMIT + 1);
      if (recent.length > REPLAY_LIMIT) {
        cursor = latest;
        await stream.send({ id: cursor, event: 'reset', data: { seq: cursor, detail: 'too many recent changes to replay; reload the data' } });
      } else {
        await stream.send({ id: cursor, event: 'ready', data: { seq: cursor, resumed: false, replayed: recent.length } });
        for (const row of recent) if (!(await sendRow(row))) return;
      }
    } else {
      const missed = from <= latest ? await store.listActivity(workspaceId, from, types, REPLAY_LIMIT + 1) : [];
      if (from > latest || missed.length > REPLAY_LIMIT) {
        // Too far behind (or an id from another database): replaying would cost more than reloading.
        cursor = latest;
        await stream.send({ id: cursor, event: 'reset', data: { seq: cursor, detail: 'too many changes were missed; reload the data' } });
      } else {
        cursor = from;
        await stream.send({ id: cursor, event: 'ready', data: { seq: cursor, resumed: true } });
        for (const row of missed) if (!(await sendRow(row))) return;
      }
    }
    started = true;
    follow();
  } catch {
    stream.end();
  }
}
