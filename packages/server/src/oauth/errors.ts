/**
 * OAuth's own error shape (RFC 6749 §5.2): the token, registration and revocation endpoints answer
 * `{error, error_description}` as OAuth clients expect, not the API's error family.
 */
import type { FastifyReply } from 'fastify';

/** An OAuth error code with its HTTP status and a description that says what to do next. */
export class OAuthError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
    readonly status = 400,
  ) {
    super(description);
    this.name = 'OAuthError';
  }
}

/** Sends an OAuth error; never cached (RFC 6749 §5.1). */
export function sendOAuthError(reply: FastifyReply, err: OAuthError) {
  if (err.status === 401) reply.header('www-authenticate', 'Basic realm="prodboard"');
  return reply.code(err.status).header('cache-control', 'no-store').send({ error: err.error, error_description: err.description });
}
