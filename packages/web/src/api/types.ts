/** Wire shapes of the /xapi2 API, as the web app reads them. */
import type { Column, FieldError, Json, Role, ScopeLevel } from '@prodboard/shared';

/** A stored object (board or card) as the API presents it. */
export interface StoredObject<D = Record<string, Json>> {
  id: string;
  type: string;
  status: string;
  owned_by: string;
  created_by: string;
  updated_by: string;
  is_archived: boolean;
  is_deleted: boolean;
  created_at: string;
  updated_at: string;
  version: number;
  data: D;
  /** The human key (issue 12): a board's `WEB`, a card's `WEB-42`; null for a card without a board. */
  key?: string | null;
}

export interface BoardData {
  name: string;
  description?: string;
  accent?: string;
  settings?: Record<string, Json>;
  tags?: string[];
  columns: Column[];
}

export interface CardData {
  title: string;
  description?: string;
  status?: string;
  position?: number;
  priority?: string;
  tags?: string[];
  assignee?: string;
  due_date?: string;
  board_id?: string;
}

export type Board = StoredObject<BoardData>;
export type Card = StoredObject<CardData>;

/** A list page. */
export interface Page<T> {
  data: T[];
  meta: { count: number; has_more: boolean; next_cursor: string | null; limit: number };
}

/** The signed-in caller (`/auth/me`, login, setup). */
export interface Me {
  id: string;
  email: string;
  name: string;
  role: Role;
  workspace: { id: string; slug: string; name: string };
  auth: 'session' | 'pat';
}

/** What login, setup and accepting an invitation return. */
export interface SignedIn {
  access_token: string;
  expires_at: string;
  user: Me;
}

export interface AccessToken {
  id: string;
  name: string;
  prefix: string;
  scopes: Record<string, ScopeLevel>;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface Member {
  user_id: string;
  email: string;
  name: string;
  role: Role;
  joined_at: string;
}

export interface Invitation {
  id: string;
  role: Role;
  email: string | null;
  created_at: string;
  expires_at: string;
  expired: boolean;
}

/** A trashed object. */
export interface Trashed extends StoredObject {
  deleted_at: string;
  deleted_with: string | null;
}

/** One live event from /xapi2/events. */
export interface ActivityEvent {
  seq: number;
  object_type: string;
  object_id: string;
  action: 'create' | 'update' | 'delete' | 'restore' | 'respace';
  actor_id: string | null;
  changes: Record<string, [Json, Json]>;
  created_at: string;
  object: StoredObject | null;
}

/**
 * What a `respace` event's `changes.order[1]` holds: the server rewrote a column's positions to even
 * steps (keeping their order and the cards' versions). Each named card, at that version, is now at
 * the matching position.
 */
export interface RespacedColumn {
  board_id: string | null;
  status: string;
  ids: string[];
  positions: number[];
  versions: number[];
}

/** The error body every failed call returns. */
export interface ErrorBody {
  detail: string;
  code: string;
  errors: FieldError[];
}
