/**
 * The tools' Backend in process: each tool's call runs its operation through runOperation
 * (operations/registry.ts), the path every /xapi2 route takes, with the caller's actor and without
 * an HTTP hop, so a tool's result on /mcp equals prodmcp's (which calls those routes). Nothing
 * else on /mcp knows how an operation runs.
 */
import type { OperationInput } from '@prodboard/shared';
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

/** The Backend that acts as `actor`; `options` as the routes give them (the base of links an operation writes). */
export function inProcessBackend(deps: AppDeps, actor: Actor, log: FastifyBaseLogger, options: RunOptions = {}): Backend {
  /** Runs one operation, unless the call was already cancelled; every failure becomes a BackendError. */
  const run = async <T>(signal: AbortSignal, operation: () => Promise<T>): Promise<T> => {
    if (signal.aborted) throw new BackendError(0, 'the call was cancelled', CANCELLED);
    try {
      return await operation();
    } catch (err) {
      throw backendError(err, log);
    }
  };

  return {
    list: (type, params, signal) => run(signal, async () => (await runOperation(deps, 'objects.list', actor, { type, query: rawParams(params) }, options)) as unknown as Page),
    get: (type, id, signal) => run(signal, async () => (await runOperation(deps, 'objects.get', actor, { type, id }, options)) as JsonObject),
    create: (type, fields, signal) => run(signal, async () => (await runOperation(deps, 'objects.create', actor, { type, fields: jsonFields(fields) }, options)) as JsonObject),
    update: (type, id, fields, signal) => run(signal, async () => (await runOperation(deps, 'objects.update', actor, { type, id, fields: jsonFields(fields) }, options)) as JsonObject),
    delete: (type, id, signal) => run(signal, async () => (await runOperation(deps, 'objects.delete', actor, { type, id }, options)) as JsonObject),
    whoami: (signal) => run(signal, async () => (await runOperation(deps, 'auth.me', actor, {}, options)) as JsonObject),
  };
}
