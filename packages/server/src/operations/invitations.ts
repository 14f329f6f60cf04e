/**
 * One-time invite links. Owners and admins create, list and revoke them; the person invited previews
 * and accepts one without an account (the link's token is the credential).
 */
import { AppError, clipEcho } from '@prodboard/shared';
import { commandContext } from '../context.js';
import { invitationAccepter, invitationJoiner, loadUsableInvitation } from '../commands/invitation-accepter.js';
import { invitationCreator } from '../commands/invitation-creator.js';
import { invitationRevoker } from '../commands/invitation-revoker.js';
import { authorizeAccountManagement, authorizeMemberManagement } from '../policies.js';
import { presentInvitation } from '../presenters.js';
import { defineOperation, done } from './operation.js';
import { openSession } from './sessions.js';

/** The web app's page that accepts an invitation; the token rides in the fragment so it never reaches a log. */
const ACCEPT_PATH = '/invite#token=';

/** The input as an object of fields, or a 400. */
function objectInput(value: unknown): Record<string, unknown> {
  const input = value ?? {};
  if (typeof input !== 'object' || Array.isArray(input) || input === null) {
    throw new AppError('validation_failed', 'send a JSON object', { errors: [{ field: 'body', message: 'must be a JSON object' }] });
  }
  return input as Record<string, unknown>;
}

export const listInvitations = defineOperation('invitations.list', {
  policy: authorizeMemberManagement,
  async run({ deps, actor }) {
    const rows = await deps.store.listPendingInvitations(actor.workspace.id);
    return done({ data: rows.map((row) => presentInvitation(row)) });
  },
});

export const createInvitation = defineOperation('invitations.create', {
  policy: authorizeMemberManagement,
  async run({ deps, actor, publicUrl }, raw) {
    const input = objectInput(raw);
    const unknown = Object.keys(input).filter((k) => !['role', 'email', 'expires'].includes(k));
    if (unknown.length > 0) {
      throw new AppError('validation_failed', `unknown field ${unknown.map((k) => clipEcho(k)).join(', ')}; an invitation takes role, email and expires`, { errors: unknown.map((field) => ({ field: clipEcho(field), message: 'unknown field' })) });
    }
    const { token, row } = await deps.store.transaction((tx) => invitationCreator(commandContext(tx, actor), input));
    const path = `${ACCEPT_PATH}${token}`;
    return done({
      ...presentInvitation(row),
      token,
      path,
      url: `${publicUrl()}${path}`,
      detail: 'send this link to the person you invite; it works once and is shown only now',
    });
  },
});

export const revokeInvitation = defineOperation('invitations.revoke', {
  policy: authorizeMemberManagement,
  async run({ deps, actor }, { id }) {
    await deps.store.transaction((tx) => invitationRevoker(commandContext(tx, actor), id));
    return done({ ok: true as const, id });
  },
});

export const previewInvitation = defineOperation('invitations.preview', {
  access: 'public',
  async run({ deps: { store } }, input) {
    const invitation = await loadUsableInvitation(store, objectInput(input).token);
    const workspace = (await store.getWorkspace(invitation.workspace_id))!;
    return done({ workspace: { name: workspace.name, slug: workspace.slug }, role: invitation.role, email: invitation.email, expires_at: invitation.expires_at });
  },
});

export const acceptInvitation = defineOperation('invitations.accept', {
  access: 'public',
  async run({ deps }, input) {
    const { user, workspace, role } = await invitationAccepter(deps.store, objectInput(input));
    return done(await openSession(deps, user, workspace, role, 'invitation'));
  },
});

export const joinInvitation = defineOperation('invitations.join', {
  policy: authorizeAccountManagement,
  async run({ deps, actor }, input) {
    const user = (await deps.store.getUser(actor.user.id))!;
    const { workspace, role } = await invitationJoiner(deps.store, user, objectInput(input).token);
    return done(await openSession(deps, user, workspace, role, 'invitation'));
  },
});
