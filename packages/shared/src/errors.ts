/**
 * The error family. Every failure the system reports is an `AppError` with a stable `code`; each
 * edge (HTTP, MCP, CLI) maps it once. Messages say what to do next, in words a person or an AI
 * model can act on.
 */

/** Stable error codes, with the HTTP status each one maps to. */
export const ERROR_STATUS = {
  validation_failed: 400,
  invalid_json: 400,
  invalid_query: 400,
  unauthenticated: 401,
  token_expired: 401,
  forbidden: 403,
  scope_denied: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  precondition_failed: 412,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

/** One of the stable error codes. */
export type ErrorCode = keyof typeof ERROR_STATUS;

/** A problem with one input field (or query parameter). */
export interface FieldError {
  field: string;
  message: string;
}

/** The JSON body of every error response. */
export interface ErrorBody {
  detail: string;
  i18n: { en: string };
  code: ErrorCode;
  errors: FieldError[];
}

/** An expected failure with a stable code, an HTTP status and an actionable message. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly errors: FieldError[];
  /** Seconds the caller should wait (429, 503). */
  readonly retryAfter?: number;

  constructor(code: ErrorCode, message: string, options: { errors?: FieldError[]; retryAfter?: number } = {}) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.errors = options.errors ?? [];
    this.retryAfter = options.retryAfter;
  }

  /** The wire form of this error. */
  toBody(): ErrorBody {
    return { detail: this.message, i18n: { en: this.message }, code: this.code, errors: this.errors };
  }
}

/** A 400 that lists every field problem; the detail joins them so one line tells the whole story. */
export function validationError(errors: FieldError[], code: ErrorCode = 'validation_failed'): AppError {
  const detail = errors.map((e) => e.message).join('; ');
  return new AppError(code, detail, { errors });
}

/** A 404 that never tells whether the object exists in another workspace. */
export function notFound(type: string, id: string): AppError {
  return new AppError(
    'not_found',
    `${type} ${id} was not found in this workspace. Check the id, or list ${type} objects to find it.`,
  );
}

/** "a, b or c" for messages. */
export function listWords(values: readonly string[], last = 'or'): string {
  if (values.length <= 1) return values.join('');
  return `${values.slice(0, -1).join(', ')} ${last} ${values[values.length - 1]}`;
}
