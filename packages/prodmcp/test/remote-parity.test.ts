/**
 * One tool layer, two transports: prodmcp over stdio (tools over the HTTP API) and the server's
 * /mcp over Streamable HTTP (tools in process) list the same tools with the same schemas and
 * answer every call with the same result, failures included.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { makeToken, signUp, startServer, type TestServer } from '../../server/test/helpers.js';
import { connectSdkClient, freshHome, prodmcpEnv, type SdkConnection } from './support.js';

let server: TestServer;
let home: string;
let stdio: SdkConnection;
let remote: Client;

before(async () => {
  server = await startServer();
  const user = await signUp(server);
  const { token } = await makeToken(server, user, 'board:write,card:write');
  home = freshHome();
  stdio = await connectSdkClient(prodmcpEnv(home, server.url, { PRODMCP_TOKEN: token }), 'modern');
  remote = new Client({ name: 'parity', version: '0.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  await remote.connect(new StreamableHTTPClientTransport(new URL('/mcp?toolsets=reference', server.url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
});

after(async () => {
  await stdio?.close();
  await remote?.close();
  await server?.close();
  rmSync(home, { recursive: true, force: true });
});

test('tools/list: the same names, descriptions, schemas and annotations', async () => {
  assert.deepEqual((await remote.listTools()).tools, (await stdio.client.listTools()).tools);
  assert.equal(remote.getInstructions(), stdio.client.getInstructions());
});

test('the same result for every read, and for failures', async () => {
  const board = (await remote.callTool({ name: 'board_create', arguments: { name: 'Parity', columns: 'To do, Done' } })).structuredContent as any;
  const card = (await stdio.client.callTool({ name: 'card_create', arguments: { title: 'Both ways', board_id: board.id, priority: 'high' } })).structuredContent as any;
  const calls: Array<[string, Record<string, unknown>]> = [
    ['whoami', {}],
    ['board_get', { id: board.id }],
    ['card_get', { id: card.id }],
    ['card_list', { filter: { board_id: board.id } }],
    ['card_list', { all: true, sort: '-title' }],
    ['card_get', { id: randomUUID() }],
    ['card_list', { filter: { status: 'nowhere', board_id: 'not-a-uuid' } }],
    ['card_create', { title: 'x', board_id: randomUUID() }],
    ['card_update', { id: card.id, status: 'nowhere' }],
    ['card_list', { limit: 0 }],
  ];
  for (const [name, args] of calls) {
    // _meta names the server that answered (prodmcp or prodboard): everything else is the same.
    const { _meta: _stdioMeta, ...viaStdio } = await stdio.client.callTool({ name, arguments: args });
    const { _meta: _httpMeta, ...viaHttp } = await remote.callTool({ name, arguments: args });
    assert.deepEqual(viaHttp, viaStdio, `${name} ${JSON.stringify(args)}`);
  }
});
