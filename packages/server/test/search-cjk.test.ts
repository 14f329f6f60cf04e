/**
 * Search finds Chinese, Japanese and Korean words (issue 12), through real HTTP on both stores:
 * CJK runs are indexed as overlapping pairs of characters (foldForSearch), so any part of a run
 * of two or more characters finds it, a single character finds it as a prefix, and Latin search
 * and its ranking are unchanged.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { signUp, startServer, type TestServer } from './helpers.js';

let server: TestServer;
let api: Awaited<ReturnType<typeof signUp>>['api'];
let other: Awaited<ReturnType<typeof signUp>>['api'];

before(async () => {
  server = await startServer();
  api = (await signUp(server)).api;
  other = (await signUp(server)).api;
});
after(() => server.close());

async function create(who: typeof api, type: string, body: Record<string, unknown>): Promise<{ id: string }> {
  const res = await who.post(`/xapi2/data/${type}`, { body });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body as { id: string };
}

async function found(who: typeof api, type: string, q: string): Promise<string[]> {
  const res = await who.get(`/xapi2/data/${type}`, { query: { q } });
  assert.equal(res.status, 200, `q=${q}: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body.data as Array<{ id: string }>).map((o) => o.id);
}

describe('CJK search', () => {
  let zh: { id: string };
  let ja: { id: string };
  let ko: { id: string };
  let desc: { id: string };
  let mixed: { id: string };

  before(async () => {
    zh = await create(api, 'card', { title: '用户登录超时' });
    ja = await create(api, 'card', { title: 'ログインのタイムアウトを調査する' });
    ko = await create(api, 'card', { title: '로그인 시간 초과 문제' });
    desc = await create(api, 'card', { title: 'Session bug', description: '移动端登录超时后白屏' });
    mixed = await create(api, 'card', { title: 'API网关升级' });
    await create(api, 'card', { title: '用户注册' }); // shares 用户 only
    await create(other, 'card', { title: '用户登录超时' }); // another workspace: never found
  });

  test('a Chinese word inside a run finds the card; title matches rank first', async () => {
    assert.deepEqual(await found(api, 'card', '登录超时'), [zh.id, desc.id]);
    assert.deepEqual(await found(api, 'card', '用户登录超时'), [zh.id]);
    assert.deepEqual(await found(api, 'card', '超时'), [zh.id, desc.id]);
    assert.deepEqual(await found(api, 'card', '白屏'), [desc.id]);
  });

  test('every pair must match: characters in another order find nothing', async () => {
    assert.deepEqual(await found(api, 'card', '超时登录'), []);
    assert.deepEqual(await found(api, 'card', '登录 注册'), []);
  });

  test('a single character finds the words starting with it, and a run that ends with it', async () => {
    assert.deepEqual((await found(api, 'card', '登')).sort(), [zh.id, desc.id].sort());
    assert.deepEqual((await found(api, 'card', '屏')), [desc.id]);
  });

  test('Japanese (kana and kanji) and Korean', async () => {
    assert.deepEqual(await found(api, 'card', 'タイムアウト'), [ja.id]);
    assert.deepEqual(await found(api, 'card', '調査'), [ja.id]);
    assert.deepEqual(await found(api, 'card', 'ﾀｲﾑｱｳﾄ'), [ja.id], 'half-width katakana folds to full-width');
    assert.deepEqual(await found(api, 'card', '로그인'), [ko.id]);
    assert.deepEqual(await found(api, 'card', '초과'), [ko.id]);
  });

  test('Latin letters next to CJK are their own word', async () => {
    assert.deepEqual(await found(api, 'card', 'api'), [mixed.id]);
    assert.deepEqual(await found(api, 'card', '网关'), [mixed.id]);
    assert.deepEqual(await found(api, 'card', 'API网关'), [mixed.id]);
  });

  test('updates re-index; boards are searched too', async () => {
    const res = await api.patch(`/xapi2/data/card/${zh.id}`, { body: { title: '用户退出' } });
    assert.equal(res.status, 200);
    assert.deepEqual(await found(api, 'card', '登录超时'), [desc.id]);
    assert.deepEqual(await found(api, 'card', '退出'), [zh.id]);
    const board = await create(api, 'board', { name: '产品路线图' });
    assert.deepEqual(await found(api, 'board', '路线'), [board.id]);
  });
});
