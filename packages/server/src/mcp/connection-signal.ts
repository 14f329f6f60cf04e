/**
 * Cancelling what a client asked for when it goes away.
 */
import type { Socket } from 'node:net';
import type { FastifyRequest } from 'fastify';

/** The abort signal of each client connection (see connectionSignal). */
const connectionSignals = new WeakMap<Socket, AbortSignal>();

/**
 * A signal that aborts when the request's connection closes: the client is gone, so its calls are
 * cancelled (a long call stops, nothing more is sent). One per connection rather than per request:
 * an AbortController and a close listener for every request cost more than a quarter of a plain
 * tool call; a keep-alive connection serves its calls one after another and closes once.
 * It lives as long as the connection: read `aborted`, never leave a listener on it (undici's
 * Request, for one, keeps its listener until collected, so the SDK path has a controller per request).
 */
export function connectionSignal(request: FastifyRequest): AbortSignal {
  const socket = request.raw.socket;
  let signal = connectionSignals.get(socket);
  if (!signal) {
    const controller = new AbortController();
    signal = controller.signal;
    if (socket.destroyed) controller.abort();
    else socket.once('close', () => controller.abort());
    connectionSignals.set(socket, signal);
  }
  return signal;
}

