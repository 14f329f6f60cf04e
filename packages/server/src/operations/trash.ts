/** The trash: what was deleted, newest first, and restoring it (a board brings its cards back). */
import { AppError, parseListQuery, type RawParams } from '@prodboard/shared';
import { commandContext } from '../context.js';
import { requireModel } from '../commands/object-loader.js';
import { objectRestorer } from '../commands/object-restorer.js';
import { authorizeModel, readableModels } from '../policies.js';
import { presentObject, presentTrashed } from '../presenters.js';
import { defineOperation, done } from './operation.js';

function paging(params: RawParams): { limit: number; offset: number; types?: string[] } {
  const { type, ...rest } = params;
  // Reuse the list parser's limit/offset rules; `type` is this listing's only filter.
  const parsed = parseListQuery('card', requireModel('card'), { limit: rest.limit, offset: rest.offset });
  const unknown = Object.keys(rest).filter((k) => k !== 'limit' && k !== 'offset');
  if (unknown.length > 0) throw new AppError('invalid_query', `unknown parameter ${unknown.join(', ')}; the trash takes type, limit and offset`);
  const types = type === undefined ? undefined : Array.isArray(type) ? type : [type];
  for (const t of types ?? []) requireModel(t);
  return { limit: parsed.limit, offset: parsed.offset, types };
}

export const listTrash = defineOperation('trash.list', {
  parse: (input) => paging(input.query ?? {}),
  async run({ deps, actor }, { limit, offset, types }) {
    const readable = readableModels(actor).filter((t) => !types || types.includes(t));
    const page = await deps.store.listTrash(actor.workspace.id, readable, limit, offset);
    return done({ data: page.rows.map(presentTrashed), meta: { count: page.rows.length, has_more: page.hasMore, limit, offset, types: readable } });
  },
});

export const restoreFromTrash = defineOperation('trash.restore', {
  parse(input) {
    requireModel(input.type);
    return input;
  },
  policy: (actor, { type }) => authorizeModel(actor, type, 'write'),
  async run({ deps, actor }, { type, id }) {
    const { row, restored } = await deps.store.transaction((tx) => objectRestorer(commandContext(tx, actor), type, id));
    return { output: { ...presentObject(row), restored_with_it: restored }, version: row.version };
  },
});
