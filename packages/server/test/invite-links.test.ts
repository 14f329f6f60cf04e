/**
 * Invite links are built from the configured public URL (or the address the server listens on),
 * never from a request's Host or X-Forwarded-Host, which anyone can forge.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { describe, test } from 'node:test';
import { configFromEnv } from '../src/config.js';
import { signUp, startServer, type TestServer } from './helpers.js';

/** POSTs JSON over a real socket with the headers as given (fetch will not send a forged Host). */
function post(server: TestServer, path: string, token: string, headers: Record<string, string>, body: unknown): Promise<{ status: number; body: any }> {
  const url = new URL(path, server.url);
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk) => (text += chunk)).on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const FORGED: Array<Record<string, string>> = [{ host: 'evil.example' }, { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http' }];

describe('invite links', () => {
  test('use the configured public URL whatever Host the request claims, even behind a trusted proxy', async () => {
    const server = await startServer({ publicUrl: 'https://board.example.com/team', trustedProxies: ['127.0.0.1'] });
    try {
      const owner = await signUp(server);
      for (const headers of FORGED) {
        const res = await post(server, '/xapi2/invitations', owner.session, headers, { role: 'member' });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        assert.equal(res.body.url, `https://board.example.com/team/invite#token=${res.body.token}`, JSON.stringify(headers));
      }
    } finally {
      await server.close();
    }
  });

  test('fall back to the address the server listens on', async () => {
    const server = await startServer();
    try {
      const owner = await signUp(server);
      for (const headers of FORGED) {
        const res = await post(server, '/xapi2/invitations', owner.session, headers, { role: 'member' });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        assert.equal(res.body.url, `${server.url}/invite#token=${res.body.token}`, JSON.stringify(headers));
      }
    } finally {
      await server.close();
    }
  });

  test('PRODBOARD_PUBLIC_URL must be an http(s) URL without query or fragment', () => {
    assert.equal(configFromEnv({}).publicUrl, undefined);
    assert.equal(configFromEnv({ PRODBOARD_PUBLIC_URL: 'https://board.example.com/' }).publicUrl, 'https://board.example.com');
    assert.equal(configFromEnv({ PRODBOARD_PUBLIC_URL: 'http://10.0.0.5:4747/pb/' }).publicUrl, 'http://10.0.0.5:4747/pb');
    for (const bad of ['board.example.com', 'ftp://board.example.com', 'https://board.example.com/?a=1', 'https://board.example.com/#x', 'https://user:pw@board.example.com']) {
      assert.throws(() => configFromEnv({ PRODBOARD_PUBLIC_URL: bad }), /PRODBOARD_PUBLIC_URL.*https:\/\/board\.example\.com/, bad);
    }
  });
});
