/**
 * The live connection: one EventSource per tab on /xapi2/events. It remembers the last event id so
 * every reconnect resumes where it left off (the browser sends Last-Event-ID on its own retries; a
 * fresh EventSource, after a new token or a refused retry, passes it as last_event_id). Events are
 * applied by version, so one that arrives twice (or describes a copy already loaded) changes nothing.
 */
import { reportLive } from '../api/connectivity.js';
import type { ActivityEvent } from '../api/types.js';

/** What the board and lists hear: a change, or "you missed too much, reload". */
export type LiveMessage = { kind: 'activity'; event: ActivityEvent } | { kind: 'reset' };
type Listener = (message: LiveMessage) => void;

const MAX_BACKOFF_MS = 10_000;
/** How far back a fresh stream starts: far more than the time between opening it and reading data. */
const FRESH_REPLAY_SECONDS = 10;

/** The app's single live connection. */
class LiveConnection {
  private source?: EventSource;
  private token: string | null = null;
  private lastEventId: string | undefined;
  private readonly listeners = new Set<Listener>();
  private retryTimer?: ReturnType<typeof setTimeout>;
  private backoff = 1000;
  private downTimer?: ReturnType<typeof setTimeout>;

  /** Connects with this token (reconnecting when it changed); null disconnects. */
  setToken(token: string | null): void {
    if (token === this.token) return;
    this.token = token;
    this.close();
    if (token) this.open();
    else this.markUp();
  }

  /** Calls `listener` with every message; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private open(): void {
    const params = new URLSearchParams({ access_token: this.token! });
    // Resuming names the last event seen; a fresh stream looks a few seconds back instead, because
    // the page reads its data while the stream opens, and whatever changed meanwhile must still arrive.
    if (this.lastEventId) params.set('last_event_id', this.lastEventId);
    else params.set('replay_seconds', String(FRESH_REPLAY_SECONDS));
    const source = new EventSource(`/xapi2/events?${params}`);
    this.source = source;

    source.addEventListener('open', () => this.markUp());
    source.addEventListener('ready', (e) => {
      this.lastEventId = (e as MessageEvent).lastEventId || this.lastEventId;
      this.backoff = 1000;
      this.markUp();
    });
    source.addEventListener('activity', (e) => {
      const message = e as MessageEvent<string>;
      this.lastEventId = message.lastEventId || this.lastEventId;
      this.emit({ kind: 'activity', event: JSON.parse(message.data) as ActivityEvent });
    });
    source.addEventListener('reset', (e) => {
      this.lastEventId = (e as MessageEvent).lastEventId || this.lastEventId;
      this.markUp();
      this.emit({ kind: 'reset' });
    });
    source.addEventListener('unauthorized', () => {
      // The token stopped working (signed out elsewhere, or renewed): start over with the current one.
      this.close();
      this.scheduleReopen();
    });
    source.addEventListener('error', () => {
      this.markDown();
      // CONNECTING: the browser retries by itself (with Last-Event-ID). CLOSED: it gave up; we retry.
      if (source.readyState === EventSource.CLOSED) {
        this.close();
        this.scheduleReopen();
      }
    });
  }

  private scheduleReopen(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (this.token && !this.source) this.open();
    }, this.backoff);
    this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
  }

  private close(): void {
    clearTimeout(this.retryTimer);
    this.source?.close();
    this.source = undefined;
  }

  private markUp(): void {
    clearTimeout(this.downTimer);
    this.downTimer = undefined;
    reportLive(true);
  }

  private markDown(): void {
    // A blip shorter than a second (a proxy recycling the stream) is not worth a banner.
    if (this.downTimer) return;
    this.downTimer = setTimeout(() => reportLive(false), 1000);
  }

  private emit(message: LiveMessage): void {
    for (const listener of this.listeners) listener(message);
  }
}

/** The app's live connection. */
export const live = new LiveConnection();
