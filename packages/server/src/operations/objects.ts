/**
 * Objects of the manifest's models: list, get, create, update, delete. The reads hand back JSON the
 * database wrote (JsonText): a page of 50 is never parsed and re-serialised on its way to HTTP.
 */
import { ME, notFound, parseCardKey, parseListQuery, type ListQuery, type OperationInput } from '@prodboard/shared';
import { commandContext } from '../context.js';
import { objectCreator } from '../commands/object-creator.js';
import { objectDeleter } from '../commands/object-deleter.js';
import { requireModel, resolveObjectId } from '../commands/object-loader.js';
import { objectUpdater } from '../commands/object-updater.js';
import { authorizeModel } from '../policies.js';
import { presentObject } from '../presenters.js';
import { checkIdempotencyKey, createOnce } from './idempotency.js';
import { JsonText, defineOperation, done } from './operation.js';
import type { ObjectListQuery } from '../store/types.js';

/** The input's model, checked (404 for an unknown one, before anything else). */
function withModel<I extends { type: string }>(input: I): I {
  requireModel(input.type);
  return input;
}

/** T, if it names neither workspaceId nor type; otherwise never, and the call below stops compiling. */
type NoScope<T> = Extract<keyof T, 'workspaceId' | 'type'> extends never ? T : never;

/**
 * A list query scoped to a workspace and type. The parsed query is spread after the scope (the
 * cheaper order on this Node), which is safe only because it never names them: NoScope checks that.
 */
function scoped(workspaceId: string, type: string, query: NoScope<ListQuery> & { id?: string }): ObjectListQuery {
  return { workspaceId, type, ...query };
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
    const page = await deps.store.listObjects(scoped(actor.workspace.id, type, listed));
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
    const resolved = resolveObjectId(deps.store, actor.workspace.id, type, raw);
    const id = typeof resolved === 'string' ? resolved : await resolved;
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
    return deps.store.transaction((tx) =>
      createOnce(tx, actor, key, () => `${type}\n${JSON.stringify(fields ?? null)}`, async () => {
        const row = await objectCreator(commandContext(tx, actor), type, fields);
        return { output: presentObject(row), version: row.version };
      }),
    );
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
