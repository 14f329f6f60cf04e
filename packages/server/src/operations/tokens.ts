/** The signed-in user's personal access tokens. Sessions only: a token never mints, lists or revokes tokens. */
import { AppError, clipEcho, parseScopesInput } from '@prodboard/shared';
import { commandContext } from '../context.js';
import { parseExpiry } from '../auth/expiry.js';
import { accessTokenCreator } from '../commands/access-token-creator.js';
import { accessTokenRevoker } from '../commands/access-token-revoker.js';
import { authorizeAccountManagement } from '../policies.js';
import { presentAccessToken } from '../presenters.js';
import { defineOperation, done } from './operation.js';

const TOKEN_FIELDS = ['name', 'scopes', 'expires'];

export const listTokens = defineOperation('tokens.list', {
  policy: authorizeAccountManagement,
  async run({ deps, actor }) {
    const rows = await deps.store.listAccessTokens(actor.user.id, actor.workspace.id);
    return done({ data: rows.map(presentAccessToken) });
  },
});

export const createToken = defineOperation('tokens.create', {
  policy: authorizeAccountManagement,
  async run({ deps: { store, config }, actor }, input) {
    const body = (input ?? {}) as Record<string, unknown>;
    if (typeof body !== 'object' || Array.isArray(body)) throw new AppError('validation_failed', 'send a JSON object {name, scopes, expires}');
    const unknown = Object.keys(body).filter((k) => !TOKEN_FIELDS.includes(k));
    if (unknown.length) throw new AppError('validation_failed', `unknown field ${unknown.map((k) => clipEcho(k)).join(', ')}; a token takes name, scopes and expires`, { errors: unknown.map((field) => ({ field: clipEcho(field), message: 'unknown field' })) });
    if (typeof body.name !== 'string') throw new AppError('validation_failed', 'name is required, e.g. "Claude Desktop on my laptop"', { errors: [{ field: 'name', message: 'required' }] });
    if (body.expires !== undefined && body.expires !== null && typeof body.expires !== 'string') {
      throw new AppError('validation_failed', 'expires must be a string such as 30d, an ISO date, or null for never', { errors: [{ field: 'expires', message: 'wrong type' }] });
    }
    const fields = {
      userId: actor.user.id,
      workspaceId: actor.workspace.id,
      name: body.name,
      scopes: parseScopesInput(body.scopes),
      expiresAt: parseExpiry(body.expires as string | null | undefined, config.now()),
    };
    const { token, row } = await store.transaction((tx) => accessTokenCreator(tx, fields));
    return done({ ...presentAccessToken(row), token, detail: 'copy this token now: it is shown only once' });
  },
});

export const revokeToken = defineOperation('tokens.revoke', {
  policy: authorizeAccountManagement,
  async run({ deps: { store }, actor }, { id }) {
    await store.transaction((tx) => accessTokenRevoker(commandContext(tx, actor), id));
    return done({ ok: true as const, id });
  },
});
