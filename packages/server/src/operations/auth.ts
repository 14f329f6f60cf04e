/**
 * Login, password change, your account (name, email) and workspaces (limited as auth/login-limiter.ts explains, in the store so the limits
 * hold across instances), the caller and logout.
 */
import { AppError, clipEcho } from '@prodboard/shared';
import { commandContext } from '../context.js';
import { DECOY_HASH, MIN_PASSWORD_LENGTH, hashPassword, verifyPassword } from '../auth/passwords.js';
import { passwordChanger } from '../commands/password-changer.js';
import { checkProfile, profileUpdater } from '../commands/profile-updater.js';
import { sessionEnder } from '../commands/session-ender.js';
import { LoginLimiter } from '../auth/login-limiter.js';
import { authorizeAccountManagement } from '../policies.js';
import { presentActor } from '../presenters.js';
import { defineOperation, done, fieldsOf } from './operation.js';
import { openSession } from './sessions.js';

function stringField(body: unknown, name: string, max: number): string {
  const value = body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > max) {
    throw new AppError('validation_failed', `${name} is required (a string of at most ${max} characters)`, { errors: [{ field: name, message: 'required string' }] });
  }
  return value;
}

export const login = defineOperation('auth.login', {
  access: 'public',
  async run({ deps, ip }, input) {
    const { store, config } = deps;
    const limiter = new LoginLimiter(store, config);
    const email = stringField(input, 'email', 254).trim();
    const password = stringField(input, 'password', 1024);
    const attempt = await limiter.reserveLogin(email, ip ?? '');
    const user = await store.getUserByEmail(email);
    const ok = await verifyPassword(password, user?.password_hash ?? DECOY_HASH);
    const memberships = user && ok ? await store.listMemberships(user.id) : [];
    if (!user || !ok || memberships.length === 0) {
      throw new AppError('unauthenticated', 'email or password is wrong; check both and try again');
    }
    await limiter.succeeded(attempt);
    const membership = memberships[0];
    const workspace = (await store.getWorkspace(membership.workspace_id))!;
    return done(await openSession(deps, user, workspace, membership.role, 'login'));
  },
});

export const me = defineOperation('auth.me', {
  run: async ({ actor }) => done(presentActor(actor)),
});

export const logout = defineOperation('auth.logout', {
  policy: authorizeAccountManagement,
  async run({ deps: { store, config }, actor }) {
    await store.transaction((tx) => sessionEnder(commandContext(tx, actor, config.now())));
    return done({ ok: true as const });
  },
});

export const changePassword = defineOperation('auth.password', {
  policy: authorizeAccountManagement,
  async run({ deps: { store, config }, actor }, input) {
    const current = stringField(input, 'current_password', 1024);
    const next = stringField(input, 'new_password', 1024);
    if (next.length < MIN_PASSWORD_LENGTH) {
      throw new AppError('validation_failed', `new_password must be at least ${MIN_PASSWORD_LENGTH} characters`, { errors: [{ field: 'new_password', message: 'too short' }] });
    }
    const limiter = new LoginLimiter(store, config);
    const user = (await store.getUser(actor.user.id))!;
    const attempt = await limiter.reservePasswordCheck(user.id);
    if (!(await verifyPassword(current, user.password_hash))) {
      throw new AppError('validation_failed', 'current_password is wrong', { errors: [{ field: 'current_password', message: 'wrong password' }] });
    }
    await limiter.succeeded(attempt);
    const hash = await hashPassword(next);
    await store.transaction((tx) => passwordChanger(commandContext(tx, actor), hash));
    return done({ ok: true as const, detail: 'password changed; every session was signed out, log in again' });
  },
});

export const updateAccount = defineOperation('auth.update', {
  policy: authorizeAccountManagement,
  async run({ deps: { store, config }, actor }, input) {
    const fields = fieldsOf(input);
    const user = (await store.getUser(actor.user.id))!;
    const profile = checkProfile(fields, user);
    if (profile.emailChanges) {
      if (typeof fields.current_password !== 'string' || fields.current_password === '') {
        throw new AppError('validation_failed', 'current_password is required to change your email', { errors: [{ field: 'current_password', message: 'required to change email' }] });
      }
      const limiter = new LoginLimiter(store, config);
      const attempt = await limiter.reservePasswordCheck(user.id);
      if (!(await verifyPassword(fields.current_password.slice(0, 1024), user.password_hash))) {
        throw new AppError('validation_failed', 'current_password is wrong', { errors: [{ field: 'current_password', message: 'wrong password' }] });
      }
      await limiter.succeeded(attempt);
    }
    await store.transaction((tx) => profileUpdater(commandContext(tx, actor, config.now()), user, profile));
    return done(presentActor({ ...actor, user: { id: user.id, name: profile.name, email: profile.email } }));
  },
});

export const listWorkspaces = defineOperation('auth.workspaces', {
  policy: authorizeAccountManagement,
  async run({ deps: { store }, actor }) {
    const memberships = await store.listMemberships(actor.user.id);
    const data = [];
    for (const m of memberships) {
      const workspace = await store.getWorkspace(m.workspace_id);
      if (workspace) data.push({ id: workspace.id, slug: workspace.slug, name: workspace.name, role: m.role, current: workspace.id === actor.workspace.id });
    }
    return done({ data });
  },
});

export const switchWorkspace = defineOperation('auth.switch', {
  policy: authorizeAccountManagement,
  async run({ deps, actor }, input) {
    const { store } = deps;
    const wanted = fieldsOf(input).workspace;
    if (typeof wanted !== 'string' || wanted === '' || wanted.length > 100) {
      throw new AppError('validation_failed', 'workspace is required: the id or slug of one of your workspaces (GET /xapi2/auth/workspaces)', { errors: [{ field: 'workspace', message: 'required string' }] });
    }
    const workspace = (await store.getWorkspaceBySlug(wanted.toLowerCase())) ?? (await store.getWorkspace(wanted));
    const membership = workspace && (await store.getMembership(workspace.id, actor.user.id));
    if (!workspace || !membership) {
      throw new AppError('not_found', `you are not a member of a workspace ${clipEcho(wanted)}; list yours with GET /xapi2/auth/workspaces, or ask its owner for an invitation`, {
        errors: [{ field: 'workspace', message: 'not one of your workspaces' }],
      });
    }
    const user = (await store.getUser(actor.user.id))!;
    return done(await openSession(deps, user, workspace, membership.role, 'workspace switch'));
  },
});
