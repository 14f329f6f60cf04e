/**
 * Authorization, declared once: what an actor may do is the smaller of its role and, for a personal
 * access token or an OAuth grant, its scopes.
 */
import { ACCOUNT_EVENT_TYPES, AppError, MODEL_NAMES, roleCanWrite, scopeAllows, type Role } from '@prodboard/shared';
import type { Actor } from './context.js';

/** Throws 403 unless the actor may read (or write) objects of this model. */
export function authorizeModel(actor: Actor, type: string, access: 'read' | 'write'): void {
  if (access === 'write' && !roleCanWrite(actor.role)) {
    throw new AppError('forbidden', `your role in this workspace is ${actor.role}, which can only read; ask an owner or admin to make you a member to change ${type} objects`);
  }
  const credential = actor.credential;
  if (credential.kind !== 'session' && !scopeAllows(credential.scopes[type], access)) {
    const has = credential.scopes[type] ?? 'none';
    const fix =
      credential.kind === 'pat'
        ? `create a token with ${type}:${access} on the Integrations page (or with prodboard token create --scopes ${type}:${access})`
        : `sign in again from your MCP host and allow ${type}:${access} on the consent page`;
    const what = credential.kind === 'pat' ? 'this personal access token' : 'this OAuth sign-in';
    throw new AppError('scope_denied', `${what} has ${type}:${has}, but this call needs ${type}:${access}; ${fix}`);
  }
}

/** Whether the actor may read (or write) objects of this model: authorizeModel's answer without the error. */
export function mayAccessModel(actor: Actor, type: string, access: 'read' | 'write'): boolean {
  if (access === 'write' && !roleCanWrite(actor.role)) return false;
  return actor.credential.kind === 'session' || scopeAllows(actor.credential.scopes[type], access);
}

/** The models the actor may read (for activity and trash listings). */
export function readableModels(actor: Actor): string[] {
  return MODEL_NAMES.filter((type) => actor.credential.kind === 'session' || scopeAllows(actor.credential.scopes[type], 'read'));
}

/** Throws 403 unless signed in: tokens (personal or OAuth) never manage users, passwords, tokens or grants. */
export function authorizeAccountManagement(actor: Actor): void {
  if (actor.credential.kind !== 'session') {
    throw new AppError('forbidden', 'tokens (personal access tokens and OAuth sign-ins) cannot manage users, passwords, tokens or grants; sign in to the web app (or use the prodboard CLI) to do this');
  }
}

/** Throws 403 unless the actor, signed in (never with a PAT), is an owner or admin: who invites people and changes roles. */
export function authorizeMemberManagement(actor: Actor): void {
  authorizeAccountManagement(actor);
  if (actor.role !== 'owner' && actor.role !== 'admin') {
    throw new AppError('forbidden', `your role in this workspace is ${actor.role}; only owners and admins invite people and change roles, so ask one of them`);
  }
}

/** Throws 403 unless the actor may give `role` to someone whose role is now `current` (undefined for an invitation). */
export function authorizeRoleGrant(actor: Actor, role: Role, current?: Role): void {
  authorizeMemberManagement(actor);
  if (actor.role !== 'owner' && (role === 'owner' || current === 'owner')) {
    throw new AppError('forbidden', "only an owner can make someone an owner or change an owner's role; pick admin, member or viewer, or ask an owner", {
      errors: [{ field: 'role', message: 'only an owner can grant or change the owner role' }],
    });
  }
}

/** The activity types a live feed carries to the actor: the readable models, and comments with cards. */
export function liveActivityTypes(actor: Actor): string[] {
  const models = readableModels(actor);
  return models.includes('card') ? [...models, 'comment'] : models;
}

/**
 * The activity types the actor may read: what its live feed carries, and for an owner or admin
 * signed in (never a token), the account events (tokens, sessions, passwords, roles, invitations).
 */
export function readableActivityTypes(actor: Actor): string[] {
  const types = liveActivityTypes(actor);
  const managesAccounts = actor.credential.kind === 'session' && (actor.role === 'owner' || actor.role === 'admin');
  return managesAccounts ? [...types, ...ACCOUNT_EVENT_TYPES] : types;
}

/** Throws 403 unless the actor wrote the comment: only its author edits a comment. */
export function authorizeCommentEdit(actor: Actor, comment: { author_id: string }): void {
  if (comment.author_id !== actor.user.id) {
    throw new AppError('forbidden', "only a comment's author can edit it; add a comment of your own instead");
  }
}

/** Throws 403 unless the actor wrote the comment or is an owner or admin (who may delete any). */
export function authorizeCommentDelete(actor: Actor, comment: { author_id: string }): void {
  if (comment.author_id !== actor.user.id && actor.role !== 'owner' && actor.role !== 'admin') {
    throw new AppError('forbidden', `only a comment's author, or an owner or admin, can delete it; your role is ${actor.role}`);
  }
}
