/**
 * A board of 5,000 cards in a real browser: it paints from the first page of each column (within the
 * issue's 1 s on the best of three loads), keeps only the cards in view in the page, and scrolls and
 * navigates by keyboard to the end of a 3,000-card column. Also the board at phone width.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { newContext, openSignedIn, screenshot, setup, waitForBoard } from './helpers.js';
import { seedBoard } from './seed-board.js';

const CARDS = 5000;
let env: Awaited<ReturnType<typeof setup>>;
let context: BrowserContext;
let page: Page;
let boardId: string;
let perColumn: Record<string, number>;

before(async () => {
  env = await setup();
  ({ boardId, perColumn } = await seedBoard(env.server.store, { userId: env.owner.user.id, workspaceId: env.owner.workspace.id }, CARDS));
  context = await newContext(env.browser, { width: 1440, height: 900 });
  page = await openSignedIn(context, env.server, env.owner.session, `/boards/${boardId}`);
});
after(() => env.close());

const painted = (p: Page) => p.evaluate(() => performance.getEntriesByName('pb:board-painted')[0]?.startTime);

describe('a board of 5,000 cards', () => {
  test('paints from the first pages, then loads the rest in pages of 200 without one request per card', async () => {
    const requests: string[] = [];
    page.on('request', (r) => r.url().includes('/xapi2/data/') && requests.push(r.url()));
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      await page.reload();
      await page.waitForFunction(() => performance.getEntriesByName('pb:board-painted').length > 0);
      times.push((await painted(page))!);
    }
    // The 1 s first-paint target is measured by npm run bench (bench/web-bench.ts), not asserted here:
    // a timed assertion on a shared machine tests the machine. Here: it painted, from real numbers.
    assert.ok(times.every((t) => Number.isFinite(t) && t > 0), `first paint was recorded: ${times.join(', ')}`);
    // Let the last load finish its background pages, so none of them is counted against the next load.
    await waitForBoard(page);
    requests.length = 0;
    await page.reload();
    await waitForBoard(page);
    assert.ok(requests.length <= 1 + Math.ceil(CARDS / 200) + Object.keys(perColumn).length, `${requests.length} data requests`);
    assert.ok(requests.every((u) => !/\/data\/card\/[0-9a-f-]{36}/.test(u)), 'no request for a single card');
    await page.locator('.board-count', { hasText: '5,000 cards' }).waitFor();
    assert.equal(await page.locator('[data-column-key="todo"] .count').textContent(), perColumn.todo.toLocaleString('en-US'));
  });

  test('keeps only the cards in view in the page and scrolls to the end of a 3,000-card column', async () => {
    const inPage = await page.locator('.card').count();
    assert.ok(inPage > 20 && inPage < 200, `${inPage} cards in the page`);
    await screenshot(page, 'board-5000');
    const column = page.locator('[data-column-key="todo"] .column-body');
    await column.evaluate((el) => (el.scrollTop = el.scrollHeight));
    await page.locator('[data-column-key="todo"] .card', { hasText: `#${perColumn.todo}` }).waitFor();
    assert.ok((await page.locator('.card').count()) < 200);

    // Keyboard: Home and End travel the whole column, focus and scroll follow.
    await page.locator('[data-column-key="todo"] .card').last().focus();
    await page.keyboard.press('Home');
    await page.waitForFunction(() => document.activeElement?.textContent?.includes('#1') && /#1(\D|$)/.test(document.activeElement.textContent));
    assert.equal(await column.evaluate((el) => el.scrollTop), 0);
    await page.keyboard.press('End');
    await page.waitForFunction((n) => document.activeElement?.textContent?.includes(`#${n}`), perColumn.todo);
  });

  test('is readable at phone width: one column at a time, filters wrap, navigation behind a menu', async () => {
    const phone = await newContext(env.browser, { width: 390, height: 844 });
    const small = await openSignedIn(phone, env.server, env.owner.session, `/boards/${boardId}`);
    await waitForBoard(small);
    const column = (await small.locator('.column').first().boundingBox())!;
    assert.ok(column.width <= 390 - 32, `a column is ${column.width} px wide at 390 px`);
    assert.equal(await small.locator('#sidebar').isVisible(), false);
    await screenshot(small, 'board-phone');
    await small.getByRole('button', { name: 'Menu' }).click();
    await small.getByRole('link', { name: 'Integrations' }).click();
    await small.getByRole('heading', { name: 'Integrations' }).waitFor();
    await screenshot(small, 'integrations-phone');
    await phone.close();
  });
});
