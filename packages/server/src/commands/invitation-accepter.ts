/**
 * invitationAccepter: turns a one-time invite link into a new account and its membership. The link
 * is used up in the same transaction that creates the account, so it works exactly once.
 */
import { AppError, type Role } from '@prodboard/shared';
import { newId } from '../context.js';
import { hashPassword } from '../auth/passwords.js';
import { hashToken } from '../auth/tokens.js';
import type { InvitationRow, InvitationsRepo, Store, UserRow, WorkspaceRow } from '../store/types.js';
import { checkNewUser } from './user-creator.js';
import { emailKey } from '../store/email.js';

export interface InvitationAcceptance {
  token?: unknown;
  email?: unknown;
  password?: unknown;
  name?: unknown;
}

const unusable = () =>
  new AppError('not_found', 'this invite link is not valid, was already used, was revoked or has expired; ask whoever invited you for a new link', {
    errors: [{ field: 'token', message: 'invite link not valid' }],
  });

/** The pending, unexpired invitation a token names, or a 404. */
export async function loadUsableInvitation(store: InvitationsRepo, token: unknown, now = Date.now()): Promise<InvitationRow> {
  if (typeof token !== 'string' || !token.startsWith('inv_') || token.length > 200) throw unusable();
  const row = await store.getInvitationByHash(hashToken(token));
  if (!row || row.accepted_at || row.revoked_at || Date.parse(row.expires_at) <= now) throw unusable();
  return row;
}

/** Creates the invited account; a 409 at `email` when that address already has an account. */
export async function invitationAccepter(store: Store, input: InvitationAcceptance): Promise<{ user: UserRow; workspace: WorkspaceRow; role: Role }> {
  const invitation = await loadUsableInvitation(store, input.token);
  const workspace = (await store.getWorkspace(invitation.workspace_id))!;
  const { email, name } = checkNewUser({
    email: typeof input.email === 'string' ? input.email : '',
    password: typeof input.password === 'string' ? input.password : '',
    name: typeof input.name === 'string' && input.name.trim() !== '' ? input.name : undefined,
    role: invitation.role,
    workspace: workspace.slug,
  });
  if (invitation.email && emailKey(invitation.email) !== emailKey(email)) {
    throw new AppError('validation_failed', `this invitation is for ${invitation.email}; sign up with that address or ask for a new link`, {
      errors: [{ field: 'email', message: `this invitation is for ${invitation.email}` }],
    });
  }
  const passwordHash = await hashPassword(input.password as string);
  return store.transaction(async (tx) => {
    if (await tx.getUserByEmail(email)) {
      throw new AppError('conflict', `an account with email ${email} already exists; sign in with it and accept the invitation, or use another address to join this workspace`, {
        errors: [{ field: 'email', message: 'already has an account' }],
      });
    }
    const now = new Date().toISOString();
    const user: UserRow = { id: newId(), email, name, password_hash: passwordHash, created_at: now, updated_at: now };
    await tx.insertUser(user);
    if (!(await tx.acceptInvitation(invitation.id, user.id, now))) throw unusable();
    await tx.upsertMembership({ workspace_id: workspace.id, user_id: user.id, role: invitation.role, created_at: now });
    await tx.insertActivity({
      workspace_id: workspace.id, actor_id: user.id, token_id: null, object_type: 'member', object_id: user.id,
      action: 'create', changes: { role: [null, invitation.role], invitation: [null, invitation.id] }, created_at: now,
    });
    return { user, workspace, role: invitation.role };
  });
}

/**
 * Adds the signed-in user to the workspace of an invite link (an existing account joining a second
 * workspace). The link is used up in the same transaction that adds the membership.
 */
export async function invitationJoiner(store: Store, user: UserRow, token: unknown): Promise<{ workspace: WorkspaceRow; role: Role }> {
  const invitation = await loadUsableInvitation(store, token);
  const workspace = (await store.getWorkspace(invitation.workspace_id))!;
  if (invitation.email && emailKey(invitation.email) !== emailKey(user.email)) {
    throw new AppError('forbidden', `this invitation is for ${invitation.email}, and you are signed in as ${user.email}; sign in as ${invitation.email}, or ask for a link for your address`, {
      errors: [{ field: 'token', message: `this invitation is for ${invitation.email}` }],
    });
  }
  return store.transaction(async (tx) => {
    if (await tx.getMembership(workspace.id, user.id)) {
      throw new AppError('conflict', `you are already a member of ${workspace.name}; switch to it with the workspace menu`, {
        errors: [{ field: 'token', message: 'already a member' }],
      });
    }
    const now = new Date().toISOString();
    if (!(await tx.acceptInvitation(invitation.id, user.id, now))) throw unusable();
    await tx.upsertMembership({ workspace_id: workspace.id, user_id: user.id, role: invitation.role, created_at: now });
    await tx.insertActivity({
      workspace_id: workspace.id, actor_id: user.id, token_id: null, object_type: 'member', object_id: user.id,
      action: 'create', changes: { role: [null, invitation.role], invitation: [null, invitation.id] }, created_at: now,
    });
    return { workspace, role: invitation.role };
  });
}
