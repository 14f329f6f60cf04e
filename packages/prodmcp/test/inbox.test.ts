/**
 * Cards without a board through the tools, as through the API and the web app's Inbox: card_create
 * without board_id makes one (as the reference client does), and card_list with filter board_id ""
 * lists exactly those.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { makeToken, signUp, startServer, type TestServer } from '../../server/test/helpers.js';
import { connectSdkClient, freshHome, okResult, prodmcpEnv, type SdkConnection } from './support.js';

let server: TestServer;
let home: string;
let mcp: SdkConnection;

before(async () => {
  server = await startServer();
  const user = await signUp(server);
  const { token } = await makeToken(server, user, 'board:write,card:write');
  home = freshHome();
  mcp = await connectSdkClient(prodmcpEnv(home, server.url, { PRODMCP_TOKEN: token }), 'modern');
});
after(async () => {
  await mcp?.close();
  await server?.close();
  rmSync(home, { recursive: true, force: true });
});

const ok = async (name: string, args: Record<string, unknown>) => okResult(await mcp.client.callTool({ name, arguments: args }));

test('card_list {filter: {board_id: ""}} lists the cards without a board, however they lost it', async () => {
  const board = await ok('board_create', { name: 'Tools board' });
  const onBoard = await ok('card_create', { title: 'On the board', board_id: board.id });
  const loose = await ok('card_create', { title: 'Made without a board' });
  const cleared = await ok('card_create', { title: 'Board cleared', board_id: board.id });
  await ok('card_update', { id: cleared.id, board_id: null });

  const inbox = await ok('card_list', { filter: { board_id: '' } });
  assert.deepEqual(inbox.data.map((c: { id: string }) => c.id).sort(), [loose.id, cleared.id].sort());
  const both = await ok('card_list', { filter: { board_id: ['', board.id] } });
  assert.deepEqual(both.data.map((c: { id: string }) => c.id).sort(), [onBoard.id, loose.id, cleared.id].sort());
});
