/**
 * The web app's rules that need no browser: forms derived from the manifest, server errors placed at
 * their fields, move planning against the server's "insert before" positions, quick filters, and the
 * prodmcp settings for each AI host.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MANIFEST } from '@prodboard/shared';
import { ApiError } from '../src/api/client.js';
import type { Card } from '../src/api/types.js';
import { ASSIGNED_TO_ME, cardMatches, dueState, UNASSIGNED } from '../src/board/filters.js';
import { planMove } from '../src/board/positions.js';
import { formBody, formFields, splitErrors, toFormValues } from '../src/forms/fields.js';
import { mcpConfig } from '../src/pages/mcp-config.js';

let n = 0;
function card(status: string, position: number, data: Partial<Card['data']> = {}): Card {
  n += 1;
  const id = `0190f5a2-7c1e-7b3d-9a4e-${String(n).padStart(12, '0')}`;
  return {
    id, type: 'card', status: 'active', owned_by: 'u', created_by: 'u', updated_by: 'u', is_archived: false, is_deleted: false,
    created_at: '', updated_at: '', version: 1, data: { title: `card ${n}`, status, position, ...data },
  };
}

describe('forms from the manifest', () => {
  test('a form has a control for every create or update field, and a new manifest field appears on its own', () => {
    // A checklist has an editor of its own (board/CardChecklist.tsx), not a form control.
    const ownEditor = (type: string, name: string) => MANIFEST[type].fields.find((f) => f.name === name)?.type === 'checklist';
    for (const type of Object.keys(MANIFEST)) {
      assert.deepEqual(formFields(type, 'create').map((f) => f.name).sort(), MANIFEST[type].create_fields.filter((n) => !ownEditor(type, n)).sort());
      assert.deepEqual(formFields(type, 'update').map((f) => f.name).sort(), MANIFEST[type].update_fields.filter((n) => !ownEditor(type, n)).sort());
    }
    const card = formFields('card', 'update');
    const widget = Object.fromEntries(card.map((f) => [f.name, f.widget]));
    assert.deepEqual(widget, {
      title: 'text', status: 'column', priority: 'enum', tags: 'tags', assignee: 'text', due_date: 'date', board_id: 'ref', assignees: 'members', description: 'textarea', position: 'number',
    });
    assert.equal(card[0].name, 'title', 'required fields come first');
    assert.deepEqual(card.filter((f) => f.advanced).map((f) => f.name), ['position']);
    assert.equal(formFields('board', 'create').find((f) => f.name === 'accent')!.widget, 'accent');
    assert.deepEqual(formFields('board', 'update', ['columns']).map((f) => f.name).includes('columns'), false);
  });

  test('an update sends only what changed; emptied optional fields clear with null; odd input goes as typed', () => {
    const fields = formFields('card', 'update');
    const initial = toFormValues(fields, { title: 'A', tags: ['x', 'y'], assignee: 'ada', position: 2048 });
    assert.equal(initial.tags, 'x, y');
    assert.equal(initial.position, '2048');
    const body = formBody(fields, { ...initial, assignee: '', tags: 'x, z , ', position: 'first', due_date: '2026-01-02' }, initial);
    assert.deepEqual(body, { assignee: null, tags: ['x', 'z'], position: 'first', due_date: '2026-01-02' });
    assert.deepEqual(formBody(fields, initial, initial), {});
    // Member ids travel as a comma-joined text in the form and as an array on the wire.
    const picked = toFormValues(fields, { title: 'A', assignees: ['u1', 'u2'] });
    assert.equal(picked.assignees, 'u1,u2');
    assert.deepEqual(formBody(fields, { ...picked, assignees: 'u2' }, picked), { assignees: ['u2'] });
    assert.deepEqual(formBody(fields, { ...picked, assignees: '' }, picked), { assignees: null });
    const create = formFields('board', 'create');
    assert.deepEqual(formBody(create, { name: 'B', description: '', columns: 'To do, Done', settings: '{"a": 1}' }), { name: 'B', columns: 'To do, Done', settings: { a: 1 } });
  });

  test('server errors land at their fields (tags[2] at tags), readably; the rest is for the whole form', () => {
    const err = new ApiError(400, {
      detail: 'x', code: 'validation_failed',
      errors: [{ field: 'tags[2]', message: 'each of tags must be 1-64 characters' }, { field: 'due_date', message: 'due_date must be an ISO 8601 date' }, { field: 'body', message: 'nothing to update' }],
    });
    const split = splitErrors(err, ['tags', 'due_date', 'title']);
    assert.deepEqual(split.byField, { tags: 'Each of tags must be 1-64 characters', due_date: 'Due date must be an ISO 8601 date' });
    assert.equal(split.general, 'Nothing to update');
    const single = new ApiError(400, { detail: 'new_password must be at least 8 characters', code: 'validation_failed', errors: [{ field: 'new_password', message: 'too short' }] });
    assert.deepEqual(splitErrors(single, ['new_password']).byField, { new_password: 'New password must be at least 8 characters' });
    assert.equal(splitErrors(new ApiError(401, { detail: 'email or password is wrong', code: 'unauthenticated', errors: [] }), ['email']).general, 'Email or password is wrong');
  });
});

describe('planning a move', () => {
  const a = card('todo', 1024);
  const b = card('todo', 2048);
  const c = card('todo', 3072);
  const list = [a, b, c];

  test('within a column: before a card sends that card’s position; to the end asks for past the last', () => {
    assert.deepEqual(planMove(c, 'todo', list, 0), { body: { position: 1024 }, provisional: 512 });
    assert.deepEqual(planMove(a, 'todo', list, 1), { body: { position: 3072 }, provisional: 2560 });
    assert.deepEqual(planMove(a, 'todo', list, 2), { body: { position: 4096 }, provisional: 4096 });
    assert.equal(planMove(b, 'todo', list, 1), null, 'dropping a card where it is does nothing');
  });

  test('across columns: the status changes; the end of a column leaves the position to the server', () => {
    const d = card('done', 1024);
    assert.deepEqual(planMove(a, 'done', [d], 0), { body: { status: 'done', position: 1024 }, provisional: 512 });
    assert.deepEqual(planMove(a, 'done', [d], 1), { body: { status: 'done' }, provisional: 2048 });
    assert.deepEqual(planMove(a, 'review', [], 0), { body: { status: 'review' }, provisional: 1024 });
  });
});

describe('quick filters', () => {
  const now = new Date('2026-06-10T12:00:00');
  test('due dates: overdue, today, within a week, later', () => {
    assert.equal(dueState('2026-06-09', now), 'overdue');
    assert.equal(dueState('2026-06-10T23:00:00Z', now), 'today');
    assert.equal(dueState('2026-06-17', now), 'soon');
    assert.equal(dueState('2026-06-18', now), 'later');
    assert.equal(dueState(undefined, now), undefined);
  });

  test('filters combine, and a search result set narrows them further', () => {
    const x = card('todo', 1, { assignee: 'ada', priority: 'high', tags: ['ui'], due_date: '2026-06-01' });
    const y = card('todo', 2, { priority: 'low' });
    assert.equal(cardMatches(x, { assignee: 'ada', priority: 'high', tag: 'ui', due: 'overdue' }, undefined, now), true);
    assert.equal(cardMatches(x, { assignee: UNASSIGNED }, undefined, now), false);
    assert.equal(cardMatches(y, { assignee: UNASSIGNED, due: 'none' }, undefined, now), true);
    assert.equal(cardMatches(y, { due: 'week' }, undefined, now), false);
    assert.equal(cardMatches(x, {}, new Set([y.id]), now), false);
  });

  test('the assignee filter: a member id, "me" (the signed-in id), nobody, or unmatched free text', () => {
    const both = card('todo', 1, { assignees: ['u-ada', 'u-bob'] });
    const legacy = card('todo', 2, { assignee: 'design team' });
    const none = card('todo', 3, {});
    assert.equal(cardMatches(both, { assignee: 'u-bob' }, undefined, now), true);
    assert.equal(cardMatches(both, { assignee: ASSIGNED_TO_ME }, undefined, now, 'u-ada'), true);
    assert.equal(cardMatches(both, { assignee: ASSIGNED_TO_ME }, undefined, now, 'u-eve'), false);
    assert.equal(cardMatches(both, { assignee: ASSIGNED_TO_ME }, undefined, now), false, 'nobody signed in: "me" is nobody');
    assert.equal(cardMatches(legacy, { assignee: 'design team' }, undefined, now), true);
    assert.equal(cardMatches(legacy, { assignee: UNASSIGNED }, undefined, now), false, 'free text is an assignee too');
    assert.equal(cardMatches(none, { assignee: UNASSIGNED }, undefined, now), true);
  });
});

describe('MCP host settings', () => {
  test('by URL, every host gets this server’s /mcp and no token; no snippet names an npm package', () => {
    for (const host of ['claude', 'chatgpt', 'cursor', 'vscode'] as const) {
      const text = mcpConfig(host, { baseUrl: 'https://board.example.com', token: 'pat_x', launch: 'url' });
      assert.match(text, /https:\/\/board\.example\.com\/mcp/, host);
      assert.doesNotMatch(text, /pat_x|npx|PRODMCP_TOKEN/, host);
    }
    assert.deepEqual(JSON.parse(mcpConfig('vscode', { baseUrl: 'https://b.example', launch: 'url' })), { servers: { prodboard: { type: 'http', url: 'https://b.example/mcp' } } });
    assert.deepEqual(JSON.parse(mcpConfig('cursor', { baseUrl: 'https://b.example', launch: 'url' })), { mcpServers: { prodboard: { url: 'https://b.example/mcp' } } });
    assert.equal(mcpConfig('chatgpt', { baseUrl: 'https://b.example', launch: 'file' }), 'https://b.example/mcp', 'ChatGPT connects by URL only');
  });

  test('the file alternative gets this server’s URL and the token; VS Code asks for the token instead of storing it', () => {
    const claude = JSON.parse(mcpConfig('claude', { baseUrl: 'https://board.example.com', token: 'pat_x', launch: 'file' }));
    assert.deepEqual(claude.mcpServers.prodboard, { command: 'node', args: ['/ABSOLUTE/PATH/TO/.prodmcp/prodmcp.mjs'], env: { PRODMCP_BASE_URL: 'https://board.example.com', PRODMCP_TOKEN: 'pat_x' } });
    const cursor = JSON.parse(mcpConfig('cursor', { baseUrl: 'http://127.0.0.1:4747', launch: 'file' }));
    assert.equal(cursor.mcpServers.prodboard.command, 'node');
    assert.match(cursor.mcpServers.prodboard.args[0], /prodmcp\.mjs$/);
    assert.equal(cursor.mcpServers.prodboard.env.PRODMCP_TOKEN, 'pat_…');
    const vscode = JSON.parse(mcpConfig('vscode', { baseUrl: 'http://127.0.0.1:4747', token: 'pat_x', launch: 'file' }));
    assert.equal(vscode.servers.prodboard.env.PRODMCP_TOKEN, '${input:prodboard-token}');
    assert.equal(vscode.inputs[0].password, true);
  });
});
