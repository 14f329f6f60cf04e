/**
 * What an operation is on the server: its declared schemas (from @prodboard/shared), who may run it
 * (policy), and how it runs (commands in a transaction, then presenters). HTTP routes, the MCP tools
 * and the OpenAPI document all start from these declarations; nothing here knows about HTTP.
 *
 * Order of checks, the same for every caller: `parse` (cheap input checks that need no caller, such
 * as the model existing) → `policy` (may this actor do it) → `run` (the command validates its input
 * fully, writes in one transaction and records its event, then presents).
 */
import { OPERATIONS, type OperationInput, type OperationName, type OperationOutput, type OperationSchemas } from '@prodboard/shared';
import type { Actor } from '../context.js';
import type { AppDeps } from '../deps.js';

/**
 * A JSON document already written (by the database): the hot reads (get by id, list pages) hand it
 * to HTTP as it is, and only an in-process caller pays for parsing it.
 */
export class JsonText<T> {
  constructor(readonly text: string) {}

  /** The document as a value. */
  parse(): T {
    return JSON.parse(this.text) as T;
  }
}

/** What a run produced: the output (or its JSON text), and what an edge may want to know besides. */
export interface Outcome<O> {
  output: O | JsonText<O>;
  /** The written or read object's version (HTTP: ETag). */
  version?: number;
  /** A create answered from its idempotency key (HTTP: Idempotent-Replayed). */
  replayed?: boolean;
}

/** Everything an operation runs with besides its input. */
export interface OperationEnv {
  deps: AppDeps;
  /** The caller, authenticated by the edge; undefined for public operations. */
  actor: Actor | undefined;
  /** The caller's network address (login limits), when the edge knows it. */
  ip?: string;
  /** The base of links the server writes (invitations): PRODBOARD_PUBLIC_URL or the listening address. */
  publicUrl: () => string;
}

/** An operation's definition. `P` is what `parse` makes of the input (the input itself by default). */
export interface Operation<N extends OperationName = OperationName, P = OperationInput<N>> {
  name: N;
  schemas: OperationSchemas;
  /** `actor`: needs an authenticated caller; `public`: anyone (login, setup, invite links). */
  access: 'actor' | 'public';
  /** Input checks that come before authorization (e.g. an unknown model is a 404 for everyone). */
  parse(input: OperationInput<N>): P;
  /** Throws 403 unless the actor may run this operation with this input. */
  policy(actor: Actor, input: P): void;
  run(env: OperationEnv & { actor: Actor }, input: P): Promise<Outcome<OperationOutput<N>>>;
}

/** Defines an actor operation; `parse` and `policy` default to "nothing to check". */
export function defineOperation<N extends OperationName, P = OperationInput<N>>(
  name: N,
  parts: {
    access?: 'actor';
    parse?: (input: OperationInput<N>) => P;
    policy?: (actor: Actor, input: P) => void;
    run: (env: OperationEnv & { actor: Actor }, input: P) => Promise<Outcome<OperationOutput<N>>>;
  },
): Operation<N, P>;
/** Defines a public operation (no actor). */
export function defineOperation<N extends OperationName, P = OperationInput<N>>(
  name: N,
  parts: { access: 'public'; parse?: (input: OperationInput<N>) => P; run: (env: OperationEnv, input: P) => Promise<Outcome<OperationOutput<N>>> },
): Operation<N, P>;
export function defineOperation<N extends OperationName, P>(
  name: N,
  parts: {
    access?: 'actor' | 'public';
    parse?: (input: OperationInput<N>) => P;
    policy?: (actor: Actor, input: P) => void;
    run: (env: OperationEnv & { actor: Actor }, input: P) => Promise<Outcome<OperationOutput<N>>>;
  },
): Operation<N, P> {
  return {
    name,
    schemas: OPERATIONS[name],
    access: parts.access ?? 'actor',
    parse: parts.parse ?? ((input) => input as unknown as P),
    policy: parts.policy ?? (() => {}),
    run: parts.run,
  };
}

/** A plain outcome. */
export function done<O>(output: O): Outcome<O> {
  return { output };
}

/** A body as a record of fields; anything else (absent, an array, a string) as no fields, for the command's checks to name. */
export function fieldsOf(body: unknown): Record<string, unknown> {
  return body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}
