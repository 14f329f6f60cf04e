/**
 * The workspace's members, for the assignee picker, the assignee filter and the avatars on cards.
 * Read once per workspace and shared by every component that asks (a board shows hundreds of
 * cards; they must not each fetch the list).
 */
import { useEffect, useSyncExternalStore } from 'react';
import { api } from '../api/client.js';
import type { Member } from '../api/types.js';
import { useSession } from '../app/session.js';

/** The members, and each by user id. */
export interface Members {
  list: readonly Member[];
  byId: ReadonlyMap<string, Member>;
}

const EMPTY: Members = { list: [], byId: new Map() };
let current: Members = EMPTY;
let loadedFor: string | null = null;
const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function publish(members: Members): void {
  current = members;
  for (const listener of listeners) listener();
}

function load(workspaceId: string | undefined): void {
  if (!workspaceId || loadedFor === workspaceId) return;
  // Another workspace (after signing in again): the old list must not show meanwhile.
  if (loadedFor !== null) publish(EMPTY);
  loadedFor = workspaceId;
  api
    .get<{ data: Member[] }>('/members')
    .then((page) => {
      const list = [...page.data].sort((a, b) => a.name.localeCompare(b.name));
      if (loadedFor === workspaceId) publish({ list, byId: new Map(list.map((m) => [m.user_id, m])) });
    })
    .catch(() => {
      loadedFor = null;
    });
}

/** The workspace's members (empty until they arrive). */
export function useMembers(): Members {
  const workspaceId = useSession().me?.workspace.id;
  const members = useSyncExternalStore(subscribe, () => current);
  useEffect(() => load(workspaceId), [workspaceId]);
  return members;
}

/** A member's display name, or a placeholder for an id that is no longer a member. */
export function memberName(members: Members, userId: string): string {
  return members.byId.get(userId)?.name ?? 'Former member';
}
