/**
 * A property-based fuzzer at the HTTP edge, over every route the app registers (read from Fastify
 * itself: a route without a generator here fails the first test). For each route it generates
 * malformed and valid-ish requests: wrong types, unknown fields, huge strings, broken JSON, lone
 * surrogates, NUL, prototype keys, odd headers and credentials, and another workspace's ids. Properties:
 *
 * 1. no 5xx, ever;
 * 2. a refused request (4xx) changes nothing (`databaseSnapshot`: every table's row count, the latest
 *    activity seq, objects' versions, tokens, sessions, invitations, memberships, passwords);
 * 3. an accepted write round-trips exactly: what was written is what a GET returns.
 *
 * Deterministic: the seed is fixed (PRODBOARD_FUZZ_SEED overrides it) and printed, runs per route are
 * bounded (PRODBOARD_FUZZ_RUNS, default 50). A failure prints the seed, the route, the request and
 * the answer; PRODBOARD_FUZZ_SHRINK=1 lets fast-check shrink it to a smaller request first, and
 * PRODBOARD_FUZZ_TRACE=<part of a route> prints every answer of the routes it matches.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { ACCENTS, MANIFEST, PRIORITIES } from '@prodboard/shared';
import { sessionCreator } from '../src/commands/session-creator.js';
import { databaseSnapshot, makeToken, registeredRoutes, request, signUp, startServer, TEST_STORE, type TestServer } from './helpers.js';

const SEED = Number(process.env.PRODBOARD_FUZZ_SEED ?? 20261129);
const RUNS = Number(process.env.PRODBOARD_FUZZ_RUNS ?? 50);
const SHRINK = process.env.PRODBOARD_FUZZ_SHRINK === '1';
/** PRODBOARD_FUZZ_TRACE=<part of a route> prints every answer of the routes it matches. */
const TRACE = process.env.PRODBOARD_FUZZ_TRACE;

/** Which credential a request carries, resolved when it is sent. */
type TokenChoice = 'session' | 'pat' | 'pat-read' | 'other-workspace' | 'none' | 'garbage' | 'malformed-header';
/** An id a request may name, resolved against the fixture when it is sent. */
type IdChoice = { pick: 'board' | 'card' | 'other-board' | 'other-card' | 'trashed-card' | 'member' | 'other-user' | 'victim-token' | 'other-token' | 'invitation' | 'comment' | 'oauth-request' | 'oauth-grant' | 'other-oauth-grant' | 'random' } | { raw: string };

interface FuzzRequest {
  method: string;
  /** Path segments: literal text, or a choice resolved at send time. */
  path: Array<string | IdChoice>;
  query: Array<[string, string]>;
  /** Query text appended as is (broken percent-encoding). */
  rawQuery?: string;
  headers: Record<string, string>;
  token: TokenChoice;
  body?: { json: unknown } | { raw: string };
}

// ── Arbitraries ─────────────────────────────────────────────────────────────────────────────────

const HOSTILE_STRINGS = [
  '', ' ', '\u0000', 'a\u0000b', '\ud800', 'x\udfffy', '\udc00\ud800', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty',
  'valueOf', '../../etc/passwd', '%00', '%', '💥', '\u202e', '\ufeff', 'null', 'true', '0', '-1', '1e309', 'NaN', "'; DROP TABLE objects; --",
  '<script>alert(1)</script>', 'to_do', 'To do', 'me', '\r\n', '\t', 'Ω≈ç√', 'a'.repeat(65), 'b'.repeat(201), 'c'.repeat(4001),
];

/** Strings to be feared: anything in Unicode (lone surrogates included), known troublemakers, huge ones. */
const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 1, arbitrary: fc.constantFrom('x'.repeat(100_000), 'é'.repeat(70_000)) },
);

/** Any JSON-ish value of the wrong kind. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, 0, -0, 1e308, Number.MAX_SAFE_INTEGER + 2, [], {}) },
  { weight: 1, arbitrary: fc.array(hostileString, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.dictionary(hostileString, hostileString, { maxKeys: 3 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

const idChoice: fc.Arbitrary<IdChoice> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom<IdChoice>(...(['board', 'card', 'other-board', 'other-card', 'trashed-card', 'member', 'other-user', 'victim-token', 'other-token', 'invitation', 'oauth-request', 'oauth-grant', 'other-oauth-grant', 'random'] as const).map((pick) => ({ pick }))) },
  { weight: 3, arbitrary: hostileString.map((s) => ({ raw: s })) },
  { weight: 1, arbitrary: fc.constantFrom('%ED%A0%80', '%C0%AF', '%FF', '%00', '%2e%2e%2f', '..', '%', 'a%2Fb').map((s) => ({ raw: `%raw:${s}` })) },
);

const typeSegment: fc.Arbitrary<string | IdChoice> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('board', 'card') },
  { weight: 2, arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', 'Board', 'boards', 'user', 'objects', 'activity') },
  { weight: 1, arbitrary: hostileString.map((s): IdChoice => ({ raw: s })) },
);

/** Text holding a lone surrogate (uniform code points almost never produce one). */
const loneSurrogate = fc.tuple(fc.string({ maxLength: 5 }), fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff', '\udc00\ud800'), fc.string({ minLength: 1, maxLength: 5 })).map(([a, s, b]) => `${a}${s}${b}`);

/** A valid value for a field of the manifest (so some writes are accepted and round-trip). */
function validFieldValue(model: string, name: string): fc.Arbitrary<unknown> {
  // Any Unicode (lone surrogates included: JSON can carry them, so a store must keep or refuse them).
  const text = (max: number) =>
    fc.oneof(fc.string({ minLength: 1, maxLength: Math.min(max, 40) }), fc.string({ unit: 'grapheme', minLength: 1, maxLength: Math.min(max, 20) }), fc.string({ unit: 'binary', minLength: 1, maxLength: Math.min(max, 20) }), fc.constant('x'.repeat(max)), loneSurrogate);
  switch (name) {
    case 'name':
    case 'title':
      return text(200).filter((s) => s.trim().length > 0);
    case 'description':
      return text(model === 'card' ? 4000 : 2000);
    case 'assignee':
      return text(64);
    case 'status':
      return fc.constantFrom('to_do', 'done', 'To do', 'Done', 'doing');
    case 'priority':
      return fc.constantFrom(...PRIORITIES);
    case 'accent':
      return fc.constantFrom(...ACCENTS);
    case 'tags':
      return fc.array(fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim().length > 0), { maxLength: 5 });
    case 'settings':
      return fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 });
    case 'columns':
      return fc.oneof(fc.constant('To do, Doing, Done'), fc.constant(['Backlog', 'Done']), fc.constant([{ key: 'to_do', name: 'To do' }, { key: 'done', name: 'Done', wip_limit: 3 }]));
    case 'due_date':
      return fc.constantFrom('2026-12-31', '2026-12-31T17:00:00Z', '2027-01-01T09:30:00+02:00');
    case 'position':
      return fc.oneof(fc.integer({ min: -1e6, max: 1e6 }), fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 }));
    case 'board_id':
      return fc.constant({ pick: 'board' });
    case 'assignees':
      return fc.constantFrom([], ['me'], 'me');
    case 'checklist':
      return fc.array(fc.record({ text: text(500).filter((s) => s.trim().length > 0), done: fc.boolean() }, { requiredKeys: ['text'] }), { maxLength: 5 });
    default:
      return hostileValue;
  }
}

/** A create/update body for a model: its fields (valid or hostile), sometimes unknown or prototype keys, `is_archived`. */
function modelBody(model: string, op: 'create' | 'update'): fc.Arbitrary<unknown> {
  const spec = MANIFEST[model];
  const fields = op === 'create' ? spec.create_fields : spec.update_fields;
  const entries: Record<string, fc.Arbitrary<unknown>> = {};
  for (const name of fields) {
    entries[name] = fc.oneof({ weight: 30, arbitrary: validFieldValue(model, name) }, { weight: 1, arbitrary: hostileValue }, { weight: 1, arbitrary: name === 'board_id' ? fc.constantFrom({ pick: 'other-board' }, { pick: 'random' }, null) : fc.constant(null) });
  }
  const record = fc.record(entries, { requiredKeys: [] });
  const extras = fc.dictionary(fc.constantFrom('unknown_field', 'id', 'version', 'workspace_id', 'owned_by', 'is_deleted', 'is_archived', 'toString', 'data', 'type'), hostileValue, { maxKeys: 2 });
  const valid = fc.record(entries, { requiredKeys: op === 'create' ? [model === 'card' ? 'title' : 'name'] : [] });
  return fc.oneof(
    { weight: 6, arbitrary: valid },
    { weight: 2, arbitrary: fc.tuple(record, extras).map(([a, b]) => ({ ...a, ...b })) },
    { weight: 1, arbitrary: anyBody },
  );
}

/** A body of no particular shape, or broken JSON. */
const anyBody: fc.Arbitrary<unknown> = fc.oneof(
  hostileValue,
  fc.dictionary(hostileString, hostileValue, { maxKeys: 4 }),
  fc.constant({ raw: true }),
);

const RAW_BODIES = [
  '{', '{"a":', '[', '{"title": "x",}', "{'title': 'x'}", 'null', '"str"', '123', 'title=x', '\u0000', '{"title":"\\ud800"}', '{"title":"a\\u0000b"}',
  '{"__proto__":{"isAdmin":true}}', '{"constructor":{"prototype":{"x":1}}}', '{"title":"dup","title":"dup2"}', '['.repeat(2000) + ']'.repeat(2000),
  `{"settings":${'{"a":'.repeat(100)}1${'}'.repeat(100)}}`, '{"title": 1e999}', '\ufeff{"title":"bom"}', '{"title":"x"} trailing',
];

/** A hostile body: any JSON, raw broken text, or none. */
function bodyOf(json: fc.Arbitrary<unknown>): fc.Arbitrary<FuzzRequest['body']> {
  return fc.oneof(
    { weight: 4, arbitrary: json.map((json) => ({ json })) },
    { weight: 4, arbitrary: fc.oneof(fc.constantFrom(...RAW_BODIES), fc.string({ unit: 'binary', maxLength: 50 })).map((raw) => ({ raw })) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

const tokenChoice: fc.Arbitrary<TokenChoice> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom<TokenChoice>('session', 'pat') },
  { weight: 4, arbitrary: fc.constantFrom<TokenChoice>('pat-read', 'other-workspace', 'none', 'garbage', 'malformed-header') },
);

const headerChoice: fc.Arbitrary<Record<string, string>> = fc.record(
  {
    'content-type': fc.constantFrom('application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', 'multipart/form-data; boundary=x', ''),
    'if-match': fc.constantFrom('1', '"1"', 'W/"2"', '*', 'abc', '99999999999999999999', '-1', '1, 2', 'x'.repeat(300)),
    'idempotency-key': fc.constantFrom('fuzz-key-1', 'fuzz-key-2', '', 'k'.repeat(201), 'ü'),
    'last-event-id': fc.constantFrom('0', '1', '-1', 'abc', '99999999999999', '1e3'),
  },
  { requiredKeys: [] },
);

/** A query: the route's own parameters with valid or hostile values, unknown ones, repeats. */
function queryOf(names: string[], valid: Record<string, string[]> = {}): fc.Arbitrary<Array<[string, string]>> {
  const name = fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...(names.length ? names : ['x'])) }, { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'unknown', 'toString', '') }, { weight: 1, arbitrary: hostileString });
  const pair = name.chain((n) => fc.tuple(fc.constant(n), fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...(Object.hasOwn(valid, n) ? valid[n] : ["1"])) }, { weight: 2, arbitrary: hostileString })));
  return fc.array(pair, { maxLength: 4 });
}

const listQueries = Object.fromEntries(
  Object.entries(MANIFEST).map(([model, spec]) => [
    model,
    queryOf([...spec.allowed_filters, 'limit', 'offset', 'sort', 'q', 'after'], {
      limit: ['1', '0', '-1', '5', '10000', '1.5'], offset: ['0', '3', '-5', '99999999999'], sort: [...spec.allowed_sorts, ...spec.allowed_sorts.map((s) => `-${s}`), 'nope'],
      q: ['fresh', 'a b', '"', '*', 'NEAR(', 'title:x', '-x'], is_archived: ['true', 'False', '1', '0', 'maybe'], owned_by: ['me', 'nobody'], data__status: ['to_do', 'To do'],
      data__priority: [...PRIORITIES, 'urgent'], data__accent: [...ACCENTS], after: ['00000000-0000-0000-0000-000000000000', 'x'],
    }),
  ]),
);

/** The request of one route: its method, its path with params filled by `params`, its query and body. */
function route(method: string, path: string, params: Record<string, fc.Arbitrary<string | IdChoice>>, query: fc.Arbitrary<Array<[string, string]>>, body?: fc.Arbitrary<unknown>): fc.Arbitrary<FuzzRequest> {
  const segments = path.split('/').filter(Boolean).map((s) => (s.startsWith(':') ? params[s.slice(1)] : fc.constant(s)));
  const jsonBody = body && method !== 'GET' ? body.map((value) => (value !== null && typeof value === 'object' && (value as { raw?: unknown }).raw === true ? { raw: '{"raw":' } : { json: value })) : fc.constant(undefined);
  // A well-formed request from a signed-in caller (its path and body already mostly valid) ...
  const base = fc.record({
    method: fc.constant(method),
    path: fc.tuple(...segments),
    query: fc.constant<Array<[string, string]>>([]),
    headers: fc.constant<Record<string, string>>({}),
    // Accounts, tokens and people are managed with a session only; the rest takes either.
    token: /\/(auth|tokens|members|invitations)/.test(path) ? fc.constant<TokenChoice>('session') : fc.constantFrom<TokenChoice>('session', 'pat'),
    body: jsonBody,
  }) as fc.Arbitrary<FuzzRequest>;
  // ... and, mostly, one hostile part at a time, so requests also get past validation and writes are accepted.
  const mutation = fc.oneof(
    { weight: 8, arbitrary: fc.constant((r: FuzzRequest) => r) },
    { weight: 1, arbitrary: tokenChoice.map((token) => (r: FuzzRequest) => ({ ...r, token })) },
    { weight: 1, arbitrary: query.map((q) => (r: FuzzRequest) => ({ ...r, query: q })) },
    { weight: 1, arbitrary: fc.constantFrom('%', '%00=1', 'a=%ED%A0%80', 'limit=%FF', '&&&', '=x', 'a[b]=1', '__proto__[x]=1').map((rawQuery) => (r: FuzzRequest) => ({ ...r, rawQuery })) },
    { weight: 1, arbitrary: headerChoice.map((headers) => (r: FuzzRequest) => ({ ...r, headers })) },
    { weight: 1, arbitrary: bodyOf(anyBody).map((b) => (r: FuzzRequest) => ({ ...r, body: b })) },
  );
  return fc.tuple(base, mutation, mutation).map(([request, first, second]) => second(first(request)));
}

const anyQuery = queryOf(['x', 'limit']);

/** A body of these fields (each present or not), now and then with an unknown field besides. */
function bodyRecord(entries: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<unknown> {
  const record = fc.record(entries, { requiredKeys: [] });
  return fc.oneof({ weight: 3, arbitrary: fc.record(entries) }, { weight: 3, arbitrary: record }, { weight: 1, arbitrary: fc.tuple(record, hostileString, hostileValue).map(([body, key, value]) => ({ ...body, [key]: value })) });
}
const id = idChoice;
/** An id of this kind more often than not, else any id. */
const mostly = (pick: Extract<IdChoice, { pick: string }>['pick']) => fc.oneof({ weight: 3, arbitrary: fc.constant<IdChoice>({ pick }) }, { weight: 2, arbitrary: idChoice });
/** A valid value more often than not, else a hostile one. */
const mostlyValid = <T,>(valid: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: valid }, { weight: 1, arbitrary: hostileValue });
const typ = typeSegment;
const anyModelBody = (op: 'create' | 'update') => fc.oneof(modelBody('board', op), modelBody('card', op));

/** MCP tool calls: each tool with its arguments mostly well-formed (so writes get through), or anything at all. */
const mcpToolCall: fc.Arbitrary<unknown> = fc.oneof(
  ...(['board', 'card'] as const).flatMap((model) => [
    fc.record({ name: fc.constant(`${model}_create`), arguments: modelBody(model, 'create') }),
    fc.tuple(mostly(model), modelBody(model, 'update')).map(([target, body]) => ({ name: `${model}_update`, arguments: body !== null && typeof body === 'object' && !Array.isArray(body) ? { ...body, id: target } : body })),
    fc.record({ name: fc.constantFrom(`${model}_get`, `${model}_delete`), arguments: fc.record({ id }) }),
    fc.record({ name: fc.constant(`${model}_list`), arguments: fc.dictionary(fc.constantFrom('limit', 'sort', 'q', 'filter', 'all', 'after', 'offset'), hostileValue, { maxKeys: 3 }) }),
  ]),
  fc.record({ name: fc.oneof(fc.constant('whoami'), hostileString), arguments: anyBody }, { requiredKeys: ['name'] }),
);

/** A JSON-RPC message for /mcp: mostly tool calls, some other requests, notifications and batches, or any body. */
const mcpMessage: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.oneof(fc.integer(), fc.string({ maxLength: 10 })), mcpToolCall).map(([rpcId, params]) => ({ jsonrpc: '2.0', id: rpcId, method: 'tools/call', params })) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<unknown>(
      { jsonrpc: '2.0', id: 1, method: 'ping' }, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', id: 3, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'fuzz', version: '0' } } },
      [{ jsonrpc: '2.0', id: 4, method: 'ping' }], { jsonrpc: '2.0', id: 5, method: 'logging/setLevel', params: { level: 'nope' } }, { jsonrpc: '1.0', id: 6, method: 'ping' },
    ),
  },
  { weight: 1, arbitrary: anyBody },
);

/** The route's request with the Accept header an MCP client sends (a mutation may still replace it). */
const asMcpClient = (accept: string) => (r: FuzzRequest): FuzzRequest => ({ ...r, headers: { accept, ...r.headers } });

/** OAuth parameters: mostly plausible values (the fixture's client, a real-looking code), or anything at all. */
const oauthValue = (...plausible: string[]) => fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...plausible) }, { weight: 1, arbitrary: hostileString });
const OAUTH_FIELDS = {
  grant_type: oauthValue('authorization_code', 'refresh_token', 'password', 'client_credentials'),
  client_id: oauthValue('<client>', 'pbc_nope', 'https://127.0.0.1/client.json'),
  code: oauthValue('oac_x', 'oac_' + 'a'.repeat(43)),
  code_verifier: oauthValue('a'.repeat(43), 'short'),
  redirect_uri: oauthValue('http://127.0.0.1:1/cb', 'http://127.0.0.1:2/cb', 'https://evil.example/cb'),
  refresh_token: oauthValue('ort_x', 'oat_x', 'pat_x'),
  token: oauthValue('ort_x', 'oat_x', 'pat_x', 'ses_x'),
  resource: oauthValue('http://127.0.0.1/mcp', 'https://other.example/mcp'),
};
/** A POST to an OAuth endpoint: a JSON body from the route helper, or (mostly) the form body OAuth clients send. */
function oauthPost(path: string, fields: Record<string, fc.Arbitrary<string>>): fc.Arbitrary<FuzzRequest> {
  const asForm = fc.tuple(route('POST', path, {}, anyQuery), fc.record(fields, { requiredKeys: [] })).map(([r, form]): FuzzRequest => ({
    ...r,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...r.headers },
    body: { raw: new URLSearchParams(Object.entries(form).map(([k, v]): [string, string] => [k, wellFormed(v === '<client>' ? ids['oauth-client'] : (v ?? ''))])).toString() },
  }));
  return fc.oneof({ weight: 3, arbitrary: asForm }, { weight: 1, arbitrary: route('POST', path, {}, anyQuery, bodyRecord(fields)) });
}
const wellKnown = ['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-authorization-server'];
const OAUTH_GENERATORS: Record<string, fc.Arbitrary<FuzzRequest>> = {
  ...Object.fromEntries(wellKnown.flatMap((path) => [[`GET ${path}`, route('GET', path, {}, anyQuery)], [`OPTIONS ${path}`, route('OPTIONS', path, {}, anyQuery)]])),
  ...Object.fromEntries(['/oauth/token', '/oauth/register', '/oauth/revoke'].map((path) => [`OPTIONS ${path}`, route('OPTIONS', path, {}, anyQuery)])),
  'GET /oauth/authorize': route('GET', '/oauth/authorize', {}, queryOf(['response_type', 'client_id', 'redirect_uri', 'code_challenge', 'code_challenge_method', 'scope', 'state', 'resource'], {
    response_type: ['code', 'token'], client_id: ['pbc_nope', 'https://127.0.0.1/c.json', 'https://10.0.0.1/c.json'], redirect_uri: ['http://127.0.0.1:1/cb', 'https://evil.example/cb'],
    code_challenge: ['E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', 'x'], code_challenge_method: ['S256', 'plain'], scope: ['board:read card:write', 'board:admin', ''], resource: ['https://other.example/mcp'],
  })),
  'POST /oauth/token': oauthPost('/oauth/token', OAUTH_FIELDS),
  'POST /oauth/revoke': oauthPost('/oauth/revoke', { token: OAUTH_FIELDS.token, client_id: OAUTH_FIELDS.client_id, token_type_hint: oauthValue('access_token', 'refresh_token') }),
  'POST /oauth/register': route('POST', '/oauth/register', {}, anyQuery, bodyRecord({
    client_name: mostlyValid(fc.string({ maxLength: 30 })),
    redirect_uris: mostlyValid(fc.array(fc.oneof(fc.constantFrom('http://127.0.0.1:9/cb', 'https://app.example/cb', 'com.example.app:/cb', 'javascript:alert(1)', 'http://evil.example/cb', 'https://a.example/#f'), hostileString), { maxLength: 3 })),
    grant_types: mostlyValid(fc.constantFrom(['authorization_code'], ['authorization_code', 'refresh_token'], ['implicit'])),
    token_endpoint_auth_method: mostlyValid(fc.constantFrom('none', 'client_secret_basic')),
  })),
  'GET /xapi2/oauth/grants': route('GET', '/xapi2/oauth/grants', {}, anyQuery),
  'DELETE /xapi2/oauth/grants/:id': route('DELETE', '/xapi2/oauth/grants/:id', { id: fc.oneof(mostly('oauth-grant'), fc.constant<IdChoice>({ pick: 'other-oauth-grant' })) }, anyQuery, anyBody),
  'GET /xapi2/oauth/requests/:id': route('GET', '/xapi2/oauth/requests/:id', { id: mostly('oauth-request') }, anyQuery),
  'POST /xapi2/oauth/requests/:id/approve': route('POST', '/xapi2/oauth/requests/:id/approve', { id: mostly('oauth-request') }, anyQuery, anyBody),
  'POST /xapi2/oauth/requests/:id/deny': route('POST', '/xapi2/oauth/requests/:id/deny', { id: mostly('oauth-request') }, anyQuery, anyBody),
};

/** One generator per registered route: a route missing here fails the first test. */
const GENERATORS: Record<string, fc.Arbitrary<FuzzRequest>> = {
  'GET /': route('GET', '/', {}, anyQuery),
  'GET /*': fc.tuple(fc.array(fc.oneof(fc.constantFrom('boards', 'assets', 'index.html', 'favicon.svg', '..', '%2e%2e', '%00', 'x.js', 'xapi2'), hostileString), { minLength: 1, maxLength: 3 }), anyQuery, tokenChoice).map(
    ([segments, query, token]): FuzzRequest => ({ method: 'GET', path: segments.map((raw) => ({ raw })), query, headers: {}, token }),
  ),
  'GET /xapi2/health': route('GET', '/xapi2/health', {}, anyQuery),
  'GET /xapi2/openapi.json': route('GET', '/xapi2/openapi.json', {}, anyQuery),
  'GET /xapi2/docs': route('GET', '/xapi2/docs', {}, anyQuery),
  'GET /xapi2/ready': route('GET', '/xapi2/ready', {}, anyQuery),
  'GET /metrics': route('GET', '/metrics', {}, anyQuery),
  'POST /xapi2/auth/login': route('POST', '/xapi2/auth/login', {}, anyQuery, fc.record({ email: fc.oneof(hostileValue, fc.constant('fuzz-owner@example.com')), password: hostileValue }, { requiredKeys: [] })),
  'POST /xapi2/auth/logout': route('POST', '/xapi2/auth/logout', {}, anyQuery, anyBody),
  'GET /xapi2/auth/me': route('GET', '/xapi2/auth/me', {}, anyQuery),
  'POST /xapi2/auth/password': route('POST', '/xapi2/auth/password', {}, anyQuery, bodyRecord({ current_password: hostileValue, new_password: hostileValue})),
  'GET /xapi2/activity': route('GET', '/xapi2/activity', {}, queryOf(['since', 'limit'], { since: ['0', '1', '2026-01-01', '2026-01-01T00:00:00Z', '999999999999999', '1e3'], limit: ['1', '500', '501', '0', '1000000'] })),
  'POST /xapi2/analytics/track': route('POST', '/xapi2/analytics/track', {}, anyQuery, fc.record({ device_id: hostileValue, session_id: hostileValue, events: fc.oneof(fc.array(fc.record({ type: fc.oneof(fc.constant('page_view'), hostileValue), meta: hostileValue }, { requiredKeys: [] }), { maxLength: 3 }), hostileValue), meta: hostileValue }, { requiredKeys: [] })),
  'GET /xapi2/setup': route('GET', '/xapi2/setup', {}, anyQuery),
  'POST /xapi2/setup': route('POST', '/xapi2/setup', {}, anyQuery, fc.record({ token: hostileValue, email: hostileValue, password: hostileValue, workspace: hostileValue }, { requiredKeys: [] })),
  'GET /xapi2/tokens': route('GET', '/xapi2/tokens', {}, anyQuery),
  'POST /xapi2/tokens': route('POST', '/xapi2/tokens', {}, anyQuery, bodyRecord({
    name: mostlyValid(fc.string({ maxLength: 30 })),
    scopes: mostlyValid(fc.constantFrom('board:read,card:write', 'board:none', '', 'board:admin', 'card', { board: 'read' }, { card: 'write', board: 'none' }, { toString: 1 }, JSON.parse('{"__proto__":"write"}'), { valueOf: 'read' }, ['board:read'], 42)),
    expires: fc.oneof(fc.constantFrom('30d', '12h', '90m', 'never', '', ' ', '0d', '-1d', '2030-01-01', '1999-01-01', '9999999d', 'P1D'), hostileValue)})),
  'DELETE /xapi2/tokens/:id': route('DELETE', '/xapi2/tokens/:id', { id: mostly('victim-token') }, anyQuery, anyBody),
  'GET /xapi2/trash': route('GET', '/xapi2/trash', {}, queryOf(['type', 'limit', 'offset'], { type: ['board', 'card', 'user'], limit: ['1', '0', '500'], offset: ['0', '-1'] })),
  'POST /xapi2/trash/:type/:id/restore': route('POST', '/xapi2/trash/:type/:id/restore', { type: typ, id: mostly('trashed-card') }, anyQuery, anyBody),
  'GET /xapi2/members': route('GET', '/xapi2/members', {}, anyQuery),
  'PATCH /xapi2/members/:userId': route('PATCH', '/xapi2/members/:userId', { userId: mostly('member') }, anyQuery, bodyRecord({ role: mostlyValid(fc.constantFrom('owner', 'admin', 'member', 'viewer', 'Owner', 'root'))})),
  'DELETE /xapi2/members/:userId': route('DELETE', '/xapi2/members/:userId', { userId: fc.oneof(mostly('member'), fc.constant<IdChoice>({ pick: 'other-user' })) }, anyQuery, anyBody),
  'POST /xapi2/members/:userId/password-reset': route('POST', '/xapi2/members/:userId/password-reset', { userId: fc.oneof(mostly('member'), fc.constant<IdChoice>({ pick: 'other-user' })) }, anyQuery, bodyRecord({
    expires: fc.oneof(fc.constantFrom('24h', '7d', 'never', '', '0d', '-1d', '9999999d'), hostileValue),
  })),
  'POST /xapi2/password-reset/preview': route('POST', '/xapi2/password-reset/preview', {}, anyQuery, fc.record({ token: fc.oneof(fc.constantFrom('pwr_x', 'pwr_' + 'a'.repeat(300)), hostileValue) }, { requiredKeys: [] })),
  'POST /xapi2/password-reset': route('POST', '/xapi2/password-reset', {}, anyQuery, fc.record({ token: fc.oneof(fc.constant('pwr_x'), hostileValue), password: hostileValue }, { requiredKeys: [] })),
  'PATCH /xapi2/auth/me': route('PATCH', '/xapi2/auth/me', {}, anyQuery, bodyRecord({
    name: mostlyValid(fc.string({ maxLength: 30 })),
    email: fc.oneof(fc.constantFrom('fuzz-renamed@example.com', ' Spaced@Example.com ', 'not-an-email'), hostileValue),
    current_password: hostileValue,
  })),
  'GET /xapi2/auth/workspaces': route('GET', '/xapi2/auth/workspaces', {}, anyQuery),
  'POST /xapi2/auth/switch': route('POST', '/xapi2/auth/switch', {}, anyQuery, fc.record({ workspace: fc.oneof(fc.constantFrom('fuzz', 'default', ''), hostileValue) }, { requiredKeys: [] })),
  'POST /xapi2/invitations/join': route('POST', '/xapi2/invitations/join', {}, anyQuery, fc.record({ token: fc.oneof(fc.constantFrom('inv_x', 'inv_' + 'a'.repeat(300)), hostileValue) }, { requiredKeys: [] })),
  'GET /xapi2/mcp/manifest': route('GET', '/xapi2/mcp/manifest', {}, anyQuery),
  'GET /xapi2/mcp/version': route('GET', '/xapi2/mcp/version', {}, anyQuery),
  'GET /xapi2/mcp/script': route('GET', '/xapi2/mcp/script', {}, anyQuery),
  'GET /xapi2/invitations': route('GET', '/xapi2/invitations', {}, anyQuery),
  'POST /xapi2/invitations': route('POST', '/xapi2/invitations', {}, anyQuery, bodyRecord({ role: fc.oneof(fc.constantFrom('owner', 'admin', 'member', 'viewer'), hostileValue), email: fc.oneof(fc.constantFrom('new@example.com', ' spaced@example.com ', 'not-an-email'), hostileValue), expires: fc.oneof(fc.constantFrom('7d', '48h', 'never', '', '2030-01-01'), hostileValue)})),
  'POST /xapi2/invitations/preview': route('POST', '/xapi2/invitations/preview', {}, anyQuery, fc.record({ token: fc.oneof(fc.constantFrom('inv_x', 'inv_' + 'a'.repeat(300)), hostileValue) }, { requiredKeys: [] })),
  'POST /xapi2/invitations/accept': route('POST', '/xapi2/invitations/accept', {}, anyQuery, fc.record({ token: fc.oneof(fc.constant('inv_x'), hostileValue), email: hostileValue, password: hostileValue, name: hostileValue }, { requiredKeys: [] })),
  'DELETE /xapi2/invitations/:id': route('DELETE', '/xapi2/invitations/:id', { id: mostly('invitation') }, anyQuery, anyBody),
  'GET /xapi2/data/:type': fc.oneof(route('GET', '/xapi2/data/board', {}, listQueries.board), route('GET', '/xapi2/data/card', {}, listQueries.card), route('GET', '/xapi2/data/:type', { type: typ }, anyQuery)),
  'POST /xapi2/data/:type': fc.oneof(route('POST', '/xapi2/data/board', {}, anyQuery, modelBody('board', 'create')), route('POST', '/xapi2/data/card', {}, anyQuery, modelBody('card', 'create')), route('POST', '/xapi2/data/:type', { type: typ }, anyQuery, anyModelBody('create'))),
  'GET /xapi2/data/:type/:id': route('GET', '/xapi2/data/:type/:id', { type: typ, id }, anyQuery),
  'PATCH /xapi2/data/:type/:id': fc.oneof(
    route('PATCH', '/xapi2/data/board/:id', { id: fc.oneof({ weight: 3, arbitrary: fc.constant<IdChoice>({ pick: 'board' }) }, { weight: 1, arbitrary: id }) }, anyQuery, modelBody('board', 'update')),
    route('PATCH', '/xapi2/data/card/:id', { id: fc.oneof({ weight: 3, arbitrary: fc.constant<IdChoice>({ pick: 'card' }) }, { weight: 1, arbitrary: id }) }, anyQuery, modelBody('card', 'update')),
    route('PATCH', '/xapi2/data/:type/:id', { type: typ, id }, anyQuery, anyModelBody('update')),
  ),
  'DELETE /xapi2/data/:type/:id': route('DELETE', '/xapi2/data/:type/:id', { type: typ, id }, anyQuery, anyBody),
  'GET /xapi2/cards/:id/comments': route('GET', '/xapi2/cards/:id/comments', { id: mostly('card') }, anyQuery),
  'POST /xapi2/cards/:id/comments': route('POST', '/xapi2/cards/:id/comments', { id: mostly('card') }, anyQuery, bodyRecord({ body: mostlyValid(fc.string({ maxLength: 60 })) })),
  'PATCH /xapi2/comments/:id': route('PATCH', '/xapi2/comments/:id', { id: mostly('comment') }, anyQuery, bodyRecord({ body: mostlyValid(fc.string({ maxLength: 60 })) })),
  'DELETE /xapi2/comments/:id': route('DELETE', '/xapi2/comments/:id', { id: mostly('comment') }, anyQuery, anyBody),
  'GET /xapi2/cards/:id/history': route('GET', '/xapi2/cards/:id/history', { id: mostly('card') }, queryOf(['limit'], { limit: ['1', '200', '201', '0', 'x'] })),
  'POST /mcp': route('POST', '/mcp', {}, anyQuery, mcpMessage).map(asMcpClient('application/json, text/event-stream')),
  'GET /mcp': route('GET', '/mcp', {}, anyQuery).map(asMcpClient('text/event-stream')),
  'DELETE /mcp': route('DELETE', '/mcp', {}, anyQuery, anyBody),
  ...OAUTH_GENERATORS,
  'GET /xapi2/events': route('GET', '/xapi2/events', {}, queryOf(['access_token', 'last_event_id', 'replay_seconds'], { access_token: ['pat_x', ''], last_event_id: ['0', '1', 'x', '-1'], replay_seconds: ['0', '60', '61', 'x'] })),
};

// ── The fixture and sending ─────────────────────────────────────────────────────────────────────

let server: TestServer;
let owner: Awaited<ReturnType<typeof signUp>>;
let pat: string;
let patRead: string;
let outsider: Awaited<ReturnType<typeof signUp>>;
const ids: Record<string, string> = {};
const counts: Record<string, number> = {};
/** Answers per route by status class, so the printout shows the fuzzer gets past validation too. */
const classes: Record<string, Record<string, number>> = {};

before(async () => {
  server = await startServer();
  const slug = `fuzz-${Date.now().toString(36)}`;
  owner = await signUp(server, { workspace: slug, email: 'fuzz-owner@example.com' });
  const member = await signUp(server, { workspace: slug, role: 'member' });
  outsider = await signUp(server, { workspace: `${slug}-other` });
  pat = (await makeToken(server, owner)).token;
  patRead = (await makeToken(server, owner, 'board:read,card:read')).token;
  const api = owner.api;
  ids.board = (await api.post('/xapi2/data/board', { body: { name: 'Fuzz board', columns: 'To do, Doing, Done' } })).body.id;
  ids.card = (await api.post('/xapi2/data/card', { body: { title: 'Fuzz card', board_id: ids.board } })).body.id;
  ids['trashed-card'] = (await api.post('/xapi2/data/card', { body: { title: 'Trashed', board_id: ids.board } })).body.id;
  await api.delete(`/xapi2/data/card/${ids['trashed-card']}`);
  ids['other-board'] = (await outsider.api.post('/xapi2/data/board', { body: { name: 'Other board' } })).body.id;
  ids['other-card'] = (await outsider.api.post('/xapi2/data/card', { body: { title: 'Other card', board_id: ids['other-board'] } })).body.id;
  ids.member = member.user.id;
  ids['other-user'] = outsider.user.id;
  ids['victim-token'] = (await makeToken(server, owner, 'board:read')).row.id;
  ids['other-token'] = (await makeToken(server, outsider)).row.id;
  ids.invitation = (await api.post('/xapi2/invitations', { body: { role: 'viewer' } })).body.id;
  ids.comment = (await api.post(`/xapi2/cards/${ids.card}/comments`, { body: { body: 'Fuzz comment' } })).body.id;
  // An OAuth client, one consent request waiting for an answer, and a grant in each workspace.
  ids['oauth-client'] = (await request(server, 'POST', '/oauth/register', { body: { client_name: 'Fuzz host', redirect_uris: ['http://127.0.0.1:1/cb'] } })).body.client_id;
  const started = await fetch(`${server.url}/oauth/authorize?${new URLSearchParams({
    response_type: 'code', client_id: ids['oauth-client'], redirect_uri: 'http://127.0.0.1:1/cb', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256',
  })}`, { redirect: 'manual' });
  ids['oauth-request'] = new URL(started.headers.get('location')!).searchParams.get('request')!;
  for (const [key, who] of [['oauth-grant', owner], ['other-oauth-grant', outsider]] as const) {
    ids[key] = randomUUID();
    const at = new Date().toISOString();
    await server.store.insertOAuthGrant({
      id: ids[key], client_id: ids['oauth-client'], user_id: who.user.id, workspace_id: who.workspace.id, scopes: { board: 'read', card: 'read' },
      resource: `${server.url}/mcp`, created_at: at, last_used_at: null, revoked_at: null,
    });
  }
  console.log(`fuzz: seed ${SEED}, ${RUNS} runs per route, store ${TEST_STORE} (reproduce with PRODBOARD_FUZZ_SEED=${SEED})`);
});

after(async () => {
  const lines = Object.entries(counts).map(([route, n]) => `  ${String(n).padStart(5)}  ${route.padEnd(40)} ${Object.entries(classes[route] ?? {}).sort().map(([c, k]) => `${c}:${k}`).join(' ')}`);
  console.log(`fuzz: requests per endpoint on ${TEST_STORE} (seed ${SEED}), ${Object.values(counts).reduce((a, b) => a + b, 0)} in all:\n${lines.join('\n')}`);
  await server.close();
});

/** Lone surrogates, which have no UTF-8 form. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/** The string with each lone surrogate replaced by U+FFFD (String.prototype.toWellFormed, before ES2024 typings). */
const wellFormed = (s: string) => s.replace(LONE_SURROGATE, '\ufffd');

/** A path segment as sent: percent-encoded, or as is for a deliberately broken encoding. */
function segment(part: string | IdChoice): string {
  if (typeof part === 'string') return part;
  if ('pick' in part) return part.pick === 'random' ? randomUUID() : ids[part.pick];
  if (part.raw.startsWith('%raw:')) return part.raw.slice(5);
  // Lone surrogates cannot be UTF-8 encoded; send them as the broken bytes a hostile client would.
  return encodeURIComponent(wellFormed(part.raw)).replace(/%EF%BF%BD/g, '%ED%A0%80');
}

/** Replaces id choices inside a JSON body (a card's board_id). */
function resolveBody(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === 'pick') return segment(value as IdChoice);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) Object.defineProperty(out, k, { value: resolveBody(v), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return value;
}

async function tokenFor(choice: TokenChoice, req: FuzzRequest): Promise<string | undefined> {
  switch (choice) {
    case 'session':
    case 'other-workspace': {
      const who = choice === 'session' ? owner : outsider;
      // Logging out or changing a password would end the fixture's own sessions: those get a session of their own.
      if (req.path.join('/').includes('auth')) return (await sessionCreator(server.store, who.user.id, who.workspace.id, 3_600_000)).token;
      return who.session;
    }
    case 'pat':
      return pat;
    case 'pat-read':
      return patRead;
    case 'garbage':
      return 'pat_thisisnotatokenatall';
    default:
      return undefined;
  }
}

interface Sent {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  status: number;
  text: string;
  json?: any;
}

/** Sends one generated request with its token; a live stream is cut off once its headers arrive. */
async function send(req: FuzzRequest, token: string | undefined): Promise<Sent> {
  const path = `/${req.path.map(segment).join('/')}`.replace(/^\/\//, '/');
  const search = new URLSearchParams(req.query.map(([k, v]) => [wellFormed(k), wellFormed(v)])).toString();
  const query = [search, req.rawQuery].filter(Boolean).join('&');
  const url = `${server.url}${path}${query ? `?${query}` : ''}`;
  const headers: Record<string, string> = { ...req.headers };
  if (!('content-type' in headers) || req.body === undefined) delete headers['content-type'];
  if (token) headers.authorization = `Bearer ${token}`;
  if (req.token === 'malformed-header') headers.authorization = 'Basic Zm9vOmJhcg==';
  let body: string | undefined;
  if (req.body && req.method !== 'GET') {
    body = 'raw' in req.body ? req.body.raw : JSON.stringify(resolveBody(req.body.json)) ?? 'null';
    headers['content-type'] ??= 'application/json';
  }
  const controller = new AbortController();
  const res = await fetch(url, { method: req.method, headers, body, signal: controller.signal });
  let text = '';
  // A live stream is cut off; /mcp's streams end with their one answer and are read whole.
  if ((res.headers.get('content-type') ?? '').includes('text/event-stream') && !path.startsWith('/mcp')) controller.abort();
  else text = await res.text();
  let json: unknown;
  try {
    json = text && (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { url, method: req.method, headers: { ...headers, ...(headers.authorization ? { authorization: `Bearer <${req.token}>` } : {}) }, body, status: res.status, text, json };
}

function describeSent(sent: Sent): string {
  const body = sent.body === undefined ? '' : ` body ${sent.body.length > 600 ? `${sent.body.slice(0, 600)}… (${sent.body.length} chars)` : sent.body}`;
  return `${sent.method} ${sent.url.slice(0, 500)} headers ${JSON.stringify(sent.headers)}${body} → ${sent.status} ${sent.text.slice(0, 400)}`;
}

/** The fields whose accepted value must come back byte for byte (tags are trimmed and de-duplicated). */
const EXACT_FIELDS = ['name', 'title', 'description', 'assignee', 'priority', 'accent', 'settings', 'due_date'];

/** The JSON-RPC answer of an /mcp exchange (a JSON body, or the data of its one stream event). */
function mcpAnswer(sent: Sent): any {
  if (sent.json !== undefined) return sent.json;
  const data = /^data: (.*)$/m.exec(sent.text)?.[1];
  return data === undefined ? undefined : JSON.parse(data);
}

/** Whether an /mcp exchange answered with a refusal inside a 2xx: a JSON-RPC error, or an isError tool result. */
function mcpRefused(sent: Sent): boolean {
  const answer = mcpAnswer(sent);
  return answer !== undefined && (answer.error !== undefined || answer.result?.isError === true);
}

/** An object an MCP write tool answered with is what GET returns. */
async function checkMcpRoundTrip(sent: Sent, token: string | undefined): Promise<void> {
  const written = mcpAnswer(sent)?.result?.structuredContent;
  const tool = JSON.parse(sent.body ?? 'null')?.params?.name;
  if (!/_(create|update)$/.test(String(tool)) || written?.id === undefined) return;
  const read = await request(server, 'GET', `/xapi2/data/${written.type}/${written.id}`, { token });
  assert.equal(read.status, 200, `the object ${tool} answered cannot be read back: ${read.status}`);
  assert.deepEqual(read.body, written, `GET returns other than ${tool} answered`);
}

/** Property 3: an accepted write of an object is what GET returns, field by field as sent. */
async function checkRoundTrip(sent: Sent, routeKey: string, token: string | undefined): Promise<void> {
  if (!routeKey.includes('/xapi2/data/') || sent.method === 'DELETE' || sent.method === 'GET' || sent.json?.id === undefined) {
    if (routeKey === 'POST /xapi2/tokens') {
      const listed = (await request(server, 'GET', '/xapi2/tokens', { token })).body.data.find((t: { id: string }) => t.id === sent.json.id);
      assert.ok(listed, `the created token ${sent.json.id} is not listed`);
      assert.equal(listed.name, JSON.parse(sent.body!).name, 'the token name listed is not the one sent');
    }
    return;
  }
  const written = sent.json;
  // Read back with the credential that wrote (another workspace's writes are that workspace's).
  const read = await request(server, 'GET', `/xapi2/data/${written.type}/${written.id}`, { token });
  assert.equal(read.status, 200, `the accepted ${written.type} cannot be read back: ${read.status} ${JSON.stringify(read.body).slice(0, 300)}`);
  assert.deepEqual(read.body, written, 'GET returns other than the write answered');
  // The server accepts a body that starts with a byte-order mark (JSON parsers may ignore it); so does this check.
  const input = JSON.parse(sent.body!.replace(/^\ufeff/, ''));
  for (const [key, value] of Object.entries(input)) {
    if (value === null && (EXACT_FIELDS.includes(key) || key === 'tags')) {
      assert.ok(!(key in read.body.data), `${key} was cleared with null but reads back as ${JSON.stringify(read.body.data[key])}`);
    } else if (EXACT_FIELDS.includes(key)) {
      assert.deepEqual(read.body.data[key], value, `${key} was accepted as ${JSON.stringify(value)?.slice(0, 200)} but reads back as ${JSON.stringify(read.body.data[key])?.slice(0, 200)}`);
    } else if (key === 'tags') {
      assert.deepEqual(read.body.data.tags, [...new Set((value as string[]).map((t) => t.trim()))], 'tags read back other than sent (trimmed, de-duplicated)');
    } else if (key === 'is_archived') {
      assert.equal(read.body.is_archived, value, 'is_archived reads back other than sent');
    }
  }
}

test('every route the app registers has a generator', () => {
  const registered = registeredRoutes(server.app);
  const missing = registered.filter((r) => !(r in GENERATORS));
  assert.deepEqual(missing, [], `routes with no generator in fuzz.test.ts (add one): ${missing.join(', ')}`);
  const stale = Object.keys(GENERATORS).filter((r) => !registered.includes(r));
  assert.deepEqual(stale, [], `generators for routes the app no longer has: ${stale.join(', ')}`);
});

describe('every endpoint, fuzzed', () => {
  for (const [routeKey, arbitrary] of Object.entries(GENERATORS)) {
    test(routeKey, { timeout: 300_000 }, async () => {
      let before = await databaseSnapshot(server);
      await fc.assert(
        fc.asyncProperty(arbitrary, async (req) => {
          counts[routeKey] = (counts[routeKey] ?? 0) + 1;
          const token = await tokenFor(req.token, req);
          // A session made for this request is the fixture's write, not the request's.
          if (token && token !== owner.session && token !== outsider.session && token.startsWith('ses_')) before = await databaseSnapshot(server);
          const sent = await send(req, token);
          if (TRACE && routeKey.includes(TRACE)) console.log(`${sent.status} ${sent.json?.code ?? ''} ${JSON.stringify(sent.json?.errors?.[0]?.field ?? '')} ${describeSent(sent).slice(0, 300)}`);
          // /mcp answers refusals inside a 2xx: counted apart, so the printout shows tool calls getting through.
          const refusedInside = routeKey.endsWith(' /mcp') && sent.status < 400 && mcpRefused(sent);
          const cls = `${String(sent.status)[0]}xx${refusedInside ? '-refused' : ''}`;
          (classes[routeKey] ??= {})[cls] = (classes[routeKey][cls] ?? 0) + 1;
          const where = `seed ${SEED}, route ${routeKey}: ${describeSent(sent)}`;
          assert.ok(sent.status < 500, `a ${sent.status} (${where})`);
          const now = await databaseSnapshot(server);
          if (sent.status >= 400 || refusedInside) {
            try {
              assert.deepEqual(now, before);
            } catch (err) {
              before = now;
              throw new Error(`a refused request changed the database (${where})\n${(err as Error).message.slice(0, 1500)}`);
            }
          } else {
            try {
              if (routeKey === 'POST /mcp') await checkMcpRoundTrip(sent, token);
              else await checkRoundTrip(sent, routeKey, token);
            } catch (err) {
              throw new Error(`${(err as Error).message} (${where})`);
            }
          }
          before = now;
        }),
        { seed: SEED, numRuns: RUNS, endOnFailure: !SHRINK, includeErrorInReport: true },
      );
    });
  }
});
