/**
 * Rules a model applies to every write beyond field validation: card placement, card assignees,
 * board columns.
 */
import { AppError, DEFAULT_COLUMNS, ME, validationError, type Column, type FieldError, type Json, type ValidatedInput } from '@prodboard/shared';
import type { CommandContext } from '../context.js';
import type { ObjectRow } from '../store/types.js';
import { boardColumns, placeCard } from './card-placement.js';

/** Settles derived fields and cross-object checks of `next` before it is written. */
export async function applyModelRules(ctx: CommandContext, next: ObjectRow, previous: ObjectRow | undefined, input: ValidatedInput): Promise<void> {
  if (next.type === 'card') {
    if ('assignees' in input.set) await resolveAssignees(ctx, next);
    // An empty list is stored as no list, so "nobody" and "no items" have one form each.
    for (const key of ['assignees', 'checklist']) if (Array.isArray(next.data[key]) && next.data[key].length === 0) delete next.data[key];
    await placeCard(ctx, next, previous, { status: 'status' in input.set, position: 'position' in input.set });
  } else if (next.type === 'board') {
    if (!Array.isArray(next.data.columns)) next.data.columns = DEFAULT_COLUMNS.map((c) => ({ ...c })) as unknown as Json;
    if (previous) await refuseRemovingBusyColumns(ctx, previous, next);
  }
}

/** A column that still holds cards may not disappear: the cards would point at nothing. */
async function refuseRemovingBusyColumns(ctx: CommandContext, previous: ObjectRow, next: ObjectRow): Promise<void> {
  const kept = new Set((next.data.columns as unknown as Column[]).map((c) => c.key));
  const removed = boardColumns(previous).map((c) => c.key).filter((key) => !kept.has(key));
  if (removed.length === 0) return;
  const count = await ctx.store.countCardsInStatuses(ctx.actor.workspace.id, previous.id, removed);
  if (count > 0) {
    throw new AppError('conflict', `columns ${removed.join(', ')} still hold ${count} card(s); move those cards to another column (or delete them) before removing the column, or keep its key`, {
      errors: [{ field: 'columns', message: `cannot remove non-empty columns: ${removed.join(', ')}` }],
    });
  }
}

/**
 * `me` becomes the caller; every assignee must be a member of the caller's workspace. A user of
 * another workspace gets the same answer as an id that names nobody, so nothing leaks across.
 */
async function resolveAssignees(ctx: CommandContext, next: ObjectRow): Promise<void> {
  const ids = (next.data.assignees as string[]).map((id) => (id === ME ? ctx.actor.user.id : id));
  const errors: FieldError[] = [];
  for (const [index, id] of ids.entries()) {
    if (!(await ctx.store.getMembership(ctx.actor.workspace.id, id))) {
      errors.push({
        field: `assignees[${index}]`,
        message: `assignees[${index}] "${id}" is not a member of this workspace; assign members only (GET /xapi2/members lists them, "me" is you)`,
      });
    }
  }
  if (errors.length > 0) throw validationError(errors);
  next.data.assignees = [...new Set(ids)];
}
