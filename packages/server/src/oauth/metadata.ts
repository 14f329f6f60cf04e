/**
 * Discovery documents: protected resource metadata for /mcp (RFC 9728) and authorization server
 * metadata (RFC 8414). Every address in them comes from PRODBOARD_PUBLIC_URL (or the address the
 * server listens on), never from a request's Host header.
 */
import type { Server } from 'node:http';
import { OAUTH_SCOPES } from '@prodboard/shared';
import type { ServerConfig } from '../config.js';
import { publicBaseUrl } from '../http/public-url.js';
import type { OAuthUrls } from './authorization.js';

/** The issuer and the /mcp resource of this server. */
export function oauthUrls(config: ServerConfig, server: Server): OAuthUrls {
  return oauthUrlsOf(publicBaseUrl(config, server));
}

/** The issuer `issuer` and its /mcp resource. */
export function oauthUrlsOf(issuer: string): OAuthUrls {
  return { issuer, resource: `${issuer}/mcp` };
}

/** RFC 9728: what /mcp is and which authorization server issues its tokens. */
export function protectedResourceMetadata(urls: OAuthUrls) {
  return {
    resource: urls.resource,
    authorization_servers: [urls.issuer],
    scopes_supported: OAUTH_SCOPES,
    bearer_methods_supported: ['header'],
    resource_name: 'Production Board',
  };
}

/** RFC 8414: the endpoints and what they accept (public clients, PKCE S256, per-model scopes). */
export function authorizationServerMetadata(urls: OAuthUrls) {
  return {
    issuer: urls.issuer,
    authorization_endpoint: `${urls.issuer}/oauth/authorize`,
    token_endpoint: `${urls.issuer}/oauth/token`,
    registration_endpoint: `${urls.issuer}/oauth/register`,
    revocation_endpoint: `${urls.issuer}/oauth/revoke`,
    scopes_supported: OAUTH_SCOPES,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_methods_supported: ['none'],
    revocation_endpoint_auth_methods_supported: ['none'],
    code_challenge_methods_supported: ['S256'],
    authorization_response_iss_parameter_supported: true,
    client_id_metadata_document_supported: true,
  };
}
