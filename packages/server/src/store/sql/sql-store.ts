/**
 * The plain CRUD of both stores, written once: each method hands the store's executor (see
 * executor.ts) to a repository beside this file. The stores extend this class and keep what truly
 * differs (transactions, locks, NOTIFY, sessions' renewal, objects, positions, activity, sweeps)
 * and the tuned hot paths (getObjectJson, listObjects, batched getObject, credential lookups).
 */
import type {
  AccessTokenRow, CommentRow, IdempotencyRow, InvitationRow, MembershipRow, OAuthClientRow, OAuthGrantRow, OAuthRequestRow, OAuthTokenRow, PasswordResetRow, SessionRow, StoreTx,
  SweepLimits, UserRow, WorkspaceRow,
} from '../types.js';
import * as accounts from './accounts.js';
import * as activity from './activity.js';
import * as comments from './comments.js';
import type { Executor } from './executor.js';
import * as housekeeping from './housekeeping.js';
import * as idempotency from './idempotency.js';
import * as invitations from './invitations.js';
import * as keys from './keys.js';
import * as loginFailures from './login-failures.js';
import * as oauth from './oauth.js';
import * as passwordResets from './password-resets.js';
import * as sessions from './sessions.js';
import * as tokens from './tokens.js';

export abstract class SqlStoreBase {
  /** This handle's executor: on a transaction's handle, statements run in that transaction. */
  protected abstract readonly sql: Executor;
  abstract transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;

  /** Runs `fn` in this handle's transaction (or a new one), with that transaction's executor. */
  private withTx<T>(fn: (s: sessions.SessionTx) => Promise<T>): Promise<T> {
    return this.transaction((tx) => fn({ tx, x: (tx as unknown as SqlStoreBase).sql }));
  }

  // Human keys
  setBoardKey(workspaceId: string, boardId: string, name: string, wanted?: string) {
    return this.withTx(async ({ x }) => {
      const key = await keys.assignBoardKey(x, workspaceId, boardId, name, wanted);
      await x.run('UPDATE objects SET key = ? WHERE id = ?', [key, boardId]);
      return key;
    });
  }
  setCardKey(workspaceId: string, cardId: string, boardId: string | null) {
    return this.withTx(async ({ x }) => {
      const key = boardId === null ? null : await keys.assignCardKey(x, workspaceId, boardId, cardId);
      await x.run('UPDATE objects SET key = ? WHERE id = ?', [key, cardId]);
      return key;
    });
  }
  newCardKey(workspaceId: string, cardId: string, boardId: string) {
    return this.withTx(({ x }) => keys.newCardKey(x, workspaceId, boardId, cardId));
  }
  renameBoardKey(workspaceId: string, boardId: string, key: string) { return this.withTx(({ x }) => keys.renameBoardKey(x, workspaceId, boardId, key)); }
  resolveKey(workspaceId: string, type: string, key: string) { return keys.resolveKey(this.sql, workspaceId, type, key); }

  // Settings
  getSetting(key: string) { return accounts.getSetting(this.sql, key); }
  setSetting(key: string, value: string | null) { return accounts.setSetting(this.sql, key, value); }

  // Workspaces, users, memberships
  countUsers() { return accounts.countUsers(this.sql); }
  insertWorkspace(row: WorkspaceRow) { return accounts.insertWorkspace(this.sql, row); }
  getWorkspace(id: string) { return accounts.getWorkspace(this.sql, id); }
  getWorkspaceBySlug(slug: string) { return accounts.getWorkspaceBySlug(this.sql, slug); }
  insertUser(row: UserRow) { return accounts.insertUser(this.sql, row); }
  getUser(id: string) { return accounts.getUser(this.sql, id); }
  getUserByEmail(email: string) { return accounts.getUserByEmail(this.sql, email); }
  updateUserPassword(id: string, passwordHash: string, at: string) { return accounts.updateUserPassword(this.sql, id, passwordHash, at); }
  upsertMembership(row: MembershipRow) { return accounts.upsertMembership(this.sql, row); }
  getMembership(workspaceId: string, userId: string) { return accounts.getMembership(this.sql, workspaceId, userId); }
  listMemberships(userId: string) { return accounts.listMemberships(this.sql, userId); }
  listMembers(workspaceId: string) { return accounts.listMembers(this.sql, workspaceId); }
  deleteMembership(workspaceId: string, userId: string) { return accounts.deleteMembership(this.sql, workspaceId, userId); }
  updateUserProfile(id: string, profile: { name: string; email: string }, at: string) { return accounts.updateUserProfile(this.sql, id, profile, at); }

  // Password reset links
  insertPasswordReset(row: PasswordResetRow) { return passwordResets.insertPasswordReset(this.sql, row); }
  getPasswordResetByHash(tokenHash: string) { return passwordResets.getPasswordResetByHash(this.sql, tokenHash); }
  consumePasswordReset(id: string, at: string) { return passwordResets.consumePasswordReset(this.sql, id, at); }
  voidPasswordResets(userId: string, at: string) { return passwordResets.voidPasswordResets(this.sql, userId, at); }

  // Invitations
  insertInvitation(row: InvitationRow) { return invitations.insertInvitation(this.sql, row); }
  getInvitation(workspaceId: string, id: string) { return invitations.getInvitation(this.sql, workspaceId, id); }
  getInvitationByHash(tokenHash: string) { return invitations.getInvitationByHash(this.sql, tokenHash); }
  listPendingInvitations(workspaceId: string) { return invitations.listPendingInvitations(this.sql, workspaceId); }
  acceptInvitation(id: string, userId: string, at: string) { return invitations.acceptInvitation(this.sql, id, userId, at); }
  revokeInvitation(id: string, at: string) { return invitations.revokeInvitation(this.sql, id, at); }

  // Sessions and personal access tokens
  insertSession(row: SessionRow) { return tokens.insertSession(this.sql, row); }
  expireSession(id: string, expiresAt: string) { return sessions.expireSession(this.sql, id, expiresAt); }
  renewSession(parent: SessionRow, successor: SessionRow, at: string) { return this.withTx((s) => sessions.renewSession(s, parent, successor, at)); }
  retireParentSession(id: string, graceUntil: string) { return this.withTx((s) => sessions.retireParentSession(s, id, graceUntil)); }
  endSessionChain(id: string, at: string) { return this.withTx((s) => sessions.endSessionChain(s, id, at)); }
  deleteSessions(userId: string) { return this.withTx((s) => sessions.deleteSessions(s, userId)); }
  endMemberCredentials(userId: string, workspaceId: string, at: string) { return this.withTx((s) => sessions.endMemberCredentials(s, userId, workspaceId, at)); }
  insertAccessToken(row: AccessTokenRow) { return tokens.insertAccessToken(this.sql, row); }
  getAccessToken(id: string) { return tokens.getAccessToken(this.sql, id); }
  listAccessTokens(userId: string, workspaceId: string) { return tokens.listAccessTokens(this.sql, userId, workspaceId); }
  revokeAccessToken(id: string, at: string) { return tokens.revokeAccessToken(this.sql, id, at); }

  // OAuth
  upsertOAuthClient(row: OAuthClientRow) { return oauth.upsertOAuthClient(this.sql, row); }
  getOAuthClient(id: string) { return oauth.getOAuthClient(this.sql, id); }
  insertOAuthRequest(row: OAuthRequestRow) { return oauth.insertOAuthRequest(this.sql, row); }
  getOAuthRequest(id: string) { return oauth.getOAuthRequest(this.sql, id); }
  getOAuthRequestByCode(codeHash: string) { return oauth.getOAuthRequestByCode(this.sql, codeHash); }
  decideOAuthRequest(id: string, at: string) { return oauth.decideOAuthRequest(this.sql, id, at); }
  setOAuthCode(id: string, grantId: string, codeHash: string, codeExpiresAt: string) { return oauth.setOAuthCode(this.sql, id, grantId, codeHash, codeExpiresAt); }
  useOAuthCode(id: string, at: string) { return oauth.useOAuthCode(this.sql, id, at); }
  insertOAuthGrant(row: OAuthGrantRow) { return oauth.insertOAuthGrant(this.sql, row); }
  getOAuthGrant(id: string) { return oauth.getOAuthGrant(this.sql, id); }
  listOAuthGrants(userId: string, workspaceId: string) { return oauth.listOAuthGrants(this.sql, userId, workspaceId); }
  revokeOAuthGrant(id: string, at: string) { return oauth.revokeOAuthGrant(this.sql, id, at); }
  touchOAuthGrant(id: string, at: string) { return oauth.touchOAuthGrant(this.sql, id, at); }
  insertOAuthToken(row: OAuthTokenRow) { return oauth.insertOAuthToken(this.sql, row); }
  getOAuthToken(tokenHash: string) { return oauth.getOAuthToken(this.sql, tokenHash); }
  useOAuthToken(id: string, at: string) { return oauth.useOAuthToken(this.sql, id, at); }
  revokeOAuthToken(id: string, at: string) { return oauth.revokeOAuthToken(this.sql, id, at); }

  // Idempotency keys
  getIdempotency(workspaceId: string, userId: string, key: string) { return idempotency.getIdempotency(this.sql, workspaceId, userId, key); }
  putIdempotency(workspaceId: string, userId: string, key: string, row: IdempotencyRow) { return idempotency.putIdempotency(this.sql, workspaceId, userId, key, row); }
  pruneIdempotency(before: string) { return idempotency.pruneIdempotency(this.sql, before); }

  // Login failures
  recordLoginFailure(key: string, at: number) { return loginFailures.recordLoginFailure(this.sql, key, at); }
  countLoginFailures(key: string, since: number) { return loginFailures.countLoginFailures(this.sql, key, since); }
  pruneLoginFailures(before: number) { return loginFailures.pruneLoginFailures(this.sql, before); }
  clearLoginFailures(key: string) { return loginFailures.clearLoginFailures(this.sql, key); }
  forgetLoginFailure(key: string, at: number) { return loginFailures.forgetLoginFailure(this.sql, key, at); }

  // Comments and a card's history
  insertComment(row: CommentRow) { return comments.insertComment(this.sql, row); }
  getComment(workspaceId: string, id: string) { return comments.getComment(this.sql, workspaceId, id); }
  listComments(workspaceId: string, cardId: string) { return comments.listComments(this.sql, workspaceId, cardId); }
  updateComment(row: CommentRow, expectedVersion: number) { return comments.updateComment(this.sql, row, expectedVersion); }
  deleteComment(workspaceId: string, id: string) { return comments.deleteComment(this.sql, workspaceId, id); }
  listObjectActivity(workspaceId: string, objectId: string, types: string[], limit: number) { return comments.listObjectActivity(this.sql, workspaceId, objectId, types, limit); }

  // Activity reads and telemetry counts
  activitySeqAt(workspaceId: string, at: string) { return activity.activitySeqAt(this.sql, workspaceId, at); }
  countAnalytics() { return activity.countAnalytics(this.sql); }
  sweep(limits: SweepLimits) { return housekeeping.sweep(this.sql, limits); }
}
