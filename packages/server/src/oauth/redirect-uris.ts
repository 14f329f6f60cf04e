/**
 * Redirect URIs: which a client may register, and when a request's URI matches a registered one.
 * Matching is exact, except that a loopback redirect may use any port (RFC 8252 §7.3: native apps
 * listen on whatever port is free).
 */
import { OAuthError } from './errors.js';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

function parse(uri: string): URL | undefined {
  try {
    return new URL(uri);
  } catch {
    return undefined;
  }
}

/** True for http://127.0.0.1, http://[::1] and http://localhost with any port. */
function isLoopback(url: URL): boolean {
  return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
}

/**
 * Throws invalid_redirect_uri unless the URI is one a client may register: https, http on
 * loopback, or a private-use scheme named after a domain (`com.example.app:/callback`, RFC 8252
 * §7.1); never a fragment or credentials.
 */
export function checkRedirectUri(uri: unknown): string {
  const fail = (why: string) => {
    throw new OAuthError('invalid_redirect_uri', `redirect_uris: ${why}; use https://..., http://127.0.0.1:<port>/... for a native app, or a reverse-domain scheme such as com.example.app:/callback`);
  };
  if (typeof uri !== 'string' || uri.length === 0 || uri.length > 2000) return fail('each redirect URI must be a string of 1 to 2000 characters');
  const url = parse(uri);
  if (!url) return fail('a redirect URI is not an absolute URI');
  if (url.hash || uri.includes('#')) return fail('a redirect URI must not have a fragment');
  if (url.username || url.password) return fail('a redirect URI must not carry credentials');
  if (url.protocol === 'https:' || isLoopback(url)) return uri;
  if (/^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+:$/i.test(url.protocol) && !['javascript:', 'data:', 'file:', 'vbscript:'].includes(url.protocol)) return uri;
  return fail(`the scheme ${url.protocol.slice(0, 40)} is not allowed`);
}

/** True when `given` is one of the client's redirect URIs (loopback: any port). */
export function redirectUriMatches(registered: string[], given: string): boolean {
  if (registered.includes(given)) return true;
  const url = parse(given);
  if (!url || !isLoopback(url)) return false;
  return registered.some((r) => {
    const reg = parse(r);
    if (!reg || !isLoopback(reg)) return false;
    return reg.hostname === url.hostname && reg.pathname === url.pathname && reg.search === url.search && reg.protocol === url.protocol;
  });
}
