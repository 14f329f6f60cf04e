/**
 * One-time invite links: the same SQL on both stores (see executor.ts).
 * Each function is the Store method of its name (documented in types.ts), over a handle's executor.
 */
import type { InvitationRow } from '../types.js';
import type { Executor } from './executor.js';

export async function insertInvitation(x: Executor, row: InvitationRow): Promise<void> {
  await x.run(
    `INSERT INTO invitations (id, workspace_id, token_hash, role, email, created_by, created_at, expires_at, accepted_at, accepted_by, revoked_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [row.id, row.workspace_id, row.token_hash, row.role, row.email, row.created_by, row.created_at, row.expires_at, row.accepted_at, row.accepted_by, row.revoked_at],
  );
}

export function getInvitation(x: Executor, workspaceId: string, id: string): Promise<InvitationRow | undefined> {
  return x.get<InvitationRow>('SELECT * FROM invitations WHERE id = ? AND workspace_id = ?', [id, workspaceId]);
}

export function getInvitationByHash(x: Executor, tokenHash: string): Promise<InvitationRow | undefined> {
  return x.get<InvitationRow>('SELECT * FROM invitations WHERE token_hash = ?', [tokenHash]);
}

export function listPendingInvitations(x: Executor, workspaceId: string): Promise<InvitationRow[]> {
  return x.all<InvitationRow>(
    'SELECT * FROM invitations WHERE workspace_id = ? AND accepted_at IS NULL AND revoked_at IS NULL ORDER BY created_at DESC, id DESC',
    [workspaceId],
  );
}

export async function acceptInvitation(x: Executor, id: string, userId: string, at: string): Promise<boolean> {
  return (await x.run('UPDATE invitations SET accepted_at = ?, accepted_by = ? WHERE id = ? AND accepted_at IS NULL AND revoked_at IS NULL', [at, userId, id])) === 1;
}

export async function revokeInvitation(x: Executor, id: string, at: string): Promise<boolean> {
  return (await x.run('UPDATE invitations SET revoked_at = ? WHERE id = ? AND accepted_at IS NULL AND revoked_at IS NULL', [at, id])) === 1;
}
