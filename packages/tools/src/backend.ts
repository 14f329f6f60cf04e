/**
 * What the tools need from the board: the operations they call, whoever serves them. prodmcp
 * implements it over HTTP (its API client), the server in process with the caller's actor
 * (server/src/mcp/backend.ts). Both answer with the `/xapi2` wire shapes, so a tool's result is
 * the same on either transport.
 */
import type { FieldError } from '@prodboard/shared';

/** A JSON object, as the API and tool results carry them. */
export type JsonObject = Record<string, unknown>;

/** One list parameter value; an array repeats the parameter (read as IN). */
export type QueryValue = string | number | boolean;

/** A list call's parameters, named as on the wire (`limit`, `sort`, `data__status`, ...). */
export type ListParams = Record<string, QueryValue | QueryValue[]>;

/** One page of a list, as `GET /xapi2/data/{type}` returns it. */
export interface Page {
  data: JsonObject[];
  meta: JsonObject;
}

/** Options of a create: an idempotency key makes a retried create answer with the first one's object. */
export interface CreateOptions {
  idempotencyKey?: string;
}

/** Options of an update or delete: the version the caller read (stale → 412 precondition_failed). */
export interface WriteOptions {
  version?: number;
}

/** The operations the tools call; every one may be cancelled through `signal`. */
export interface Backend {
  /** A page of objects (`GET /xapi2/data/{type}`). */
  list(type: string, params: ListParams, signal: AbortSignal): Promise<Page>;
  /** One live object by id, or a board's or card's key (`GET /xapi2/data/{type}/{id}`). */
  get(type: string, id: string, signal: AbortSignal): Promise<JsonObject>;
  /** Creates an object from its fields (`POST /xapi2/data/{type}`, Idempotency-Key). */
  create(type: string, fields: JsonObject, signal: AbortSignal, options?: CreateOptions): Promise<JsonObject>;
  /** Changes the given fields (`PATCH /xapi2/data/{type}/{id}`, If-Match). */
  update(type: string, id: string, fields: JsonObject, signal: AbortSignal, options?: WriteOptions): Promise<JsonObject>;
  /** Moves an object to the trash (`DELETE /xapi2/data/{type}/{id}`, If-Match). */
  delete(type: string, id: string, signal: AbortSignal, options?: WriteOptions): Promise<JsonObject>;
  /** The caller (`GET /xapi2/auth/me`). */
  whoami(signal: AbortSignal): Promise<JsonObject>;
  /** The workspace's members (`GET /xapi2/members`). */
  members(signal: AbortSignal): Promise<Page>;
  /** Recorded changes, oldest first after `since` (`GET /xapi2/activity`). */
  activity(params: ListParams, signal: AbortSignal): Promise<Page>;
  /** Deleted objects, newest first (`GET /xapi2/trash`). */
  trash(params: ListParams, signal: AbortSignal): Promise<Page>;
  /** Restores an object with what was deleted with it (`POST /xapi2/trash/{type}/{id}/restore`). */
  restore(type: string, id: string, signal: AbortSignal): Promise<JsonObject>;
  /** A card's comments, oldest first (`GET /xapi2/cards/{id}/comments`). */
  comments(cardId: string, signal: AbortSignal): Promise<Page>;
  /** Adds a comment (`POST /xapi2/cards/{id}/comments`). */
  addComment(cardId: string, body: string, signal: AbortSignal): Promise<JsonObject>;
  /** A card's activity, newest first (`GET /xapi2/cards/{id}/history`). */
  history(cardId: string, limit: number, signal: AbortSignal): Promise<Page>;
}

/** The JSON a failed tool call carries: what went wrong and the HTTP status (0: no answer). */
export interface ToolErrorBody {
  error: string;
  http_status: number;
  code: string;
  errors?: FieldError[];
  /** What a failure adds to help the fix: candidates of an ambiguous reference, a conflict's current version. */
  [detail: string]: unknown;
}

/**
 * A failed backend call: the API's message, code and field errors, with the HTTP status the
 * failure has on the wire (0 when the server never answered). Backends throw it (or a subclass).
 */
export class BackendError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string,
    readonly errors: FieldError[] = [],
    /** Details for the caller (candidates, current_version, changed_fields); never a secret. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'BackendError';
  }

  /** The body of the `isError` tool result. */
  toBody(): ToolErrorBody {
    return { error: this.message, http_status: this.status, code: this.code, ...(this.errors.length > 0 && { errors: this.errors }), ...this.details };
  }
}

/** The code of a call the caller itself cancelled: such a call gets no answer. */
export const CANCELLED = 'cancelled';

/** True when the error is the caller's own cancellation. */
export function isCancellation(err: unknown): boolean {
  return err instanceof BackendError && err.code === CANCELLED;
}
