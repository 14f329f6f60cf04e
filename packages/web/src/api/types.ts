/**
 * Wire shapes of the /xapi2 API, as the web app reads them: inferred from the operations' zod schemas
 * in @prodboard/shared (operations/wire.ts), never restated here.
 */
import type { Activity, FieldError, StoredObject } from '@prodboard/shared';

export type { AccessToken, Board, BoardData, Card, CardData, Invitation, Me, Member, Page, SignedIn, StoredObject, Trashed } from '@prodboard/shared';

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
