/**
 * /xapi2/mcp: what MCP clients need from the server: the manifest their tools are built from, and
 * the single-file prodmcp build this server distributes with its version and sha256.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { AppError, MANIFEST } from '@prodboard/shared';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { plainDocs } from '../http/operation-route.js';
import type { AppDeps } from '../deps.js';

interface Script {
  version: string | null;
  sha256: string;
  body: Buffer;
}

/** Reads the build and its version (from its `PRODMCP_VERSION = "x.y.z"` line); undefined when absent. */
async function loadScript(path: string): Promise<Script | undefined> {
  try {
    const body = await readFile(path);
    const version = /PRODMCP_VERSION\s*=\s*["']([^"']+)["']/.exec(body.toString('utf8', 0, Math.min(body.length, 64 * 1024)))?.[1] ?? null;
    return { version, sha256: createHash('sha256').update(body).digest('hex'), body };
  } catch {
    return undefined;
  }
}

/** The MCP distribution routes (no authentication: nothing here is private). */
export function mcpRoutes({ config }: AppDeps): FastifyPluginAsync {
  return async (app) => {
    app.get('/mcp/manifest', { config: plainDocs('mcp.manifest', 'The app manifest MCP clients build their tools from', { 200: z.object({ models: z.record(z.string(), z.unknown()) }) }) }, async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return { models: MANIFEST };
    });

    app.get('/mcp/version', { config: plainDocs('mcp.version', 'The version of the prodmcp this server distributes', { 200: z.object({ version: z.string().nullable(), sha256: z.string().optional(), available: z.boolean(), detail: z.string().optional() }) }) }, async () => {
      const script = await loadScript(config.mcpScriptPath);
      if (!script) return { version: null, available: false, detail: 'this server has no prodmcp build yet; npm run build creates it' };
      return { version: script.version, sha256: script.sha256, available: true };
    });

    app.get('/mcp/script', { config: plainDocs('mcp.script', 'prodmcp as a single executable JavaScript file', { 200: undefined }, [404]) }, async (_request, reply) => {
      const script = await loadScript(config.mcpScriptPath);
      if (!script) throw new AppError('not_found', 'this server has no prodmcp build yet; run npm run build on the server, then try again');
      return reply.type('text/javascript; charset=utf-8').header('x-prodmcp-sha256', script.sha256).send(script.body);
    });
  };
}
