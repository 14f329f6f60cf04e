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

/** The Backend that acts as `actor`; `runOptions` as the routes give them (the base of links an operation writes). */
export function inProcessBackend(deps: AppDeps, actor: Actor, log: FastifyBaseLogger, runOptions: RunOptions = {}): Backend {
  /** Runs one operation, unless the call was already cancelled; every failure becomes a BackendError. */
  const run = async <T>(signal: AbortSignal, operation: () => Promise<T>): Promise<T> => {
    if (signal.aborted) throw new BackendError(0, 'the call was cancelled', CANCELLED);
    try {
      return await operation();
    } catch (err) {
      throw backendError(err, log);
    }
  };
  const op = <N extends OperationName>(name: N, input: OperationInput<N>) => runOperation(deps, name, actor, input, runOptions);

  return {
    list: (type, params, signal) => run(signal, async () => (await op('objects.list', { type, query: rawParams(params) })) as unknown as Page),
    get: (type, id, signal) => run(signal, async () => (await op('objects.get', { type, id })) as unknown as JsonObject),
    create: (type, fields, signal, options) =>
      run(signal, async () => (await op('objects.create', { type, fields: jsonFields(fields), idempotency_key: options?.idempotencyKey })) as unknown as JsonObject),
    update: (type, id, fields, signal, options) =>
      run(signal, async () => (await op('objects.update', { type, id, fields: jsonFields(fields), version: options?.version })) as unknown as JsonObject),
    delete: (type, id, signal, options) => run(signal, async () => (await op('objects.delete', { type, id, version: options?.version })) as unknown as JsonObject),
    whoami: (signal) => run(signal, async () => (await op('auth.me', {})) as unknown as JsonObject),
    members: (signal) => run(signal, async () => (await op('members.list', {})) as unknown as Page),
    activity: (params, signal) => run(signal, async () => (await op('activity.list', { query: rawParams(params) })) as unknown as Page),
    trash: (params, signal) => run(signal, async () => (await op('trash.list', { query: rawParams(params) })) as unknown as Page),
    restore: (type, id, signal) => run(signal, async () => (await op('trash.restore', { type, id })) as unknown as JsonObject),
    comments: (cardId, signal) => run(signal, async () => (await op('comments.list', { card_id: cardId })) as unknown as Page),
    addComment: (cardId, body, signal) => run(signal, async () => (await op('comments.create', { card_id: cardId, fields: { body } })) as unknown as JsonObject),
    history: (cardId, limit, signal) => run(signal, async () => (await op('history.list', { card_id: cardId, query: { limit: String(limit) } })) as unknown as Page),
  };
}
