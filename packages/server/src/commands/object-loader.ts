/**
 * Loading objects for commands, with the checks every write shares: the model exists, the object is
 * in the caller's workspace, and the caller's `If-Match` version is current.
 */
import { AppError, MODEL_NAMES, assertUuid, isUuid, modelOf, normalizeBoardKey, notFound, parseCardKey, type ModelSpec } from '@prodboard/shared';
import type { CommandContext } from '../context.js';
import type { ObjectRow, Store } from '../store/types.js';

/** The model of a path's type segment, or a 404 listing the models. */
export function requireModel(type: string): ModelSpec {
  const model = modelOf(type);
  if (!model) throw new AppError('not_found', `unknown model type "${type.slice(0, 40)}"; available types: ${MODEL_NAMES.join(', ')}`);
  return model;
}

/**
 * The id a path's `id` segment names: a UUID as it is, or a board's key (WEB) or a card's (WEB-42),
 * current or old (issue 12); a 404 naming `id` when no board or card has that key, the UUID error
 * (which mentions keys) when it is neither.
 */
export function resolveObjectId(store: Pick<Store, 'resolveKey'>, workspaceId: string, type: string, raw: string): string | Promise<string> {
  // A UUID, nearly every call, resolves at once: no promise on the hot read's path.
  return isUuid(raw) ? raw : resolveKeyedId(store, workspaceId, type, raw);
}

async function resolveKeyedId(store: Pick<Store, 'resolveKey'>, workspaceId: string, type: string, raw: string): Promise<string> {
  const keyed = (type === 'card' && parseCardKey(raw)) || (type === 'board' && normalizeBoardKey(raw));
  if (!keyed) {
    if (type === 'card' || type === 'board') {
      const example = type === 'card' ? 'WEB-42' : 'WEB';
      throw new AppError('validation_failed', `id "${raw.slice(0, 80)}" is not a valid id; ids are UUIDs such as 0190f5a2-7c1e-7b3d-9a4e-2f1c3d4e5f60, or ${type} keys such as ${example}`, {
        errors: [{ field: 'id', message: `id must be a UUID or a ${type} key like ${example}` }],
      });
    }
    assertUuid(raw);
  }
  const id = await store.resolveKey(workspaceId, type, raw);
  if (id === undefined) {
    throw new AppError('not_found', `no ${type} has the key ${raw.trim().toUpperCase().slice(0, 40)} in this workspace; list ${type} objects (each shows its key) to find it`, {
      errors: [{ field: 'id', message: 'unknown key' }],
    });
  }
  return id;
}

/** The object, live (not deleted), in the caller's workspace, held for this write; or a 404. */
export async function loadLiveObject(ctx: CommandContext, type: string, id: string): Promise<ObjectRow> {
  assertUuid(id);
  const row = await ctx.store.getObjectForUpdate(ctx.actor.workspace.id, type, id);
  if (!row || row.is_deleted) throw notFound(type, id);
  return row;
}

/** A 412 unless the caller's `If-Match` version (when given) is the stored one. */
export function checkVersion(row: ObjectRow, ifMatch: number | undefined): void {
  if (ifMatch !== undefined && ifMatch !== row.version) {
    throw new AppError(
      'precondition_failed',
      `${row.type} ${row.id} is at version ${row.version}, not ${ifMatch}: someone changed it since you read it; read it again, reapply your change and retry with If-Match: ${row.version}`,
    );
  }
}

/** The next version of a row, stamped by the actor. */
export function nextVersion(ctx: CommandContext, row: ObjectRow): ObjectRow {
  return { ...row, data: { ...row.data }, updated_at: ctx.now, updated_by: ctx.actor.user.id, version: row.version + 1 };
}

/** Writes the next version, or a 409 when another writer got there first. */
export async function writeNextVersion(ctx: CommandContext, next: ObjectRow, previous: ObjectRow): Promise<void> {
  if (!(await ctx.store.updateObject(next, previous))) {
    throw new AppError('conflict', `${previous.type} ${previous.id} was changed by another request at the same moment; read it again and retry`);
  }
}
