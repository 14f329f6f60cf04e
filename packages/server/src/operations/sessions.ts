/** Opening a session for a person who just proved who they are (login, setup, an accepted invitation). */
import type { Role } from '@prodboard/shared';
import type { AppDeps } from '../deps.js';
import { type SessionOrigin, sessionCreator } from '../commands/session-creator.js';
import { presentActor } from '../presenters.js';
import type { UserRow, WorkspaceRow } from '../store/types.js';

/** Creates the session (recording the sign-in) and presents what the client receives. */
export async function openSession(deps: AppDeps, user: UserRow, workspace: WorkspaceRow, role: Role, origin: SessionOrigin) {
  const { config, store } = deps;
  const { token, row } = await store.transaction((tx) => sessionCreator(tx, user.id, workspace.id, config.sessionTtlMs, config.now(), origin));
  return {
    access_token: token,
    token_type: 'bearer' as const,
    expires_at: row.expires_at,
    user: presentActor({ user, workspace, role, credential: { kind: 'session', sessionId: row.id } }),
  };
}
