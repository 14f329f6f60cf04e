/**
 * The shared package on its own: columns normalisation, validation messages, list-query parsing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError, MANIFEST, checklistProgress, foldForSearch, isIso8601, normalizeAssignees, normalizeChecklist, isStorableText, normalizeColumns, parseListQuery, parseScopes, parseScopesInput, resolveColumnKey, searchTerms, validateInput } from '../src/index.js';

function errorOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof AppError);
    return err;
  }
  assert.fail('expected an AppError');
}

test('columns: every accepted form normalises to {key, name}', () => {
  assert.deepEqual(normalizeColumns('To do, Doing ,Done'), [
    { key: 'to_do', name: 'To do' }, { key: 'doing', name: 'Doing' }, { key: 'done', name: 'Done' },
  ]);
  assert.deepEqual(normalizeColumns('[{"name": "Ünïcode Ça va", "wip_limit": 2}]'), [{ key: 'unicode_ca_va', name: 'Ünïcode Ça va', wip_limit: 2 }]);
  assert.deepEqual(normalizeColumns(['Same', 'same']).map((c) => c.key), ['same', 'same_2']);
  assert.match(errorOf(() => normalizeColumns([])).message, /at least one column/);
  assert.match(errorOf(() => normalizeColumns('[not json')).message, /does not parse/);
  assert.match(errorOf(() => normalizeColumns([{ name: 'A', wip_limit: 0 }])).message, /wip_limit must be a whole number/);
  assert.match(errorOf(() => normalizeColumns([{ key: 'a', name: 'A' }, { key: 'a', name: 'B' }])).message, /used twice/);
  assert.match(errorOf(() => normalizeColumns(42)).message, /columns must be a list/);
});

test('columns: a status may name a column by key or by name, else the keys are listed', () => {
  const columns = normalizeColumns('To do, In progress');
  assert.equal(resolveColumnKey(columns, 'in_progress'), 'in_progress');
  assert.equal(resolveColumnKey(columns, 'IN PROGRESS'), 'in_progress');
  assert.match(errorOf(() => resolveColumnKey(columns, 'nope')).message, /to_do \(To do\), in_progress \(In progress\)/);
});

test('validation collects every problem with the field and the fix', () => {
  const err = errorOf(() => validateInput('card', MANIFEST.card, 'create', { priority: 'urgent', tags: 'x', due_date: '31/12/2026', bogus: 1 }));
  const fields = err.errors.map((e) => e.field).sort();
  assert.deepEqual(fields, ['bogus', 'due_date', 'priority', 'tags', 'title']);
  assert.match(err.message, /priority must be one of: low, medium, high or critical/);
  assert.match(err.message, /unknown field "bogus" for card; allowed fields: title, description/);
  assert.match(err.message, /title is required to create a card/);
});

test('ISO 8601 dates must name real days', () => {
  for (const ok of ['2026-12-31', '2026-12-31T17:00:00Z', '2026-12-31T17:00+02:00', '2024-02-29']) assert.ok(isIso8601(ok), ok);
  for (const bad of ['2026-02-30', '2025-02-29', '31/12/2026', '2026-13-01', '2026-12-31T25:00Z', 'tomorrow']) assert.ok(!isIso8601(bad), bad);
});

test('list queries: defaults, clamping, booleans and unknown keys', () => {
  const q = parseListQuery('card', MANIFEST.card, { limit: '1000', is_archived: 'True', data__status: ['a', 'b'] });
  assert.equal(q.limit, 200);
  assert.equal(q.sort?.key, 'data__position');
  assert.equal(q.includeArchived, true);
  assert.deepEqual(q.filters.find((f) => f.param === 'is_archived')?.values, [true]);
  assert.deepEqual(q.filters.find((f) => f.param === 'data__status')?.values, ['a', 'b']);
  assert.equal(parseListQuery('card', MANIFEST.card, { q: 'fix login' }).sort, null, 'q without sort ranks');
  assert.match(errorOf(() => parseListQuery('card', MANIFEST.card, { colour: 'red' })).message, /allowed filters: data__status, data__priority/);
  assert.match(errorOf(() => parseListQuery('card', MANIFEST.card, { sort: 'title' })).message, /allowed: created_at, updated_at, data__position/);
  assert.match(errorOf(() => parseListQuery('card', MANIFEST.card, { offset: '-1' })).message, /offset must be ≥ 0/);
});

test('search words drop every FTS syntax character', () => {
  assert.deepEqual(searchTerms('"fix" AND (login* OR -crash) NEAR/3 ^col:umn'), ['fix', 'AND', 'login', 'OR', 'crash', 'NEAR', '3', 'col', 'umn']);
  assert.deepEqual(searchTerms('***'), []);
});

test('scopes parse from model:level pairs', () => {
  assert.deepEqual(parseScopes('card:read'), { board: 'none', card: 'read' });
  assert.deepEqual(parseScopes(undefined), { board: 'write', card: 'write' });
  assert.match(errorOf(() => parseScopes('card:admin')).message, /level one of none, read or write/);
});

test('text fields refuse what no store can hold: NUL and unpaired surrogates, not emoji', () => {
  const card = MANIFEST.card;
  for (const [title, field] of [['a\u0000b', 'title'], ['lone \ud800', 'title'], ['\udc00 first', 'title']] as const) {
    const err = errorOf(() => validateInput('card', card, 'create', { title }));
    assert.deepEqual(err.errors.map((e) => e.field), [field], JSON.stringify(title));
  }
  assert.deepEqual(errorOf(() => validateInput('card', card, 'create', { title: 'x', tags: ['ok', '\ud83d'] })).errors.map((e) => e.field), ['tags[1]']);
  assert.equal(validateInput('card', card, 'create', { title: 'launch 🚀 \u{10FFFF}' }).set.title, 'launch 🚀 \u{10FFFF}');
  assert.ok(isStorableText('🚀') && !isStorableText('\ud83d') && !isStorableText('\u0000'));
});

test('scopes: each part is exactly model:level, and object input names the bad model', () => {
  assert.throws(() => parseScopes('board:read:write'), AppError);
  assert.deepEqual(parseScopesInput({ board: 'read' }), { board: 'read', card: 'none' });
  assert.equal(errorOf(() => parseScopesInput({ board: { toString: 1 } })).errors[0].field, 'scopes.board');
  assert.ok(errorOf(() => parseScopes(`board:${'x'.repeat(10_000)}`)).message.length < 400, 'the bad part is quoted clipped');
});

test('checklist: new items get ids, text is trimmed, every bad item is named at once', () => {
  let n = 0;
  const ids = () => `new${++n}`;
  assert.deepEqual(normalizeChecklist([{ text: ' A ' }, { id: 'b', text: 'B', done: true }], ids), [
    { id: 'new1', text: 'A', done: false }, { id: 'b', text: 'B', done: true },
  ]);
  const err = errorOf(() => normalizeChecklist([{ text: '' }, { id: 'x', text: 'ok', done: 1 }, null], ids));
  assert.deepEqual(err.errors.map((e) => e.field), ['checklist[0].text', 'checklist[1].done', 'checklist[2]']);
  assert.deepEqual(checklistProgress([{ done: true }, { done: false }, { done: true }]), { done: 2, total: 3 });
  assert.deepEqual(checklistProgress(undefined), { done: 0, total: 0 });
});

test('assignees: user ids (lower-cased, distinct) or "me"; a comma-separated string is accepted', () => {
  const id = '0190F5A2-7C1E-7B3D-9A4E-2F1C3D4E5F60';
  assert.deepEqual(normalizeAssignees(['me', id, id.toLowerCase()]), ['me', id.toLowerCase()]);
  assert.deepEqual(normalizeAssignees(`me, ${id}`), ['me', id.toLowerCase()]);
  assert.deepEqual(errorOf(() => normalizeAssignees(['ada', 'me', 7])).errors.map((e) => e.field), ['assignees[0]', 'assignees[2]']);
});

test('foldForSearch: ASCII comes back as it is (the fast path), other text folded as before', () => {
  const ascii = Array.from({ length: 128 }, (_, i) => String.fromCharCode(i)).join('');
  assert.equal(foldForSearch(ascii), ascii);
  assert.equal(ascii.normalize('NFKD').replace(/\p{M}+/gu, '').normalize('NFC'), ascii, 'the slow path agrees on every ASCII character');
  assert.equal(foldForSearch('Café crème'), 'Cafe creme');
  assert.equal(foldForSearch('ﬁx'), 'fix', 'compatibility forms folded');
  assert.equal(foldForSearch('用户登录 ok'), ' 用户 户登 登录 录  ok');
  assert.deepEqual(searchTerms('Café'), ['Cafe']);
});
