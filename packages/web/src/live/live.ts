/**
 * The live connection: one EventSource on /xapi2/events per browser, not per tab. Over HTTP/1.1 a
 * browser keeps at most six connections to a server, and every open stream holds one, so the tabs
 * elect a leader (Web Locks): it holds the stream and relays every event to the other tabs
 * (BroadcastChannel); when it closes or is frozen, another tab takes over from the last event id.
 *
 * The last event id makes every reconnect resume where it left off (the browser sends Last-Event-ID
 * on its own retries; a fresh EventSource, after a new token or a refused retry, passes it as
 * last_event_id). Events are applied by version, so one that arrives twice changes nothing.
 */
import { reportLive } from '../api/connectivity.js';
import type { ActivityEvent } from '../api/types.js';

/** What the board and lists hear: a change, or "you missed too much, reload". */
export type LiveMessage = { kind: 'activity'; event: ActivityEvent } | { kind: 'reset' };
type Listener = (message: LiveMessage) => void;

/** What the leading tab relays to the others. */
type Relay =
  | { kind: 'activity'; event: ActivityEvent; id: string }
  | { kind: 'reset'; id: string }
  | { kind: 'member'; id: string }
  | { kind: 'position'; id: string }
  | { kind: 'status'; open: boolean };

const MAX_BACKOFF_MS = 10_000;
/** How far back a fresh stream starts: far more than the time between opening it and reading data. */
const FRESH_REPLAY_SECONDS = 10;
const LOCK = 'prodboard.live';
const CHANNEL = 'prodboard.live';

/** The app's live connection. */
class LiveConnection {
  private source?: EventSource;
  private token: string | null = null;
  private lastEventId: string | undefined;
  private readonly listeners = new Set<Listener>();
  private readonly memberListeners = new Set<() => void>();
  private retryTimer?: ReturnType<typeof setTimeout>;
  private backoff = 1000;
  private downTimer?: ReturnType<typeof setTimeout>;
  private readonly channel?: BroadcastChannel;
  /** This tab holds the stream for every tab of the browser. */
  private leading = false;
  private campaigning = false;
  private releaseLead?: () => void;

  constructor() {
    if (typeof BroadcastChannel === 'undefined' || typeof document === 'undefined') return;
    this.channel = new BroadcastChannel(CHANNEL);
    this.channel.onmessage = (e: MessageEvent<Relay>) => this.relayed(e.data);
    // A frozen tab (a background tab the browser suspends) cannot relay: it hands the stream on.
    document.addEventListener('freeze', () => this.resign());
    document.addEventListener('resume', () => this.token && this.campaign());
  }

  /** Connects with this token (reconnecting when it changed); null disconnects. */
  setToken(token: string | null): void {
    if (token === this.token) return;
    this.token = token;
    if (!token) {
      this.resign();
      this.setStatus(true);
    } else if (this.leading) {
      this.close();
      this.open();
    } else {
      this.campaign();
    }
  }

  /** Calls `listener` with every message; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Calls `listener` when the server says this person's access changed: their own membership (a new
   * role), or the stream's credential refused (removed from the workspace, signed out elsewhere).
   * The session re-reads who it is, which follows the new role or signs out.
   */
  subscribeAccess(listener: () => void): () => void {
    this.memberListeners.add(listener);
    return () => this.memberListeners.delete(listener);
  }

  /** Asks to lead; without Web Locks (or BroadcastChannel) every tab leads for itself. */
  private campaign(): void {
    if (this.leading || this.campaigning) return;
    const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
    if (!locks || !this.channel) return this.lead(() => {});
    this.campaigning = true;
    // The lock is held for as long as the returned promise is pending, i.e. until resign().
    void locks.request(LOCK, () => new Promise<void>((release) => this.lead(release)));
  }

  private lead(release: () => void): void {
    this.campaigning = false;
    if (!this.token) return release();
    this.leading = true;
    this.releaseLead = release;
    this.open();
  }

  private resign(): void {
    this.close();
    clearTimeout(this.downTimer);
    this.downTimer = undefined;
    if (!this.leading) return;
    this.leading = false;
    this.releaseLead?.();
    this.releaseLead = undefined;
  }

  private open(): void {
    const params = new URLSearchParams({ access_token: this.token! });
    // Resuming names the last event seen; a fresh stream looks a few seconds back instead, because
    // the page reads its data while the stream opens, and whatever changed meanwhile must still arrive.
    if (this.lastEventId) params.set('last_event_id', this.lastEventId);
    else params.set('replay_seconds', String(FRESH_REPLAY_SECONDS));
    const source = new EventSource(`/xapi2/events?${params}`);
    this.source = source;
    const idOf = (e: Event) => ((e as MessageEvent).lastEventId || this.lastEventId) ?? '';

    source.addEventListener('open', () => this.markUp());
    source.addEventListener('ready', (e) => {
      this.lastEventId = idOf(e);
      this.backoff = 1000;
      this.markUp();
      this.relay({ kind: 'position', id: this.lastEventId });
    });
    source.addEventListener('activity', (e) => {
      this.lastEventId = idOf(e);
      const event = JSON.parse((e as MessageEvent<string>).data) as ActivityEvent;
      this.emit({ kind: 'activity', event });
      this.relay({ kind: 'activity', event, id: this.lastEventId });
    });
    source.addEventListener('reset', (e) => {
      this.lastEventId = idOf(e);
      this.markUp();
      this.emit({ kind: 'reset' });
      this.relay({ kind: 'reset', id: this.lastEventId });
    });
    source.addEventListener('member', (e) => {
      this.lastEventId = idOf(e);
      this.accessChanged();
    });
    source.addEventListener('unauthorized', () => {
      this.accessChanged();
      // The token stopped working (signed out elsewhere, or renewed): start over with the current one.
      this.close();
      this.scheduleReopen();
    });
    source.addEventListener('error', () => {
      this.markDown();
      // CONNECTING: the browser retries by itself (with Last-Event-ID). CLOSED: it gave up (the server
      // refused the stream, perhaps the credential); the session checks who it is, and we retry.
      if (source.readyState === EventSource.CLOSED) {
        this.accessChanged();
        this.close();
        this.scheduleReopen();
      }
    });
  }

  /** What another tab's stream brought. */
  private relayed(message: Relay): void {
    if (this.leading) return;
    if (message.kind === 'status') return reportLive(message.open);
    if (message.id) this.lastEventId = message.id;
    if (message.kind === 'activity') this.emit({ kind: 'activity', event: message.event });
    else if (message.kind === 'reset') this.emit({ kind: 'reset' });
    else if (message.kind === 'member') for (const listener of this.memberListeners) listener();
  }

  private relay(message: Relay): void {
    this.channel?.postMessage(message);
  }

  private scheduleReopen(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (this.token && this.leading && !this.source) this.open();
    }, this.backoff);
    this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
  }

  private close(): void {
    clearTimeout(this.retryTimer);
    this.source?.close();
    this.source = undefined;
  }

  private setStatus(open: boolean): void {
    reportLive(open);
    if (this.leading) this.relay({ kind: 'status', open });
  }

  private markUp(): void {
    clearTimeout(this.downTimer);
    this.downTimer = undefined;
    this.setStatus(true);
  }

  private markDown(): void {
    // A blip shorter than a second (a proxy recycling the stream) is not worth a banner.
    if (this.downTimer) return;
    this.downTimer = setTimeout(() => this.setStatus(false), 1000);
  }

  /** Tells this tab's access listeners, and the other tabs', that access may have changed. */
  private accessChanged(): void {
    for (const listener of this.memberListeners) listener();
    this.relay({ kind: 'member', id: this.lastEventId ?? '' });
  }

  private emit(message: LiveMessage): void {
    for (const listener of this.listeners) listener(message);
  }
}

/** The app's live connection. */
export const live = new LiveConnection();
