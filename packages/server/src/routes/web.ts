/**
 * The web app: files of the built app (packages/web/dist) at `/`, and its index.html for every other
 * page path so the app's own router takes over (`/boards/...`, `/setup#token=...`). The API keeps
 * its JSON 404s: nothing under /xapi2 is ever answered with the app.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { negotiate } from '@fastify/accept-negotiator';
import { AppError } from '@prodboard/shared';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../deps.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** The app only talks to its own origin; nothing may frame it (clickjacking). */
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Production Board</title>
<p>The web app is not built yet. Run <code>npm run build</code> in the repository, then reload this page.
The API is at <a href="/xapi2/health">/xapi2/health</a>.</p>`;

/**
 * The copies the web build compresses at its best quality beside each file (`index-abc.js.br`,
 * `.gz`; packages/web/vite.config.ts), best first. A file without them is compressed on the fly
 * by the app's compression plugin (app.ts), as JSON is.
 */
const PRECOMPRESSED = [
  { encoding: 'br', suffix: '.br' },
  { encoding: 'gzip', suffix: '.gz' },
] as const;

/** The best precompressed copy of `file` the client accepts, if the build made one. */
async function precompressedCopy(file: string, acceptEncoding: string | undefined): Promise<{ encoding: string; path: string } | undefined> {
  if (!acceptEncoding) return undefined;
  for (const { encoding, suffix } of PRECOMPRESSED) {
    if (negotiate(acceptEncoding, [encoding]) !== encoding) continue;
    try {
      if ((await stat(file + suffix)).isFile()) return { encoding, path: file + suffix };
    } catch {
      // No such copy: try the next encoding.
    }
  }
  return undefined;
}

async function fileAt(root: string, urlPath: string): Promise<string | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const path = resolve(join(root, decoded));
  if (path !== root && !path.startsWith(root + sep)) return undefined;
  try {
    return (await stat(path)).isFile() ? path : undefined;
  } catch {
    return undefined;
  }
}

/** The web app routes (registered without the /xapi2 prefix). */
export function webRoutes({ config }: AppDeps): FastifyPluginAsync {
  const root = resolve(config.webRoot);

  async function sendIndex(reply: FastifyReply) {
    reply.headers(PAGE_HEADERS).header('cache-control', 'no-cache').type(TYPES['.html']);
    try {
      return reply.send(await readFile(join(root, 'index.html')));
    } catch {
      return reply.code(503).send(NOT_BUILT);
    }
  }

  async function serve(request: FastifyRequest, reply: FastifyReply) {
    const urlPath = request.url.split('?')[0];
    if (urlPath === '/xapi2' || urlPath.startsWith('/xapi2/')) {
      throw new AppError('not_found', `no endpoint ${request.method} ${urlPath.slice(0, 200)}; the API lives under /xapi2 (see GET /xapi2/mcp/manifest for the models)`);
    }
    const file = urlPath === '/' ? undefined : await fileAt(root, urlPath);
    if (file && !file.endsWith(`${sep}index.html`)) {
      // Vite names built assets by content hash, so they never change under the same name.
      const immutable = urlPath.startsWith('/assets/');
      reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'public, max-age=300');
      reply.header('x-content-type-options', 'nosniff').header('vary', 'accept-encoding');
      reply.type(TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream');
      const copy = await precompressedCopy(file, request.headers['accept-encoding']);
      if (copy) reply.header('content-encoding', copy.encoding);
      return reply.send(await readFile(copy?.path ?? file));
    }
    // A path that names a file (has an extension) and does not exist is a 404, not the app.
    if (extname(urlPath) !== '' && !urlPath.endsWith('.html')) {
      throw new AppError('not_found', `no file ${urlPath.slice(0, 200)}`);
    }
    return sendIndex(reply);
  }

  return async (app) => {
    app.get('/', serve);
    app.get('/*', serve);
  };
}
