/**
 * OAuth clients: registered dynamically (RFC 7591) or named by a metadata document's URL. Only
 * public clients: no secrets are issued, and PKCE proves each code's requester instead.
 */
import { randomBytes } from 'node:crypto';
import type { OAuthClientRow, OAuthRepo } from '../store/types.js';
import { fetchClientMetadata, isMetadataDocumentUrl } from './client-metadata.js';
import { OAuthError } from './errors.js';
import { checkRedirectUri } from './redirect-uris.js';

const MAX_NAME = 200;
const MAX_REDIRECT_URIS = 10;

/** A client's display name: trimmed, control characters removed, at most 200 characters; `fallback` when empty. */
function clientName(raw: unknown, fallback: string): string {
  if (raw !== undefined && typeof raw !== 'string') throw new OAuthError('invalid_client_metadata', 'client_name must be a string, e.g. "Claude"');
  const name = (raw ?? '').replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, MAX_NAME);
  return name || fallback;
}

function redirectUris(raw: unknown, error: string): string[] {
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > MAX_REDIRECT_URIS) {
    throw new OAuthError(error, `redirect_uris must be an array of 1 to ${MAX_REDIRECT_URIS} redirect URIs, e.g. ["http://127.0.0.1:33418/callback"]`);
  }
  return raw.map((uri) => {
    try {
      return checkRedirectUri(uri);
    } catch (err) {
      throw err instanceof OAuthError && error !== err.error ? new OAuthError(error, err.description) : err;
    }
  });
}

const GRANT_TYPES = ['authorization_code', 'refresh_token'];

/**
 * Registers a client from its metadata (RFC 7591 §2); returns the registration response (§3.2.1).
 * `admit` runs once the metadata is valid, before the row is written (the route's rate limit).
 */
export async function clientRegistrar(store: OAuthRepo, body: unknown, now: number, admit: () => void = () => {}) {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new OAuthError('invalid_client_metadata', 'send a JSON object such as {"client_name": "My MCP host", "redirect_uris": ["http://127.0.0.1:33418/callback"]}');
  }
  const meta = body as Record<string, unknown>;
  const uris = redirectUris(meta.redirect_uris, 'invalid_redirect_uri');
  for (const [field, allowed] of [['grant_types', GRANT_TYPES], ['response_types', ['code']]] as const) {
    const value = meta[field];
    if (value !== undefined && (!Array.isArray(value) || value.some((v) => !allowed.includes(v)))) {
      throw new OAuthError('invalid_client_metadata', `${field} may only hold ${allowed.join(' and ')}`);
    }
  }
  const at = new Date(now).toISOString();
  const row: OAuthClientRow = {
    id: `pbc_${randomBytes(16).toString('base64url')}`,
    kind: 'registered',
    name: clientName(meta.client_name, 'Unnamed client'),
    redirect_uris: uris,
    created_at: at,
    updated_at: at,
  };
  admit();
  await store.upsertOAuthClient(row);
  return {
    client_id: row.id,
    client_id_issued_at: Math.floor(now / 1000),
    client_name: row.name,
    redirect_uris: row.redirect_uris,
    grant_types: GRANT_TYPES,
    response_types: ['code'],
    // Public clients only: whatever method was asked for, none is issued a secret (RFC 7591 §3.2.1 lets the server choose).
    token_endpoint_auth_method: 'none',
  };
}

/**
 * The client an authorization names: a registered one from the store, or a metadata document
 * fetched now (and kept, so the token endpoint on any instance finds it without a fetch).
 */
export async function clientResolver(store: OAuthRepo, clientId: string, options: { allowLoopback: boolean; now: number }): Promise<OAuthClientRow> {
  if (!isMetadataDocumentUrl(clientId)) {
    const client = await store.getOAuthClient(clientId);
    if (!client || client.kind !== 'registered') {
      throw new OAuthError('invalid_client', 'client_id is not a client of this server; register it at /oauth/register or use the https URL of its client metadata document');
    }
    return client;
  }
  const doc = await fetchClientMetadata(clientId, { allowLoopback: options.allowLoopback });
  const at = new Date(options.now).toISOString();
  const row: OAuthClientRow = {
    id: clientId,
    kind: 'metadata_document',
    name: clientName(doc.client_name, new URL(clientId).host),
    redirect_uris: redirectUris(doc.redirect_uris, 'invalid_client'),
    created_at: at,
    updated_at: at,
  };
  await store.upsertOAuthClient(row);
  return row;
}
