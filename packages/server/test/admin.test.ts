/**
 * Administration (issue 13) through HTTP on the real server and store: removing a member (every
 * credential of theirs stops at once, their live streams end), password reset links, changing your
 * own name and email, a second workspace (joining with an existing account, switching), and a role
 * change reaching the member's open live stream. Refused requests change nothing.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { generateToken, hashToken } from '../src/auth/tokens.js';
import { openEvents } from './event-stream.js';
import { client, databaseSnapshot, makeToken, request, signUp, startServer, type TestServer } from './helpers.js';

const TEST_OPTIONS = { timeout: 120_000 };
const PUBLIC_URL = 'https://board.example.com';

let server: TestServer;
let owner: Awaited<ReturnType<typeof signUp>>;

before(async () => {
  // Heartbeats an hour apart: whatever ends a stream in these tests, it is not a heartbeat.
  server = await startServer({ publicUrl: PUBLIC_URL, eventsHeartbeatMs: 3_600_000 });
  owner = await signUp(server);
});
after(() => server.close());

let n = 0;
const freshEmail = () => `admin${++n}-${Date.now()}@example.com`;

/** A new account in the owner's workspace with `role`, signed in. */
async function addMember(role = 'member') {
  return signUp(server, { email: freshEmail(), role, workspace: owner.workspace.slug });
}

/** An OAuth grant of the account's with one access token, as the authorization server would make them; the token. */
async function oauthToken(account: { user: { id: string }; workspace: { id: string } }): Promise<string> {
  const at = new Date().toISOString();
  const clientId = `cl_${randomUUID()}`;
  await server.store.upsertOAuthClient({ id: clientId, kind: 'registered', name: 'Admin test', redirect_uris: ['http://127.0.0.1:1/cb'], created_at: at, updated_at: at });
  const grantId = randomUUID();
  await server.store.insertOAuthGrant({
    id: grantId, client_id: clientId, user_id: account.user.id, workspace_id: account.workspace.id, scopes: { board: 'write', card: 'write' },
    resource: `${PUBLIC_URL}/mcp`, created_at: at, last_used_at: null, revoked_at: null,
  });
  const token = generateToken('oauth_access');
  await server.store.insertOAuthToken({
    id: randomUUID(), token_hash: hashToken(token), kind: 'access', grant_id: grantId, created_at: at,
    expires_at: new Date(Date.now() + 3_600_000).toISOString(), used_at: null, revoked_at: null,
  });
  return token;
}

const mcpPing = (token: string) =>
  request(server, 'POST', '/mcp', { token, body: { jsonrpc: '2.0', id: 1, method: 'ping' }, headers: { accept: 'application/json, text/event-stream' } });

describe('removing a member', () => {
  test('their session, tokens and OAuth sign-in stop at once, and their open live stream ends', TEST_OPTIONS, async () => {
    const member = await addMember();
    const pat = await makeToken(server, member);
    const oauth = await oauthToken(member);
    // Each credential used once first, so a cached copy would be what answers afterwards.
    assert.equal((await member.api.get('/xapi2/auth/me')).status, 200);
    assert.equal((await pat.api.get('/xapi2/auth/me')).status, 200);
    assert.equal((await mcpPing(oauth)).status, 200);
    const { reader } = await openEvents(server, { token: member.session });
    assert.equal((await reader!.next()).event, 'ready');

    const removed = await owner.api.delete(`/xapi2/members/${member.user.id}`);
    assert.equal(removed.status, 200, JSON.stringify(removed.body));
    assert.match(removed.body.detail, /removed/);

    const ended = await reader!.next();
    assert.equal(ended.event, 'unauthorized');
    await reader!.done;
    assert.ok(reader!.isEnded, 'the stream ended without waiting for a heartbeat');
    assert.equal((await member.api.get('/xapi2/auth/me')).status, 401);
    assert.equal((await pat.api.get('/xapi2/data/board')).status, 401);
    assert.equal((await mcpPing(oauth)).status, 401);
    const members = await owner.api.get('/xapi2/members');
    assert.equal(members.body.data.some((m: { user_id: string }) => m.user_id === member.user.id), false);
    // The account itself stays (it may belong to other workspaces), but logging in finds no workspace.
    assert.equal((await request(server, 'POST', '/xapi2/auth/login', { body: { email: member.email, password: member.password } })).status, 401);
    const events = await owner.api.get('/xapi2/activity?limit=500');
    assert.ok(events.body.data.some((e: { object_type: string; object_id: string; action: string }) => e.object_type === 'member' && e.object_id === member.user.id && e.action === 'delete'));
  });

  test('admins remove members but never owners; the last owner stays; members, tokens and strangers are refused and nothing changes', TEST_OPTIONS, async () => {
    const admin = await addMember('admin');
    const member = await addMember('member');
    const pat = await makeToken(server, owner);
    const refusals: Array<[ReturnType<typeof client>, string, number, string | undefined]> = [
      [admin.api, owner.user.id, 403, undefined],
      [member.api, admin.user.id, 403, undefined],
      [pat.api, member.user.id, 403, undefined],
      [owner.api, owner.user.id, 409, 'user_id'],
      [owner.api, randomUUID(), 404, undefined],
      [owner.api, 'not-a-uuid', 400, undefined],
    ];
    const before = await databaseSnapshot(server);
    for (const [api, target, status, field] of refusals) {
      const res = await api.delete(`/xapi2/members/${target}`);
      assert.equal(res.status, status, `${target}: ${JSON.stringify(res.body)}`);
      if (field) assert.equal(res.body.errors[0].field, field);
      assert.ok(res.body.detail.length > 20, 'the refusal says why');
    }
    assert.match((await owner.api.delete(`/xapi2/members/${owner.user.id}`)).body.detail, /last owner/);
    assert.deepEqual(await databaseSnapshot(server), before, 'refused removals changed nothing');

    // Another workspace's member is answered like a stranger.
    const outsider = await signUp(server);
    assert.equal((await owner.api.delete(`/xapi2/members/${outsider.user.id}`)).status, 404);
    assert.equal((await admin.api.delete(`/xapi2/members/${member.user.id}`)).status, 200);
    assert.equal((await owner.api.delete(`/xapi2/members/${admin.user.id}`)).status, 200);
  });
});

describe('password reset links', () => {
  test('an owner issues a one-time link from the public URL; it sets the password, signs in and ends every other session', TEST_OPTIONS, async () => {
    const member = await addMember();
    const pat = await makeToken(server, member);
    const issued = await owner.api.post(`/xapi2/members/${member.user.id}/password-reset`, { body: {} });
    assert.equal(issued.status, 201, JSON.stringify(issued.body));
    assert.match(issued.body.token, /^pwr_/);
    assert.equal(issued.body.url, `${PUBLIC_URL}/reset-password#token=${issued.body.token}`);
    assert.equal(issued.body.email, member.email);
    const hours = (Date.parse(issued.body.expires_at) - Date.now()) / 3_600_000;
    assert.ok(hours > 23 && hours <= 24, `a day by default (${hours} h)`);
    const stored = await server.query('SELECT token_hash FROM password_resets WHERE user_id = ?', member.user.id);
    assert.equal(JSON.stringify(stored).includes(issued.body.token), false, 'only the hash is stored');

    const preview = await request(server, 'POST', '/xapi2/password-reset/preview', { body: { token: issued.body.token } });
    assert.equal(preview.status, 200);
    assert.equal(preview.body.email, member.email);

    const short = await request(server, 'POST', '/xapi2/password-reset', { body: { token: issued.body.token, password: 'short' } });
    assert.equal(short.status, 400);
    assert.equal(short.body.errors[0].field, 'password');

    const done = await request(server, 'POST', '/xapi2/password-reset', { body: { token: issued.body.token, password: 'a brand new passphrase' } });
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.equal(done.body.user.id, member.user.id);
    assert.equal(done.body.user.workspace.id, owner.workspace.id);
    assert.equal((await client(server, done.body.access_token).get('/xapi2/auth/me')).status, 200, 'the new session works');
    assert.equal((await member.api.get('/xapi2/auth/me')).status, 401, 'the old session ended');
    assert.equal((await pat.api.get('/xapi2/auth/me')).status, 200, 'personal access tokens are not sessions: they stay');
    assert.equal((await request(server, 'POST', '/xapi2/auth/login', { body: { email: member.email, password: member.password } })).status, 401);
    assert.equal((await request(server, 'POST', '/xapi2/auth/login', { body: { email: member.email, password: 'a brand new passphrase' } })).status, 200);

    const again = await request(server, 'POST', '/xapi2/password-reset', { body: { token: issued.body.token, password: 'another passphrase' } });
    assert.equal(again.status, 404, 'a link works once');
    assert.match(again.body.detail, /already used/);
  });

  test('expired, unknown and superseded links are refused; admins cannot reset owners; members and tokens cannot issue', TEST_OPTIONS, async () => {
    const member = await addMember();
    const admin = await addMember('admin');
    const first = (await owner.api.post(`/xapi2/members/${member.user.id}/password-reset`, { body: { expires: '2h' } })).body;
    const second = (await owner.api.post(`/xapi2/members/${member.user.id}/password-reset`, { body: {} })).body;
    await server.query('UPDATE password_resets SET expires_at = ? WHERE token_hash = ? RETURNING id', new Date(Date.now() - 1000).toISOString(), hashToken(first.token));
    assert.equal((await request(server, 'POST', '/xapi2/password-reset/preview', { body: { token: first.token } })).status, 404, 'expired');
    for (const token of ['pwr_made_up', 42, 'ses_x'.repeat(3)]) {
      assert.equal((await request(server, 'POST', '/xapi2/password-reset', { body: { token, password: 'long enough pw' } })).status, 404);
    }
    // Changing the password yourself voids links still pending.
    assert.equal((await member.api.post('/xapi2/auth/password', { body: { current_password: member.password, new_password: 'changed it myself' } })).status, 200);
    assert.equal((await request(server, 'POST', '/xapi2/password-reset', { body: { token: second.token, password: 'long enough pw' } })).status, 404);

    const ownerPat = await makeToken(server, owner);
    const outsider = await signUp(server);
    const plain = await addMember();
    const before = await databaseSnapshot(server);
    assert.equal((await admin.api.post(`/xapi2/members/${owner.user.id}/password-reset`, { body: {} })).status, 403);
    assert.equal((await plain.api.post(`/xapi2/members/${admin.user.id}/password-reset`, { body: {} })).status, 403);
    assert.equal((await ownerPat.api.post(`/xapi2/members/${member.user.id}/password-reset`, { body: {} })).status, 403);
    const bad = await owner.api.post(`/xapi2/members/${member.user.id}/password-reset`, { body: { expires: 'never' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errors[0].field, 'expires');
    assert.equal((await owner.api.post(`/xapi2/members/${outsider.user.id}/password-reset`, { body: {} })).status, 404, "another workspace's member is a stranger");
    assert.deepEqual(await databaseSnapshot(server), before, 'refused requests changed nothing');
  });
});

describe('your account', () => {
  test('name and email change; a new email needs the password, is unique whatever its case, and becomes the login', TEST_OPTIONS, async () => {
    const me = await addMember();
    const renamed = await me.api.patch('/xapi2/auth/me', { body: { name: '  Grace Hopper ' } });
    assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
    assert.equal(renamed.body.name, 'Grace Hopper');
    const members = await owner.api.get('/xapi2/members');
    assert.equal(members.body.data.find((m: { user_id: string }) => m.user_id === me.user.id).name, 'Grace Hopper');

    const newEmail = freshEmail();
    const before = await databaseSnapshot(server);
    const noPassword = await me.api.patch('/xapi2/auth/me', { body: { email: newEmail } });
    assert.equal(noPassword.status, 400);
    assert.equal(noPassword.body.errors[0].field, 'current_password');
    const wrong = await me.api.patch('/xapi2/auth/me', { body: { email: newEmail, current_password: 'not it at all' } });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.errors[0].field, 'current_password');
    const taken = await me.api.patch('/xapi2/auth/me', { body: { email: owner.email.toUpperCase(), current_password: me.password } });
    assert.equal(taken.status, 409);
    assert.equal(taken.body.errors[0].field, 'email');
    const invalid = await me.api.patch('/xapi2/auth/me', { body: { email: 'nope', name: '', role: 'owner' } });
    assert.equal(invalid.status, 400);
    assert.deepEqual(invalid.body.errors.map((e: { field: string }) => e.field), ['role']);
    const invalid2 = await me.api.patch('/xapi2/auth/me', { body: { email: 'nope', name: '' } });
    assert.deepEqual(invalid2.body.errors.map((e: { field: string }) => e.field).sort(), ['email', 'name']);
    assert.equal((await (await makeToken(server, me)).api.patch('/xapi2/auth/me', { body: { name: 'Token' } })).status, 403);
    const afterRefusals = await databaseSnapshot(server);
    assert.equal(afterRefusals.users, before.users, 'refused changes left every account as it was');

    const changed = await me.api.patch('/xapi2/auth/me', { body: { email: ` ${newEmail.toUpperCase()} `, current_password: me.password } });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.equal(changed.body.email, newEmail.toUpperCase());
    assert.equal((await request(server, 'POST', '/xapi2/auth/login', { body: { email: newEmail, password: me.password } })).status, 200, 'login matches the new email in any case');
    assert.equal((await request(server, 'POST', '/xapi2/auth/login', { body: { email: me.email, password: me.password } })).status, 401);
    assert.equal((await me.api.get('/xapi2/auth/me')).body.email, newEmail.toUpperCase(), 'the session follows the new email at once');
  });
});

describe('a second workspace', () => {
  test('an existing account joins by invitation, lists and switches workspaces; tokens stay bound to theirs', TEST_OPTIONS, async () => {
    const other = await signUp(server);
    const guest = await signUp(server);
    const guestPat = await makeToken(server, guest);
    const invite = (await other.api.post('/xapi2/invitations', { body: { role: 'admin' } })).body;
    const joined = await guest.api.post('/xapi2/invitations/join', { body: { token: invite.token } });
    assert.equal(joined.status, 200, JSON.stringify(joined.body));
    assert.equal(joined.body.user.workspace.id, other.workspace.id);
    assert.equal(joined.body.user.role, 'admin');
    const inOther = client(server, joined.body.access_token);
    assert.equal((await inOther.get('/xapi2/auth/me')).body.workspace.id, other.workspace.id);
    assert.equal((await guest.api.get('/xapi2/auth/me')).body.workspace.id, guest.workspace.id, 'the first session stays where it was');

    const list = await inOther.get('/xapi2/auth/workspaces');
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.data.map((w: { id: string; current: boolean; role: string }) => [w.id, w.current, w.role]), [
      [guest.workspace.id, false, 'owner'],
      [other.workspace.id, true, 'admin'],
    ]);
    const back = await inOther.post('/xapi2/auth/switch', { body: { workspace: guest.workspace.slug } });
    assert.equal(back.status, 200, JSON.stringify(back.body));
    assert.equal(back.body.user.workspace.id, guest.workspace.id);
    assert.equal(back.body.user.role, 'owner');
    const byId = await guest.api.post('/xapi2/auth/switch', { body: { workspace: other.workspace.id } });
    assert.equal(byId.body.user.workspace.id, other.workspace.id);
    assert.equal((await guestPat.api.get('/xapi2/auth/me')).body.workspace.id, guest.workspace.id, 'a token stays in its workspace');

    // Refusals: a workspace you are not in, the same link twice, a link bound to someone else, tokens.
    const bound = (await other.api.post('/xapi2/invitations', { body: { role: 'member', email: 'someone.else@example.com' } })).body;
    const before = await databaseSnapshot(server);
    const stranger = await guest.api.post('/xapi2/auth/switch', { body: { workspace: owner.workspace.slug } });
    assert.equal(stranger.status, 404);
    assert.equal(stranger.body.errors[0].field, 'workspace');
    assert.equal((await guest.api.post('/xapi2/auth/switch', { body: {} })).body.errors[0].field, 'workspace');
    const twice = await guest.api.post('/xapi2/invitations/join', { body: { token: invite.token } });
    assert.equal(twice.status, 404);
    const wrongPerson = await guest.api.post('/xapi2/invitations/join', { body: { token: bound.token } });
    assert.equal(wrongPerson.status, 403);
    assert.match(wrongPerson.body.detail, /someone.else@example.com/);
    assert.equal((await guestPat.api.post('/xapi2/invitations/join', { body: { token: bound.token } })).status, 403);
    assert.equal((await guestPat.api.post('/xapi2/auth/switch', { body: { workspace: other.workspace.slug } })).status, 403);
    assert.equal((await guestPat.api.get('/xapi2/auth/workspaces')).status, 403);
    assert.deepEqual(await databaseSnapshot(server), before, 'refused switches and joins changed nothing');

    const already = (await other.api.post('/xapi2/invitations', { body: { role: 'member' } })).body;
    const member = await guest.api.post('/xapi2/invitations/join', { body: { token: already.token } });
    assert.equal(member.status, 409);
    assert.match(member.body.detail, /already a member/);
  });
});

describe('live role changes', () => {
  test("a role change reaches the member's open stream at once, with the new role; others' changes do not", TEST_OPTIONS, async () => {
    const member = await addMember();
    const bystander = await addMember();
    const { reader } = await openEvents(server, { token: member.session });
    assert.equal((await reader!.next()).event, 'ready');
    assert.equal((await owner.api.patch(`/xapi2/members/${bystander.user.id}`, { body: { role: 'viewer' } })).status, 200);
    assert.equal((await owner.api.patch(`/xapi2/members/${member.user.id}`, { body: { role: 'viewer' } })).status, 200);
    const event = await reader!.next();
    assert.equal(event.event, 'member', 'the bystander\'s change was not sent; this one is');
    assert.equal(event.data.object_id, member.user.id);
    assert.equal(event.data.role, 'viewer');
    assert.deepEqual(event.data.changes.role, ['member', 'viewer']);
    // The stream goes on, as the new role: a board created now still arrives.
    const board = await owner.api.post('/xapi2/data/board', { body: { name: 'After demotion', columns: 'A' } });
    const next = await reader!.next();
    assert.equal(next.event, 'activity');
    assert.equal(next.data.object_id, board.body.id);
    reader!.close();
  });
});
