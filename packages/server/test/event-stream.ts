/**
 * Reading a live event stream (/xapi2/events) through a real socket, frame by frame, for tests.
 */
import assert from 'node:assert/strict';
import type { TestServer } from './helpers.js';

export interface SseEvent {
  id?: string;
  event: string;
  data: any;
}

/** An open event stream, read frame by frame. */
export class EventReader {
  private buffer = '';
  private readonly queue: SseEvent[] = [];
  private waiter?: () => void;
  private ended = false;
  /** Heartbeats (`: ping` comments) received so far. */
  pings = 0;
  readonly done: Promise<void>;

  constructor(private readonly controller: AbortController, body: ReadableStream<Uint8Array>) {
    const decoder = new TextDecoder();
    this.done = (async () => {
      try {
        for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
          this.buffer += decoder.decode(chunk, { stream: true });
          let cut: number;
          while ((cut = this.buffer.indexOf('\n\n')) !== -1) {
            this.parse(this.buffer.slice(0, cut));
            this.buffer = this.buffer.slice(cut + 2);
          }
        }
      } catch {
        // aborted
      } finally {
        this.ended = true;
        this.waiter?.();
      }
    })();
  }

  private parse(frame: string) {
    if (frame.split('\n').includes(': ping')) {
      this.pings += 1;
      this.waiter?.();
    }
    const event: SseEvent = { event: 'message', data: undefined };
    let data = '';
    for (const line of frame.split('\n')) {
      if (line.startsWith(':') || line.startsWith('retry:')) continue;
      const [field, ...rest] = line.split(': ');
      const value = rest.join(': ');
      if (field === 'id') event.id = value;
      else if (field === 'event') event.event = value;
      else if (field === 'data') data += value;
    }
    if (data === '') return;
    event.data = JSON.parse(data);
    this.queue.push(event);
    this.waiter?.();
  }

  /** Resolves when the stream next receives something or ends. */
  private received(): Promise<void> {
    return new Promise<void>((resolve) => (this.waiter = resolve));
  }

  /**
   * The next event. It waits as long as it takes: a test whose event never comes fails at the test
   * runner's timeout (TEST_OPTIONS), never because the machine was slow.
   */
  async next(): Promise<SseEvent> {
    while (this.queue.length === 0) {
      if (this.ended) throw new Error('stream ended');
      await this.received();
    }
    return this.queue.shift()!;
  }

  /** Waits for the next heartbeat. */
  async heartbeat(): Promise<void> {
    const seen = this.pings;
    while (this.pings === seen) {
      if (this.ended) throw new Error('stream ended');
      await this.received();
    }
  }

  get isEnded(): boolean {
    return this.ended;
  }

  close(): void {
    this.controller.abort();
  }
}

/** Opens /xapi2/events; a refused stream comes back as its status and body. */
export async function openEvents(server: TestServer, options: { token?: string; header?: boolean; lastEventId?: string; query?: Record<string, string> }) {
  const url = new URL('/xapi2/events', server.url);
  const headers: Record<string, string> = { accept: 'text/event-stream' };
  if (options.token && options.header) headers.authorization = `Bearer ${options.token}`;
  else if (options.token) url.searchParams.set('access_token', options.token);
  if (options.lastEventId !== undefined) headers['last-event-id'] = options.lastEventId;
  for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
  const controller = new AbortController();
  const res = await fetch(url, { headers, signal: controller.signal });
  if (res.status !== 200) return { status: res.status, body: await res.json(), reader: undefined };
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  return { status: 200, body: undefined, reader: new EventReader(controller, res.body!) };
}
