/**
 * Comments, Markdown and history in the card panel, in real Chromium: a comment written with
 * Markdown and an @mention picked from the suggestions renders formatted with the member's name, a
 * teammate's open panel shows it live, hostile Markdown (raw HTML with handlers, javascript: links)
 * stays inert in comments and descriptions, and the history lists the card's changes newest first.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { newContext, openSignedIn, screenshot, setup, signUp } from './helpers.js';

let env: Awaited<ReturnType<typeof setup>>;
let boardId: string;
let teammate: Awaited<ReturnType<typeof signUp>>;
const stamp = Date.now().toString(36);

const HOSTILE = [
  'Hostile: <img src=x onerror="window.__pwned = 1"> and <script>window.__pwned = 2</script>',
  '',
  '[click me](javascript:window.__pwned=3) and [data](data:text/html,<script>alert(1)</script>)',
  '',
  '![pic](javascript:window.__pwned=4) <a href="javascript:window.__pwned=5" onclick="window.__pwned=6">raw link</a>',
].join('\n');

before(async () => {
  env = await setup({ eventsHeartbeatMs: 1000 });
  teammate = await signUp(env.server, { workspace: env.owner.workspace.slug, role: 'member', email: `mia.${stamp}@example.com` });
  boardId = (await env.owner.api.post('/xapi2/data/board', { body: { name: 'Launch', columns: 'To do, Done' } })).body.id;
});
after(() => env.close());

async function newCard(title: string, description?: string): Promise<string> {
  const res = await env.owner.api.post('/xapi2/data/card', { body: { title, board_id: boardId, description } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.id;
}

async function openCard(session: string, cardId: string): Promise<Page> {
  const page = await openSignedIn(await newContext(env.browser), env.server, session, `/boards/${boardId}?card=${cardId}`);
  await page.getByRole('dialog').locator('.card-comments').waitFor();
  return page;
}

describe('comments in the card panel', () => {
  test('a comment with Markdown and a picked @mention renders formatted, by name, and appears live in a teammate’s panel', async () => {
    const cardId = await newCard('Write the launch post');
    const alice = await openCard(env.owner.session, cardId);
    const bob = await openCard(teammate.session, cardId);
    await bob.getByText('No comments yet.').waitFor();

    const box = alice.getByLabel('New comment');
    await box.fill('**Draft is ready**, please review @mi');
    await alice.getByRole('list', { name: 'Mention a member' }).getByRole('button', { name: /mia\./ }).click();
    await box.press('End');
    await box.pressSequentially('- notes in [the doc](https://example.com/doc)');
    assert.match(await box.inputValue(), new RegExp(`@mia\\.${stamp} - notes`));
    await alice.getByRole('button', { name: 'Comment', exact: true }).click();

    const rendered = alice.locator('.comment-body').first();
    await rendered.locator('strong', { hasText: 'Draft is ready' }).waitFor();
    assert.equal(await rendered.locator('.mention').textContent(), `@mia.${stamp}`);
    const link = rendered.getByRole('link', { name: 'the doc' });
    assert.equal(await link.getAttribute('href'), 'https://example.com/doc');
    assert.equal(await link.getAttribute('rel'), 'noopener noreferrer nofollow');
    assert.equal(await link.getAttribute('target'), '_blank');
    await alice.getByLabel('New comment').waitFor();
    assert.equal(await alice.getByLabel('New comment').inputValue(), '', 'the composer empties after sending');

    // Bob's open panel gets it from the live feed, rendered the same way, without a reload.
    await bob.locator('.comment-body strong', { hasText: 'Draft is ready' }).waitFor();
    assert.equal(await bob.locator('.comment-body .mention').textContent(), `@mia.${stamp}`);
    // Bob may not edit or delete Alice's comment; he answers with his own.
    assert.equal(await bob.locator('.comment').first().getByRole('button', { name: 'Edit' }).count(), 0);
    assert.equal(await bob.locator('.comment').first().getByRole('button', { name: 'Delete' }).count(), 0);
    await bob.getByLabel('New comment').fill('On it. `code` stays code: @nobody');
    await bob.getByRole('button', { name: 'Comment', exact: true }).click();
    await alice.locator('.comment-body code', { hasText: 'code' }).waitFor();
    await screenshot(alice, 'card-comments');

    // Alice edits her own comment; Bob's panel follows.
    await alice.locator('.comment').first().getByRole('button', { name: 'Edit' }).click();
    await alice.getByLabel('Edit comment').fill('**Final** version');
    await alice.getByRole('button', { name: 'Save comment' }).click();
    await bob.locator('.comment-body strong', { hasText: 'Final' }).waitFor();
    await bob.locator('.comment').first().getByText('edited').waitFor();
  });

  test('hostile Markdown in a comment and a description is inert: no handlers, no scripts, no javascript: links', async () => {
    const cardId = await newCard('Hostile card', HOSTILE);
    const created = await env.owner.api.post(`/xapi2/cards/${cardId}/comments`, { body: { body: HOSTILE } });
    assert.equal(created.status, 201);
    const page = await openCard(env.owner.session, cardId);
    await page.locator('.comment-body').first().waitFor();
    await page.locator('.card-description').waitFor();

    for (const scope of ['.comment-body', '.card-description']) {
      const found = await page.locator(scope).first().evaluate((root) => ({
        elements: root.querySelectorAll('img, script, iframe, object, embed, style').length,
        handlers: Array.from(root.querySelectorAll('*')).flatMap((el) => el.getAttributeNames().filter((n: string) => n.startsWith('on'))),
        html: root.innerHTML,
      }));
      assert.equal(found.elements, 0, `${scope} keeps no element of the raw HTML: ${found.html}`);
      assert.deepEqual(found.handlers, [], `${scope} keeps no event handler: ${found.html}`);
      assert.ok(!/javascript:|data:text/i.test(await page.locator(`${scope} a`).evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? '').join(' '))), `${scope} has no unsafe link`);
      // The raw HTML is shown as text, so the reader sees what was written.
      assert.match((await page.locator(scope).first().textContent()) ?? '', /<img src=x onerror=/);
    }
    // Clicking every link in the rendered text runs nothing.
    for (const a of await page.locator('.comment-body a, .card-description a').all()) await a.click({ modifiers: ['Control'] }).catch(() => {});
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assert.equal(await page.locator('img[onerror], [onclick]').count(), 0);
  });

  test('the board search finds a card by the words of its comments', async () => {
    const word = `walrus${stamp}`;
    const found = await newCard('Nothing in the title');
    await env.owner.api.post(`/xapi2/cards/${found}/comments`, { body: { body: `spotted a *${word}* here` } });
    const page = await openSignedIn(await newContext(env.browser), env.server, env.owner.session, `/boards/${boardId}`);
    await page.locator('.board-page[data-state="complete"]').waitFor();
    assert.ok((await page.locator('.card').count()) > 1);
    await page.getByLabel('Search cards').fill(word);
    await page.waitForFunction(() => document.querySelectorAll('.card').length === 1);
    assert.equal(await page.locator('.card .card-title').textContent(), 'Nothing in the title');
  });

  test('the history lists the card’s changes and comments, newest first, with who and when', async () => {
    const cardId = await newCard('Tracked card');
    await env.owner.api.post(`/xapi2/cards/${cardId}/comments`, { body: { body: 'first thoughts' } });
    await teammate.api.patch(`/xapi2/data/card/${cardId}`, { body: { priority: 'high' } });
    const page = await openCard(env.owner.session, cardId);
    const entries = page.locator('.history-entry');
    await entries.nth(2).waitFor();
    const texts = (await entries.allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
    assert.match(texts[0], new RegExp(`^mia\\.${stamp} changed priority just now`));
    assert.match(texts[1], /^owner-\d+ commented just now/);
    assert.match(texts[2], /^owner-\d+ created the card just now/);
    // A new comment joins the top of the history, live.
    await teammate.api.post(`/xapi2/cards/${cardId}/comments`, { body: { body: 'second' } });
    await page.waitForFunction(() => document.querySelector('.history-entry')?.textContent?.includes('commented'));
    await page.locator('.card-history').scrollIntoViewIfNeeded();
    await screenshot(page, 'card-history');
  });
});
