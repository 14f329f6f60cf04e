/**
 * Settings, workspaces, users and memberships: the same SQL on both stores (see executor.ts).
 * Each function is the Store method of its name (documented in types.ts), over a handle's executor.
 */
import type { MemberRow, MembershipRow, UserRow, WorkspaceRow } from '../types.js';
import { emailKey } from '../email.js';
import type { Executor } from './executor.js';

export async function getSetting(x: Executor, key: string): Promise<string | undefined> {
  return (await x.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [key]))?.value;
}

export async function setSetting(x: Executor, key: string, value: string | null): Promise<void> {
  if (value === null) await x.run('DELETE FROM settings WHERE key = ?', [key]);
  else await x.run('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
}

export async function countUsers(x: Executor): Promise<number> {
  return Number((await x.get<{ n: number }>('SELECT count(*) AS n FROM users'))!.n);
}

export async function insertWorkspace(x: Executor, row: WorkspaceRow): Promise<void> {
  await x.run('INSERT INTO workspaces (id, slug, name, created_at) VALUES (?, ?, ?, ?)', [row.id, row.slug, row.name, row.created_at]);
}

export function getWorkspace(x: Executor, id: string): Promise<WorkspaceRow | undefined> {
  return x.get<WorkspaceRow>('SELECT * FROM workspaces WHERE id = ?', [id]);
}

export function getWorkspaceBySlug(x: Executor, slug: string): Promise<WorkspaceRow | undefined> {
  return x.get<WorkspaceRow>('SELECT * FROM workspaces WHERE slug = ?', [slug]);
}

export async function insertUser(x: Executor, row: UserRow): Promise<void> {
  await x.run(
    'INSERT INTO users (id, email, email_key, name, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    [row.id, row.email, emailKey(row.email), row.name, row.password_hash, row.created_at, row.updated_at],
  );
}

export function getUser(x: Executor, id: string): Promise<UserRow | undefined> {
  return x.get<UserRow>('SELECT * FROM users WHERE id = ?', [id]);
}

export function getUserByEmail(x: Executor, email: string): Promise<UserRow | undefined> {
  return x.get<UserRow>('SELECT id, email, name, password_hash, created_at, updated_at FROM users WHERE email_key = ?', [emailKey(email)]);
}

export async function updateUserPassword(x: Executor, id: string, passwordHash: string, at: string): Promise<void> {
  await x.changeCredentials('UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?', [passwordHash, at, id]);
}

export async function upsertMembership(x: Executor, row: MembershipRow): Promise<void> {
  await x.changeCredentials(
    `INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (workspace_id, user_id) DO UPDATE SET role = excluded.role`,
    [row.workspace_id, row.user_id, row.role, row.created_at],
  );
}

export function getMembership(x: Executor, workspaceId: string, userId: string): Promise<MembershipRow | undefined> {
  return x.get<MembershipRow>('SELECT * FROM memberships WHERE workspace_id = ? AND user_id = ?', [workspaceId, userId]);
}

export function listMemberships(x: Executor, userId: string): Promise<MembershipRow[]> {
  return x.all<MembershipRow>('SELECT * FROM memberships WHERE user_id = ? ORDER BY created_at, workspace_id', [userId]);
}

export function listMembers(x: Executor, workspaceId: string): Promise<MemberRow[]> {
  return x.all<MemberRow>(
    `SELECT m.workspace_id, m.user_id, m.role, m.created_at, u.email, u.name
     FROM memberships m JOIN users u ON u.id = m.user_id
     WHERE m.workspace_id = ? ORDER BY m.created_at, m.user_id`,
    [workspaceId],
  );
}

export async function deleteMembership(x: Executor, workspaceId: string, userId: string): Promise<boolean> {
  return (await x.changeCredentials('DELETE FROM memberships WHERE workspace_id = ? AND user_id = ?', [workspaceId, userId])) === 1;
}

export async function updateUserProfile(x: Executor, id: string, profile: { name: string; email: string }, at: string): Promise<void> {
  await x.changeCredentials('UPDATE users SET name = ?, email = ?, email_key = ?, updated_at = ? WHERE id = ?', [profile.name, profile.email, emailKey(profile.email), at, id]);
}
