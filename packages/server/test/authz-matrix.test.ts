/**
 * The authorization matrix: role (owner, admin, member, viewer) × credential (session, a PAT with
 * each combination of none/read/write on board and card, an expired or revoked one, an expired
 * or signed-out session, none) × operation (every endpoint the app registers) × target (the caller's own object,
 * another workspace's, one that never existed). The expected answer of every cell is derived from
 * the table OPERATIONS below, which restates the product contract (PRODUCT.md §2-3) and
 * src/policies.ts: what a request may do is the smaller of the member's role and the token's scopes;
 * a PAT never manages users, passwords, tokens or people; only owners and admins manage people; and
 * another workspace's object is answered exactly like one that does not exist (never a 403 that
 * reveals it). Every refused write is checked to change nothing, and every allowed listing to hold
 * nothing of the other workspace and nothing of a model the token may not read.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { MODEL_NAMES, ROLES, SCOPE_LEVELS, scopeAllows, type Role, type ScopeLevel } from '@prodboard/shared';
import { sessionCreator } from '../src/commands/session-creator.js';
import { databaseSnapshot, makeToken, registeredRoutes, request, signUp, startServer, TEST_STORE, type TestServer } from './helpers.js';

/** What an operation needs of the caller (derived from policies.ts and the contract). */
type Need =
  | 'public' // no credential involved: any credential gets what an anonymous caller gets
  | 'signed-in' // any valid credential, session or PAT (the actor's own data, filtered by readable models)
  | 'session' // a session only: a PAT never manages users, passwords or tokens
  | 'manager' // a session of an owner or admin: inviting people and changing roles
  | { model: string; access: 'read' | 'write' }; // the role (viewer cannot write) ∩ the PAT's scope

type Target = 'own' | 'other' | 'missing';

/** One request of the matrix, built for a caller and a target. */
interface Call {
  method: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** One row of the table. */
interface Operation {
  /** The route as registered (`GET /xapi2/data/:type`); every registered route must be covered. */
  route: string;
  label: string;
  need: Need;
  /** Status when allowed on an own target. */
  ok: number;
  /** Status when allowed on another workspace's (or a missing) target; undefined when the op takes no target. */
  absent?: number;
  /**
   * The route looks its target up before checking the caller's rights, so a refused caller gets the
   * target's 404 for a foreign or missing id (still no leak: both answer alike). Only PATCH /members.
   */
  lookupFirst?: boolean;
  build(ctx: CellContext, target: Target): Promise<Call> | Call;
}

interface Caller {
  label: string;
  role: Role | null;
  kind: 'session' | 'pat' | 'expired-session' | 'signed-out-session' | 'expired-pat' | 'revoked-pat' | 'anonymous';
  scopes?: Record<string, ScopeLevel>;
  token?: string;
  /** The user behind the credential (for own tokens). */
  user?: Awaited<ReturnType<typeof signUp>>;
}

interface CellContext {
  caller: Caller;
}

let server: TestServer;
type Account = Awaited<ReturnType<typeof signUp>>;
const people = {} as Record<Role, Account>;
let outsider: Account;
let outsiderBoard: any;
let outsiderCard: any;
let outsiderTokenId: string;
let outsiderInvitationId: string;
let outsiderCommentId: string;
let outsiderGrantId: string;
let oauthClientId: string;
let ownBoard: any;
let ownCard: any;
const callers: Caller[] = [];

const nowIso = () => new Date().toISOString();

/** A fresh object of the caller's workspace (made by its owner), for writes that use one up. */
async function fresh(type: string, deleted = false): Promise<any> {
  const body = type === 'board' ? { name: `fresh ${randomUUID().slice(0, 8)}`, columns: 'To do, Done' } : { title: `fresh ${randomUUID().slice(0, 8)}`, board_id: ownBoard.id };
  const created = await people.owner.api.post(`/xapi2/data/${type}`, { body });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  if (deleted) assert.equal((await people.owner.api.delete(`/xapi2/data/${type}/${created.body.id}`)).status, 200);
  return created.body;
}

const cardIdFor = (target: Target) => (target === 'own' ? ownCard.id : target === 'other' ? outsiderCard.id : randomUUID());

/** A comment by the caller on the own card, the other workspace's comment, or a missing id. */
async function commentIdFor(c: CellContext, target: Target): Promise<string> {
  if (target === 'other') return outsiderCommentId;
  if (target === 'missing') return randomUUID();
  const author = c.caller.user ?? people.owner;
  const at = nowIso();
  const id = randomUUID();
  await server.store.insertComment({ id, workspace_id: author.workspace.id, card_id: ownCard.id, author_id: author.user.id, body: 'mine', mentions: [], search_text: 'mine', created_at: at, updated_at: at, version: 1 });
  return id;
}

const dataOps: Operation[] = MODEL_NAMES.flatMap((type): Operation[] => {
  const own = () => (type === 'board' ? ownBoard : ownCard);
  const other = () => (type === 'board' ? outsiderBoard : outsiderCard);
  const idFor = (target: Target, ownId: () => string) => (target === 'own' ? ownId() : target === 'other' ? other().id : randomUUID());
  const patchBody = () => ({ description: `edited ${randomUUID()}` });
  const createBody = () => (type === 'board' ? { name: 'matrix board', columns: 'A, B' } : { title: 'matrix card', board_id: ownBoard.id });
  return [
    { route: 'GET /xapi2/data/:type', label: `list ${type}`, need: { model: type, access: 'read' }, ok: 200, build: () => ({ method: 'GET', path: `/xapi2/data/${type}` }) },
    { route: 'GET /xapi2/data/:type/:id', label: `read ${type}`, need: { model: type, access: 'read' }, ok: 200, absent: 404, build: (_c, t) => ({ method: 'GET', path: `/xapi2/data/${type}/${idFor(t, () => own().id)}` }) },
    { route: 'POST /xapi2/data/:type', label: `create ${type}`, need: { model: type, access: 'write' }, ok: 201, build: () => ({ method: 'POST', path: `/xapi2/data/${type}`, body: createBody() }) },
    { route: 'PATCH /xapi2/data/:type/:id', label: `update ${type}`, need: { model: type, access: 'write' }, ok: 200, absent: 404, build: (_c, t) => ({ method: 'PATCH', path: `/xapi2/data/${type}/${idFor(t, () => own().id)}`, body: patchBody() }) },
    {
      route: 'DELETE /xapi2/data/:type/:id', label: `delete ${type}`, need: { model: type, access: 'write' }, ok: 200, absent: 404,
      build: async (_c, t) => ({ method: 'DELETE', path: `/xapi2/data/${type}/${t === 'own' ? (await fresh(type)).id : idFor(t, () => '')}` }),
    },
    {
      route: 'POST /xapi2/trash/:type/:id/restore', label: `restore ${type}`, need: { model: type, access: 'write' }, ok: 200, absent: 404,
      build: async (_c, t) => ({ method: 'POST', path: `/xapi2/trash/${type}/${t === 'own' ? (await fresh(type, true)).id : idFor(t, () => '')}/restore` }),
    },
  ];
});

const OPERATIONS: Operation[] = [
  ...dataOps,
  {
    route: 'POST /xapi2/data/:type', label: 'create card on a board', need: { model: 'card', access: 'write' }, ok: 201, absent: 404,
    build: (_c, t) => ({ method: 'POST', path: '/xapi2/data/card', body: { title: 'placed', board_id: t === 'own' ? ownBoard.id : t === 'other' ? outsiderBoard.id : randomUUID() } }),
  },
  {
    route: 'PATCH /xapi2/data/:type/:id', label: 'move card to a board', need: { model: 'card', access: 'write' }, ok: 200, absent: 404,
    build: async (_c, t) => ({ method: 'PATCH', path: `/xapi2/data/card/${(await fresh('card')).id}`, body: { board_id: t === 'own' ? ownBoard.id : t === 'other' ? outsiderBoard.id : randomUUID() } }),
  },
  { route: 'GET /xapi2/cards/:id/comments', label: 'list comments', need: { model: 'card', access: 'read' }, ok: 200, absent: 404, build: (_c, t) => ({ method: 'GET', path: `/xapi2/cards/${cardIdFor(t)}/comments` }) },
  { route: 'GET /xapi2/cards/:id/history', label: 'card history', need: { model: 'card', access: 'read' }, ok: 200, absent: 404, build: (_c, t) => ({ method: 'GET', path: `/xapi2/cards/${cardIdFor(t)}/history` }) },
  { route: 'POST /xapi2/cards/:id/comments', label: 'add comment', need: { model: 'card', access: 'write' }, ok: 201, absent: 404, build: (_c, t) => ({ method: 'POST', path: `/xapi2/cards/${cardIdFor(t)}/comments`, body: { body: 'matrix comment' } }) },
  // The caller's own comment (written straight to the store, so a viewer has one too): its author edits it.
  { route: 'PATCH /xapi2/comments/:id', label: 'edit own comment', need: { model: 'card', access: 'write' }, ok: 200, absent: 404, build: async (c, t) => ({ method: 'PATCH', path: `/xapi2/comments/${await commentIdFor(c, t)}`, body: { body: `edited ${randomUUID()}` } }) },
  { route: 'DELETE /xapi2/comments/:id', label: 'delete own comment', need: { model: 'card', access: 'write' }, ok: 200, absent: 404, build: async (c, t) => ({ method: 'DELETE', path: `/xapi2/comments/${await commentIdFor(c, t)}` }) },
  { route: 'GET /xapi2/trash', label: 'list trash', need: 'signed-in', ok: 200, build: () => ({ method: 'GET', path: '/xapi2/trash' }) },
  { route: 'GET /xapi2/activity', label: 'list activity', need: 'signed-in', ok: 200, build: () => ({ method: 'GET', path: '/xapi2/activity?limit=500' }) },
  { route: 'GET /xapi2/events', label: 'open live events', need: 'signed-in', ok: 200, build: () => ({ method: 'GET', path: '/xapi2/events' }) },
  { route: 'GET /xapi2/auth/me', label: 'who am I', need: 'signed-in', ok: 200, build: () => ({ method: 'GET', path: '/xapi2/auth/me' }) },
  // MCP (mcp-http.test.ts covers the tools themselves): any credential gets in; the stateless endpoint has no session to GET or DELETE.
  {
    route: 'POST /mcp', label: 'MCP ping', need: 'signed-in', ok: 200,
    build: () => ({ method: 'POST', path: '/mcp', body: { jsonrpc: '2.0', id: 1, method: 'ping' }, headers: { accept: 'application/json, text/event-stream' } }),
  },
  { route: 'GET /mcp', label: 'MCP stream', need: 'signed-in', ok: 405, build: () => ({ method: 'GET', path: '/mcp', headers: { accept: 'text/event-stream' } }) },
  { route: 'DELETE /mcp', label: 'MCP session end', need: 'signed-in', ok: 405, build: () => ({ method: 'DELETE', path: '/mcp' }) },
  {
    // Signs the session out, so each cell gets a session of its own (same user, same role).
    route: 'POST /xapi2/auth/logout', label: 'log out', need: 'session', ok: 200,
    build: async (c) => {
      if (c.caller.kind === 'session') c.caller = { ...c.caller, token: (await sessionCreator(server.store, c.caller.user!.user.id, c.caller.user!.workspace.id, 3_600_000)).token };
      return { method: 'POST', path: '/xapi2/auth/logout' };
    },
  },
  // A wrong current password: allowed callers get as far as checking it (400), and nothing changes.
  { route: 'POST /xapi2/auth/password', label: 'change password', need: 'session', ok: 400, build: () => ({ method: 'POST', path: '/xapi2/auth/password', body: { current_password: 'not the password', new_password: 'a brand new password' } }) },
  { route: 'GET /xapi2/tokens', label: 'list tokens', need: 'session', ok: 200, build: () => ({ method: 'GET', path: '/xapi2/tokens' }) },
  { route: 'POST /xapi2/tokens', label: 'create token', need: 'session', ok: 201, build: () => ({ method: 'POST', path: '/xapi2/tokens', body: { name: 'matrix', scopes: 'board:read', expires: '1d' } }) },
  {
    route: 'DELETE /xapi2/tokens/:id', label: 'revoke token', need: 'session', ok: 200, absent: 404,
    build: async (c, t) => {
      const id = t === 'own' ? (await makeToken(server, c.caller.user ?? people.owner, 'board:read')).row.id : t === 'other' ? outsiderTokenId : randomUUID();
      return { method: 'DELETE', path: `/xapi2/tokens/${id}` };
    },
  },
  { route: 'GET /xapi2/members', label: 'list members', need: 'session', ok: 200, build: () => ({ method: 'GET', path: '/xapi2/members' }) },
  { route: 'GET /xapi2/oauth/grants', label: 'list OAuth grants', need: 'session', ok: 200, build: () => ({ method: 'GET', path: '/xapi2/oauth/grants' }) },
  {
    route: 'DELETE /xapi2/oauth/grants/:id', label: 'revoke OAuth grant', need: 'session', ok: 200, absent: 404,
    build: async (c, t) => {
      const id = t === 'own' ? await freshGrant(c.caller.user ?? people.owner) : t === 'other' ? outsiderGrantId : randomUUID();
      return { method: 'DELETE', path: `/xapi2/oauth/grants/${id}` };
    },
  },
  // A consent request belongs to no workspace until a signed-in member answers it, so it has no foreign target.
  { route: 'GET /xapi2/oauth/requests/:id', label: 'read consent request', need: 'session', ok: 200, build: async () => ({ method: 'GET', path: `/xapi2/oauth/requests/${await freshOAuthRequest()}` }) },
  { route: 'POST /xapi2/oauth/requests/:id/approve', label: 'approve consent', need: 'session', ok: 200, build: async () => ({ method: 'POST', path: `/xapi2/oauth/requests/${await freshOAuthRequest()}/approve` }) },
  { route: 'POST /xapi2/oauth/requests/:id/deny', label: 'deny consent', need: 'session', ok: 200, build: async () => ({ method: 'POST', path: `/xapi2/oauth/requests/${await freshOAuthRequest()}/deny` }) },
  {
    // Gives the member the role it already has: allowed callers get 200 and nothing changes.
    route: 'PATCH /xapi2/members/:userId', label: 'change a role', need: 'manager', ok: 200, absent: 404, lookupFirst: true,
    build: (_c, t) => ({ method: 'PATCH', path: `/xapi2/members/${t === 'own' ? people.member.user.id : t === 'other' ? outsider.user.id : randomUUID()}`, body: { role: 'member' } }),
  },
  {
    // A fresh member each time (removal uses them up): allowed callers get 200.
    route: 'DELETE /xapi2/members/:userId', label: 'remove a member', need: 'manager', ok: 200, absent: 404,
    build: async (_c, t) => ({ method: 'DELETE', path: `/xapi2/members/${t === 'own' ? (await freshMember()).user.id : t === 'other' ? outsider.user.id : randomUUID()}` }),
  },
  {
    route: 'POST /xapi2/members/:userId/password-reset', label: 'issue a password reset link', need: 'manager', ok: 201, absent: 404,
    build: (_c, t) => ({ method: 'POST', path: `/xapi2/members/${t === 'own' ? people.member.user.id : t === 'other' ? outsider.user.id : randomUUID()}/password-reset`, body: {} }),
  },
  // The caller's own account and workspaces: sessions only. A name change to the name it has changes nothing.
  { route: 'PATCH /xapi2/auth/me', label: 'change your name', need: 'session', ok: 200, build: (c) => ({ method: 'PATCH', path: '/xapi2/auth/me', body: { name: (c.caller.user ?? people.owner).user.name } }) },
  { route: 'GET /xapi2/auth/workspaces', label: 'list your workspaces', need: 'session', ok: 200, build: () => ({ method: 'GET', path: '/xapi2/auth/workspaces' }) },
  // Switching to the workspace you are in opens a session there; another workspace's is one you are not in.
  {
    route: 'POST /xapi2/auth/switch', label: 'switch workspace', need: 'session', ok: 200, absent: 404,
    build: (_c, t) => ({ method: 'POST', path: '/xapi2/auth/switch', body: { workspace: t === 'own' ? people.owner.workspace.slug : t === 'other' ? outsider.workspace.slug : `nowhere-${randomUUID().slice(0, 8)}` } }),
  },
  // A made-up link: allowed callers get as far as checking it (404), and nothing changes.
  { route: 'POST /xapi2/invitations/join', label: 'join with an invite link', need: 'session', ok: 404, build: () => ({ method: 'POST', path: '/xapi2/invitations/join', body: { token: 'inv_not_a_real_one' } }) },
  { route: 'GET /xapi2/invitations', label: 'list invitations', need: 'manager', ok: 200, build: () => ({ method: 'GET', path: '/xapi2/invitations' }) },
  { route: 'POST /xapi2/invitations', label: 'invite', need: 'manager', ok: 201, build: () => ({ method: 'POST', path: '/xapi2/invitations', body: { role: 'member' } }) },
  {
    route: 'DELETE /xapi2/invitations/:id', label: 'revoke invitation', need: 'manager', ok: 200, absent: 404,
    build: async (_c, t) => {
      let id = t === 'other' ? outsiderInvitationId : randomUUID();
      if (t === 'own') id = (await people.owner.api.post('/xapi2/invitations', { body: { role: 'member' } })).body.id;
      return { method: 'DELETE', path: `/xapi2/invitations/${id}` };
    },
  },
  // The rest takes no bearer credential at all: whatever is sent, the answer is an anonymous caller's.
  { route: 'POST /xapi2/invitations/preview', label: 'preview invitation', need: 'public', ok: 404, build: () => ({ method: 'POST', path: '/xapi2/invitations/preview', body: { token: 'inv_not_a_real_one' } }) },
  { route: 'POST /xapi2/invitations/accept', label: 'accept invitation', need: 'public', ok: 404, build: () => ({ method: 'POST', path: '/xapi2/invitations/accept', body: { token: 'inv_not_a_real_one', email: 'x@example.com', password: 'long enough pw' } }) },
  { route: 'POST /xapi2/password-reset/preview', label: 'preview password reset', need: 'public', ok: 404, build: () => ({ method: 'POST', path: '/xapi2/password-reset/preview', body: { token: 'pwr_not_a_real_one' } }) },
  { route: 'POST /xapi2/password-reset', label: 'reset password', need: 'public', ok: 404, build: () => ({ method: 'POST', path: '/xapi2/password-reset', body: { token: 'pwr_not_a_real_one', password: 'long enough pw' } }) },
  { route: 'POST /xapi2/auth/login', label: 'log in', need: 'public', ok: 400, build: () => ({ method: 'POST', path: '/xapi2/auth/login', body: {} }) },
  { route: 'GET /xapi2/setup', label: 'setup needed?', need: 'public', ok: 200, build: () => ({ method: 'GET', path: '/xapi2/setup' }) },
  { route: 'POST /xapi2/setup', label: 'setup', need: 'public', ok: 403, build: () => ({ method: 'POST', path: '/xapi2/setup', body: { token: 'setup_wrong', email: 'z@example.com', password: 'long enough pw' } }) },
  { route: 'GET /xapi2/health', label: 'health', need: 'public', ok: 200, build: () => ({ method: 'GET', path: '/xapi2/health' }) },
  { route: 'GET /xapi2/openapi.json', label: 'OpenAPI document', need: 'public', ok: 200, build: () => ({ method: 'GET', path: '/xapi2/openapi.json' }) },
  { route: 'GET /xapi2/docs', label: 'API reference page', need: 'public', ok: 200, build: () => ({ method: 'GET', path: '/xapi2/docs' }) },
  { route: 'GET /xapi2/ready', label: 'ready', need: 'public', ok: 200, build: () => ({ method: 'GET', path: '/xapi2/ready' }) },
  // Off unless PRODBOARD_METRICS_TOKEN is set (metrics.test.ts covers it on): no user credential opens it.
  { route: 'GET /metrics', label: 'metrics', need: 'public', ok: 404, build: () => ({ method: 'GET', path: '/metrics' }) },
  { route: 'GET /xapi2/mcp/manifest', label: 'manifest', need: 'public', ok: 200, build: () => ({ method: 'GET', path: '/xapi2/mcp/manifest' }) },
  { route: 'GET /xapi2/mcp/version', label: 'prodmcp version', need: 'public', ok: 200, build: () => ({ method: 'GET', path: '/xapi2/mcp/version' }) },
  { route: 'GET /xapi2/mcp/script', label: 'prodmcp script', need: 'public', ok: 200, build: () => ({ method: 'GET', path: '/xapi2/mcp/script' }) },
  { route: 'POST /xapi2/analytics/track', label: 'telemetry', need: 'public', ok: 202, build: () => ({ method: 'POST', path: '/xapi2/analytics/track', body: { events: [{ type: 'matrix' }] } }) },
  ...['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-authorization-server'].flatMap((path): Operation[] => [
    { route: `GET ${path}`, label: `OAuth metadata ${path}`, need: 'public', ok: 200, build: () => ({ method: 'GET', path }) },
    { route: `OPTIONS ${path}`, label: `CORS preflight ${path}`, need: 'public', ok: 204, build: () => ({ method: 'OPTIONS', path }) },
  ]),
  { route: 'GET /oauth/authorize', label: 'OAuth authorize', need: 'public', ok: 400, build: () => ({ method: 'GET', path: '/oauth/authorize' }) },
  ...['/oauth/register', '/oauth/token', '/oauth/revoke'].flatMap((path): Operation[] => [
    { route: `POST ${path}`, label: `OAuth ${path}`, need: 'public', ok: 400, build: () => ({ method: 'POST', path, body: {} }) },
    { route: `OPTIONS ${path}`, label: `CORS preflight ${path}`, need: 'public', ok: 204, build: () => ({ method: 'OPTIONS', path }) },
  ]),
  { route: 'GET /', label: 'web app', need: 'public', ok: 200, build: () => ({ method: 'GET', path: '/' }) },
  { route: 'GET /*', label: 'web app page', need: 'public', ok: 200, build: () => ({ method: 'GET', path: '/boards/anything' }) },
];

/** What a cell must answer: a status, and the error code when refused. */
interface Expected {
  status: number;
  code?: string;
  /** A refused caller on a foreign or missing target may get the target's 404 (see `lookupFirst`). */
  orStatus?: number;
}

/** The expected answer of one cell, from the table and the rules in the header. */
function expected(caller: Caller, op: Operation, target: Target): Expected | 'as-anonymous' {
  if (op.need === 'public') return 'as-anonymous';
  if (caller.kind === 'anonymous' || caller.kind === 'revoked-pat') return { status: 401, code: 'unauthenticated' };
  if (caller.kind === 'expired-pat' || caller.kind === 'expired-session') return { status: 401, code: 'token_expired' };
  // Signed out: refused like any dead credential (expired or unknown, either code).
  if (caller.kind === 'signed-out-session') return { status: 401 };
  const pat = caller.kind === 'pat';
  let refusal: Expected | undefined;
  if (op.need === 'session' && pat) refusal = { status: 403, code: 'forbidden' };
  if (op.need === 'manager' && (pat || (caller.role !== 'owner' && caller.role !== 'admin'))) refusal = { status: 403, code: 'forbidden' };
  if (typeof op.need === 'object') {
    const { model, access } = op.need;
    if (access === 'write' && caller.role === 'viewer') refusal = { status: 403, code: 'forbidden' };
    else if (pat && !scopeAllows(caller.scopes![model], access)) refusal = { status: 403, code: 'scope_denied' };
  }
  if (refusal) return target !== 'own' && op.lookupFirst ? { ...refusal, orStatus: 404 } : refusal;
  return target === 'own' ? { status: op.ok } : { status: op.absent!, code: 'not_found' };
}

/** A response's status and body; a live stream is cut off once its headers arrive. */
async function send(call: Call, token: string | undefined): Promise<{ status: number; body: any }> {
  if (call.path === '/xapi2/events') {
    const controller = new AbortController();
    const res = await fetch(new URL(call.path, server.url), { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: controller.signal });
    const body = res.headers.get('content-type')?.includes('json') ? await res.json() : undefined;
    controller.abort();
    return { status: res.status, body };
  }
  const res = await request(server, call.method, call.path, { token, body: call.body, headers: call.headers });
  return { status: res.status, body: res.body };
}

let freshMembers = 0;
/** A new member of the caller's workspace (a removal uses one up). */
async function freshMember(): Promise<Account> {
  return signUp(server, { workspace: people.owner.workspace.slug, role: 'member', email: `fresh${++freshMembers}-${Date.now()}@example.com` });
}

/** A new OAuth grant of the account's, to the matrix's client; its id. */
async function freshGrant(account: Account): Promise<string> {
  const id = randomUUID();
  const at = nowIso();
  await server.store.insertOAuthGrant({
    id, client_id: oauthClientId, user_id: account.user.id, workspace_id: account.workspace.id, scopes: { board: 'read', card: 'read' },
    resource: `${server.url}/mcp`, created_at: at, last_used_at: null, revoked_at: null,
  });
  return id;
}

/** A new, unanswered consent request of the matrix's client; its id. */
async function freshOAuthRequest(): Promise<string> {
  const id = `oar_${randomUUID().replaceAll('-', '')}`;
  await server.store.insertOAuthRequest({
    id, client_id: oauthClientId, redirect_uri: 'http://127.0.0.1:1/cb', scopes: { board: 'read', card: 'read' }, state: null,
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', resource: `${server.url}/mcp`, created_at: nowIso(),
    expires_at: new Date(Date.now() + 600_000).toISOString(), decided_at: null, grant_id: null, code_hash: null, code_expires_at: null, code_used_at: null,
  });
  return id;
}

before(async () => {
  server = await startServer();
  const slug = `matrix-${Date.now().toString(36)}`;
  people.owner = await signUp(server, { workspace: slug, role: 'owner' });
  for (const role of ROLES.filter((r) => r !== 'owner')) people[role] = await signUp(server, { workspace: slug, role });
  outsider = await signUp(server, { workspace: `${slug}-other`, role: 'owner' });
  ownBoard = (await people.owner.api.post('/xapi2/data/board', { body: { name: 'Own board', columns: 'To do, Done' } })).body;
  ownCard = (await people.owner.api.post('/xapi2/data/card', { body: { title: 'Own card', board_id: ownBoard.id } })).body;
  outsiderBoard = (await outsider.api.post('/xapi2/data/board', { body: { name: 'Secret board', columns: 'To do, Done' } })).body;
  outsiderCard = (await outsider.api.post('/xapi2/data/card', { body: { title: 'Secret card', board_id: outsiderBoard.id } })).body;
  // Something of the other workspace in its trash and its activity, so a leak would show.
  const trashed = (await outsider.api.post('/xapi2/data/card', { body: { title: 'Secret trashed card', board_id: outsiderBoard.id } })).body;
  await outsider.api.delete(`/xapi2/data/card/${trashed.id}`);
  outsiderCommentId = (await outsider.api.post(`/xapi2/cards/${outsiderCard.id}/comments`, { body: { body: 'Secret comment' } })).body.id;
  outsiderTokenId = (await makeToken(server, outsider)).row.id;
  outsiderInvitationId = (await outsider.api.post('/xapi2/invitations', { body: { role: 'member' } })).body.id;
  oauthClientId = (await request(server, 'POST', '/oauth/register', { body: { client_name: 'Matrix', redirect_uris: ['http://127.0.0.1:1/cb'] } })).body.client_id;
  outsiderGrantId = await freshGrant(outsider);
  // Own trash and activity hold both models, so a listing can show it filters by scope.
  await people.owner.api.delete(`/xapi2/data/card/${(await fresh('card')).id}`);
  await people.owner.api.delete(`/xapi2/data/board/${(await fresh('board')).id}`);

  callers.push({ label: 'anonymous', role: null, kind: 'anonymous' });
  for (const role of ROLES) {
    const user = people[role];
    callers.push({ label: `${role} session`, role, kind: 'session', token: user.session, user });
    const expiredSession = await sessionCreator(server.store, user.user.id, user.workspace.id, -60_000);
    callers.push({ label: `${role} expired session`, role, kind: 'expired-session', token: expiredSession.token, user });
    const signedOut = await sessionCreator(server.store, user.user.id, user.workspace.id, 3_600_000);
    assert.equal((await request(server, 'POST', '/xapi2/auth/logout', { token: signedOut.token })).status, 200);
    callers.push({ label: `${role} signed-out session`, role, kind: 'signed-out-session', token: signedOut.token, user });
    for (const board of SCOPE_LEVELS) {
      for (const card of SCOPE_LEVELS) {
        const scopes = { board, card };
        const { token } = await makeToken(server, user, `board:${board},card:${card}`);
        callers.push({ label: `${role} PAT board:${board},card:${card}`, role, kind: 'pat', scopes, token, user });
      }
    }
    const expired = await makeToken(server, user, '', new Date(Date.now() - 60_000).toISOString());
    callers.push({ label: `${role} expired PAT (write all)`, role, kind: 'expired-pat', token: expired.token, user });
    const revoked = await makeToken(server, user, '');
    await server.store.revokeAccessToken(revoked.row.id, nowIso());
    callers.push({ label: `${role} revoked PAT (write all)`, role, kind: 'revoked-pat', token: revoked.token, user });
  }
});
after(() => server.close());

test('every route the app registers has a row in the table', () => {
  const registered = registeredRoutes(server.app);
  assert.ok(registered.length > 20, `routes read from printRoutes: ${registered.join(', ')}`);
  const covered = new Set(OPERATIONS.map((op) => op.route));
  const missing = registered.filter((r) => !covered.has(r));
  assert.deepEqual(missing, [], `routes with no row in the authorization table (add one): ${missing.join(', ')}`);
});

test('every cell of role × credential × operation × target answers as the table says', { timeout: 1_200_000 }, async () => {
  const failures: string[] = [];
  const otherWorkspaceIds = new Set([outsiderBoard.id, outsiderCard.id, outsider.workspace.id]);
  let cells = 0;
  for (const op of OPERATIONS) {
    const targets: Target[] = op.absent === undefined ? ['own'] : ['own', 'other', 'missing'];
    const anonymous: Record<string, number> = {};
    for (const target of targets) {
      const call = await op.build({ caller: callers[0] }, target);
      anonymous[target] = (await send(call, undefined)).status;
    }
    for (const caller of callers) {
      const answers: Partial<Record<Target, { status: number; code?: string }>> = {};
      for (const target of targets) {
        cells++;
        const ctx: CellContext = { caller };
        const call = await op.build(ctx, target);
        const want = expected(ctx.caller, op, target);
        // Snapshots cost queries: taken around every write the table expects to be refused (or to find nothing).
        const write = call.method !== 'GET' && (want === 'as-anonymous' ? op.ok >= 400 : want.status >= 400);
        const before = write ? await databaseSnapshot(server) : undefined;
        const res = await send(call, ctx.caller.token);
        answers[target] = { status: res.status, code: res.body?.code };
        const where = `[${ctx.caller.label}] ${op.label} (${target}): ${call.method} ${call.path}${call.body ? ` ${JSON.stringify(call.body)}` : ''} → ${res.status} ${String(JSON.stringify(res.body ?? null)).slice(0, 200)}`;
        if (want === 'as-anonymous') {
          if (res.status !== anonymous[target] || res.status !== op.ok) failures.push(`${where}; expected ${op.ok}, as an anonymous caller gets (${anonymous[target]})`);
          continue;
        }
        const statusOk = res.status === want.status || (want.orStatus !== undefined && res.status === want.orStatus);
        if (!statusOk) failures.push(`${where}; expected ${want.status}${want.orStatus ? ` or ${want.orStatus}` : ''}${want.code ? ` ${want.code}` : ''}`);
        else if (want.code && res.status === want.status && res.body?.code !== want.code) failures.push(`${where}; expected code ${want.code}`);
        // A refused write (or an allowed one that found no target) changes nothing.
        if (before && res.status >= 400) {
          const after = await databaseSnapshot(server);
          try {
            assert.deepEqual(after, before);
          } catch {
            failures.push(`${where}; the database changed although the request was refused`);
          }
        }
        // An allowed listing shows nothing of the other workspace, nor of a model the token may not read.
        if (res.status === 200 && Array.isArray(res.body?.data)) {
          const text = JSON.stringify(res.body);
          for (const id of otherWorkspaceIds) if (text.includes(id)) failures.push(`${where}; the listing leaks the other workspace's ${id}`);
          if (text.includes('Secret')) failures.push(`${where}; the listing leaks the other workspace's data`);
          if (ctx.caller.kind === 'pat') {
            for (const item of res.body.data) {
              const type = item.object_type ?? item.type;
              if (MODEL_NAMES.includes(type) && !scopeAllows(ctx.caller.scopes![type], 'read')) failures.push(`${where}; lists a ${type} with ${type}:${ctx.caller.scopes![type]}`);
            }
          }
        }
        if (res.status < 400 && res.body && typeof res.body === 'object' && JSON.stringify(res.body).includes('Secret')) failures.push(`${where}; the answer leaks the other workspace's data`);
      }
      // No leak of existence: a foreign id is answered exactly like an id that never existed.
      if (answers.other && answers.missing && (answers.other.status !== answers.missing.status || answers.other.code !== answers.missing.code)) {
        failures.push(`[${caller.label}] ${op.label}: another workspace's target answers ${answers.other.status} ${answers.other.code}, a missing one ${answers.missing.status} ${answers.missing.code}: that reveals the object exists`);
      }
    }
  }
  console.log(`authorization matrix on ${TEST_STORE}: ${cells} cells, ${OPERATIONS.length} operations × ${callers.length} credentials, ${failures.length} failed`);
  assert.equal(failures.length, 0, `${failures.length} of ${cells} cells answered other than the table says:\n${failures.slice(0, 80).join('\n')}`);
});
