/**
 * The prodmcp command line, verb by verb, as a person runs it against a real server: login (a
 * personal access token, or email and password from the prompt), whoami, version, tools, doctor,
 * logout, and the files they leave in ~/.prodmcp (directory 0700, files 0600).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeToken, request, signUp, startServer, type TestServer } from '../../server/test/helpers.js';
import { freshHome, prodmcpEnv, runCli } from './support.js';

describe('prodmcp CLI verbs', () => {
  let server: TestServer;
  let user: Awaited<ReturnType<typeof signUp>>;
  let pat: string;
  const homes: string[] = [];
  const home = () => {
    const dir = freshHome();
    homes.push(dir);
    return dir;
  };
  const mode = (path: string) => statSync(path).mode & 0o777;

  before(async () => {
    server = await startServer();
    user = await signUp(server);
    pat = (await makeToken(server, user, 'board:read,card:write')).token;
  });

  after(async () => {
    await server?.close();
    for (const dir of homes) rmSync(dir, { recursive: true, force: true });
  });

  test('login --token checks the token against /xapi2/auth/me, then saves it: dir 0700, file 0600', async () => {
    const dir = home();
    const env = prodmcpEnv(dir, server.url);
    const result = await runCli(['login', '--token', pat], env);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, new RegExp(`signed in as ${user.email} \\(personal access token\\)`));
    const file = join(dir, '.prodmcp', 'credentials.json');
    assert.equal(mode(join(dir, '.prodmcp')), 0o700);
    assert.equal(mode(file), 0o600);
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(saved.token, pat);
    assert.equal(saved.kind, 'pat');
    assert.equal(saved.email, user.email);
    assert.equal(saved.base_url, server.url);

    const who = await runCli(['whoami'], env);
    assert.equal(who.code, 0, who.stderr);
    const me = JSON.parse(who.stdout);
    assert.equal(me.email, user.email);
    assert.equal(me.scope_string, 'board:read,card:write');
  });

  test('login refuses a bad token and saves nothing', async () => {
    const dir = home();
    const result = await runCli(['login', '--token', 'pat_not_a_real_token'], prodmcpEnv(dir, server.url));
    assert.equal(result.code, 1);
    assert.match(result.stderr, /login failed: this token is not valid/);
    assert.equal(existsSync(join(dir, '.prodmcp', 'credentials.json')), false);
  });

  test('login with email and password from the prompt; logout ends the session on the server too', async () => {
    const dir = home();
    const env = prodmcpEnv(dir, server.url);
    const result = await runCli(['login'], env, { input: `\n${user.email}\n${user.password}\n` });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /Personal access token \(pat_\.\.\., or press Enter to sign in with email and password\): Email: Password: /);
    const saved = JSON.parse(readFileSync(join(dir, '.prodmcp', 'credentials.json'), 'utf8'));
    assert.equal(saved.kind, 'session');
    assert.equal((await request(server, 'GET', '/xapi2/auth/me', { token: saved.token })).status, 200);

    const out = await runCli(['logout'], env);
    assert.equal(out.code, 0);
    assert.match(out.stderr, /signed out/);
    assert.equal(existsSync(join(dir, '.prodmcp', 'credentials.json')), false);
    assert.equal((await request(server, 'GET', '/xapi2/auth/me', { token: saved.token })).status, 401, 'the session no longer works');
    const again = await runCli(['logout'], env);
    assert.match(again.stderr, /not signed in/);
  });

  test('login with a wrong password fails with the server\'s message; input ending early cancels', async () => {
    const dir = home();
    const env = prodmcpEnv(dir, server.url);
    const wrong = await runCli(['login', '--email', user.email], env, { input: 'not the password\n' });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /login failed: email or password is wrong/);
    const cancelled = await runCli(['login'], env, { input: '' });
    assert.equal(cancelled.code, 130);
    assert.equal(existsSync(join(dir, '.prodmcp', 'credentials.json')), false);
  });

  test('whoami without a token exits 3 and says how to sign in', async () => {
    const result = await runCli(['whoami'], prodmcpEnv(home(), server.url));
    assert.equal(result.code, 3);
    assert.match(result.stderr, /not signed in: set PRODMCP_TOKEN=pat_\.\.\. in the MCP host config/);
  });

  test('PRODMCP_TOKEN wins over the saved token', async () => {
    const dir = home();
    const other = await signUp(server);
    const otherPat = (await makeToken(server, other)).token;
    assert.equal((await runCli(['login', '--token', pat], prodmcpEnv(dir, server.url))).code, 0);
    const who = await runCli(['whoami'], prodmcpEnv(dir, server.url, { PRODMCP_TOKEN: otherPat }));
    assert.equal(JSON.parse(who.stdout).email, other.email);
  });

  test('a saved token is never sent to another server', async () => {
    const dir = home();
    assert.equal((await runCli(['login', '--token', pat], prodmcpEnv(dir, server.url))).code, 0);
    const elsewhere = await runCli(['whoami'], prodmcpEnv(dir, 'http://127.0.0.1:9'));
    assert.equal(elsewhere.code, 3, 'treated as not signed in');
  });

  test('version and tools', async () => {
    const env = prodmcpEnv(home(), server.url);
    const version = await runCli(['version'], env);
    assert.equal(version.code, 0);
    assert.deepEqual(version.stdout.trim().split('\n'), [
      'prodmcp 1.1.0', `server: ${server.url}`, 'app: Production Board (prod)', 'models: 2', 'tools: 11', 'manifest: server',
    ]);
    assert.equal((await runCli(['--version'], env)).stdout.trim(), 'prodmcp 1.1.0');
    const tools = await runCli(['tools'], env);
    assert.equal(tools.code, 0);
    const catalogue = JSON.parse(tools.stdout);
    assert.equal(catalogue.length, 11);
    assert.deepEqual(Object.keys(catalogue[0]), ['name', 'title', 'description', 'inputSchema', 'annotations']);
  });

  test('doctor: a healthy setup, then a server that is down', async () => {
    const dir = home();
    const env = prodmcpEnv(dir, server.url, { PRODMCP_TOKEN: pat });
    const ok = await runCli(['doctor'], env);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    const lines = ok.stdout.split('\n');
    assert.match(lines[0], /^prodmcp 1\.1\.0 \(node v\d+/);
    assert.ok(lines.includes(`server: ${server.url}`));
    assert.ok(lines.includes('token: set (PRODMCP_TOKEN, personal access token)'));
    assert.ok(lines.some((l) => /^upstream: ok \(it distributes .*\)$/.test(l)));
    assert.ok(lines.some((l) => l.startsWith(`identity: ${user.email} (owner in workspace`) && l.includes('token scopes: board:read,card:write')));
    assert.ok(lines.some((l) => /^manifest: board, card from the server, fetched just now$/.test(l)));
    assert.ok(lines.includes('tools: 11'));
    assert.ok(lines.includes(' - card_list'));
    assert.ok(lines.includes('result: ok'));

    const down = await runCli(['doctor'], prodmcpEnv(home(), 'http://127.0.0.1:9'));
    assert.equal(down.code, 1);
    assert.match(down.stdout, /upstream: FAIL - cannot reach the prodboard server at http:\/\/127\.0\.0\.1:9/);
    assert.match(down.stdout, /token: NOT SET/);
    assert.match(down.stdout, /manifest: board, card from the built-in/);
    assert.match(down.stdout, /result: FAIL/);
  });

  test('doctor without a token: FAIL, exit 1, and how to set one, even when the server is up', async () => {
    const result = await runCli(['doctor'], prodmcpEnv(home(), server.url));
    assert.equal(result.code, 1, result.stdout + result.stderr);
    const lines = result.stdout.split('\n');
    assert.ok(lines.some((l) => /^upstream: ok /.test(l)), 'the server itself is fine');
    assert.ok(lines.includes('token: NOT SET: set PRODMCP_TOKEN=pat_... in the MCP host config, or run `prodmcp login`'));
    assert.ok(lines.some((l) => l.startsWith('identity: FAIL - no token: set PRODMCP_TOKEN=pat_... in the MCP host config')), result.stdout);
    assert.ok(lines.includes('result: FAIL (see above)'));
    assert.ok(!lines.includes('result: ok'));
  });

  test('help, an unknown verb and a bad setting', async () => {
    const env = prodmcpEnv(home(), server.url);
    const help = await runCli(['--help'], env);
    assert.equal(help.code, 0);
    for (const verb of ['serve', 'login', 'logout', 'whoami', 'version', 'tools', 'doctor', 'update']) assert.match(help.stdout, new RegExp(`^  ${verb} `, 'm'));
    const unknown = await runCli(['explode'], env);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "explode"/);
    const badFlag = await runCli(['whoami', '--loud'], env);
    assert.equal(badFlag.code, 2);
    const badUrl = await runCli(['version'], { ...env, PRODMCP_BASE_URL: 'ftp://example.com' });
    assert.equal(badUrl.code, 2);
    assert.match(badUrl.stderr, /PRODMCP_BASE_URL must start with http:\/\/ or https:\/\//);
  });
});
