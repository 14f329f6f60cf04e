/**
 * The tools' Backend in process: each call runs the operation its /xapi2 route runs (runOperation:
 * keys, versions and idempotency keys behave as over HTTP; comments and a card's history use the
 * comment routes' checks), with the caller's actor, without an HTTP hop, and answers with the same
 * wire shapes, so a tool's result on /mcp equals prodmcp's. Nothing else on /mcp knows how an
 * operation runs.
 */
import type { Json, RawParams } from '@prodboard/shared';
import { BackendError, CANCELLED, type Backend, type JsonObject, type ListParams, type Page } from '@prodboard/tools';
import type { FastifyBaseLogger } from 'fastify';
import { commandContext, type Actor } from '../context.js';
import type { AppDeps } from '../deps.js';
import { boundedBody, knownError, loggable } from '../http/errors.js';
import { authorizeModel, readableActivityTypes } from '../policies.js';
import { presentActor, presentComment, presentHistoryEntry } from '../presenters.js';
import { commentCreator } from '../commands/comment-creator.js';
import { runOperation } from '../operations/registry.js';
import { memberNames, readableCard as routeReadableCard } from '../routes/comments.js';

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
export function inProcessBackend(deps: AppDeps, actor: Actor, log: FastifyBaseLogger): Backend {
  const { store } = deps;
  /** Runs one operation, unless the call was already cancelled; every failure becomes a BackendError. */
  const run = async <T>(signal: AbortSignal, operation: () => Promise<T>): Promise<T> => {
    if (signal.aborted) throw new BackendError(0, 'the call was cancelled', CANCELLED);
    try {
      return await operation();
    } catch (err) {
      throw backendError(err, log);
    }
  };
  const names = () => memberNames(store, actor);
  const readableCard = (id: string) => routeReadableCard(store, actor, id);

  return {
    list: (type, params, signal) => run(signal, async () => (await runOperation(deps, 'objects.list', actor, { type, query: rawParams(params) })) as unknown as Page),

    get: (type, id, signal) => run(signal, async () => (await runOperation(deps, 'objects.get', actor, { type, id })) as JsonObject),

    create: (type, fields, signal, options) =>
      run(signal, async () => (await runOperation(deps, 'objects.create', actor, { type, fields: fields as Record<string, Json>, idempotency_key: options?.idempotencyKey })) as JsonObject),

    update: (type, id, fields, signal, options) =>
      run(signal, async () => (await runOperation(deps, 'objects.update', actor, { type, id, fields: fields as Record<string, Json>, version: options?.version })) as JsonObject),

    delete: (type, id, signal, options) =>
      run(signal, async () => (await runOperation(deps, 'objects.delete', actor, { type, id, version: options?.version })) as JsonObject),

    whoami: (signal) => run(signal, async () => presentActor(actor) as JsonObject),

    members: (signal) => run(signal, async () => (await runOperation(deps, 'members.list', actor, {})) as unknown as Page),

    activity: (params, signal) => run(signal, async () => (await runOperation(deps, 'activity.list', actor, { query: rawParams(params) })) as unknown as Page),

    trash: (params, signal) => run(signal, async () => (await runOperation(deps, 'trash.list', actor, { query: rawParams(params) })) as unknown as Page),

    restore: (type, id, signal) => run(signal, async () => (await runOperation(deps, 'trash.restore', actor, { type, id })) as JsonObject),

    comments: (cardId, signal) =>
      run(signal, async () => {
        await readableCard(cardId);
        const [rows, byId] = await Promise.all([store.listComments(actor.workspace.id, cardId), names()]);
        return { data: rows.map((r) => presentComment(r, byId)) as JsonObject[], meta: { count: rows.length } };
      }),

    addComment: (cardId, body, signal) =>
      run(signal, async () => {
        authorizeModel(actor, 'card', 'write');
        const row = await store.transaction((tx) => commentCreator(commandContext(tx, actor), cardId, { body }));
        return presentComment(row, await names()) as JsonObject;
      }),

    history: (cardId, limit, signal) =>
      run(signal, async () => {
        await readableCard(cardId);
        const [rows, byId] = await Promise.all([store.listObjectActivity(actor.workspace.id, cardId, readableActivityTypes(actor), limit), names()]);
        return { data: rows.map((r) => presentHistoryEntry(r, byId)) as JsonObject[], meta: { count: rows.length, limit } };
      }),
  };
}
