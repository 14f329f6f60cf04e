/**
 * Wire shapes of the /xapi2 API, as the web app reads them: inferred from the operations' zod schemas
 * in @prodboard/shared (operations/wire.ts, operations/catalog.ts), never restated here. A response
 * without a named type is `Output<'operation.name'>`.
 */
import type { Activity, ErrorBody as ServerErrorBody, OperationName, OperationOutput, StoredObject } from '@prodboard/shared';

export type {
  AccessToken, Board, BoardData, Card, CardComment, CardData, ConsentRequest, CreatedAccessToken, CreatedInvitation, HistoryEntry, Invitation,
  InvitationPreview, Me, Member, OAuthGrant, Page, RespacedColumn, SignedIn, StoredObject, Trashed,
} from '@prodboard/shared';
export type { Membership, PasswordResetLink } from '@prodboard/shared';

/** What operation `N` answers (its declared output schema, inferred). */
export type Output<N extends OperationName> = OperationOutput<N>;

/** One live event from /xapi2/events: a recorded write with the object as it is now. */
export type ActivityEvent = Activity & { object: StoredObject | null };

/** The error body the web app handles: the server's, or one it makes for a network failure (`network`). */
export type ErrorBody = Pick<ServerErrorBody, 'detail' | 'errors'> & { code: ServerErrorBody['code'] | 'network' };
