/**
 * The stdio wire: newline-delimited JSON-RPC on stdin/stdout, for the SDK's serveStdio entry.
 *
 * Unlike the SDK's StdioServerTransport, it answers what it cannot deliver instead of dropping it:
 * a line that is not JSON gets a -32700 parse error, a JSON value that is not a JSON-RPC message
 * (an array, a number, an object without `jsonrpc: "2.0"`) a -32600 invalid request, and a line
 * longer than MAX_LINE_BYTES is skipped without being buffered and answered with -32600 (with the
 * request id when it can be read from the start of the line). The connection keeps serving.
 */
import type { Readable, Writable } from 'node:stream';
import {
  isJSONRPCErrorResponse, isJSONRPCNotification, isJSONRPCRequest, isJSONRPCResultResponse,
  type JSONRPCMessage, type Transport,
} from '@modelcontextprotocol/server';

/** Longest accepted message, in bytes. The prodboard API takes 1 MiB bodies; this leaves room. */
export const MAX_LINE_BYTES = 4 * 1024 * 1024;

type RequestId = string | number | null;

/** The id of a JSON-RPC request, read from the first bytes of a line too long to parse. */
export function sniffRequestId(head: string): RequestId {
  const m = /^\s*\{\s*(?:"(?:jsonrpc|method)"\s*:\s*"[^"\\]*"\s*,\s*)*"id"\s*:\s*(-?\d{1,15}|"(?:[^"\\]|\\.){0,200}")/.exec(head);
  if (!m) return null;
  try {
    return JSON.parse(m[1]) as string | number;
  } catch {
    return null;
  }
}

function errorResponse(id: RequestId, code: number, message: string): JSONRPCMessage {
  return { jsonrpc: '2.0', id, error: { code, message } } as unknown as JSONRPCMessage;
}

/** A Transport over a readable and a writable stream of JSON lines. */
export class LineTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private chunks: Buffer[] = [];
  private bufferedBytes = 0;
  /** Set while skipping the rest of an oversized line; holds its first bytes to read the id from. */
  private oversized?: { head: string };
  private closed = false;
  private started = false;
  private markClosed!: () => void;
  /** Settles once the connection is closed, by either side. */
  readonly whenClosed = new Promise<void>((resolve) => {
    this.markClosed = resolve;
  });
  private firstSend?: () => void;

  constructor(
    private readonly input: Readable,
    private readonly output: Writable,
    options: { onFirstSend?: () => void } = {},
  ) {
    this.firstSend = options.onFirstSend;
  }

  async start(): Promise<void> {
    if (this.started) throw new Error('LineTransport already started');
    this.started = true;
    this.input.on('data', this.onData);
    this.input.on('end', this.onEnd);
    this.input.on('close', this.onEnd);
    this.input.on('error', this.onInputError);
    this.output.on('error', this.onOutputError);
    if (this.input.readableEnded || this.input.destroyed) setImmediate(this.onEnd);
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.closed) throw new Error('the connection is closed');
    const line = `${JSON.stringify(message)}\n`;
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error | null) => (err ? reject(err) : resolve());
      if (this.output.write(line, done)) return;
      // Backpressure: the callback still resolves once the line is flushed.
    });
    if (this.firstSend) {
      const callback = this.firstSend;
      this.firstSend = undefined;
      callback();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.input.off('data', this.onData);
    this.input.off('end', this.onEnd);
    this.input.off('close', this.onEnd);
    this.input.pause();
    this.chunks = [];
    try {
      this.onclose?.();
    } finally {
      this.markClosed();
    }
  }

  private readonly onEnd = () => {
    void this.close();
  };

  private readonly onInputError = (error: Error) => {
    this.onerror?.(error);
    void this.close();
  };

  private readonly onOutputError = (error: Error) => {
    // The host closed our stdout (EPIPE): nobody is listening any more.
    if (!this.closed) this.onerror?.(error);
    void this.close();
  };

  private readonly onData = (chunk: Buffer) => {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(0x0a, start);
      const end = newline === -1 ? chunk.length : newline;
      this.append(chunk.subarray(start, end));
      if (newline === -1) break;
      this.endLine();
      start = newline + 1;
    }
  };

  private append(piece: Buffer): void {
    if (piece.length === 0) return;
    if (this.oversized) return;
    if (this.bufferedBytes + piece.length > MAX_LINE_BYTES) {
      const head = Buffer.concat([...this.chunks, piece.subarray(0, 512)]).subarray(0, 512).toString('utf8');
      this.oversized = { head };
      this.chunks = [];
      this.bufferedBytes = 0;
      return;
    }
    this.chunks.push(piece);
    this.bufferedBytes += piece.length;
  }

  private endLine(): void {
    if (this.oversized) {
      const id = sniffRequestId(this.oversized.head);
      this.oversized = undefined;
      this.reply(errorResponse(id, -32600, `message too large: a message may be at most ${MAX_LINE_BYTES >> 20} MiB; it was skipped`));
      return;
    }
    const line = Buffer.concat(this.chunks, this.bufferedBytes).toString('utf8').replace(/\r$/, '');
    this.chunks = [];
    this.bufferedBytes = 0;
    if (line.trim() === '') return;
    this.deliver(line);
  }

  private deliver(line: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (err) {
      this.reply(errorResponse(null, -32700, `parse error: the line is not valid JSON (${(err as Error).message})`));
      return;
    }
    // The SDK's own guards, in the order serveStdio asks them next (so the check costs nothing extra).
    if (!(isJSONRPCRequest(parsed) || isJSONRPCNotification(parsed) || isJSONRPCResultResponse(parsed) || isJSONRPCErrorResponse(parsed))) {
      const id = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as { id?: unknown }).id : undefined;
      const what = Array.isArray(parsed) ? 'batches are not supported; send one JSON-RPC message per line' : 'expected a JSON-RPC 2.0 request, notification or response object';
      this.reply(errorResponse(typeof id === 'string' || typeof id === 'number' ? id : null, -32600, `invalid request: ${what}`));
      return;
    }
    this.onmessage?.(parsed as JSONRPCMessage);
  }

  private reply(message: JSONRPCMessage): void {
    if (this.closed) return;
    this.send(message).catch((err: Error) => this.onerror?.(err));
  }
}
