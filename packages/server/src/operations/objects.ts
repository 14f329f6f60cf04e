/**
 * Objects of the manifest's models: list, get, create, update, delete. The reads hand back JSON the
 * database wrote (JsonText): a page of 50 is never parsed and re-serialised on its way to HTTP.
 */
import { createHash } from 'node:crypto';
import { AppError, ME, notFound, parseCardKey, parseListQuery, type ListQuery, type OperationInput } from '@prodboard/shared';
import { commandContext } from '../context.js';
import { objectCreator } from '../commands/object-creator.js';
import { objectDeleter } from '../commands/object-deleter.js';
import { requireModel, resolveObjectId } from '../commands/object-loader.js';
import { objectUpdater } from '../commands/object-updater.js';
import { authorizeModel } from '../policies.js';
import { presentObject } from '../presenters.js';
import { IDEMPOTENCY_WINDOW_MS } from '../store/sweeper.js';
import { JsonText, defineOperation, done } from './operation.js';

/** The input's model, checked (404 for an unknown one, before anything else). */
function withModel<I extends { type: string }>(input: I): I {
  requireModel(input.type);
  return input;
}

/** An Idempotency-Key as given, or a 400. */
function checkIdempotencyKey(key: string | undefined): string | undefined {
  if (key === undefined) return undefined;
  if (typeof key !== 'string' || key.length === 0 || key.length > 200) {
    throw new AppError('validation_failed', 'Idempotency-Key must be 1 to 200 characters (a UUID is ideal)', { errors: [{ field: 'Idempotency-Key', message: 'must be 1-200 characters' }] });
  }
  return key;
}

export const listObjects = defineOperation('objects.list', {
  parse: (input): { type: string; query: ListQuery; q: unknown } => ({
    type: input.type,
    query: parseListQuery(input.type, requireModel(input.type), input.query ?? {}),
    q: input.query?.q,
  }),
  policy: (actor, { type }) => authorizeModel(actor, type, 'read'),
  async run({ deps, actor }, { type, query, q }) {
    for (const filter of query.filters) {
      if (filter.param === 'owned_by' || (filter.target.kind === 'data' && filter.target.field.type === 'members')) {
        filter.values = filter.values.map((v) => (v === ME ? actor.user.id : v));
      }
    }
    // A `q` that is a card's key (WEB-42), current or from before a move, finds that card.
    const byKey = type === 'card' && typeof q === 'string' && parseCardKey(q) ? await deps.store.resolveKey(actor.workspace.id, type, q) : undefined;
    const listed = byKey === undefined ? query : { ...query, terms: [], sort: query.sort ?? parseListQuery(type, requireModel(type), {}).sort, id: byKey };
    const page = await deps.store.listObjects({ ...listed, workspaceId: actor.workspace.id, type });
    const meta = { count: page.items.length, has_more: page.hasMore, next_cursor: page.hasMore ? page.lastId : null, limit: query.limit, offset: query.offset };
    // The objects arrive as JSON written by the database: the page is assembled, not re-serialised.
    return { output: new JsonText(`{"data":[${page.items.join(',')}],"meta":${JSON.stringify(meta)}}`) };
  },
});

export const getObject = defineOperation('objects.get', {
  parse(input) {
    requireModel(input.type);
    return input;
  },
  policy: (actor, { type }) => authorizeModel(actor, type, 'read'),
  async run({ deps, actor }, { type, id: raw }) {
    // An id, or a board's or card's key.
    const id = await resolveObjectId(deps.store, actor.workspace.id, type, raw);
    const found = await deps.store.getObjectJson(actor.workspace.id, type, id);
    if (!found || found.is_deleted) throw notFound(type, id);
    // Written by the database as presentObject would (a list test holds the two equal).
    return { output: new JsonText(found.json), version: found.version };
  },
});

export const createObject = defineOperation('objects.create', {
  parse: (input: OperationInput<'objects.create'>) => ({ ...withModel(input), idempotency_key: checkIdempotencyKey(input.idempotency_key) }),
  policy: (actor, { type }) => authorizeModel(actor, type, 'write'),
  async run({ deps, actor }, { type, fields, idempotency_key: key }) {
    // Only a create that carries a key needs its body fingerprinted.
    const requestHash = key ? createHash('sha256').update(`${type}\n${JSON.stringify(fields ?? null)}`).digest('hex') : '';
    return deps.store.transaction(async (tx) => {
      if (key) {
        // A retry racing the first attempt (possibly on another instance) waits for it, then replays it.
        await tx.lockKey(`idempotency:${actor.workspace.id}:${actor.user.id}:${key}`);
        const prior = await tx.getIdempotency(actor.workspace.id, actor.user.id, key);
        if (prior && Date.parse(prior.created_at) > Date.now() - IDEMPOTENCY_WINDOW_MS) {
          if (prior.request_hash !== requestHash) {
            throw new AppError('unprocessable', 'this Idempotency-Key was already used for a different request; use a new key for a new object');
          }
          return { output: new JsonText(prior.response), replayed: true };
        }
        if (prior) await tx.pruneIdempotency(new Date(Date.now() - IDEMPOTENCY_WINDOW_MS).toISOString());
      }
      const row = await objectCreator(commandContext(tx, actor), type, fields);
      const body = presentObject(row);
      if (key) {
        await tx.putIdempotency(actor.workspace.id, actor.user.id, key, {
          request_hash: requestHash, status: 201, response: JSON.stringify(body), created_at: new Date().toISOString(),
        });
      }
      return { output: body, version: row.version };
    });
  },
});

export const updateObject = defineOperation('objects.update', {
  parse: withModel,
  policy: (actor, { type }) => authorizeModel(actor, type, 'write'),
  async run({ deps, actor }, { type, id, fields, version }) {
    const row = await deps.store.transaction((tx) => objectUpdater(commandContext(tx, actor), type, id, fields, version));
    return { output: presentObject(row), version: row.version };
  },
});

export const deleteObject = defineOperation('objects.delete', {
  parse: withModel,
  policy: (actor, { type }) => authorizeModel(actor, type, 'write'),
  async run({ deps, actor }, { type, id, version }) {
    const { row, cascaded } = await deps.store.transaction((tx) => objectDeleter(commandContext(tx, actor), type, id, version));
    return done({ ok: true as const, id: row.id, type, trashed_with_it: cascaded, restore: `POST /xapi2/trash/${type}/${row.id}/restore` });
  },
});
