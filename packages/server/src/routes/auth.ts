/**
 * /xapi2/auth: login (rate-limited per email and per address, in the store so it holds across
 * instances), the caller, logout and password change.
 */
import { AppError } from '@prodboard/shared';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { AppDeps } from '../deps.js';
import { DECOY_HASH, MIN_PASSWORD_LENGTH, hashPassword, verifyPassword } from '../auth/passwords.js';
import { authenticate } from '../http/authenticate.js';
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
  /**
   * Counts this attempt against every key before the password is checked (in one transaction, the
   * keys locked), so parallel guesses cannot all slip under the limit; a success takes it back.
   */
  async function reserveAttempt(keys: string[], at: number): Promise<void> {
    const since = at - config.loginWindowMs;
    await store.transaction(async (tx) => {
      for (const key of keys) {
        await tx.lockKey(`login:${key}`);
        const { count, oldest } = await tx.countLoginFailures(key, since);
        if (count >= config.loginMaxFailures) {
          const retryAfter = ((oldest ?? at) + config.loginWindowMs - at) / 1000;
          throw new AppError('rate_limited', `too many failed logins; wait ${Math.ceil(retryAfter)} s and try again, or reset the password with prodboard user create on the server`, { retryAfter });
        }
      }
      for (const key of keys) await tx.recordLoginFailure(key, at);
    });
  }

  const limitKeys = (request: FastifyRequest, email: string) => [`email:${email.toLowerCase()}`, `ip:${request.ip}`];

  return async (app) => {
    app.post('/auth/login', async (request) => {
      const email = stringField(request.body, 'email', 254).trim();
      const password = stringField(request.body, 'password', 1024);
      const keys = limitKeys(request, email);
      const at = Date.now();
      await reserveAttempt(keys, at);
      const user = await store.getUserByEmail(email);
      const ok = await verifyPassword(password, user?.password_hash ?? DECOY_HASH);
      const memberships = user && ok ? await store.listMemberships(user.id) : [];
      if (!user || !ok || memberships.length === 0) {
        throw new AppError('unauthenticated', 'email or password is wrong; check both and try again');
      }
      await store.clearLoginFailures(keys[0]);
      await store.forgetLoginFailure(keys[1], at);
      const membership = memberships[0];
      const { token, row } = await sessionCreator(store, user.id, membership.workspace_id, config.sessionTtlMs);
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
      if (!(await verifyPassword(current, user.password_hash))) {
        throw new AppError('validation_failed', 'current_password is wrong', { errors: [{ field: 'current_password', message: 'wrong password' }] });
      }
      const hash = await hashPassword(next);
      await store.transaction(async (tx) => {
        await tx.updateUserPassword(user.id, hash, new Date().toISOString());
        await tx.deleteSessions(user.id);
      });
      return { ok: true, detail: 'password changed; every session was signed out, log in again' };
    });
  };
}
