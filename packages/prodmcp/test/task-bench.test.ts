/**
 * The assistant task benchmark (bench/tasks.ts, part of `npm run bench`) run on a tiny board, so
 * the harness cannot rot between benchmark runs: the built prodmcp and the reference client, each
 * through the MCP SDK client over stdio against a real server on a fresh copy of one seed. The
 * reference client's calls are known exactly (it has one tool per record operation); our side
 * either completes each task, with every change visible through the API, or reports that the
 * task's tool is not offered yet. Nothing here asserts a duration.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TASKS, TINY_SCALE, formatTaskBench, referenceUnavailable, runTaskBench, type TaskName, type TaskResult } from '../../../bench/tasks.js';

describe('assistant task benchmark harness (tiny board)', () => {
  test('the reference client takes the expected calls, and our side completes each task or reports the tool missing', async () => {
    assert.equal(referenceUnavailable(), undefined, 'the reference client needs python3 and shared/reference/prodmcp-reference.py (or BENCH_REFERENCE)');
    const scale = TINY_SCALE;
    const result = await runTaskBench({ scale });
    const text = formatTaskBench(result);
    assert.match(text, /tools\/list \(compact JSON\): ours [\d,]+ bytes/);

    const side = (name: 'ours' | 'reference') => {
      const found = result.sides.find((s) => s.side === name);
      assert.ok(found, `${name} side ran`);
      return found;
    };
    const reference = side('reference');
    const ours = side('ours');
    const task = (tasks: TaskResult[], name: TaskName) => {
      const found = tasks.find((t) => t.task === name);
      assert.ok(found, `task ${name} ran`);
      return found;
    };

    // The reference client: one board_list to find the board by name in every task that needs it,
    // then one call per card where it has no bulk tool.
    assert.equal(reference.tools, 11);
    const expectedCalls: Record<TaskName, number> = {
      overview: 2, // board_list, card_list (one page of up to 200)
      move: 2 + scale.bugs, // board_list, card_list of the bugs in Review, one card_update each
      create: 1 + scale.creates, // board_list, one card_create each
      changes: 2, // board_list, card_list newest first
      comment: 1, // card_list {q}; it has no comment tool
    };
    for (const name of TASKS) {
      const t = task(reference.tasks, name);
      assert.equal(t.status, 'done', `reference ${name}: ${t.note ?? ''}`);
      assert.equal(t.calls, expectedCalls[name], `reference ${name} calls`);
      assert.ok(t.bytes > 0, `reference ${name} returned text`);
    }
    assert.equal(task(reference.tasks, 'move').check, `${scale.bugs} of ${scale.bugs} moved`);
    assert.equal(task(reference.tasks, 'create').check, `${scale.creates} of ${scale.creates} created`);
    assert.equal(task(reference.tasks, 'overview').complete, true, task(reference.tasks, 'overview').check);
    // What the reference client cannot see: deleted cards leave no row in a list.
    assert.equal(task(reference.tasks, 'changes').check, `${scale.changes - scale.deletions} of ${scale.changes} changes visible`);
    assert.equal(task(reference.tasks, 'comment').check, 'found (no comment tool)');

    // Ours: done, or the task's tool is not offered (yet); never a failure. Where it is done, the
    // changes it made (or had to find) are all there, checked through the API.
    for (const name of TASKS) {
      const t = task(ours.tasks, name);
      assert.ok(t.status === 'done' || t.status === 'tool missing', `ours ${name}: ${t.status} ${t.note ?? ''}`);
      if (t.status === 'tool missing') {
        assert.equal(t.calls, 0, `ours ${name} made no call before finding its tool missing`);
        assert.match(t.note ?? '', /^not offered: /);
      } else if (name !== 'overview') {
        assert.equal(t.complete, true, `ours ${name}: ${t.check}`);
      }
    }
  });
});
