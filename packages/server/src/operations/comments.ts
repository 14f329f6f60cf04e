/**
 * Comments on cards and a card's history. A comment lives on its card: it is read with the card's
 * read access and written with its write access; only its author edits it, and its author or an
 * owner or admin deletes it (commands/comment-*.ts). Each write records its event on the card's
 * history in its transaction.
 */
import { AppError, assertUuid, notFound } from '@prodboard/shared';
import { commandContext, type Actor } from '../context.js';
import { commentCreator } from '../commands/comment-creator.js';
import { commentDeleter } from '../commands/comment-deleter.js';
import { commentUpdater } from '../commands/comment-updater.js';
import { authorizeModel, readableActivityTypes } from '../policies.js';
import { presentComment, presentHistoryEntry } from '../presenters.js';
import type { Store, StoreTx } from '../store/types.js';
import { checkIdempotencyKey, createOnce } from './idempotency.js';
import { defineOperation, done } from './operation.js';

const HISTORY_MAX = 200;

/** Member id → name, for presenting authors, mentions and actors. */
async function memberNames(store: Store | StoreTx, actor: Actor): Promise<Map<string, string>> {
  return new Map((await store.listMembers(actor.workspace.id)).map((m) => [m.user_id, m.name]));
}

/** A 404 unless the card is live in the actor's workspace. */
async function requireLiveCard(store: Store, actor: Actor, id: string): Promise<void> {
  const card = await store.getObject(actor.workspace.id, 'card', id);
  if (!card || card.is_deleted) throw notFound('card', id);
}

function historyLimit(raw: string | string[] | undefined): number {
  if (raw === undefined) return 50;
  if (Array.isArray(raw) || !/^\d{1,6}$/.test(raw) || Number(raw) < 1) {
    throw new AppError('invalid_query', `limit must be a whole number from 1 to ${HISTORY_MAX}`, { errors: [{ field: 'limit', message: 'whole number ≥ 1' }] });
  }
  return Math.min(Number(raw), HISTORY_MAX);
}

const readCards = (actor: Actor) => authorizeModel(actor, 'card', 'read');
const writeCards = (actor: Actor) => authorizeModel(actor, 'card', 'write');

export const listComments = defineOperation('comments.list', {
  parse(input) {
    assertUuid(input.card_id);
    return input;
  },
  policy: readCards,
  async run({ deps: { store }, actor }, { card_id: cardId }) {
    await requireLiveCard(store, actor, cardId);
    const [rows, names] = await Promise.all([store.listComments(actor.workspace.id, cardId), memberNames(store, actor)]);
    return done({ data: rows.map((r) => presentComment(r, names)), meta: { count: rows.length } });
  },
});

export const createComment = defineOperation('comments.create', {
  policy: writeCards,
  parse: (input) => ({ ...input, idempotency_key: checkIdempotencyKey(input.idempotency_key) }),
  async run({ deps: { store }, actor }, { card_id: cardId, fields, idempotency_key: key }) {
    return store.transaction((tx) =>
      createOnce(tx, actor, key, () => `comment\n${cardId}\n${JSON.stringify(fields ?? null)}`, async () => {
        const row = await commentCreator(commandContext(tx, actor), cardId, fields);
        return { output: presentComment(row, await memberNames(tx, actor)) };
      }),
    );
  },
});

export const updateComment = defineOperation('comments.update', {
  policy: writeCards,
  async run({ deps: { store }, actor }, { id, fields, version }) {
    const { row, names } = await store.transaction(async (tx) => {
      const row = await commentUpdater(commandContext(tx, actor), id, fields, version);
      return { row, names: await memberNames(tx, actor) };
    });
    return { output: presentComment(row, names), version: row.version };
  },
});

export const deleteComment = defineOperation('comments.delete', {
  policy: writeCards,
  async run({ deps: { store }, actor }, { id }) {
    const row = await store.transaction((tx) => commentDeleter(commandContext(tx, actor), id));
    return done({ ok: true as const, id: row.id, card_id: row.card_id });
  },
});

export const cardHistory = defineOperation('history.list', {
  parse(input) {
    const { limit, ...rest } = input.query ?? {};
    if (Object.keys(rest).length > 0) throw new AppError('invalid_query', `unknown parameter ${Object.keys(rest).join(', ')}; a card's history takes limit`);
    const parsed = { card_id: input.card_id, limit: historyLimit(limit) };
    assertUuid(parsed.card_id);
    return parsed;
  },
  policy: readCards,
  async run({ deps: { store }, actor }, { card_id: cardId, limit }) {
    await requireLiveCard(store, actor, cardId);
    const [rows, names] = await Promise.all([
      store.listObjectActivity(actor.workspace.id, cardId, readableActivityTypes(actor), limit),
      memberNames(store, actor),
    ]);
    return done({ data: rows.map((r) => presentHistoryEntry(r, names)), meta: { count: rows.length, limit } });
  },
});
