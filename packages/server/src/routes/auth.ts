/**
 * /xapi2/auth: login and password change (limited as http/login-limiter.ts explains, in the store so
 * the limits hold across instances), the caller and logout.
 */
import { AppError } from '@prodboard/shared';
import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from '../deps.js';
import { DECOY_HASH, MIN_PASSWORD_LENGTH, hashPassword, verifyPassword } from '../auth/passwords.js';
import { authenticate } from '../http/authenticate.js';
import { LoginLimiter } from '../http/login-limiter.js';
import { authorizeAccountManagement } from '../policies.js';
import { presentActor } from '../presenters.js';
import { sessionCreator } from '../commands/session-creator.js';

function stringField(body: unknown, name: string, max: number): string {
  const value = body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > max) {
    throw new AppError('validation_failed', `${name} is required (a string of at most ${max} characters)`, { errors: [{ field: name, message: 'required string' }] });
  }
  return value;
}

/** The auth routes. */
export function authRoutes({ store, config }: AppDeps): FastifyPluginAsync {
  const limiter = new LoginLimiter(store, config);

  return async (app) => {
    app.post('/auth/login', async (request) => {
      const email = stringField(request.body, 'email', 254).trim();
      const password = stringField(request.body, 'password', 1024);
      const attempt = await limiter.reserveLogin(email, request.ip);
      const user = await store.getUserByEmail(email);
      const ok = await verifyPassword(password, user?.password_hash ?? DECOY_HASH);
      const memberships = user && ok ? await store.listMemberships(user.id) : [];
      if (!user || !ok || memberships.length === 0) {
        throw new AppError('unauthenticated', 'email or password is wrong; check both and try again');
      }
      await limiter.succeeded(attempt);
      const membership = memberships[0];
      const { token, row } = await sessionCreator(store, user.id, membership.workspace_id, config.sessionTtlMs, config.now());
      const workspace = (await store.getWorkspace(membership.workspace_id))!;
      return {
        access_token: token,
        token_type: 'bearer',
        expires_at: row.expires_at,
        user: presentActor({ user, workspace, role: membership.role, credential: { kind: 'session', sessionId: row.id } }),
      };
    });

    app.get('/auth/me', async (request, reply) => presentActor(await authenticate(store, config, request, reply)));

    app.post('/auth/logout', async (request, reply) => {
      const actor = await authenticate(store, config, request, reply);
      authorizeAccountManagement(actor);
      // Every token of the session's chain (renewals before and after this one) ends with it.
      if (actor.credential.kind === 'session') await store.endSessionChain(actor.credential.sessionId, new Date(config.now()).toISOString());
      return { ok: true };
    });

    app.post('/auth/password', async (request, reply) => {
      const actor = await authenticate(store, config, request, reply);
      authorizeAccountManagement(actor);
      const current = stringField(request.body, 'current_password', 1024);
      const next = stringField(request.body, 'new_password', 1024);
      if (next.length < MIN_PASSWORD_LENGTH) {
        throw new AppError('validation_failed', `new_password must be at least ${MIN_PASSWORD_LENGTH} characters`, { errors: [{ field: 'new_password', message: 'too short' }] });
      }
      const user = (await store.getUser(actor.user.id))!;
      const attempt = await limiter.reservePasswordCheck(user.id);
      if (!(await verifyPassword(current, user.password_hash))) {
        throw new AppError('validation_failed', 'current_password is wrong', { errors: [{ field: 'current_password', message: 'wrong password' }] });
      }
      await limiter.succeeded(attempt);
      const hash = await hashPassword(next);
      await store.transaction(async (tx) => {
        await tx.updateUserPassword(user.id, hash, new Date().toISOString());
        await tx.deleteSessions(user.id);
      });
      return { ok: true, detail: 'password changed; every session was signed out, log in again' };
    });
  };
}
