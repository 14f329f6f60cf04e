/**
 * What the web app's consent page and Integrations page do with OAuth (signed-in sessions only: a
 * token never grants or revokes access). The authorization server's own endpoints (/oauth/*) speak
 * OAuth's protocol, not this API, and stay in routes/oauth.ts over src/oauth.
 */
import { commandContext } from '../context.js';
import { oauthGrantRevoker } from '../commands/oauth-grant-revoker.js';
import { consentDecider, consentReader } from '../oauth/authorization.js';
import { oauthUrlsOf } from '../oauth/metadata.js';
import { authorizeAccountManagement } from '../policies.js';
import { presentOAuthGrant } from '../presenters.js';
import { defineOperation, done, type OperationEnv } from './operation.js';

/** The issuer and resource, as redirects name them (the same base as /oauth/authorize's). */
const urlsOf = (env: OperationEnv) => oauthUrlsOf(env.publicUrl());

export const getConsentRequest = defineOperation('oauth_requests.get', {
  policy: authorizeAccountManagement,
  async run({ deps: { store, config }, actor }, { id }) {
    return done(await consentReader(store, actor, id, config.now()));
  },
});

export const approveConsentRequest = defineOperation('oauth_requests.approve', {
  policy: authorizeAccountManagement,
  async run(env, { id }) {
    const { deps: { store, config }, actor } = env;
    return done({ redirect_to: await consentDecider(store, actor, id, true, urlsOf(env), config.now()) });
  },
});

export const denyConsentRequest = defineOperation('oauth_requests.deny', {
  policy: authorizeAccountManagement,
  async run(env, { id }) {
    const { deps: { store, config }, actor } = env;
    return done({ redirect_to: await consentDecider(store, actor, id, false, urlsOf(env), config.now()) });
  },
});

export const listOAuthGrants = defineOperation('oauth_grants.list', {
  policy: authorizeAccountManagement,
  async run({ deps: { store }, actor }) {
    const rows = await store.listOAuthGrants(actor.user.id, actor.workspace.id);
    return done({ data: rows.map(presentOAuthGrant) });
  },
});

export const revokeOAuthGrant = defineOperation('oauth_grants.revoke', {
  policy: authorizeAccountManagement,
  async run({ deps: { store, config }, actor }, { id }) {
    await store.transaction((tx) => oauthGrantRevoker(commandContext(tx, actor, config.now()), id));
    return done({ ok: true as const, id });
  },
});
