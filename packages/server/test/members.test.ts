/**
 * Members and invitations through HTTP: invite links work once, roles follow the rules (owners and
 * admins manage, admins never touch owners, the last owner stays), and tokens never manage people.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { client, makeToken, request, signUp, startServer, type TestServer } from './helpers.js';

let server: TestServer;
let owner: Awaited<ReturnType<typeof signUp>>;

before(async () => {
  server = await startServer();
  owner = await signUp(server);
});
after(() => server.close());

let n = 0;
const email = () => `invitee${++n}-${Date.now()}@example.com`;

async function invite(api = owner.api, body: Record<string, unknown> = { role: 'member' }) {
  const res = await api.post('/xapi2/invitations', { body });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body as { id: string; token: string; path: string; url: string; role: string; expires_at: string };
}

async function join(token: unknown, overrides: Record<string, unknown> = {}) {
  return request(server, 'POST', '/xapi2/invitations/accept', { body: { token, email: email(), password: 'a long passphrase', name: 'Invitee', ...overrides } });
}

describe('invitations', () => {
  test('an invite link creates an account in the inviting workspace, with the role offered, exactly once', async () => {
    const inv = await invite(owner.api, { role: 'admin' });
    assert.match(inv.token, /^inv_/);
    assert.equal(inv.path, `/invite#token=${inv.token}`);
    assert.ok(inv.url.endsWith(inv.path));
    assert.ok(Date.parse(inv.expires_at) > Date.now() + 6 * 86_400_000, 'links last a week by default');

    const listed = await owner.api.get('/xapi2/invitations');
    assert.ok(listed.body.data.some((i: { id: string }) => i.id === inv.id));
    assert.equal(JSON.stringify(listed.body).includes(inv.token), false, 'the token is shown only once');

    const preview = await request(server, 'POST', '/xapi2/invitations/preview', { body: { token: inv.token } });
    assert.equal(preview.status, 200);
    assert.equal(preview.body.role, 'admin');
    assert.equal(preview.body.workspace.slug, owner.workspace.slug);

    const joined = await join(inv.token);
    assert.equal(joined.status, 201, JSON.stringify(joined.body));
    const me = await client(server, joined.body.access_token).get('/xapi2/auth/me');
    assert.equal(me.body.role, 'admin');
    assert.equal(me.body.workspace.id, owner.workspace.id);

    const again = await join(inv.token);
    assert.equal(again.status, 404);
    assert.match(again.body.detail, /already used/);
    const after = await owner.api.get('/xapi2/invitations');
    assert.equal(after.body.data.some((i: { id: string }) => i.id === inv.id), false);
    const members = await owner.api.get('/xapi2/members');
    assert.ok(members.body.data.some((m: { name: string; role: string }) => m.name === 'Invitee' && m.role === 'admin'));
  });

  test('bad sign-up fields are 400s at the field and leave the link usable; a taken email is a 409 at email', async () => {
    const inv = await invite();
    const bad = await join(inv.token, { email: 'not-an-email', password: 'short' });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body.errors.map((e: { field: string }) => e.field).sort(), ['email', 'password']);
    const taken = await join(inv.token, { email: owner.email });
    assert.equal(taken.status, 409);
    assert.equal(taken.body.errors[0].field, 'email');
    assert.equal((await join(inv.token)).status, 201, 'the failures did not use the link up');
  });

  test('a link bound to an email takes only that email; a revoked link stops working', async () => {
    const bound = await invite(owner.api, { role: 'viewer', email: 'only.her@example.com' });
    const other = await join(bound.token);
    assert.equal(other.status, 400);
    assert.equal(other.body.errors[0].field, 'email');
    assert.equal((await join(bound.token, { email: 'Only.Her@example.com' })).status, 201);

    const revoked = await invite();
    assert.equal((await owner.api.delete(`/xapi2/invitations/${revoked.id}`)).status, 200);
    assert.equal((await join(revoked.token)).status, 404);
    assert.equal((await owner.api.delete(`/xapi2/invitations/${revoked.id}`)).status, 404);
  });

  test('invitation input is checked: role, expiry, unknown fields; nonsense tokens are 404s', async () => {
    const res = await owner.api.post('/xapi2/invitations', { body: { role: 'boss', expires: 'never' } });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body.errors.map((e: { field: string }) => e.field).sort(), ['expires', 'role']);
    const unknown = await owner.api.post('/xapi2/invitations', { body: { role: 'member', workspace: 'x' } });
    assert.equal(unknown.status, 400);
    assert.equal((await join('inv_made_up')).status, 404);
    assert.equal((await join(42)).status, 404);
  });
});

describe('members and roles', () => {
  test('members list everyone (tokens that read cards too); only owners and admins invite or change roles; tokens never manage people', async () => {
    const member = await join((await invite()).token);
    const memberApi = client(server, member.body.access_token);
    const list = await memberApi.get('/xapi2/members');
    assert.equal(list.status, 200);
    assert.ok(list.body.data.length >= 2);
    assert.deepEqual(Object.keys(list.body.data[0]).sort(), ['email', 'joined_at', 'name', 'role', 'user_id']);
    assert.equal((await memberApi.post('/xapi2/invitations', { body: { role: 'member' } })).status, 403);
    assert.equal((await memberApi.patch(`/xapi2/members/${owner.user.id}`, { body: { role: 'viewer' } })).status, 403);

    const pat = await makeToken(server, owner);
    // The directory cards name their assignees from: a token that reads cards reads it, one that cannot does not.
    const listed = await pat.api.get('/xapi2/members');
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.body.data, list.body.data);
    const boardsOnly = await makeToken(server, owner, 'board:read');
    const refused = await boardsOnly.api.get('/xapi2/members');
    assert.equal(refused.status, 403);
    assert.equal(refused.body.code, 'scope_denied');
    assert.equal((await pat.api.post('/xapi2/invitations', { body: { role: 'member' } })).status, 403);
  });

  test('admins manage members but never owners; the last owner cannot step down', async () => {
    const adminJoin = await join((await invite(owner.api, { role: 'admin' })).token);
    const admin = client(server, adminJoin.body.access_token);
    const memberJoin = await join((await invite()).token);
    const memberId = memberJoin.body.user.id;

    const promoted = await admin.patch(`/xapi2/members/${memberId}`, { body: { role: 'viewer' } });
    assert.equal(promoted.status, 200, JSON.stringify(promoted.body));
    assert.equal(promoted.body.role, 'viewer');
    const viewerWrites = await client(server, memberJoin.body.access_token).post('/xapi2/data/board', { body: { name: 'Nope' } });
    assert.equal(viewerWrites.status, 403, 'the new role applies at once');

    const toOwner = await admin.patch(`/xapi2/members/${memberId}`, { body: { role: 'owner' } });
    assert.equal(toOwner.status, 403);
    assert.equal(toOwner.body.errors[0].field, 'role');
    assert.equal((await admin.patch(`/xapi2/members/${owner.user.id}`, { body: { role: 'member' } })).status, 403);
    assert.equal((await admin.post('/xapi2/invitations', { body: { role: 'owner' } })).status, 403);

    const bad = await owner.api.patch(`/xapi2/members/${memberId}`, { body: { role: 'king' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errors[0].field, 'role');
    const stranger = await owner.api.patch('/xapi2/members/0190f5a2-7c1e-7b3d-9a4e-2f1c3d4e5f60', { body: { role: 'member' } });
    assert.equal(stranger.status, 404);

    const lastOwner = await owner.api.patch(`/xapi2/members/${owner.user.id}`, { body: { role: 'admin' } });
    assert.equal(lastOwner.status, 409);
    assert.match(lastOwner.body.detail, /last owner/);
    assert.equal((await owner.api.patch(`/xapi2/members/${adminJoin.body.user.id}`, { body: { role: 'owner' } })).status, 200);
    assert.equal((await owner.api.patch(`/xapi2/members/${owner.user.id}`, { body: { role: 'admin' } })).status, 200, 'with a second owner, the first may step down');
  });
});
