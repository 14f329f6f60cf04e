/**
 * GET /xapi2/openapi.json (OpenAPI 3.1), generated from the routes' declarations (each route's
 * `config.openapi`, collected as routes are added) and their zod schemas; and GET /xapi2/docs, a
 * small self-contained reference page that reads it (no CDN, nothing fetched but the document).
 */
import { ErrorBodySchema } from '@prodboard/shared';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { RouteDocs } from './operation-route.js';

type JsonObject = Record<string, unknown>;

/** A zod schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect), without its `$schema` line. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonObject;
  return rest;
}

/** `/data/:type` → `/data/{type}`. */
function openapiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/** The parameters of one location from a zod object (a record becomes one exploded object parameter). */
function parameters(schema: z.ZodType | undefined, location: 'path' | 'query' | 'header'): JsonObject[] {
  if (!schema) return [];
  const json = jsonSchema(schema, 'input');
  const properties = json.properties as Record<string, JsonObject> | undefined;
  if (!properties) return [{ name: 'params', in: location, required: false, style: 'form', explode: true, schema: json, description: schema.description }];
  const required = new Set((json.required as string[] | undefined) ?? []);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: location,
    required: location === 'path' || required.has(name),
    ...(typeof property.description === 'string' ? { description: property.description } : {}),
    schema: property,
  }));
}

const STATUS_TEXT: Record<number, string> = {
  200: 'OK', 201: 'Created', 400: 'Bad input: the body names each field and its fix', 401: 'No valid token', 403: 'Forbidden or out of scope',
  404: 'Not found', 409: 'Conflict', 412: 'Stale If-Match version', 413: 'Too large', 422: 'Idempotency-Key reused for another request', 429: 'Rate limited (Retry-After)',
  500: 'Internal error (masked)', 503: 'Database unavailable (Retry-After)',
};

/** One operation object of the document. */
function operationObject(docs: RouteDocs, method: string): JsonObject {
  const responses: JsonObject = {};
  for (const [status, schema] of Object.entries(docs.responses)) {
    responses[status] = schema
      ? { description: STATUS_TEXT[Number(status)] ?? 'OK', content: { 'application/json': { schema: jsonSchema(schema, 'output') } } }
      : { description: STATUS_TEXT[Number(status)] ?? 'OK' };
  }
  const errorResponse = (status: number) => ({ description: STATUS_TEXT[status] ?? 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
  for (const status of new Set([...(docs.errors ?? []), ...(docs.auth ? [401] : []), 500])) responses[status] = errorResponse(status);
  const operation: JsonObject = {
    operationId: docs.operationId,
    summary: docs.summary,
    tags: [docs.tag],
    parameters: [...parameters(docs.params, 'path'), ...parameters(docs.query, 'query'), ...parameters(docs.headers, 'header')],
    responses,
  };
  if (!docs.auth) operation.security = [];
  if (docs.body) operation.requestBody = { required: false, content: { 'application/json': { schema: jsonSchema(docs.body, 'input') } } };
  return operation;
}

/** Collects every documented route of `app` as it is added; `document()` builds the OpenAPI document from them. */
export function collectOpenApi(app: FastifyInstance, info: { version: string }) {
  const routes: Array<{ method: string; url: string; docs: RouteDocs }> = [];
  app.addHook('onRoute', (options) => {
    const docs = (options.config as { openapi?: RouteDocs } | undefined)?.openapi;
    if (!docs) return;
    for (const method of [options.method].flat()) if (method !== 'HEAD') routes.push({ method: method.toLowerCase(), url: options.url, docs });
  });
  let cached: string | undefined;
  return {
    /** The document as JSON text (built once, on first use). */
    document(): string {
      if (cached) return cached;
      const paths: Record<string, JsonObject> = {};
      for (const { method, url, docs } of routes) (paths[openapiPath(url)] ??= {})[method] = operationObject(docs, method);
      cached = JSON.stringify({
        openapi: '3.1.0',
        info: {
          title: 'Production Board API',
          version: info.version,
          description: 'The /xapi2 API of a Production Board server. Errors share one body; every message says what to do next.',
        },
        servers: [{ url: '/' }],
        security: [{ bearer: [] }],
        paths,
        components: {
          securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'a personal access token (pat_...) or a session token from POST /xapi2/auth/login' } },
          schemas: { Error: jsonSchema(ErrorBodySchema, 'output') },
        },
      });
      return cached;
    },
  };
}

/** The API reference page: plain HTML and a little script that renders openapi.json (served from this server only). */
export const DOCS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Production Board API</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:960px;padding:1rem 1.5rem;color:#1f2328}
h2{margin-top:2rem;border-bottom:1px solid #d0d7de}code,pre{font:13px ui-monospace,monospace}pre{background:#f6f8fa;padding:.75rem;overflow:auto;max-height:24rem}
details{margin:.5rem 0;border:1px solid #d0d7de;border-radius:6px;padding:.5rem .75rem}summary{cursor:pointer}
.m{display:inline-block;min-width:4.5rem;font-weight:600}.get{color:#0969da}.post{color:#1a7f37}.patch{color:#9a6700}.delete{color:#cf222e}
</style></head>
<body><h1>Production Board API</h1><p>Generated from the server's operation declarations; the raw document is <a href="/xapi2/openapi.json">/xapi2/openapi.json</a>.</p>
<main id="ops">Loading…</main>
<script>
fetch('/xapi2/openapi.json').then(function(r){return r.json()}).then(function(doc){
  var main=document.getElementById('ops');main.textContent='';
  var byTag={};
  Object.keys(doc.paths).forEach(function(path){Object.keys(doc.paths[path]).forEach(function(method){
    var op=doc.paths[path][method];var tag=(op.tags||['other'])[0];(byTag[tag]=byTag[tag]||[]).push([method,path,op]);});});
  Object.keys(byTag).sort().forEach(function(tag){
    var h=document.createElement('h2');h.textContent=tag;main.appendChild(h);
    byTag[tag].forEach(function(e){
      var d=document.createElement('details');var s=document.createElement('summary');
      var m=document.createElement('span');m.className='m '+e[0];m.textContent=e[0].toUpperCase();
      var c=document.createElement('code');c.textContent=e[1];
      s.appendChild(m);s.appendChild(c);s.appendChild(document.createTextNode(' '+(e[2].summary||'')));d.appendChild(s);
      var pre=document.createElement('pre');pre.textContent=JSON.stringify({operationId:e[2].operationId,parameters:e[2].parameters,requestBody:e[2].requestBody,responses:e[2].responses},null,2);
      d.appendChild(pre);main.appendChild(d);});});
}).catch(function(err){document.getElementById('ops').textContent='Could not load the document: '+err;});
</script></body></html>
`;
