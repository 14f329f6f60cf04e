/**
 * Compression over a real socket: JSON over 1 KiB goes out as brotli or gzip, whichever the client
 * prefers; small bodies and clients that accept nothing go out as they are; the web app's built files
 * are sent from their precompressed copies; the live event stream is never compressed, so each event
 * reaches the client as it happens.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { signUp, startServer, type TestServer } from './helpers.js';

let server: TestServer;
let owner: Awaited<ReturnType<typeof signUp>>;
let root: string;

/** A script large enough to be worth compressing. */
const SCRIPT = `console.log(${JSON.stringify('app '.repeat(2000))});`;

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'prodboard-compress-'));
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Production Board</title><div id="root"></div>');
  writeFileSync(join(root, 'assets', 'index-abc.js'), SCRIPT);
  // The copies a build writes; marked so a test can tell them from on-the-fly compression.
  writeFileSync(join(root, 'assets', 'index-abc.js.br'), brotliCompressSync(`${SCRIPT}//precompressed`));
  writeFileSync(join(root, 'assets', 'index-abc.js.gz'), gzipSync(`${SCRIPT}//precompressed`));
  writeFileSync(join(root, 'assets', 'plain-abc.js'), SCRIPT);
  server = await startServer({ webRoot: root, eventsHeartbeatMs: 60_000 });
  owner = await signUp(server);
});
after(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A GET with exactly these headers (fetch would add its own accept-encoding and decode the body). */
function rawGet(path: string, headers: Record<string, string>): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path, server.url), { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function decode(res: RawResponse): string {
  const encoding = res.headers['content-encoding'];
  if (encoding === 'br') return brotliDecompressSync(res.body).toString('utf8');
  if (encoding === 'gzip') return gunzipSync(res.body).toString('utf8');
  assert.equal(encoding, undefined, `unexpected content-encoding ${encoding}`);
  return res.body.toString('utf8');
}

describe('API JSON', () => {
  test('a large body is sent as brotli or gzip as the client prefers, and decodes to the same JSON', async () => {
    for (let i = 0; i < 12; i++) await owner.api.post('/xapi2/data/card', { body: { title: `Card ${i} with a title long enough to add up`, tags: ['one', 'two'] } });
    const headers = { authorization: `Bearer ${owner.session}`, accept: 'application/json' };
    const plain = await rawGet('/xapi2/data/card?limit=50', headers);
    assert.equal(plain.status, 200);
    assert.equal(plain.headers['content-encoding'], undefined, 'a client that accepts no encoding gets the body as it is');
    assert.ok(plain.body.length > 1024, `the list is over the threshold (${plain.body.length} bytes)`);
    const expected = JSON.parse(plain.body.toString('utf8'));

    const br = await rawGet('/xapi2/data/card?limit=50', { ...headers, 'accept-encoding': 'gzip, deflate, br' });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.match(String(br.headers.vary), /accept-encoding/i);
    assert.ok(br.body.length < plain.body.length / 3, `brotli saves most of it (${br.body.length} of ${plain.body.length} bytes)`);
    assert.deepEqual(JSON.parse(decode(br)), expected);

    const gzip = await rawGet('/xapi2/data/card?limit=50', { ...headers, 'accept-encoding': 'gzip' });
    assert.equal(gzip.headers['content-encoding'], 'gzip');
    assert.deepEqual(JSON.parse(decode(gzip)), expected);

    const refused = await rawGet('/xapi2/data/card?limit=50', { ...headers, 'accept-encoding': 'br;q=0, gzip;q=0' });
    assert.equal(refused.headers['content-encoding'], undefined, 'q=0 refuses an encoding');
  });

  test('small bodies and error bodies under 1 KiB go out uncompressed', async () => {
    const health = await rawGet('/xapi2/health', { 'accept-encoding': 'br, gzip' });
    assert.equal(health.status, 200);
    assert.equal(health.headers['content-encoding'], undefined);
    assert.equal(JSON.parse(health.body.toString('utf8')).ok, true);
    const missing = await rawGet('/xapi2/data/card/0190f5a2-7c1e-7b3d-9a4e-2f1c3d4e5f60', { authorization: `Bearer ${owner.session}`, 'accept-encoding': 'br, gzip' });
    assert.equal(missing.status, 404);
    assert.equal(missing.headers['content-encoding'], undefined);
    assert.equal(JSON.parse(missing.body.toString('utf8')).code, 'not_found');
  });

  test('a large unauthenticated body (the manifest) is compressed as well', async () => {
    const manifest = await rawGet('/xapi2/mcp/manifest', { 'accept-encoding': 'gzip' });
    assert.equal(manifest.status, 200);
    assert.equal(manifest.headers['content-encoding'], 'gzip');
    assert.ok(JSON.parse(decode(manifest)).models);
  });
});

describe('the web app files', () => {
  test('a built file with precompressed copies is sent from the copy the client accepts', async () => {
    const br = await rawGet('/assets/index-abc.js', { 'accept-encoding': 'gzip, br' });
    assert.equal(br.status, 200);
    assert.equal(br.headers['content-encoding'], 'br');
    assert.match(String(br.headers['content-type']), /^text\/javascript/);
    assert.match(String(br.headers.vary), /accept-encoding/i);
    assert.match(String(br.headers['cache-control']), /immutable/);
    assert.equal(decode(br), `${SCRIPT}//precompressed`);

    const gzip = await rawGet('/assets/index-abc.js', { 'accept-encoding': 'gzip' });
    assert.equal(gzip.headers['content-encoding'], 'gzip');
    assert.equal(decode(gzip), `${SCRIPT}//precompressed`);

    const plain = await rawGet('/assets/index-abc.js', {});
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.body.toString('utf8'), SCRIPT);
  });

  test('a file without copies is compressed on the fly', async () => {
    const res = await rawGet('/assets/plain-abc.js', { 'accept-encoding': 'br' });
    assert.equal(res.headers['content-encoding'], 'br');
    assert.equal(decode(res), SCRIPT);
  });
});

describe('the live event stream', () => {
  test('is never compressed, and an event arrives while the stream stays open', { timeout: 60_000 }, async () => {
    const url = new URL('/xapi2/events', server.url);
    url.searchParams.set('access_token', owner.session);
    const received: string[] = [];
    let onData: () => void = () => {};
    const response = await new Promise<{ headers: IncomingHttpHeaders; destroy: () => void }>((resolve, reject) => {
      const req = httpRequest(url, { headers: { accept: 'text/event-stream', 'accept-encoding': 'br, gzip' } }, (res) => {
        res.setEncoding('utf8');
        res.on('data', (text: string) => {
          received.push(text);
          onData();
        });
        resolve({ headers: res.headers, destroy: () => req.destroy() });
      });
      req.on('error', (err) => (err.message === 'socket hang up' ? undefined : reject(err)));
      req.end();
    });
    try {
      assert.equal(response.headers['content-encoding'], undefined);
      assert.match(String(response.headers['content-type']), /^text\/event-stream/);
      const waitFor = async (text: string) => {
        while (!received.join('').includes(text)) await new Promise<void>((resolve) => (onData = resolve));
      };
      await waitFor('event: ready');
      // The heartbeat is a minute away, so only the change itself can make this event arrive.
      await owner.api.post('/xapi2/data/board', { body: { name: 'Streamed uncompressed' } });
      await waitFor('Streamed uncompressed');
    } finally {
      response.destroy();
    }
  });
});
