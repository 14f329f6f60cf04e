/** userCreator: creates an account and its membership, creating the workspace when it is new. */
import { AppError, ROLES, listWords, type Role } from '@prodboard/shared';
import { newId } from '../context.js';
import { MIN_PASSWORD_LENGTH, hashPassword } from '../auth/passwords.js';
import type { AccountsRepo, Store, StoreTx, UserRow, WorkspaceRow } from '../store/types.js';

/** The workspace used when none is named. */
export const DEFAULT_WORKSPACE = 'default';

export interface NewUser {
  email: string;
  password: string;
  name?: string;
  role?: string;
  /** Workspace slug; created when it does not exist. */
  workspace?: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;
const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Validates a new account's fields (400 naming each bad field); shared with accepting an invitation. */
export function checkNewUser(input: NewUser): { email: string; name: string; role: Role; slug: string } {
  const errors = [];
  const email = input.email?.trim() ?? '';
  if (!EMAIL.test(email) || email.length > 254) errors.push({ field: 'email', message: 'email must be an address such as ada@example.com' });
  if (typeof input.password !== 'string' || input.password.length < MIN_PASSWORD_LENGTH || input.password.length > 1024) {
    errors.push({ field: 'password', message: `password must be ${MIN_PASSWORD_LENGTH} to 1024 characters` });
  }
  const name = (input.name ?? email.split('@')[0]).trim();
  if (name.length === 0 || name.length > 100) errors.push({ field: 'name', message: 'name must be 1 to 100 characters' });
  const role = (input.role ?? 'member') as Role;
  if (!ROLES.includes(role)) errors.push({ field: 'role', message: `role must be ${listWords(ROLES)}` });
  const slug = (input.workspace ?? DEFAULT_WORKSPACE).trim().toLowerCase();
  if (!SLUG.test(slug)) errors.push({ field: 'workspace', message: 'workspace must be 1-63 characters of a-z, 0-9 and -, starting with a letter or digit' });
  if (errors.length > 0) throw new AppError('validation_failed', errors.map((e) => e.message).join('; '), { errors });
  return { email, name, role, slug };
}

/** Finds or creates the workspace with that slug. */
export async function ensureWorkspace(store: AccountsRepo, slug: string, now: string): Promise<WorkspaceRow> {
  const existing = await store.getWorkspaceBySlug(slug);
  if (existing) return existing;
  const row: WorkspaceRow = { id: newId(), slug, name: slug === DEFAULT_WORKSPACE ? 'Default' : slug, created_at: now };
  await store.insertWorkspace(row);
  return row;
}

/** Creates the user (a 409 when the email is taken). Hashes the password before the transaction. */
export async function userCreator(
  store: Store,
  input: NewUser,
  guard?: (tx: StoreTx) => Promise<void>,
): Promise<{ user: UserRow; workspace: WorkspaceRow; role: Role }> {
  const { email, name, role, slug } = checkNewUser(input);
  const passwordHash = await hashPassword(input.password);
  return store.transaction(async (tx) => {
    // Runs first inside the transaction: the setup link claims its one-time token here, atomically.
    if (guard) await guard(tx);
    if (await tx.getUserByEmail(email)) {
      throw new AppError('conflict', `a user with email ${email} already exists; pick another email or sign in as that user`, { errors: [{ field: 'email', message: 'already taken' }] });
    }
    const now = new Date().toISOString();
    const workspace = await ensureWorkspace(tx, slug, now);
    const user: UserRow = { id: newId(), email, name, password_hash: passwordHash, created_at: now, updated_at: now };
    await tx.insertUser(user);
    await tx.upsertMembership({ workspace_id: workspace.id, user_id: user.id, role, created_at: now });
    return { user, workspace, role };
  });
}
