/**
 * One server-sent-events response: the framing, the order of writes, and backpressure. Whoever
 * owns the stream decides what to send; this only makes sure it goes out whole, in order, once.
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

/** Headers every event stream sends: no caching or buffering by proxies. */
const STREAM_HEADERS: OutgoingHttpHeaders = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
  'x-content-type-options': 'nosniff',
};

/** One event: `id` becomes the client's Last-Event-ID; `event` names it (default `message`). */
export interface StreamEvent {
  id?: number | string;
  event?: string;
  data: unknown;
}

/** An open text/event-stream response. */
export class EventStream {
  private closedFlag = false;
  private readonly closeHandlers: Array<() => void> = [];

  constructor(private readonly res: ServerResponse) {
    res.on('close', () => this.markClosed());
  }

  /** Writes the status line and headers (plus `extra`, e.g. a refreshed session) and the client's retry delay. */
  open(extra: OutgoingHttpHeaders, retryMs: number): void {
    this.res.writeHead(200, { ...extra, ...STREAM_HEADERS });
    this.res.write(`retry: ${retryMs}\n\n`);
  }

  /** True once the client went away or `end` was called. */
  get closed(): boolean {
    return this.closedFlag;
  }

  /** Runs `handler` once, when the stream closes for any reason. */
  onClose(handler: () => void): void {
    if (this.closedFlag) handler();
    else this.closeHandlers.push(handler);
  }

  /** Sends one event; resolves when the socket is ready for more (false when the stream is closed). */
  async send(event: StreamEvent): Promise<boolean> {
    let frame = '';
    if (event.id !== undefined) frame += `id: ${event.id}\n`;
    if (event.event) frame += `event: ${event.event}\n`;
    // JSON never contains a raw newline, so one data line always holds the whole payload.
    frame += `data: ${JSON.stringify(event.data)}\n\n`;
    return this.write(frame);
  }

  /** Sends a comment line (a heartbeat that keeps proxies from closing an idle stream). */
  async comment(text: string): Promise<boolean> {
    return this.write(`: ${text.replace(/\n/g, ' ')}\n\n`);
  }

  /** Ends the response. */
  end(): void {
    if (!this.closedFlag) this.res.end();
    this.markClosed();
  }

  private async write(frame: string): Promise<boolean> {
    if (this.closedFlag) return false;
    if (!this.res.write(frame)) await this.drained();
    return !this.closedFlag;
  }

  /** Resolves on the next `drain` or `close`, and removes both listeners (a stream waits thousands of times). */
  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }

  private markClosed(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    for (const handler of this.closeHandlers.splice(0)) handler();
  }
}
