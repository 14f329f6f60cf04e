/**
 * Authorization, declared once: what an actor may do is the smaller of its role and, for a personal
 * access token, the token's scopes.
 */
import { ACCOUNT_EVENT_TYPES, AppError, MODEL_NAMES, roleCanWrite, scopeAllows, type Role } from '@prodboard/shared';
import type { Actor } from './context.js';

/** Throws 403 unless the actor may read (or write) objects of this model. */
export function authorizeModel(actor: Actor, type: string, access: 'read' | 'write'): void {
  if (access === 'write' && !roleCanWrite(actor.role)) {
    throw new AppError('forbidden', `your role in this workspace is ${actor.role}, which can only read; ask an owner or admin to make you a member to change ${type} objects`);
  }
  if (actor.credential.kind === 'pat' && !scopeAllows(actor.credential.scopes[type], access)) {
    const has = actor.credential.scopes[type] ?? 'none';
    throw new AppError(
      'scope_denied',
      `this personal access token has ${type}:${has}, but this call needs ${type}:${access}; create a token with ${type}:${access} on the Integrations page (or with prodboard token create --scopes ${type}:${access})`,
    );
  }
}

/** The models the actor may read (for activity and trash listings). */
export function readableModels(actor: Actor): string[] {
  return MODEL_NAMES.filter((type) => actor.credential.kind === 'session' || scopeAllows(actor.credential.scopes[type], 'read'));
}

/**
 * The object types of activity the actor may read: the models it may read, and for an owner or admin
 * signed in (never a token), the account events (tokens, sessions, passwords, roles, invitations).
 */
export function readableActivityTypes(actor: Actor): string[] {
  const models = readableModels(actor);
  const managesAccounts = actor.credential.kind === 'session' && (actor.role === 'owner' || actor.role === 'admin');
  return managesAccounts ? [...models, ...ACCOUNT_EVENT_TYPES] : models;
}

/** Throws 403 for a personal access token: tokens never manage users, passwords or tokens. */
export function authorizeAccountManagement(actor: Actor): void {
  if (actor.credential.kind === 'pat') {
    throw new AppError('forbidden', 'personal access tokens cannot manage users, passwords or tokens; sign in to the web app (or use the prodboard CLI) to do this');
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
