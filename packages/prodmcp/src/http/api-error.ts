/**
 * A failed call to the prodboard server, as prodmcp reports it: the server's own message and HTTP
 * status when it answered, or a message naming what to check when it did not (status 0).
 */
import { BackendError } from '@prodboard/tools';
import type { FieldError } from '@prodboard/shared';

/** Codes for failures that never got an answer from the API; the server's own codes pass through. */
export type LocalErrorCode = 'network_error' | 'timeout' | 'bad_response' | 'not_signed_in' | 'cancelled';

/** A failed call; `status` is the HTTP status, or 0 when the server never answered. */
export class ApiError extends BackendError {
  constructor(
    status: number,
    message: string,
    code: string,
    errors: FieldError[] = [],
    /** How long the server asked us to wait (429, 503). */
    readonly retryAfterMs?: number,
  ) {
    super(status, message, code, errors);
    this.name = 'ApiError';
  }
}
