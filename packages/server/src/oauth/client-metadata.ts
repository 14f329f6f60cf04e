/**
 * Client ID metadata documents (draft-ietf-oauth-client-id-metadata-document): a client_id that is
 * an https URL names a JSON document describing the client, fetched when an authorization starts.
 *
 * Fetching a URL a stranger chose is a server-side request forgery risk, so the fetch is narrow:
 * https only (plain http only to loopback, and only when the server is told to allow it, for tests),
 * every address the name resolves to must be public (checked in the socket's own DNS lookup, so a
 * name cannot resolve once to a public address for the check and again to a private one for the
 * connection), no redirects, at most 5 s and 64 KiB.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP } from 'node:net';
import { OAuthError } from './errors.js';

/** Longest a document may take to arrive, and its largest size. */
export const METADATA_TIMEOUT_MS = 5_000;
export const METADATA_MAX_BYTES = 64 * 1024;

/** What the document must say: its own URL as client_id, a name, and its redirect URIs. */
export interface ClientMetadataDocument {
  client_id: string;
  client_name?: unknown;
  redirect_uris?: unknown;
  token_endpoint_auth_method?: unknown;
}

/** Addresses a fetched document may never come from: loopback, private, link-local, shared, multicast, reserved. */
const NOT_PUBLIC = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.0.0.0', 24],
  ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) NOT_PUBLIC.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [['::', 128], ['::1', 128], ['::ffff:0:0', 96], ['64:ff9b::', 96], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) {
  NOT_PUBLIC.addSubnet(net, prefix, 'ipv6');
}
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** True when a fetch may connect to this address. */
function allowedAddress(address: string, allowLoopback: boolean): boolean {
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  if (allowLoopback && LOOPBACK.check(address, family)) return true;
  return !NOT_PUBLIC.check(address, family);
}

/** True when `clientId` looks like a metadata document's URL (https, or http when loopback is allowed) rather than a registered id. */
export function isMetadataDocumentUrl(clientId: string): boolean {
  return /^https?:\/\//i.test(clientId);
}

/** Checks the URL's form: https with a path, no fragment, no credentials (http only to loopback when allowed). */
function checkUrl(clientId: string, allowLoopback: boolean): URL {
  const fail = (why: string) => {
    throw new OAuthError('invalid_client', `client_id ${why}; a client_id URL must be an https address of the client's metadata document, such as https://app.example.com/oauth/client.json`);
  };
  let url: URL;
  try {
    url = new URL(clientId);
  } catch {
    return fail('is not a valid URL');
  }
  const loopbackHttp = allowLoopback && url.protocol === 'http:' && ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
  if (url.protocol !== 'https:' && !loopbackHttp) fail('must use https');
  if (url.hash || url.username || url.password) fail('must not have a fragment or credentials');
  if (url.pathname === '/' || url.pathname === '') fail('must have a path');
  // Node connects to an address literal without a lookup, so the lookup's check must happen here.
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(literal) && !allowedAddress(literal, allowLoopback)) fail('names a private or reserved address');
  return url;
}

/** Fetches and checks the document `clientId` names; throws invalid_client with the reason. */
export async function fetchClientMetadata(clientId: string, options: { allowLoopback: boolean }): Promise<ClientMetadataDocument> {
  const url = checkUrl(clientId, options.allowLoopback);
  const text = await fetchText(url, options.allowLoopback);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new OAuthError('invalid_client', 'the client metadata document at client_id is not valid JSON');
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new OAuthError('invalid_client', 'the client metadata document at client_id must be a JSON object');
  const meta = doc as ClientMetadataDocument;
  if (meta.client_id !== clientId) {
    throw new OAuthError('invalid_client', 'the client metadata document says a different client_id; its client_id must equal the URL it is served at');
  }
  if (meta.token_endpoint_auth_method !== undefined && meta.token_endpoint_auth_method !== 'none') {
    throw new OAuthError('invalid_client', 'the client metadata document asks for a client secret or key; this server accepts only public clients (token_endpoint_auth_method "none") with PKCE');
  }
  return meta;
}

function fetchText(url: URL, allowLoopback: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const fail = (why: string) => reject(new OAuthError('invalid_client', `could not fetch the client metadata document at client_id: ${why}`));
    // The socket's own lookup: every address must be allowed, and the connection uses one of them.
    const lookup = (hostname: string, opts: { all?: boolean }, callback: (...args: unknown[]) => void) => {
      dnsLookup(hostname, { all: true }, (err, addresses: LookupAddress[]) => {
        if (err) return callback(err);
        if (addresses.length === 0 || !addresses.every((a) => allowedAddress(a.address, allowLoopback))) {
          return callback(new Error('its host resolves to a private or reserved address'));
        }
        return opts.all ? callback(null, addresses) : callback(null, addresses[0].address, addresses[0].family);
      });
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method: 'GET', headers: { accept: 'application/json' }, lookup: lookup as never, timeout: METADATA_TIMEOUT_MS }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return fail(`it answered HTTP ${res.statusCode} (redirects are not followed)`);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > METADATA_MAX_BYTES) {
          req.destroy();
          return fail(`it is larger than ${METADATA_MAX_BYTES / 1024} KiB`);
        }
        chunks.push(chunk);
      });
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', () => fail('the connection broke'));
    });
    const deadline = setTimeout(() => {
      req.destroy();
      fail(`it took longer than ${METADATA_TIMEOUT_MS / 1000} s`);
    }, METADATA_TIMEOUT_MS);
    req.on('close', () => clearTimeout(deadline));
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (err) => fail(err.message.includes('private or reserved') ? 'its host resolves to a private or reserved address' : 'the server could not be reached'));
    req.end();
  });
}
