/**
 * Presenters: the only way data leaves the server, as explicit allowlists of fields.
 */
import { formatScopes } from '@prodboard/shared';
import type { Actor } from './context.js';
import type { AccessTokenRow, ActivityRow, CommentRow, InvitationRow, MemberRow, OAuthGrantListRow, ObjectRow } from './store/types.js';

/** An object as the API returns it (the stores write the same fields as JSON from store/presented-object.ts). */
export function presentObject(row: ObjectRow) {
  return {
    id: row.id,
    type: row.type,
    status: row.status,
    owned_by: row.owned_by,
    created_by: row.created_by,
    updated_by: row.updated_by,
    is_archived: row.is_archived,
    is_deleted: row.is_deleted,
    created_at: row.created_at,
    updated_at: row.updated_at,
    version: row.version,
    data: row.data,
    key: row.key ?? null,
  };
}

/** An object in the trash: also when it was deleted and with what. */
export function presentTrashed(row: ObjectRow) {
  return { ...presentObject(row), deleted_at: row.deleted_at, deleted_with: row.deleted_with === row.id ? null : row.deleted_with };
}

/** The caller, for /auth/me and login. */
export function presentActor(actor: Actor) {
  const base = {
    id: actor.user.id,
    email: actor.user.email,
    name: actor.user.name,
    role: actor.role,
    workspace: { id: actor.workspace.id, slug: actor.workspace.slug, name: actor.workspace.name },
    auth: actor.credential.kind,
  };
  const credential = actor.credential;
  if (credential.kind === 'session') return base;
  const scopes = { scopes: credential.scopes, scope_string: formatScopes(credential.scopes) };
  return credential.kind === 'pat' ? { ...base, token_id: credential.tokenId, ...scopes } : { ...base, grant_id: credential.grantId, ...scopes };
}

/** A personal access token in lists: never its secret or its hash. */
export function presentAccessToken(row: AccessTokenRow) {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
    created_at: row.created_at,
    expires_at: row.expires_at,
    last_used_at: row.last_used_at,
    revoked_at: row.revoked_at,
  };
}

/**
 * One activity event. A `respace` (one per respaced column) names the card whose move needed it and
 * carries the new order in `changes.order[1]`: `{board_id, status, ids, positions, versions}`.
 */
export function presentActivity(row: ActivityRow) {
  return {
    seq: row.seq,
    object_type: row.object_type,
    object_id: row.object_id,
    action: row.action,
    actor_id: row.actor_id,
    token_id: row.token_id,
    changes: row.changes,
    created_at: row.created_at,
  };
}

/** A workspace member, for the members page. */
export function presentMember(row: MemberRow) {
  return { user_id: row.user_id, email: row.email, name: row.name, role: row.role, joined_at: row.created_at };
}

/** A pending invitation: never its token or hash. */
export function presentInvitation(row: InvitationRow, now = Date.now()) {
  return {
    id: row.id,
    role: row.role,
    email: row.email,
    created_by: row.created_by,
    created_at: row.created_at,
    expires_at: row.expires_at,
    expired: Date.parse(row.expires_at) <= now,
  };
}

/** A comment, with its author's and mentioned members' current names (`null` for someone no longer a member). */
export function presentComment(row: CommentRow, names: ReadonlyMap<string, string>) {
  return {
    id: row.id,
    card_id: row.card_id,
    author: { id: row.author_id, name: names.get(row.author_id) ?? null },
    body: row.body,
    mentions: row.mentions.map((m) => ({ user_id: m.user_id, handle: m.handle, name: names.get(m.user_id) ?? null })),
    created_at: row.created_at,
    updated_at: row.updated_at,
    edited: row.version > 1,
    version: row.version,
  };
}

/** One entry of a card's history: its activity event, with the actor's current name. */
export function presentHistoryEntry(row: ActivityRow, names: ReadonlyMap<string, string>) {
  return { ...presentActivity(row), actor_name: row.actor_id ? (names.get(row.actor_id) ?? null) : null };
}

/** An OAuth grant on the Integrations page: the client, what it may do, and when it was last used. */
export function presentOAuthGrant(row: OAuthGrantListRow) {
  return {
    id: row.id,
    client_id: row.client_id,
    client_name: row.client_name,
    scopes: row.scopes,
    scope_string: formatScopes(row.scopes),
    created_at: row.created_at,
    last_used_at: row.last_used_at,
  };
}
