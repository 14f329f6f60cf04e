/**
 * The tools' Backend in process: each call runs the operation its /xapi2 route runs through
 * runOperation (operations/registry.ts), the path every route takes: keys, versions and idempotency
 * keys behave as over HTTP, with the caller's actor, without an HTTP hop, and answer with the same
 * wire shapes, so a tool's result on /mcp equals prodmcp's (which calls those routes). Nothing else
 * on /mcp knows how an operation runs.
 */
import type { OperationInput, OperationName } from '@prodboard/shared';
import { BackendError, CANCELLED, type Backend, type JsonObject, type ListParams, type Page } from '@prodboard/tools';
import type { FastifyBaseLogger } from 'fastify';
import type { Actor } from '../context.js';
import type { AppDeps } from '../deps.js';
import { boundedBody, knownError, loggable } from '../http/errors.js';
import { runOperation, type RunOptions } from '../operations/registry.js';

/** List parameters as the route's query string would carry them. */
function rawParams(params: ListParams): NonNullable<OperationInput<'objects.list'>['query']> {
  return Object.fromEntries(Object.entries(params).map(([key, value]) => [key, Array.isArray(value) ? value.map(String) : String(value)]));
}

/** A tool's fields as an operation takes them (they arrived as JSON, so they are JSON). */
const jsonFields = (fields: JsonObject) => fields as OperationInput<'objects.create'>['fields'];

/** The failure as the tools report it: an expected error keeps its status, code and message; anything else is masked and logged. */
function backendError(err: unknown, log: FastifyBaseLogger): BackendError {
  if (err instanceof BackendError) return err;
  const known = knownError(err);
  if (known) {
    const body = boundedBody(known);
    return new BackendError(known.status, body.detail, known.code, body.errors);
  }
  log.error({ err: loggable(err as Error) }, 'mcp tool call failed');
  return new BackendError(500, 'internal error; nothing was changed if the call was a write; try again, and tell the server operator if it keeps happening', 'internal');
}

/**
 * The Backend that acts as `actor`; `runOptions` as the routes give them (the base of links an
 * operation writes). A class, not an object of closures: one is made per tool call, and fifteen
 * closures cost a quarter of a plain card_get.
 */
class InProcessBackend implements Backend {
  constructor(
    private readonly deps: AppDeps,
    private readonly actor: Actor,
    private readonly log: FastifyBaseLogger,
    private readonly runOptions: RunOptions,
  ) {}

  /** Runs one operation, unless the call was already cancelled; every failure becomes a BackendError. */
  private async op<N extends OperationName, T>(signal: AbortSignal, name: N, input: OperationInput<N>): Promise<T> {
    if (signal.aborted) throw new BackendError(0, 'the call was cancelled', CANCELLED);
    try {
      return (await runOperation(this.deps, name, this.actor, input, this.runOptions)) as T;
    } catch (err) {
      throw backendError(err, this.log);
    }
  }

  list(type: string, params: ListParams, signal: AbortSignal) {
    return this.op<'objects.list', Page>(signal, 'objects.list', { type, query: rawParams(params) });
  }
  get(type: string, id: string, signal: AbortSignal) {
    return this.op<'objects.get', JsonObject>(signal, 'objects.get', { type, id });
  }
  create(type: string, fields: JsonObject, signal: AbortSignal, options?: { idempotencyKey?: string }) {
    return this.op<'objects.create', JsonObject>(signal, 'objects.create', { type, fields: jsonFields(fields), idempotency_key: options?.idempotencyKey });
  }
  update(type: string, id: string, fields: JsonObject, signal: AbortSignal, options?: { version?: number }) {
    return this.op<'objects.update', JsonObject>(signal, 'objects.update', { type, id, fields: jsonFields(fields), version: options?.version });
  }
  delete(type: string, id: string, signal: AbortSignal, options?: { version?: number }) {
    return this.op<'objects.delete', JsonObject>(signal, 'objects.delete', { type, id, version: options?.version });
  }
  whoami(signal: AbortSignal) {
    return this.op<'auth.me', JsonObject>(signal, 'auth.me', {});
  }
  members(signal: AbortSignal) {
    return this.op<'members.list', Page>(signal, 'members.list', {});
  }
  activity(params: ListParams, signal: AbortSignal) {
    return this.op<'activity.list', Page>(signal, 'activity.list', { query: rawParams(params) });
  }
  trash(params: ListParams, signal: AbortSignal) {
    return this.op<'trash.list', Page>(signal, 'trash.list', { query: rawParams(params) });
  }
  restore(type: string, id: string, signal: AbortSignal) {
    return this.op<'trash.restore', JsonObject>(signal, 'trash.restore', { type, id });
  }
  comments(cardId: string, signal: AbortSignal) {
    return this.op<'comments.list', Page>(signal, 'comments.list', { card_id: cardId });
  }
  addComment(cardId: string, body: string, signal: AbortSignal, options?: { idempotencyKey?: string }) {
    return this.op<'comments.create', JsonObject>(signal, 'comments.create', { card_id: cardId, fields: { body }, idempotency_key: options?.idempotencyKey });
  }
  history(cardId: string, limit: number, signal: AbortSignal) {
    return this.op<'history.list', Page>(signal, 'history.list', { card_id: cardId, query: { limit: String(limit) } });
  }
}

/** The Backend that acts as `actor`; `runOptions` as the routes give them (the base of links an operation writes). */
export function inProcessBackend(deps: AppDeps, actor: Actor, log: FastifyBaseLogger, runOptions: RunOptions = {}): Backend {
  return new InProcessBackend(deps, actor, log, runOptions);
}
