/**
 * Bad input through HTTP: every malformed, oversize, mistyped or hostile request gets the right 4xx
 * with the contract's error body ({detail, i18n.en, code, errors[]}) naming the field and the fix,
 * leaks no JS internals, never becomes a 5xx, and changes nothing. Hostile but valid strings are
 * stored and returned byte for byte. Telemetry intake is size-limited, rate-limited and scrubbed.
 */
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { ACCENTS, PRIORITIES } from '@prodboard/shared';
import { buildApp } from '../src/app.js';
import { configFromEnv } from '../src/config.js';
import { openTestStore, request, signUp, startServer, type ApiResponse, type RequestOptions, type TestServer } from './helpers.js';

let server: TestServer;
let api: Awaited<ReturnType<typeof signUp>>['api'];
let board: any;
let card: any;

before(async () => {
  server = await startServer();
  ({ api } = await signUp(server));
  board = (await api.post('/xapi2/data/board', { body: { name: 'Fixture board', columns: 'To do, Doing, Done' } })).body;
  card = (await api.post('/xapi2/data/card', { body: { title: 'Fixture card', board_id: board.id, priority: 'low', tags: ['keep'] } })).body;
  assert.equal(card.data.status, 'to_do');
});
after(() => server.close());

const JSON_TYPE = { 'content-type': 'application/json' };
const raw = (text: string | Buffer, headers: Record<string, string> = JSON_TYPE): RequestOptions => ({ raw: text, headers });

interface Expect {
  code?: string;
  /** A field that must be named in `errors[]` (exactly, or matching). */
  field?: string | RegExp;
  /** What the detail must say (the fix). */
  detail?: RegExp;
}

/** The contract's error body, the right status, and nothing of JS internals. */
function assertError(res: ApiResponse, status: number, expect: Expect = {}, label = ''): void {
  const where = `${label} → ${res.status} ${typeof res.body === 'string' ? res.body.slice(0, 300) : JSON.stringify(res.body).slice(0, 300)}`;
  assert.ok(res.status < 500, `a 5xx for bad input: ${where}`);
  assert.equal(res.status, status, where);
  assert.match(res.headers.get('content-type') ?? '', /application\/json/, where);
  const body = res.body;
  assert.ok(body !== null && typeof body === 'object' && !Array.isArray(body), where);
  assert.equal(typeof body.detail, 'string', `detail: ${where}`);
  assert.ok(body.detail.length > 0, where);
  assert.equal(body.i18n?.en, body.detail, `i18n.en: ${where}`);
  assert.equal(typeof body.code, 'string', `code: ${where}`);
  if (expect.code) assert.equal(body.code, expect.code, where);
  assert.ok(Array.isArray(body.errors), `errors[]: ${where}`);
  for (const e of body.errors) {
    assert.equal(typeof e.field, 'string', where);
    assert.equal(typeof e.message, 'string', where);
    assert.ok(e.message.length > 0, where);
  }
  if (expect.field !== undefined) {
    const f = expect.field;
    assert.ok(
      body.errors.some((e: { field: string }) => (typeof f === 'string' ? e.field === f : f.test(e.field))),
      `errors[] must name ${String(f)}: ${where}`,
    );
  }
  if (expect.detail) assert.match(body.detail, expect.detail, where);
  const text = JSON.stringify(body);
  assert.doesNotMatch(text, /Error:/, `JS error text leaked: ${where}`);
  assert.doesNotMatch(text, /\n\s+at |\bat [^ ]+ \([^)]*:\d+:\d+\)|node_modules|\.ts:\d+|\.js:\d+/, `stack trace leaked: ${where}`);
  assert.ok(text.length < 8_000, `the error echoes too much input (${text.length} chars): ${label}`);
}

/** Runs every case, then fails once listing every case that failed (so one bug does not hide the others). */
async function everyCase<T>(cases: readonly T[], label: (c: T) => string, run: (c: T) => Promise<void>): Promise<void> {
  const failures: string[] = [];
  for (const c of cases) {
    try {
      await run(c);
    } catch (err) {
      failures.push(`${label(c)}: ${(err as Error).message.split('\n')[0].slice(0, 400)}`);
    }
  }
  assert.equal(failures.length, 0, `${failures.length} of ${cases.length} cases failed:\n${failures.join('\n')}`);
}

/** A count(*) AS n query, on whichever store the suite runs. */
const count = async (s: TestServer, sql: string, ...params: unknown[]) => Number((await s.query<{ n: unknown }>(sql, ...params))[0].n);

/** Everything a write could have touched. */
async function snapshot(): Promise<string> {
  return JSON.stringify({
    objects: await server.query('SELECT id, type, status, is_archived, is_deleted, updated_at, version, deleted_at, data FROM objects ORDER BY id'),
    activity: await count(server, 'SELECT count(*) AS n FROM activity'),
    idempotency: await count(server, 'SELECT count(*) AS n FROM idempotency_keys'),
  });
}

/** Runs the calls and asserts the database is exactly as before. */
async function unchanged(label: string, calls: () => Promise<void>): Promise<void> {
  const before = await snapshot();
  let failure: unknown;
  try {
    await calls();
  } catch (err) {
    failure = err;
  }
  // Checked even when a call failed: a wrong status must not hide a write that happened anyway.
  const changed = (await snapshot()) !== before;
  if (changed) {
    const also = failure ? `; also: ${(failure as Error).message.slice(0, 2000)}` : '';
    assert.fail(`${label} changed stored data${also}`);
  }
  if (failure) throw failure;
}

describe('the body is not a JSON object', () => {
  test('malformed JSON is a 400 invalid_json saying to send JSON', async () => {
    await unchanged('malformed JSON', async () => {
      for (const text of ['{"title":', "{'title': 'x'}", '{"title": "x",}', '{"title": "x"} trailing', 'title=x', '{"title": undefined}', '\u0000']) {
        assertError(await api.post('/xapi2/data/card', raw(text)), 400, { code: 'invalid_json', detail: /JSON/ }, `POST ${text}`);
        assertError(await api.patch(`/xapi2/data/card/${card.id}`, raw(text)), 400, { code: 'invalid_json', detail: /JSON/ }, `PATCH ${text}`);
      }
    });
  });

  test('a non-JSON content type is a 415 saying to send application/json', async () => {
    await unchanged('non-JSON content type', async () => {
      const cases: Array<[method: string, path: string, type: string]> = [];
      for (const type of ['text/plain', 'text/html', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data; boundary=x']) {
        cases.push(['POST', '/xapi2/data/card', type], ['PATCH', `/xapi2/data/card/${card.id}`, type]);
      }
      cases.push(['POST', '/xapi2/analytics/track', 'text/plain'], ['POST', '/xapi2/tokens', 'text/plain']);
      await everyCase(cases, ([method, path, type]) => `${method} ${path} as ${type}`, async ([method, path, type]) => {
        const res = await request(server, method, path, { token: api.token, raw: '{"title":"Sent as text","name":"t","events":[{"type":"x"}]}', headers: { 'content-type': type } });
        assertError(res, 415, { code: 'unsupported_media_type', detail: /application\/json/ });
      });
    });
  });

  test('a body over 1 MiB is a 413', async () => {
    const big = JSON.stringify({ title: 'Too big', description: 'x'.repeat(1024 * 1024) });
    await unchanged('oversize body', async () => {
      assertError(await api.post('/xapi2/data/card', raw(big)), 413, { code: 'payload_too_large', detail: /1024 KiB|1 MiB/ }, 'POST');
      assertError(await api.patch(`/xapi2/data/card/${card.id}`, raw(big)), 413, { code: 'payload_too_large' }, 'PATCH');
    });
    // Just under the limit is read (and then refused by field validation, not by size).
    const under = JSON.stringify({ title: 'Big but fits', description: 'x'.repeat(1000 * 1024) });
    assertError(await api.post('/xapi2/data/card', raw(under)), 400, { field: 'description', detail: /at most 4000/ }, 'under the limit');
  });

  test('a JSON array, string, number, boolean, null or empty body is a 400 asking for an object', async () => {
    await unchanged('non-object bodies', async () => {
      for (const text of ['[{"title":"x"}]', '[]', '"a title"', '42', 'true', 'null', '']) {
        assertError(await api.post('/xapi2/data/card', raw(text)), 400, { code: 'validation_failed', field: 'body', detail: /JSON object/ }, `POST ${text}`);
        assertError(await api.patch(`/xapi2/data/card/${card.id}`, raw(text)), 400, { code: 'validation_failed', field: 'body' }, `PATCH ${text}`);
        assertError(await api.post('/xapi2/data/board', raw(text)), 400, { field: 'body', detail: /"name"/ }, `POST board ${text}`);
      }
      assertError(await api.patch(`/xapi2/data/card/${card.id}`, { body: {} }), 400, { field: 'body', detail: /nothing to update.*title/ }, 'empty PATCH');
    });
  });
});

describe('fields', () => {
  test('unknown fields are a 400 naming the field and listing the allowed ones', async () => {
    await unchanged('unknown fields', async () => {
      for (const key of ['foo', 'Title', 'id', 'version', 'owned_by', 'is_deleted', 'created_at', 'data', 'is_archived']) {
        const res = await api.post('/xapi2/data/card', { body: { title: 'x', [key]: 'v' } });
        assertError(res, 400, { code: 'validation_failed', field: key, detail: new RegExp(`unknown field "${key}".*allowed fields: title, description, status`) }, `card ${key}`);
      }
      assertError(await api.post('/xapi2/data/board', { body: { name: 'x', colums: 'A,B' } }), 400, { field: 'colums', detail: /allowed fields: name, description, accent, settings, tags, columns/ });
      const patch = await api.patch(`/xapi2/data/card/${card.id}`, { body: { title: 'ok', assigne: 'ada' } });
      assertError(patch, 400, { field: 'assigne', detail: /allowed fields: .*is_archived/ }, 'PATCH');
      assertError(await api.patch(`/xapi2/data/card/${card.id}`, { body: { is_archived: 'yes' } }), 400, { field: 'is_archived', detail: /true or false/ });
    });
  });

  test('every problem of a body is reported at once', async () => {
    await unchanged('several problems', async () => {
      const res = await api.post('/xapi2/data/card', { body: { title: 5, priority: 'urgent', due_date: 'soon', foo: 1 } });
      assertError(res, 400, { code: 'validation_failed' });
      assert.deepEqual(res.body.errors.map((e: { field: string }) => e.field).sort(), ['due_date', 'foo', 'priority', 'title']);
      const missing = await api.post('/xapi2/data/board', { body: { description: 'no name' } });
      assertError(missing, 400, { field: 'name', detail: /name is required/ });
    });
  });

  test('wrong types for each field type are a 400 naming the field and the expected type', async () => {
    const cases: Array<[type: string, body: Record<string, unknown>, field: string | RegExp, detail: RegExp]> = [
      // string
      ['card', { title: 42 }, 'title', /title must be a string/],
      ['card', { title: ['a'] }, 'title', /title must be a string/],
      ['card', { title: 'x', description: true }, 'description', /description must be a string/],
      ['card', { title: 'x', assignee: { name: 'ada' } }, 'assignee', /assignee must be a string/],
      ['card', { title: 'x', due_date: 20261231 }, 'due_date', /due_date must be a string/],
      ['card', { title: 'x', board_id: 7 }, 'board_id', /board_id must be a string/],
      ['card', { title: 'x', status: false }, 'status', /status must be a string/],
      ['board', { name: 1 }, 'name', /name must be a string/],
      ['card', { title: '   ' }, 'title', /title must not be empty/],
      // number
      ['card', { title: 'x', position: '10' }, 'position', /position must be a number/],
      ['card', { title: 'x', position: [1] }, 'position', /position must be a number/],
      ['card', { title: 'x', position: true }, 'position', /position must be a number/],
      // enum
      ['card', { title: 'x', priority: 2 }, 'priority', /priority must be one of: low, medium, high or critical/],
      ['board', { name: 'x', accent: 3 }, 'accent', /accent must be one of: slate/],
      // tags
      ['card', { title: 'x', tags: 'bug, ui' }, 'tags', /tags must be an array of strings/],
      ['card', { title: 'x', tags: { bug: true } }, 'tags', /tags must be an array of strings/],
      ['card', { title: 'x', tags: ['ok', 5] }, 'tags[1]', /each of tags must be a string/],
      ['card', { title: 'x', tags: ['ok', '  '] }, 'tags[1]', /each of tags must be 1-64 characters/],
      ['card', { title: 'x', tags: ['t'.repeat(65)] }, 'tags[0]', /1-64 characters/],
      ['card', { title: 'x', tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }, 'tags', /at most 50 tags/],
      ['board', { name: 'x', tags: [null] }, 'tags[0]', /must be a string/],
      // dict
      ['board', { name: 'x', settings: 'dark' }, 'settings', /settings must be a JSON object/],
      ['board', { name: 'x', settings: [1, 2] }, 'settings', /settings must be a JSON object/],
      ['board', { name: 'x', settings: 5 }, 'settings', /settings must be a JSON object/],
      ['board', { name: 'x', settings: { blob: 'x'.repeat(17 * 1024) } }, 'settings', /at most 16384 bytes/],
      // columns
      ['board', { name: 'x', columns: 5 }, 'columns', /columns must be a list.*comma-separated/],
      ['board', { name: 'x', columns: true }, 'columns', /columns must be a list/],
      ['board', { name: 'x', columns: { todo: 'To do' } }, 'columns', /columns must be a list/],
      ['board', { name: 'x', columns: [] }, 'columns', /at least one column/],
      ['board', { name: 'x', columns: '' }, 'columns', /at least one column/],
      ['board', { name: 'x', columns: '[{"name": "A"' }, 'columns', /looks like JSON but does not parse/],
      ['board', { name: 'x', columns: [5] }, 'columns[0]', /must be a name or an object/],
      ['board', { name: 'x', columns: [null] }, 'columns[0]', /must be a name or an object/],
      ['board', { name: 'x', columns: [{ name: 5 }] }, 'columns[0].name', /non-empty string/],
      ['board', { name: 'x', columns: [{ key: 'a' }] }, 'columns[0].name', /non-empty string/],
      ['board', { name: 'x', columns: [{ name: 'A', key: 7 }] }, 'columns[0].key', /a-z, 0-9/],
      ['board', { name: 'x', columns: [{ name: 'A', key: 'Bad Key!' }] }, 'columns[0].key', /a-z, 0-9/],
      ['board', { name: 'x', columns: [{ name: 'A', key: 'a' }, { name: 'B', key: 'a' }] }, 'columns[1].key', /used twice/],
      ['board', { name: 'x', columns: [{ name: 'A', wip_limit: '3' }] }, 'columns[0].wip_limit', /whole number/],
      ['board', { name: 'x', columns: [{ name: 'A', wip_limit: 0 }] }, 'columns[0].wip_limit', /whole number from 1/],
      ['board', { name: 'x', columns: [{ name: 'A', colour: 'red' }] }, 'columns[0]', /unknown field colour/],
      ['board', { name: 'x', columns: [{ name: 'x'.repeat(101) }] }, 'columns[0].name', /at most 100/],
      ['board', { name: 'x', columns: Array.from({ length: 51 }, (_, i) => `C${i}`) }, 'columns', /at most 50 columns/],
    ];
    await unchanged('wrong types', async () => {
      for (const [type, body, field, detail] of cases) {
        const label = `${type} ${JSON.stringify(body).slice(0, 80)}`;
        assertError(await api.post(`/xapi2/data/${type}`, { body }), 400, { code: 'validation_failed', field, detail }, `POST ${label}`);
        const { title: _t, name: _n, ...patch } = body;
        if (Object.keys(patch).length > 0) {
          const target = type === 'card' ? card.id : board.id;
          assertError(await api.patch(`/xapi2/data/${type}/${target}`, { body: patch }), 400, { field, detail }, `PATCH ${label}`);
        }
      }
      // A number too large for a double parses to Infinity: refused, not stored as null.
      assertError(await api.post('/xapi2/data/card', raw('{"title":"x","position":1e400}')), 400, { field: 'position', detail: /position must be a/ });
    });
  });

  test('a settings object nested deeper than the store can hold is a 400, not a 5xx', async () => {
    await unchanged('deep settings', async () => {
      const cases: Array<[string, () => Promise<ApiResponse>]> = [];
      for (const depth of [1_000, 5_000]) {
        const objects = `{"name":"deep","settings":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`;
        const arrays = `{"name":"deep","settings":{"a":${'['.repeat(depth)}${']'.repeat(depth)}}}`;
        const patch = `{"settings":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`;
        cases.push(
          [`POST objects ${depth} deep`, () => api.post('/xapi2/data/board', raw(objects))],
          [`POST arrays ${depth} deep`, () => api.post('/xapi2/data/board', raw(arrays))],
          [`PATCH objects ${depth} deep`, () => api.patch(`/xapi2/data/board/${board.id}`, raw(patch))],
        );
      }
      await everyCase(cases, ([label]) => label, async ([, call]) => assertError(await call(), 400, { code: 'validation_failed', field: 'settings' }));
    });
  });

  test('strings over max_len are a 400 stating the limit; the limit itself is accepted', async () => {
    const cases: Array<[type: string, field: string, max: number]> = [
      ['card', 'title', 200],
      ['card', 'description', 4000],
      ['card', 'assignee', 64],
      ['card', 'status', 64],
      ['board', 'name', 200],
      ['board', 'description', 2000],
    ];
    for (const [type, field, max] of cases) {
      const base = type === 'card' ? { title: 'len' } : { name: 'len' };
      await unchanged(`${type}.${field} over max`, async () => {
        const res = await api.post(`/xapi2/data/${type}`, { body: { ...base, [field]: 'y'.repeat(max + 1) } });
        assertError(res, 400, { code: 'validation_failed', field, detail: new RegExp(`${field} must be at most ${max} characters \\(got ${max + 1}\\)`) }, `${type}.${field}`);
        const target = type === 'card' ? card.id : board.id;
        assertError(await api.patch(`/xapi2/data/${type}/${target}`, { body: { [field]: 'y'.repeat(max + 1) } }), 400, { field }, `PATCH ${type}.${field}`);
      });
      const ok = await api.post(`/xapi2/data/${type}`, { body: { ...base, [field]: 'y'.repeat(max) } });
      assert.equal(ok.status, 201, `${type}.${field} of exactly ${max}: ${JSON.stringify(ok.body).slice(0, 200)}`);
      assert.equal(ok.body.data[field], 'y'.repeat(max));
    }
    await unchanged('due_date and board_id over max', async () => {
      assertError(await api.post('/xapi2/data/card', { body: { title: 'x', due_date: '2026-12-31T17:00:00.000000000+01:00' } }), 400, { field: 'due_date', detail: /at most 32/ });
      assertError(await api.post('/xapi2/data/card', { body: { title: 'x', board_id: 'b'.repeat(65) } }), 400, { field: 'board_id', detail: /at most 64/ });
    });
  });

  test('a 10,000-character title is a 400 that does not echo it back', async () => {
    const title = 'T'.repeat(10_000);
    await unchanged('10k title', async () => {
      for (const res of [await api.post('/xapi2/data/card', { body: { title } }), await api.patch(`/xapi2/data/card/${card.id}`, { body: { title } })]) {
        assertError(res, 400, { code: 'validation_failed', field: 'title', detail: /at most 200 characters \(got 10000\)/ });
        assert.ok(JSON.stringify(res.body).length < 1000, 'the error does not repeat the input');
        assert.equal(JSON.stringify(res.body).includes('T'.repeat(201)), false);
      }
    });
  });

  test('an enum value not in the list is a 400 that lists the values', async () => {
    await unchanged('enum', async () => {
      for (const value of ['urgent', 'HIGH', '', 'low ']) {
        const res = await api.post('/xapi2/data/card', { body: { title: 'x', priority: value } });
        assertError(res, 400, { field: 'priority', detail: /priority must be one of: low, medium, high or critical/ }, `priority ${value}`);
        for (const p of PRIORITIES) assert.ok(res.body.errors[0].message.includes(p));
      }
      assertError(await api.patch(`/xapi2/data/card/${card.id}`, { body: { priority: 'urgent' } }), 400, { field: 'priority', detail: /low, medium, high or critical/ });
      const accent = await api.post('/xapi2/data/board', { body: { name: 'x', accent: 'pink' } });
      assertError(accent, 400, { field: 'accent' });
      for (const colour of ACCENTS) assert.match(accent.body.detail, new RegExp(`\\b${colour}\\b`));
      assertError(await api.patch(`/xapi2/data/board/${board.id}`, { body: { accent: 'pink' } }), 400, { field: 'accent', detail: /slate.*red/ });
    });
  });

  test('a due_date that is not an ISO 8601 date, or not a real day, is a 400 with an example', async () => {
    await unchanged('due_date', async () => {
      for (const due of ['next friday', '2026-02-30', '2025-02-29', '2026-13-01', '2026-12-32', '2026-00-10', '31/12/2026', '2026/12/31', '12-31-2026', '2026-12-31T24:00:00Z', '2026-12-31T12:60:00Z', '2026-12-31Tnoon', 'Thu, 31 Dec 2026 17:00:00 GMT']) {
        const res = await api.post('/xapi2/data/card', { body: { title: 'x', due_date: due } });
        assertError(res, 400, { code: 'validation_failed', field: 'due_date', detail: /ISO 8601 date such as 2026-12-31/ }, `due_date ${due}`);
        assertError(await api.patch(`/xapi2/data/card/${card.id}`, { body: { due_date: due } }), 400, { field: 'due_date' }, `PATCH due_date ${due}`);
      }
    });
    for (const due of ['2026-12-31', '2028-02-29', '2026-12-31T17:00:00Z', '2026-12-31T17:00Z', '2026-12-31T17:00:00.123+02:00']) {
      const res = await api.post('/xapi2/data/card', { body: { title: `due ${due}`, due_date: due } });
      assert.equal(res.status, 201, `${due}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.data.due_date, due);
    }
  });

  test('a board_id that names no live board is a 404 naming board_id', async () => {
    const gone = (await api.post('/xapi2/data/board', { body: { name: 'Deleted board' } })).body;
    assert.equal((await api.delete(`/xapi2/data/board/${gone.id}`)).status, 200);
    await unchanged('board_id', async () => {
      for (const id of [randomUUID(), gone.id, card.id]) {
        const res = await api.post('/xapi2/data/card', { body: { title: 'Orphan', board_id: id } });
        assertError(res, 404, { code: 'not_found', field: 'board_id', detail: /board_id .* does not name a board in this workspace; list boards/ }, `board_id ${id}`);
        assertError(await api.patch(`/xapi2/data/card/${card.id}`, { body: { board_id: id } }), 404, { field: 'board_id' }, `PATCH board_id ${id}`);
      }
      const malformed = await api.post('/xapi2/data/card', { body: { title: 'Orphan', board_id: "x' OR '1'='1" } });
      assert.ok(malformed.status === 400 || malformed.status === 404, `malformed board_id: ${malformed.status}`);
      assertError(malformed, malformed.status, { field: 'board_id' });
    });
  });

  test('a NUL character in any string is a 400', async () => {
    await unchanged('NUL', async () => {
      const cases: Array<[type: string, body: Record<string, unknown>, field: string | RegExp]> = [
        ['card', { title: 'a\u0000b' }, 'title'],
        ['card', { title: 'x', description: '\u0000' }, 'description'],
        ['card', { title: 'x', assignee: 'ada\u0000' }, 'assignee'],
        ['card', { title: 'x', tags: ['ok', 'b\u0000d'] }, 'tags[1]'],
        ['card', { title: 'x', due_date: '2026-12-31\u0000' }, 'due_date'],
        ['board', { name: 'x\u0000' }, 'name'],
        ['board', { name: 'x', settings: { theme: 'da\u0000rk' } }, 'settings.theme'],
        ['board', { name: 'x', settings: { 'the\u0000me': 'dark' } }, 'settings.the\\u0000me'],
        ['board', { name: 'x', columns: ['To\u0000do', 'Done'] }, /^columns/],
        ['board', { name: 'x', columns: 'To\u0000do, Done' }, /^columns/],
        ['board', { name: 'x', columns: [{ key: 'todo', name: 'To do\u0000' }] }, /^columns/],
      ];
      await everyCase(cases, ([type, body]) => `${type} ${JSON.stringify(body)}`, async ([type, body, field]) => {
        assertError(await api.post(`/xapi2/data/${type}`, { body }), 400, { code: 'validation_failed', field }, 'POST');
        const { title: _t, name: _n, ...patch } = body;
        const target = type === 'card' ? card.id : board.id;
        const patchBody = Object.keys(patch).length > 0 ? patch : body;
        assertError(await api.patch(`/xapi2/data/${type}/${target}`, { body: patchBody }), 400, { field }, 'PATCH');
      });
    });
  });
});

describe('path and headers', () => {
  test('an unknown model type is a 404 naming the types', async () => {
    const id = randomUUID();
    await unchanged('unknown type', async () => {
      for (const type of ['widget', 'cards', 'Card', '__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
        const calls: Array<[string, Promise<ApiResponse>]> = [
          ['list', api.get(`/xapi2/data/${type}`)],
          ['get', api.get(`/xapi2/data/${type}/${id}`)],
          ['create', api.post(`/xapi2/data/${type}`, { body: { title: 'x', name: 'x' } })],
          ['patch', api.patch(`/xapi2/data/${type}/${id}`, { body: { title: 'x' } })],
          ['delete', api.delete(`/xapi2/data/${type}/${id}`)],
          ['restore', api.post(`/xapi2/trash/${type}/${id}/restore`)],
        ];
        for (const [what, call] of calls) {
          assertError(await call, 404, { code: 'not_found', detail: /unknown model type .*available types: board, card/ }, `${what} ${type}`);
        }
      }
    });
  });

  test('a malformed id in the path is a 400 saying ids are UUIDs', async () => {
    await unchanged('malformed id', async () => {
      for (const id of ['not-a-uuid', "1' OR '1'='1", '1; DROP TABLE objects', '<script>', '0190f5a2-7c1e-7b3d-9a4e-2f1c3d4e5f6', `${card.id}x`, '...', 'null']) {
        const enc = encodeURIComponent(id);
        const calls: Array<[string, Promise<ApiResponse>]> = [
          ['get', api.get(`/xapi2/data/card/${enc}`)],
          ['patch', api.patch(`/xapi2/data/card/${enc}`, { body: { title: 'x' } })],
          ['delete', api.delete(`/xapi2/data/card/${enc}`)],
          ['restore', api.post(`/xapi2/trash/card/${enc}/restore`)],
        ];
        for (const [what, call] of calls) {
          assertError(await call, 400, { code: 'validation_failed', field: 'id', detail: /is not a valid id; ids are UUIDs/ }, `${what} ${id}`);
        }
      }
    });
  });

  test('an id with broken percent-encoding gets the contract error body', async () => {
    await unchanged('bad percent-encoding', async () => {
      const paths = ['/xapi2/data/card/%E0%A4%A', '/xapi2/data/card/%zz', `/xapi2/data/card/${card.id}%`];
      const cases = paths.flatMap((path) => [['GET', path], ['PATCH', path], ['DELETE', path]] as const);
      await everyCase(cases, ([method, path]) => `${method} ${path}`, async ([method, path]) => {
        const res = await request(server, method, path, { token: api.token, ...(method === 'PATCH' ? { body: { title: 'x' } } : {}) });
        assertError(res, 400, { detail: /UUID|percent|encod/ });
      });
    });
  });

  test('an overlong id gets the contract error body', async () => {
    await unchanged('overlong id', async () => {
      const long = 'a'.repeat(300);
      for (const res of [await api.get(`/xapi2/data/card/${long}`), await api.delete(`/xapi2/data/card/${long}`)]) {
        assert.ok([400, 404, 414].includes(res.status), `status ${res.status}`);
        assertError(res, res.status, { detail: /id|UUID/ }, 'overlong id');
      }
    });
  });

  test('If-Match garbage is a 400 naming If-Match and changes nothing', async () => {
    await unchanged('If-Match', async () => {
      for (const value of ['abc', 'W/"abc"', '1.5', '-1', '1, 2', '"1"x', '9'.repeat(16), 'version 1']) {
        const headers = { 'if-match': value };
        assertError(await api.patch(`/xapi2/data/card/${card.id}`, { body: { title: 'Changed' }, headers }), 400, { code: 'validation_failed', field: 'If-Match', detail: /not a version.*If-Match: 3/ }, `PATCH If-Match ${value}`);
        assertError(await api.delete(`/xapi2/data/card/${card.id}`, { headers }), 400, { field: 'If-Match' }, `DELETE If-Match ${value}`);
      }
    });
    assert.equal((await api.get(`/xapi2/data/card/${card.id}`)).body.version, card.version);
  });

  test('an oversize or empty Idempotency-Key is a 400 and creates nothing; 200 characters is fine', async () => {
    await unchanged('Idempotency-Key', async () => {
      for (const key of ['k'.repeat(201), 'k'.repeat(5000), '']) {
        const res = await api.post('/xapi2/data/card', { body: { title: 'Keyed' }, headers: { 'idempotency-key': key } });
        assertError(res, 400, { code: 'validation_failed', field: 'Idempotency-Key', detail: /1 to 200 characters/ }, `key of ${key.length}`);
      }
    });
    const key = 'k'.repeat(200);
    const first = await api.post('/xapi2/data/card', { body: { title: 'Keyed' }, headers: { 'idempotency-key': key } });
    assert.equal(first.status, 201);
    const again = await api.post('/xapi2/data/card', { body: { title: 'Keyed' }, headers: { 'idempotency-key': key } });
    assert.equal(again.body.id, first.body.id);
  });
});

describe('prototype pollution', () => {
  const bodies: Array<[path: () => string, method: string, text: string]> = [
    [() => '/xapi2/data/card', 'POST', '{"title":"x","__proto__":{"polluted":"yes"}}'],
    [() => '/xapi2/data/card', 'POST', '{"title":"x","constructor":{"prototype":{"polluted":"yes"}}}'],
    [() => '/xapi2/data/board', 'POST', '{"name":"x","settings":{"__proto__":{"polluted":"yes"}}}'],
    [() => '/xapi2/data/board', 'POST', '{"name":"x","settings":{"a":{"constructor":{"prototype":{"polluted":"yes"}}}}}'],
    [() => '/xapi2/data/board', 'POST', '{"name":"x","columns":[{"name":"A","__proto__":{"polluted":"yes"}}]}'],
    [() => `/xapi2/data/card/${card.id}`, 'PATCH', '{"__proto__":{"title":"polluted","polluted":"yes"}}'],
    [() => `/xapi2/data/board/${board.id}`, 'PATCH', '{"settings":{"constructor":{"prototype":{"polluted":"yes"}}}}'],
    [() => '/xapi2/analytics/track', 'POST', '{"events":[{"type":"x","__proto__":{"polluted":"yes"}}]}'],
  ];

  test('__proto__ and constructor.prototype keys are a 400, change nothing and pollute nothing', async () => {
    await unchanged('prototype pollution', async () => {
      for (const [path, method, text] of bodies) {
        const res = await request(server, method, path(), { token: api.token, ...raw(text) });
        assertError(res, 400, {}, `${method} ${text}`);
      }
    });
    assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype was polluted');
    assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
    assert.equal(await count(server, 'SELECT count(*) AS n FROM analytics_events'), 0);
    const read = await api.get(`/xapi2/data/card/${card.id}`);
    assert.equal(read.body.data.title, 'Fixture card');
    assert.equal((await api.get('/xapi2/data/card')).status, 200, 'the server still works');
  });

  test('the error names the forbidden key instead of calling valid JSON invalid', async () => {
    for (const [path, method, text] of bodies.slice(0, 2)) {
      const res = await request(server, method, path(), { token: api.token, ...raw(text) });
      assertError(res, 400, { detail: /__proto__|constructor/ }, `${method} ${text}`);
      assert.doesNotMatch(res.body.detail, /not valid JSON/, 'the body is valid JSON; the message must say which key to remove');
    }
  });
});

describe('input a store cannot hold', () => {
  /** Rows of every table a request could write to. */
  async function rowCounts(s: TestServer): Promise<Record<string, number>> {
    const tables = ['objects', 'activity', 'users', 'memberships', 'sessions', 'access_tokens', 'invitations', 'login_failures', 'analytics_events', 'idempotency_keys'];
    const out: Record<string, number> = {};
    for (const t of tables) out[t] = await count(s, `SELECT count(*) AS n FROM ${t}`);
    return out;
  }

  /** Runs the calls and asserts no table gained or lost a row. */
  async function noRowsChanged(s: TestServer, calls: () => Promise<void>): Promise<void> {
    const before = await rowCounts(s);
    let failure: unknown;
    try {
      await calls();
    } catch (err) {
      failure = err;
    }
    assert.deepEqual(await rowCounts(s), before, `row counts changed${failure ? `; also: ${(failure as Error).message.slice(0, 2000)}` : ''}`);
    if (failure) throw failure;
  }

  test('a NUL or an unpaired UTF-16 surrogate anywhere in a body, query or path is a 400 naming where, on both stores', async () => {
    const login = (email: string) => request(server, 'POST', '/xapi2/auth/login', { body: { email, password: 'correct horse battery' } });
    const cases: Array<[label: string, call: () => Promise<ApiResponse>, field: string]> = [
      ['card title with a lone high surrogate', () => api.post('/xapi2/data/card', { body: { title: 'a\ud800b' } }), 'title'],
      ['card description with a lone low surrogate', () => api.post('/xapi2/data/card', { body: { title: 'x', description: 'lone \udfff' } }), 'description'],
      ['a reversed surrogate pair', () => api.patch(`/xapi2/data/card/${card.id}`, { body: { title: '\udc00\ud800' } }), 'title'],
      ['a tag with half an emoji', () => api.patch(`/xapi2/data/card/${card.id}`, { body: { tags: ['ok', '\ud83d'] } }), 'tags[1]'],
      ['a settings value', () => api.post('/xapi2/data/board', { body: { name: 'x', settings: { theme: { accent: 'a\ud800' } } } }), 'settings.theme.accent'],
      ['a settings key', () => api.post('/xapi2/data/board', { body: { name: 'x', settings: { 'k\ud800': 1 } } }), 'settings.k\\ud800'],
      ['a top-level key with NUL', () => api.post('/xapi2/data/card', { body: { 'ti\u0000tle': 'x' } }), 'ti\\u0000tle'],
      ['telemetry event meta', () => request(server, 'POST', '/xapi2/analytics/track', { body: { events: [{ type: 'x', meta: { m: 'a\ud800' } }] } }), 'events[0].meta.m'],
      ['telemetry event type with NUL', () => request(server, 'POST', '/xapi2/analytics/track', { body: { events: [{ type: 'ok' }, { type: 'x\u0000' }] } }), 'events[1].type'],
      ['telemetry batch meta key', () => request(server, 'POST', '/xapi2/analytics/track', { body: { events: [{ type: 'x' }], meta: { 'o\u0000s': 'linux' } } }), 'meta.o\\u0000s'],
      ['telemetry device id', () => request(server, 'POST', '/xapi2/analytics/track', { body: { device_id: '\udbff', events: [{ type: 'x' }] } }), 'device_id'],
      ['login email with NUL', () => login('ada\u0000@example.com'), 'email'],
      ['login email with a lone surrogate', () => login('ada\ud800@example.com'), 'email'],
      ['login password with NUL', () => request(server, 'POST', '/xapi2/auth/login', { body: { email: 'ada@example.com', password: 'pass\u0000word' } }), 'password'],
      ['token name', () => api.post('/xapi2/tokens', { body: { name: 'laptop \ud800' } }), 'name'],
      ['token expires', () => api.post('/xapi2/tokens', { body: { name: 'laptop', expires: '30d\u0000' } }), 'expires'],
      ['token scopes key', () => api.post('/xapi2/tokens', { body: { name: 'laptop', scopes: { 'card\u0000': 'read' } } }), 'scopes.card\\u0000'],
      ['token id in the path', () => api.delete('/xapi2/tokens/%00'), 'id'],
      ['invitation id in the path', () => api.delete('/xapi2/invitations/abc%00def'), 'id'],
      ['invitation email', () => api.post('/xapi2/invitations', { body: { email: 'ada\u0000@example.com' } }), 'email'],
      ['invitation expires', () => api.post('/xapi2/invitations', { body: { expires: '\udfff7d' } }), 'expires'],
      ['invitation token to preview', () => request(server, 'POST', '/xapi2/invitations/preview', { body: { token: 'inv_\u0000' } }), 'token'],
      ['invitation token to accept', () => request(server, 'POST', '/xapi2/invitations/accept', { body: { token: 'inv_x', email: 'a@example.com', password: 'a long passphrase', name: 'N\ud800' } }), 'name'],
      ['a list filter value', () => api.get('/xapi2/data/card', { query: { data__assignee: 'ada\u0000' } }), 'data__assignee'],
      ['a search', () => api.get('/xapi2/data/card', { query: { q: '\u0000' } }), 'q'],
      ['a query parameter name', () => api.get('/xapi2/data/card', { query: { 'x\u0000': '1' } }), 'x\\u0000'],
      ['an activity cursor', () => api.get('/xapi2/activity', { query: { since: '1\u0000' } }), 'since'],
    ];
    await noRowsChanged(server, () =>
      unchanged('unstorable input', () =>
        everyCase(cases, ([label]) => label, async ([label, call, field]) => {
          const res = await call();
          assertError(res, 400, { code: 'validation_failed', field, detail: /NUL character|unpaired UTF-16 surrogate/ }, label);
          assert.match(res.body.detail, /remove it|well-formed/, `the detail says the fix: ${res.body.detail}`);
        }),
      ),
    );
    assert.equal((await api.get(`/xapi2/data/card/${card.id}`)).body.version, card.version, 'the card was not touched');
  });

  test('token scopes that are not model:level are a 400 naming scopes, never a 5xx, and mint nothing', async () => {
    const cases: unknown[] = [
      { toString: 1 }, { board: { toString: 1 } }, { board: ['read'] }, { board: null }, { card: 'admin' }, { board: 'read', card: 'admin' },
      'toString:read', 'board:read:write', 'board', ':read', 'board:', 'constructor:write', 5, ['board:read'], true,
    ];
    await noRowsChanged(server, () =>
      everyCase(cases, (c) => JSON.stringify(c), async (scopes) => {
        const res = await api.post('/xapi2/tokens', { body: { name: 'laptop', scopes } });
        assertError(res, 400, { code: 'validation_failed', field: /^scopes/, detail: /board:read|"board": "read"/ });
      }),
    );
    const ok = await api.post('/xapi2/tokens', { body: { name: 'laptop', scopes: { board: 'read' } } });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    assert.deepEqual(ok.body.scopes, { board: 'read', card: 'none' });
  });

  test('an empty, zero, impossible or past expiry is a 400 naming expires for tokens and invitations', async () => {
    const bad = ['', '   ', '0d', '0m', '00h', '0w', '2027-02-30', '2025-01-01', '30x', 'soon'];
    await noRowsChanged(server, () =>
      everyCase(
        bad.flatMap((expires) => [['/xapi2/tokens', { name: 'laptop', expires }], ['/xapi2/invitations', { role: 'member', expires }]] as const),
        ([path, body]) => `${path} ${JSON.stringify(body.expires)}`,
        async ([path, body]) => {
          const res = await api.post(path, { body });
          assertError(res, 400, { code: 'validation_failed', field: 'expires', detail: /expires .*(30d|7d)/ });
        },
      ),
    );
    const now = Date.now();
    for (const [path, body] of [['/xapi2/tokens', { name: 'laptop', expires: '1m' }], ['/xapi2/invitations', { role: 'member', expires: '1m' }]] as const) {
      const res = await api.post(path, { body });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.ok(Date.parse(res.body.expires_at) > now, `${path}: a 1m expiry lies in the future: ${res.body.expires_at}`);
    }
    const never = await api.post('/xapi2/tokens', { body: { name: 'laptop', expires: 'never' } });
    assert.equal(never.body.expires_at, null);
  });

  test('a refused invitation logs nothing, and a failed write never logs the row (or token hash) it tried to store', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    const dir = mkdtempSync(join(tmpdir(), 'prodboard-log-'));
    const opened = await openTestStore(dir);
    const config = { ...configFromEnv({}), ...opened.config, port: 0 };
    const app = await buildApp({ store: opened.store, config }, { level: 'info', stream });
    const tokenHash = createHash('sha256').update(`inv_${randomUUID()}`).digest('hex');
    let owner: Awaited<ReturnType<typeof signUp>> | undefined;
    // A real write the database refuses (expires_at is NOT NULL), carrying a token hash in its row.
    app.post('/test/failing-write', async () => {
      await opened.store.insertInvitation({
        id: randomUUID(), workspace_id: owner!.workspace.id, token_hash: tokenHash, role: 'member', email: null, created_by: owner!.user.id,
        created_at: new Date().toISOString(), expires_at: null as unknown as string, accepted_at: null, accepted_by: null, revoked_at: null,
      });
    });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    lines.length = 0; // "Server listening"
    const s = { url, app, store: opened.store, config, dir, query: opened.query, close: async () => {} } as TestServer;
    try {
      owner = await signUp(s);
      for (const expires of ['', '0d']) {
        assertError(await owner.api.post('/xapi2/invitations', { body: { expires } }), 400, { field: 'expires' }, `expires ${JSON.stringify(expires)}`);
      }
      assert.equal(await count(s, 'SELECT count(*) AS n FROM invitations'), 0);
      assert.deepEqual(lines, [], 'a refused invitation is not logged');

      const failed = await request(s, 'POST', '/test/failing-write');
      assert.equal(failed.status, 500);
      const logged = lines.map((line) => JSON.parse(line) as { msg?: string; reqId?: string; err?: { message?: string } });
      const line = logged.find((l) => l.msg === 'request failed');
      assert.ok(line, `the failure is logged: ${lines.join('\n')}`);
      assert.match(failed.body.detail, new RegExp(`request ${line.reqId}`), 'the 500 names the request id the log carries');
      assert.match(String(line.err?.message), /expires_at/, 'the log says what failed');
      assert.equal(lines.join('\n').includes(tokenHash), false, `the token hash reached the log: ${lines.join('\n').slice(0, 1500)}`);
    } finally {
      await app.close();
      await opened.drop();
      await opened.store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('errors echo at most 100 characters of a field name or value, however long the input', async () => {
    const long = 'k'.repeat(100_000);
    const spaced = 'k '.repeat(50_000);
    const manyKeys = Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`unknown_${i}`, 1]));
    const calls: Array<[string, () => Promise<ApiResponse>]> = [
      ['card field name', () => api.post('/xapi2/data/card', { body: { title: 'x', [long]: 1 } })],
      ['card field name with spaces', () => api.post('/xapi2/data/card', { body: { title: 'x', [spaced]: 1 } })],
      ['card patch field name', () => api.patch(`/xapi2/data/card/${card.id}`, { body: { [long]: 1 } })],
      ['5,000 unknown fields', () => api.post('/xapi2/data/card', { body: { title: 'x', ...manyKeys } })],
      ['token field name', () => api.post('/xapi2/tokens', { body: { name: 'x', [long]: 1 } })],
      ['token expires', () => api.post('/xapi2/tokens', { body: { name: 'x', expires: long } })],
      ['token scopes string', () => api.post('/xapi2/tokens', { body: { name: 'x', scopes: `board:${long}` } })],
      ['token scopes key', () => api.post('/xapi2/tokens', { body: { name: 'x', scopes: { [long]: 'read' } } })],
      ['token scopes level', () => api.post('/xapi2/tokens', { body: { name: 'x', scopes: { board: spaced } } })],
      ['invitation field name', () => api.post('/xapi2/invitations', { body: { [long]: 1 } })],
      ['invitation expires', () => api.post('/xapi2/invitations', { body: { expires: spaced } })],
      ['list filter name', () => api.get('/xapi2/data/card', { query: { [`data__${'k'.repeat(10_000)}`]: '1' } })],
      ['list sort', () => api.get('/xapi2/data/card', { query: { sort: 'k'.repeat(10_000) } })],
    ];
    await noRowsChanged(server, () =>
      everyCase(calls, ([label]) => label, async ([label, call]) => {
        const res = await call();
        assertError(res, 400, {}, label);
        const text = JSON.stringify(res.body);
        assert.ok(text.length < 6_000, `${label}: the error is ${text.length} characters`);
        assert.ok(res.body.errors.length <= 10, `${label}: ${res.body.errors.length} errors listed`);
        for (const e of res.body.errors) assert.ok(e.field.length <= 101, `${label}: a field of ${e.field.length} characters`);
        assert.doesNotMatch(text, /(k ?){102}/, `${label}: echoes more than 100 characters of input`);
      }),
    );
  });

  test('a well-formed surrogate pair (an emoji) and other rare characters are still stored', async () => {
    const title = 'rare 🚀 \u{10FFFF} \uFFFD \uD83D\uDE00';
    const res = await api.post('/xapi2/data/card', { body: { title } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal((await api.get(`/xapi2/data/card/${res.body.id}`)).body.data.title, title);
    const found = await api.get('/xapi2/data/card', { query: { q: 'rare' } });
    assert.ok(found.body.data.some((c: { id: string }) => c.id === res.body.id), 'found by search');
  });
});

describe('hostile strings', () => {
  const hostile = [
    "'; DROP TABLE objects; --",
    "Robert'); DELETE FROM objects WHERE ('1'='1",
    '" OR ""="',
    '1 UNION SELECT token_hash FROM access_tokens',
    '<script>alert("x")</script>',
    '<img src=x onerror="alert(1)">&amp;&lt;',
    '🚀👩🏽‍💻🏳️‍🌈 launch',
    '\u202Egnp.exe\u202C rtl override',
    '\u200F\u061Cمرحبا\u200E mixed',
    'e\u0301 is not \u00e9',
    'zero\u200Bwidth\uFEFFbom',
    '{{7*7}} ${7*7} %s %n %x',
    'back\\slash "quotes" \n newline \t tab',
    'sep\u2028ara\u2029tors',
    'NEAR(a b) "phrase" * ^ AND OR NOT',
    '../../etc/passwd',
    'json_extract(data, "$.title")',
  ];

  test('SQL, HTML, emoji and bidi strings are stored and returned byte for byte', async () => {
    const made: Array<{ id: string; s: string }> = [];
    for (const s of hostile) {
      assert.ok(s.length <= 64, 'fits every field tried');
      const res = await api.post('/xapi2/data/card', { body: { title: s, description: s, assignee: s, tags: [s] } });
      assert.equal(res.status, 201, `${JSON.stringify(s)}: ${JSON.stringify(res.body).slice(0, 200)}`);
      for (const field of ['title', 'description', 'assignee']) {
        assert.ok(Buffer.from(res.body.data[field], 'utf8').equals(Buffer.from(s, 'utf8')), `${field} of ${JSON.stringify(s)} came back as ${JSON.stringify(res.body.data[field])}`);
      }
      assert.deepEqual(res.body.data.tags, [s]);
      made.push({ id: res.body.id, s });
    }
    const boardRes = await api.post('/xapi2/data/board', { body: { name: hostile[0], description: hostile.join(' | '), columns: [hostile[4], hostile[6], hostile[7]] } });
    assert.equal(boardRes.status, 201);
    assert.equal(boardRes.body.data.description, hostile.join(' | '));
    assert.deepEqual(boardRes.body.data.columns.map((c: { name: string }) => c.name), [hostile[4], hostile[6], hostile[7]]);

    for (const { id, s } of made) {
      const read = await api.get(`/xapi2/data/card/${id}`);
      assert.equal(read.status, 200);
      assert.ok(Buffer.from(read.body.data.title, 'utf8').equals(Buffer.from(s, 'utf8')), `read back ${JSON.stringify(read.body.data.title)} for ${JSON.stringify(s)}`);
      assert.equal(read.body.data.description, s);
      const byAssignee = await api.get('/xapi2/data/card', { query: { data__assignee: s } });
      assert.equal(byAssignee.status, 200);
      assert.deepEqual(byAssignee.body.data.map((c: { id: string }) => c.id), [id], `filter by ${JSON.stringify(s)}`);
      const byTag = await api.get('/xapi2/data/card', { query: { data__tags: s } });
      assert.deepEqual(byTag.body.data.map((c: { id: string }) => c.id), [id], `tag filter by ${JSON.stringify(s)}`);
      const search = await api.get('/xapi2/data/card', { query: { q: s } });
      assert.equal(search.status, 200, `search for ${JSON.stringify(s)}: ${JSON.stringify(search.body).slice(0, 200)}`);
    }
    const patched = await api.patch(`/xapi2/data/card/${made[0].id}`, { body: { title: hostile[1] } });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.data.title, hostile[1]);

    for (const t of ['objects', 'users', 'sessions', 'workspaces', 'activity']) {
      assert.ok((await count(server, `SELECT count(*) AS n FROM ${t}`)) > 0, `table ${t} is still there and holds its rows`);
    }
  });
});

describe('slow clients and response headers', () => {
  /** A raw connection to the server, collecting what it answers. */
  async function rawSocket(s: TestServer): Promise<{ socket: Socket; received: () => string; closed: Promise<unknown> }> {
    const { hostname, port } = new URL(s.url);
    const socket = connect(Number(port), hostname);
    await once(socket, 'connect');
    let text = '';
    socket.on('data', (chunk) => (text += String(chunk)));
    socket.on('error', () => {}); // a reset after the server gives up is one of the expected endings
    return { socket, received: () => text, closed: once(socket, 'close') };
  }

  test('the request timeout is on by default and configurable', () => {
    assert.equal(configFromEnv({}).requestTimeoutMs, 30_000);
    assert.equal(configFromEnv({ PRODBOARD_REQUEST_TIMEOUT_SECONDS: '5' }).requestTimeoutMs, 5_000);
  });

  test('a client that sends headers and then drips its body is cut off, while another connection is served', { timeout: 30_000 }, async () => {
    const s = await startServer({ requestTimeoutMs: 1_000 });
    try {
      const slow = await rawSocket(s);
      let slowEnded = false;
      void slow.closed.then(() => (slowEnded = true));
      slow.socket.write('POST /xapi2/analytics/track HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n{"events":[');
      // One byte at a time, each well inside any idle timeout: only a limit on the whole request stops it.
      const drip = setInterval(() => slow.socket.writable && slow.socket.write(' '), 20);
      try {
        const health = await request(s, 'GET', '/xapi2/health');
        assert.equal(health.status, 200);
        assert.equal(slowEnded, false, 'the other connection was served while the slow one was still open');
        await slow.closed;
      } finally {
        clearInterval(drip);
      }
      assert.match(slow.received(), /^(HTTP\/1\.1 408 |$)/, `answered 408 or closed: ${slow.received().slice(0, 200)}`);
      assert.equal((await s.query('SELECT * FROM analytics_events')).length, 0);
    } finally {
      await s.close();
    }
  });

  test('a live event stream outlives the request timeout (its request is complete; only its response goes on)', { timeout: 30_000 }, async () => {
    const s = await startServer({ requestTimeoutMs: 200, eventsHeartbeatMs: 150 });
    try {
      const { session } = await signUp(s);
      const live = await rawSocket(s);
      live.socket.write(`GET /xapi2/events?access_token=${session} HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n`);
      // Four heartbeats take at least 600 ms, three times the request timeout.
      for (let seen = 0; seen < 4; ) {
        await Promise.race([once(live.socket, 'data'), live.closed.then(() => assert.fail(`the stream was cut: ${live.received().slice(0, 300)}`))]);
        seen = live.received().split('\n: ping\n').length - 1;
      }
      assert.match(live.received(), /^HTTP\/1\.1 200 /);
      assert.match(live.received(), /\r\nx-content-type-options: nosniff\r\n/i, 'the stream carries nosniff');
      live.socket.destroy();
    } finally {
      await s.close();
    }
  });

  test('every kind of response carries X-Content-Type-Options: nosniff', async () => {
    const calls: Array<[string, () => Promise<ApiResponse>, number]> = [
      ['JSON', () => request(server, 'GET', '/xapi2/health'), 200],
      ['data', () => api.get(`/xapi2/data/card/${card.id}`), 200],
      ['a 404 error', () => request(server, 'GET', '/xapi2/nowhere'), 404],
      ['a 401 error', () => request(server, 'GET', '/xapi2/auth/me'), 401],
      ['a 400 error', () => api.post('/xapi2/data/card', { body: { title: 5 } }), 400],
      ['a malformed URL', () => request(server, 'GET', '/xapi2/data/card/%E0%A4%A'), 400],
      ['the web app', () => request(server, 'GET', '/', { headers: { accept: 'text/html' } }), 200],
      ['the prodmcp download', () => request(server, 'GET', '/xapi2/mcp/manifest'), 200],
    ];
    await everyCase(calls, ([label]) => label, async ([label, call, status]) => {
      const res = await call();
      assert.equal(res.status, status, `${label}: ${JSON.stringify(res.body).slice(0, 200)}`);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', label);
    });
  });
});

describe('telemetry', () => {
  const batch = (events: unknown[], extra: Record<string, unknown> = {}) => ({ device_id: 'dev-1', session_id: 'ses-1', events, meta: { client: 'prodmcp' }, ...extra });
  const stored = (s: TestServer) => s.query<{ type: string; payload: string; device_id: string }>('SELECT * FROM analytics_events ORDER BY id');

  test('a batch over 64 KiB is a 413 and stores nothing', async () => {
    const s = await startServer();
    try {
      const res = await request(s, 'POST', '/xapi2/analytics/track', { body: batch([{ type: 'big', meta: { blob: 'x'.repeat(65 * 1024) } }]) });
      assertError(res, 413, { code: 'payload_too_large' });
      assert.equal((await stored(s)).length, 0);
      const fits = await request(s, 'POST', '/xapi2/analytics/track', { body: batch([{ type: 'fits', meta: { blob: 'x'.repeat(60 * 1024) } }]) });
      assert.equal(fits.status, 202);
    } finally {
      await s.close();
    }
  });

  test('the 413 for a telemetry batch states the telemetry limit (64 KiB), not the general one', async () => {
    const s = await startServer();
    try {
      const res = await request(s, 'POST', '/xapi2/analytics/track', { body: batch([{ type: 'big', meta: { blob: 'x'.repeat(65 * 1024) } }]) });
      assertError(res, 413, { code: 'payload_too_large', detail: /64 KiB/ });
    } finally {
      await s.close();
    }
  });

  test('malformed batches are a 400 naming events', async () => {
    const s = await startServer();
    try {
      for (const body of [{}, batch([]), batch('x' as unknown as unknown[]), batch(Array.from({ length: 101 }, () => ({ type: 'x' })))]) {
        assertError(await request(s, 'POST', '/xapi2/analytics/track', { body }), 400, { field: 'events', detail: /1 to 100 events/ }, JSON.stringify(body).slice(0, 80));
      }
      for (const event of [{}, { type: 5 }, { type: '' }, { type: 't'.repeat(101) }, null]) {
        assertError(await request(s, 'POST', '/xapi2/analytics/track', { body: batch([{ type: 'ok' }, event]) }), 400, { field: 'events[1].type' }, JSON.stringify(event));
      }
      assertError(await request(s, 'POST', '/xapi2/analytics/track', raw('[{"type":"x"}]')), 400, { field: 'events' });
      assertError(await request(s, 'POST', '/xapi2/analytics/track', raw('{"events":')), 400, { code: 'invalid_json' });
      assert.equal((await stored(s)).length, 0, 'a bad batch stores none of its events');
    } finally {
      await s.close();
    }
  });

  test('a batch stores at most a few times what it sent: the client meta once, each event once, each row bounded', async () => {
    const s = await startServer();
    try {
      const storedBytes = async () =>
        count(s, "SELECT coalesce(sum(length(received_at) + length(coalesce(device_id, '')) + length(type) + length(payload)), 0) AS n FROM analytics_events");
      const id = (c: string) => c.repeat(64);
      const meta = (bytes: number) => Object.fromEntries(Array.from({ length: Math.ceil(bytes / 100) }, (_, i) => [`k${i}`, 'm'.repeat(90)]));
      const batches: Array<[label: string, body: Record<string, unknown>, multiple: number]> = [
        ['the largest client meta and 100 one-letter events', { device_id: id('d'), session_id: id('s'), meta: meta(1000), events: Array.from({ length: 100 }, () => ({ type: 'a' })) }, 5],
        ['100 events of 500 characters each', { device_id: id('d'), session_id: id('s'), meta: meta(500), events: Array.from({ length: 100 }, (_, i) => ({ type: `t${i}`, ts_client: i, meta: { message: 'x'.repeat(500) } })) }, 1.5],
        ['a client like prodmcp', batch([{ type: 'mcp.serve_start', ts_client: 1, meta: {} }, { type: 'mcp.crud', ts_client: 2, meta: { op: 'list_all', ok: true, ms: 12 } }], { meta: { channel: 'mcp', mcp_version: '1.0.0', os: 'Linux 6.1', node: '20.19.0' } }), 3],
      ];
      for (const [label, body, multiple] of batches) {
        const sent = Buffer.byteLength(JSON.stringify(body));
        const before = await storedBytes();
        const res = await request(s, 'POST', '/xapi2/analytics/track', { body });
        assert.equal(res.status, 202, `${label}: ${JSON.stringify(res.body).slice(0, 300)}`);
        const stored = (await storedBytes()) - before;
        assert.ok(stored <= multiple * sent, `${label}: sent ${sent} bytes, stored ${stored} (${(stored / sent).toFixed(1)}×, at most ${multiple}× allowed)`);
      }
      const rows = await stored(s);
      assert.equal(rows.length, 202, 'every event is a row');
      assert.equal(rows.filter((r) => 'client' in JSON.parse(r.payload)).length, 3, 'the client meta is stored once per batch');
    } finally {
      await s.close();
    }
  });

  test('an event or a client meta too large to store is a 400 naming it, and the batch stores nothing', async () => {
    const s = await startServer();
    try {
      const wide = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, 'w'.repeat(400)]));
      assertError(await request(s, 'POST', '/xapi2/analytics/track', { body: batch([{ type: 'ok' }, { type: 'wide', meta: wide }]) }), 400, { field: 'events[1]', detail: /events\[1\] .*KiB/ });
      assertError(await request(s, 'POST', '/xapi2/analytics/track', { body: batch([{ type: 'ok' }], { meta: wide }) }), 400, { field: 'meta', detail: /meta .*KiB/ });
      assert.equal((await stored(s)).length, 0);
    } finally {
      await s.close();
    }
  });

  test('telemetry is rate limited: a 429 with Retry-After', async () => {
    const s = await startServer({ analyticsPerMinute: 3 });
    try {
      for (let i = 0; i < 3; i++) {
        const ok = await request(s, 'POST', '/xapi2/analytics/track', { body: batch([{ type: `e${i}` }]) });
        assert.equal(ok.status, 202);
        assert.equal(ok.body.accepted, 1);
      }
      const limited = await request(s, 'POST', '/xapi2/analytics/track', { body: batch([{ type: 'e3' }]) });
      assertError(limited, 429, { code: 'rate_limited', detail: /try again in \d+ (second|minute)s?$/ });
      const retryAfter = Number(limited.headers.get('retry-after'));
      assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After ${limited.headers.get('retry-after')}`);
      assert.deepEqual((await stored(s)).map((r) => r.type), ['e0', 'e1', 'e2']);
    } finally {
      await s.close();
    }
  });

  test('secret-looking keys are dropped and token values redacted before storing', async () => {
    const s = await startServer();
    try {
      const pat = `pat_${'A1b2'.repeat(11)}`;
      const ses = `ses_${'Z9y8'.repeat(11)}`;
      const res = await request(s, 'POST', '/xapi2/analytics/track', {
        body: batch(
          [{
            type: 'tool_call',
            ts_client: 1,
            meta: {
              tool: 'board_list', ok: true,
              token: 'plain-token-value', password: 'hunter2-value', client_secret: 'secret-value', Authorization: 'Bearer auth-value',
              cookie: 'cookie-value', api_key: 'apikey-value', 'x-api-key': 'xapikey-value', accessToken: 'access-value',
              nested: { refresh_token: 'refresh-value', kept: 'kept-value' },
              list: [{ PASSWORD: 'list-password-value' }],
              raw: pat,
              other: ses,
            },
          }],
          { meta: { client: 'prodmcp', apiKey: 'client-apikey-value', os: 'linux' } },
        ),
      });
      assert.equal(res.status, 202);
      const rows = await stored(s);
      assert.equal(rows.length, 1);
      const payload = rows[0].payload;
      for (const value of ['plain-token-value', 'hunter2-value', 'secret-value', 'auth-value', 'cookie-value', 'apikey-value', 'xapikey-value', 'access-value', 'refresh-value', 'list-password-value', 'client-apikey-value', pat, ses]) {
        assert.equal(payload.includes(value), false, `${value} was stored: ${payload}`);
      }
      const parsed = JSON.parse(payload);
      assert.equal(parsed.event.meta.tool, 'board_list', 'ordinary keys stay');
      assert.equal(parsed.event.meta.nested.kept, 'kept-value');
      assert.equal(parsed.client.os, 'linux');
      assert.equal(parsed.event.meta.raw, '[redacted]');
      for (const key of ['token', 'password', 'client_secret', 'Authorization', 'cookie', 'api_key', 'x-api-key', 'accessToken']) {
        assert.equal(key in parsed.event.meta, false, `key ${key} kept`);
      }
    } finally {
      await s.close();
    }
  });

  test('a token inside a longer string (an error message, a header dump) never reaches storage', async () => {
    const s = await startServer();
    try {
      const pat = `pat_${'Q7w8'.repeat(11)}`;
      const ses = `ses_${'M3n4'.repeat(11)}`;
      const res = await request(s, 'POST', '/xapi2/analytics/track', {
        body: batch([
          { type: 'error', meta: { message: `401 from server; sent Authorization: Bearer ${pat}`, note: `PRODMCP_TOKEN=${ses}` } },
        ]),
      });
      assert.equal(res.status, 202);
      const all = JSON.stringify(await stored(s));
      assert.equal(all.includes(pat), false, 'a PAT embedded in a message was stored');
      assert.equal(all.includes(ses), false, 'a session token embedded in a message was stored');
    } finally {
      await s.close();
    }
  });
});
