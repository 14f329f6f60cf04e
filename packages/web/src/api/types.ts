/**
 * Wire shapes of the /xapi2 API, as the web app reads them: inferred from the operations' zod schemas
 * in @prodboard/shared (operations/wire.ts), never restated here.
 */
import type { Activity, FieldError, ScopeLevel, Role, StoredObject } from '@prodboard/shared';

export type { AccessToken, Board, BoardData, Card, CardData, Invitation, Me, Member, Page, SignedIn, StoredObject, Trashed } from '@prodboard/shared';
export type { Membership, PasswordResetLink } from '@prodboard/shared';

/** An app signed in with OAuth (an MCP host), as the Integrations page lists it. */
export interface OAuthGrant {
  id: string;
  client_id: string;
  client_name: string;
  scopes: Record<string, ScopeLevel>;
  created_at: string;
  last_used_at: string | null;
}

/** A sign-in waiting on the consent page: the client, where it goes back to, and the scopes it would get. */
export interface ConsentRequest {
  id: string;
  client: { id: string; name: string; kind: 'registered' | 'metadata_document' };
  redirect_uri: string;
  scopes: Record<string, ScopeLevel>;
  requested_scopes: Record<string, ScopeLevel>;
  role: Role;
  workspace: { id: string; name: string };
  expires_at: string;
}

/** One live event from /xapi2/events: a recorded write with the object as it is now. */
export type ActivityEvent = Activity & { object: StoredObject | null };

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

/** The error body the web app handles: the server's (ErrorBody in @prodboard/shared), or one it makes for a network failure. */
export interface ErrorBody {
  detail: string;
  code: string;
  errors: FieldError[];
}

/** A comment on a card (GET /cards/{id}/comments). */
export interface CardComment {
  id: string;
  card_id: string;
  author: { id: string; name: string | null };
  /** Markdown. */
  body: string;
  /** Each `@handle` of the body that names a member, with the member's current name. */
  mentions: Array<{ user_id: string; handle: string; name: string | null }>;
  created_at: string;
  updated_at: string;
  edited: boolean;
  version: number;
}

/** One entry of a card's history (GET /cards/{id}/history): an activity event with who did it. */
export interface HistoryEntry extends Omit<ActivityEvent, 'object'> {
  actor_name: string | null;
}
