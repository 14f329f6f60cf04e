/**
 * A failed call to the prodboard server, as prodmcp reports it: the server's own message and HTTP
 * status when it answered, or a message naming what to check when it did not (status 0).
 */
import type { FieldError } from '@prodboard/shared';

/** Codes for failures that never got an answer from the API; the server's own codes pass through. */
export type LocalErrorCode = 'network_error' | 'timeout' | 'bad_response' | 'not_signed_in' | 'cancelled';

/** The JSON a failed tool call carries: what went wrong and the HTTP status (0: no answer). */
export interface ToolErrorBody {
  error: string;
  http_status: number;
  code: string;
  errors?: FieldError[];
}

/** A failed call; `status` is the HTTP status, or 0 when the server never answered. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string,
    readonly errors: FieldError[] = [],
    /** How long the server asked us to wait (429, 503). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The body of the `isError` tool result. */
  toBody(): ToolErrorBody {
    return { error: this.message, http_status: this.status, code: this.code, ...(this.errors.length > 0 && { errors: this.errors }) };
  }
}

/** True when the error is the caller's own cancellation. */
export function isCancellation(err: unknown): boolean {
  return err instanceof ApiError && err.code === 'cancelled';
}
