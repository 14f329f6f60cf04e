/**
 * Mentions on their own: which `@handles` a body holds, and which member each names (exactly one,
 * or none).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mentionHandles, resolveMentions } from '../src/index.js';

const members = [
  { user_id: 'u-ana', name: 'Ana Lima', email: 'ana.lima@example.com' },
  { user_id: 'u-ben', name: 'Ben', email: 'ben@example.com' },
  { user_id: 'u-ana2', name: 'Ana Souza', email: 'asouza@example.com' },
];

test('handles: at a word start, ending on a letter or digit, each once; emails are not mentions', () => {
  assert.deepEqual(mentionHandles('hi @ben, @ben. and @ana.lima! mail ben@example.com (@AnaLima)'), ['ben', 'ana.lima', 'AnaLima']);
  assert.deepEqual(mentionHandles('@ana.lima@example.com please'), ['ana.lima@example.com']);
  assert.deepEqual(mentionHandles('no @ here, nor @@x'), []);
});

test('a handle resolves when it names exactly one member, by name without spaces, first name, email or local part', () => {
  const resolved = resolveMentions('@AnaLima @ben @asouza @ANA.LIMA@EXAMPLE.COM @ana @nobody', members);
  assert.deepEqual(resolved, [
    { user_id: 'u-ana', handle: 'AnaLima' },
    { user_id: 'u-ben', handle: 'ben' },
    { user_id: 'u-ana2', handle: 'asouza' },
    { user_id: 'u-ana', handle: 'ANA.LIMA@EXAMPLE.COM' },
  ]);
});
