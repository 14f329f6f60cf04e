/**
 * The tools' Backend in process: each operation runs as its /xapi2 route does (routes/data.ts,
 * routes/auth.ts), with the caller's actor, without an HTTP hop, and answers with the same wire
 * shapes, so a tool's result on /mcp equals prodmcp's. The operation layer replaces the insides of
 * this one file; nothing else on /mcp knows how an operation runs.
 */
import { assertUuid, notFound, parseListQuery, type RawParams } from '@prodboard/shared';
import { BackendError, CANCELLED, type Backend, type JsonObject, type ListParams, type Page } from '@prodboard/tools';
import type { FastifyBaseLogger } from 'fastify';
import { commandContext, type Actor } from '../context.js';
import type { AppDeps } from '../deps.js';
import { boundedBody, knownError, loggable } from '../http/errors.js';
import { authorizeModel } from '../policies.js';
import { presentActor, presentObject } from '../presenters.js';
import { objectCreator } from '../commands/object-creator.js';
import { objectDeleter } from '../commands/object-deleter.js';
import { requireModel } from '../commands/object-loader.js';
import { objectUpdater } from '../commands/object-updater.js';

/** List parameters as the route's query string would carry them. */
function rawParams(params: ListParams): RawParams {
  return Object.fromEntries(Object.entries(params).map(([key, value]) => [key, Array.isArray(value) ? value.map(String) : String(value)]));
}

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

/** The Backend that acts as `actor`. */
export function inProcessBackend({ store }: AppDeps, actor: Actor, log: FastifyBaseLogger): Backend {
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
    list: (type, params, signal) =>
      run(signal, async (): Promise<Page> => {
        const query = parseListQuery(type, requireModel(type), rawParams(params));
        authorizeModel(actor, type, 'read');
        for (const filter of query.filters) {
          if (filter.param === 'owned_by') filter.values = filter.values.map((v) => (v === 'me' ? actor.user.id : v));
        }
        const page = await store.listObjects({ ...query, workspaceId: actor.workspace.id, type });
        const meta = { count: page.items.length, has_more: page.hasMore, next_cursor: page.hasMore ? page.lastId : null, limit: query.limit, offset: query.offset };
        return { data: JSON.parse(`[${page.items.join(',')}]`) as JsonObject[], meta };
      }),

    get: (type, id, signal) =>
      run(signal, async () => {
        requireModel(type);
        assertUuid(id);
        authorizeModel(actor, type, 'read');
        const found = await store.getObjectJson(actor.workspace.id, type, id);
        if (!found || found.is_deleted) throw notFound(type, id);
        return JSON.parse(found.json) as JsonObject;
      }),

    create: (type, fields, signal) =>
      run(signal, async () => {
        requireModel(type);
        authorizeModel(actor, type, 'write');
        const row = await store.transaction((tx) => objectCreator(commandContext(tx, actor), type, fields));
        return presentObject(row) as JsonObject;
      }),

    update: (type, id, fields, signal) =>
      run(signal, async () => {
        requireModel(type);
        authorizeModel(actor, type, 'write');
        const row = await store.transaction((tx) => objectUpdater(commandContext(tx, actor), type, id, fields, undefined));
        return presentObject(row) as JsonObject;
      }),

    delete: (type, id, signal) =>
      run(signal, async () => {
        requireModel(type);
        authorizeModel(actor, type, 'write');
        const { row, cascaded } = await store.transaction((tx) => objectDeleter(commandContext(tx, actor), type, id));
        return { ok: true, id: row.id, type, trashed_with_it: cascaded, restore: `POST /xapi2/trash/${type}/${row.id}/restore` };
      }),

    whoami: (signal) => run(signal, async () => presentActor(actor) as JsonObject),
  };
}
