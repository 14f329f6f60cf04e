/**
 * /mcp: the tools over MCP Streamable HTTP, through the SDK's stateless handler (nothing of a
 * caller outlives its request, so any instance serves any request), for the current protocol and
 * for hosts that still open with `initialize`. Each request: Host and Origin checked against DNS
 * rebinding → the bearer token verified (a 401 names the protected resource metadata) → the tools
 * the caller's role and scopes allow, run in process as the caller. A modern request is served by
 * an idle McpServer with the caller's tool list when there is one (server-pool.ts).
 */
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import { hostHeaderValidation, originValidation } from '@modelcontextprotocol/fastify';
import { createMcpHandler, getOAuthProtectedResourceMetadataUrl, localhostAllowedHostnames, type AuthInfo, type ServerContext } from '@modelcontextprotocol/server';
import { AppError, MANIFEST } from '@prodboard/shared';
import { buildCatalogue, callTool, createToolServer, isCancellation, parseToolSelection, toolAccess, toolsFor, type ToolSelection, type ToolSpec } from '@prodboard/tools';
import type { FastifyBaseLogger, FastifyPluginAsync, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { Actor } from '../context.js';
import type { AppDeps } from '../deps.js';
import { bearerToken } from '../http/authenticate.js';
import { sendError } from '../http/errors.js';
import { checkRequest } from '../http/request.js';
import { publicBaseUrl } from '../http/public-url.js';
import type { ServerConfig } from '../config.js';
import { oauthUrls } from '../oauth/metadata.js';
import { mayAccessModel } from '../policies.js';
import { inProcessBackend } from './backend.js';
import { connectionSignal } from './connection-signal.js';
import { type DirectCall, directAnswer, directCall } from './direct-call.js';
import { ToolServerPool } from './server-pool.js';
import { verifyMcpToken } from './verify-token.js';

/** The path of the endpoint. */
export const MCP_PATH = '/mcp';

const VERSION = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

/** The server's identity, as initialize and every result's `_meta` report it. */
const SERVER_INFO = { name: 'prodboard', title: 'Production Board', version: VERSION };
const SERVER_INFO_JSON = JSON.stringify(SERVER_INFO);

const HOW_TO_CONNECT =
  'send a personal access token as Authorization: Bearer pat_... (create one on the Integrations page, or with prodboard token create), or sign in through your MCP host';

/** Who is calling, carried on each request's authInfo (the SDK hands it to the factory and to every handler). */
interface Caller {
  actor: Actor;
  log: FastifyBaseLogger;
  /** The tools asked for (`?toolsets=a,b&read_only=1`), as the caller's role and scopes allow them. */
  tools: ToolSpec[];
}

/** The verified caller of a request; only the route below calls the handler, always with one. */
function callerOf(authInfo: AuthInfo | undefined): Caller {
  const caller = authInfo?.extra as unknown as Caller | undefined;
  if (!caller) throw new Error('an MCP request reached the tools without a verified caller');
  return caller;
}

/**
 * The hostnames /mcp answers to: the public address's, and the listen address's (every
 * localhost name when it listens on a loopback or wildcard address).
 */
export function allowedHostnames(config: ServerConfig, server: Server): string[] {
  const names = new Set([new URL(publicBaseUrl(config, server)).hostname]);
  const bound = server.address();
  const address = bound && typeof bound === 'object' ? bound.address : config.host;
  if (['0.0.0.0', '::', '', '127.0.0.1', '::1', 'localhost'].includes(address)) for (const name of localhostAllowedHostnames()) names.add(name);
  else names.add(address.includes(':') ? `[${address}]` : address);
  return [...names];
}

/** The `WWW-Authenticate` challenge of a 401 from /mcp: where the protected resource metadata is (RFC 9728). */
export function mcpChallenge(baseUrl: string, tokenPresented: boolean): string {
  const metadata = getOAuthProtectedResourceMetadataUrl(new URL(MCP_PATH, baseUrl));
  return `Bearer resource_metadata="${metadata}"${tokenPresented ? ', error="invalid_token"' : ''}`;
}

/** A Fetch API request carrying the Fastify request's method, URL and headers (the body goes as parsedBody). */
function webRequest(request: FastifyRequest, reply: FastifyReply, baseUrl: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  // A controller of its own: undici's Request listens on the signal it is given until it is
  // collected, so the connection's signal (direct calls only read it) would gather listeners here.
  const controller = new AbortController();
  // The exchange ends when the client goes away before its answer (a long call is then cancelled);
  // the response's close, not the request's, which fires as soon as the body has been read.
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return new Request(new URL(request.url, baseUrl), { method: request.method, headers, signal: controller.signal });
}

/** The tools a request asks for by its query (`?toolsets=default,trash&read_only=1`); a 400 naming the valid toolsets otherwise. */
function toolSelection(request: FastifyRequest): ToolSelection {
  const query = request.query as Record<string, string | string[] | undefined>;
  const one = (name: string) => {
    const value = query[name];
    if (Array.isArray(value)) throw new AppError('invalid_query', `${name} may be given once`, { errors: [{ field: name, message: 'given more than once' }] });
    return value ?? null;
  };
  const parsed = parseToolSelection({ toolsets: one('toolsets'), readOnly: one('read_only') });
  if ('error' in parsed) {
    const field = parsed.error.startsWith('read-only') ? 'read_only' : 'toolsets';
    throw new AppError('invalid_query', parsed.error.replace(/^read-only/, 'read_only'), { errors: [{ field, message: parsed.error }] });
  }
  return parsed.selection;
}

/** The /mcp plugin (registered without a prefix; its hooks apply to /mcp only). */
export function mcpEndpoint(deps: AppDeps): FastifyPluginAsync {
  return async (app) => {
    const catalogue = buildCatalogue(MANIFEST);
    // As the routes run operations (http/operation-route.ts): links point at the public address.
    const runOptions = { publicUrl: () => publicBaseUrl(deps.config, app.server) };
    // The tools act as the caller of each call, never as the caller a server was built for: a
    // pooled server serves many callers with the same tool list, one after another.
    const buildServer = (tools: ToolSpec[]) =>
      createToolServer({
        info: SERVER_INFO,
        tools,
        onCall: () => deps.metrics?.mcpToolCall('sdk'),
        context: (call: ServerContext) => {
          const { actor, log } = callerOf(call.http?.authInfo);
          return { backend: inProcessBackend(deps, actor, log, runOptions) };
        },
      });
    const pool = new ToolServerPool(buildServer);

    // The tools of a caller depend only on what its role and scopes allow of each model and on the
    // selection it asks for: computed once per combination (bounded, oldest first out), as the
    // pool above relies on (same tools, same array).
    const toolLists = new Map<string, ToolSpec[]>();
    const accessTypes = [...new Set(catalogue.flatMap((spec) => toolAccess(spec)?.type ?? []))];
    const toolList = (actor: Actor, request: FastifyRequest): ToolSpec[] => {
      const query = request.query as Record<string, unknown>;
      const { toolsets, read_only } = query;
      const part = (value: unknown) => (value === undefined ? '-' : typeof value === 'string' ? `=${value}` : `[${JSON.stringify(value)}`);
      let key = `${part(toolsets)}\n${part(read_only)}\n`;
      for (const type of accessTypes) key += `${+mayAccessModel(actor, type, 'read')}${+mayAccessModel(actor, type, 'write')}`;
      let tools = toolLists.get(key);
      if (!tools) {
        tools = toolsFor(catalogue, (type, access) => mayAccessModel(actor, type, access), toolSelection(request));
        // A long selection (names repeated, padded) is computed each time rather than kept.
        if (key.length <= 512) {
          if (toolLists.size >= 64) toolLists.delete(toolLists.keys().next().value!);
          toolLists.set(key, tools);
        }
      }
      return tools;
    };
    const handler = createMcpHandler(
      (ctx) => {
        const { tools } = callerOf(ctx.authInfo);
        return ctx.era === 'modern' ? pool.take(tools) : buildServer(tools);
      },
      {
        // Progress and log notifications upgrade a response to a stream; plain calls stay one JSON body.
        responseMode: 'auto',
        maxRequestBodySize: deps.config.bodyLimit,
        onerror: (err) => app.log.debug({ message: err.message }, 'mcp request refused'),
      },
    );
    app.addHook('onClose', async () => handler.close());

    // The SDK's own checks and this server's addresses, known once it listens (at the first
    // request); asking the socket its address twice a request showed in the profile.
    let guards: onRequestHookHandler[] | undefined;
    let addresses: { baseUrl: string; resource: string } | undefined;
    // The guards' answer depends on the Host and Origin headers alone: pairs they let through are
    // remembered (a client sends the same ones every time; bounded, oldest first out).
    const passed = new Set<string>();
    /** Runs the guards; headers they let through are remembered under `key` (unless too long to keep). */
    const guard = async (request: FastifyRequest, reply: FastifyReply, key: string | undefined) => {
      guards ??= ((names) => [hostHeaderValidation(names), originValidation(names)] as onRequestHookHandler[])(allowedHostnames(deps.config, app.server));
      for (const check of guards) {
        await (check as unknown as (request: FastifyRequest, reply: FastifyReply) => Promise<void>)(request, reply);
        if (reply.sent) return;
      }
      if (key === undefined) return;
      if (passed.size >= 64) passed.delete(passed.values().next().value!);
      passed.add(key);
    };
    // A callback hook: a request whose headers passed before goes on without a promise.
    app.addHook('onRequest', (request, reply, done) => {
      addresses ??= { baseUrl: publicBaseUrl(deps.config, app.server), resource: oauthUrls(deps.config, app.server).resource };
      const { host, origin } = request.headers;
      // (A Host header holds no line break: Node refuses one.)
      const key = origin === undefined ? `${host}` : `${host}\n${origin}`;
      if (passed.has(key)) return done();
      guard(request, reply, key.length > 512 ? undefined : key).then(() => {
        if (!reply.sent) done();
      }, done);
    });

    /** A plain tools/call (direct-call.ts): the tool run as the caller, its answer written as the SDK would. */
    const serveDirect = async (call: DirectCall, caller: Caller, request: FastifyRequest, reply: FastifyReply) => {
      deps.metrics?.mcpToolCall('direct');
      // As on the SDK's path: the call is cancelled when the client goes away.
      const context = { backend: inProcessBackend(deps, caller.actor, caller.log, runOptions), signal: connectionSignal(request) };
      try {
        const result = await callTool(call.spec, call.arguments, context, SERVER_INFO.name);
        return reply.code(200).header('content-type', 'application/json').send(directAnswer(call.id, result, SERVER_INFO_JSON));
      } catch (err) {
        // A cancelled call gets no answer; its client is gone (the SDK's path answers 499 too).
        if (isCancellation(err)) return reply.code(499).send();
        throw err;
      }
    };

    const serve = async (request: FastifyRequest, reply: FastifyReply) => {
      checkRequest(request, reply);
      const { baseUrl, resource } = addresses!;
      const header = request.headers.authorization;
      let actor: Actor;
      let token: string;
      try {
        token = bearerToken(header, HOW_TO_CONNECT);
        actor = await verifyMcpToken(deps, token, resource);
      } catch (err) {
        if (!(err instanceof AppError) || err.status !== 401) throw err;
        reply.header('www-authenticate', mcpChallenge(baseUrl, header !== undefined));
        return sendError(reply, err);
      }
      const tools = toolList(actor, request);
      const caller: Caller = { actor, log: request.log, tools };
      const direct = deps.config.mcpDirectCalls ? directCall(request, tools) : undefined;
      if (direct) return serveDirect(direct, caller, request, reply);
      const authInfo: AuthInfo = {
        token,
        clientId: actor.credential.kind === 'pat' ? actor.credential.tokenId : actor.credential.kind === 'oauth' ? actor.credential.grantId : actor.user.id,
        scopes: [],
        extra: caller as unknown as Record<string, unknown>,
      };
      const response = await handler.fetch(webRequest(request, reply, baseUrl), { authInfo, parsedBody: request.body });
      // A single JSON answer is sent as text (cheaper than piping a web stream); streams are piped.
      if ((response.headers.get('content-type') ?? '').startsWith('application/json')) {
        reply.code(response.status);
        response.headers.forEach((value, name) => reply.header(name, value));
        return reply.send(await response.text());
      }
      return reply.send(response);
    };
    // The request check (nosniff; text no store can hold) runs first in the handler, as on the
    // operation routes, rather than through a hook runner on every call.
    app.route({ method: ['GET', 'POST', 'DELETE'], url: MCP_PATH, config: { checksRequest: true }, handler: serve });
  };
}
