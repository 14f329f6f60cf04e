/** The first account of a fresh server, through the one-time link printed at start. */
import { timingSafeEqual } from 'node:crypto';
import { AppError } from '@prodboard/shared';
import { generateToken, hashToken } from '../auth/tokens.js';
import { userCreator } from '../commands/user-creator.js';
import type { Store, StoreTx } from '../store/types.js';
import { defineOperation, done } from './operation.js';
import { openSession } from './sessions.js';

const SETTING = 'setup_token_hash';

/** When the server has no user yet, a fresh one-time setup token (its hash stored); else undefined. */
export async function issueSetupToken(store: Store): Promise<string | undefined> {
  if ((await store.countUsers()) > 0) return undefined;
  const token = generateToken('session').replace(/^ses_/, 'setup_');
  await store.setSetting(SETTING, hashToken(token));
  return token;
}

function sameHash(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

export const setupStatus = defineOperation('setup.status', {
  access: 'public',
  run: async ({ deps }) => done({ needs_setup: (await deps.store.countUsers()) === 0 }),
});

export const setup = defineOperation('setup.create', {
  access: 'public',
  async run({ deps }, input) {
    const { store } = deps;
    const body = (input ?? {}) as Record<string, unknown>;
    const invalid = () =>
      new AppError('forbidden', 'this setup link is not valid or was already used; sign in instead, or, locked out of an existing account, get a password reset link on the server with prodboard user password --email you@example.com');
    if (typeof body.token !== 'string') throw invalid();
    const presented = hashToken(body.token);
    const claim = async (tx: StoreTx) => {
      await tx.lockKey('setup');
      const stored = await tx.getSetting(SETTING);
      if (!stored || !sameHash(presented, stored) || (await tx.countUsers()) > 0) throw invalid();
      await tx.setSetting(SETTING, null);
    };
    // Cheap rejection before the password is hashed; the claim inside the transaction is the real check.
    const stored = await store.getSetting(SETTING);
    if (!stored || !sameHash(presented, stored)) throw invalid();
    const { user, workspace, role } = await userCreator(
      store,
      {
        email: String(body.email ?? ''),
        password: typeof body.password === 'string' ? body.password : '',
        name: typeof body.name === 'string' ? body.name : undefined,
        workspace: typeof body.workspace === 'string' ? body.workspace : undefined,
        role: 'owner',
      },
      claim,
    );
    return done(await openSession(deps, user, workspace, role, 'setup'));
  },
});
