/**
 * Browser-test helpers: a real prodboard server (the server's own test helpers) serving the built
 * web app, Debian's Chromium driven by playwright-core (never a downloaded browser), sign-in without
 * the login form, and screenshots under test-output/screenshots/.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { signUp, startServer, type TestServer } from '../../server/test/helpers.js';

export { client, makeToken, request, signUp, startServer, type TestServer } from '../../server/test/helpers.js';

/** Where Debian installs Chromium (`apt-get install chromium`; .ci/run does it). */
export const CHROMIUM = process.env.PRODBOARD_CHROMIUM || '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const WEB_DIST = fileURLToPath(new URL('../dist/index.html', import.meta.url));
export const SCREENSHOTS = fileURLToPath(new URL('../../../test-output/screenshots/', import.meta.url));

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Launches headless Chromium, or fails with what to install. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is missing at ${CHROMIUM}: install it with apt-get install -y chromium (or set PRODBOARD_CHROMIUM)`);
  if (!existsSync(WEB_DIST)) throw new Error('the web app is not built: run npm run build first');
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

/** A fresh browser context (its own storage, like another person's browser). */
export async function newContext(browser: Browser, viewport = { width: 1366, height: 860 }): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport, locale: 'en-US', timezoneId: 'UTC' });
  context.setDefaultTimeout(10_000);
  return context;
}

/** Opens `path` signed in with `session` (stored the way the app stores it). */
export async function openSignedIn(context: BrowserContext, server: TestServer, session: string, path = '/'): Promise<Page> {
  const page = await context.newPage();
  await page.goto(new URL('/login', server.url).href);
  await page.evaluate((token) => localStorage.setItem('prodboard.session', token), session);
  await page.goto(new URL(path, server.url).href);
  return page;
}

/**
 * Saves a screenshot of the page as test-output/screenshots/<name>.png. `fullPage` grows the window
 * to the page's scrolling area for the shot (the app scrolls inside its main area, not the document).
 */
export async function screenshot(page: Page, name: string, fullPage = false): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const viewport = page.viewportSize();
  if (fullPage && viewport) {
    const height = await page.evaluate(() => {
      const main = document.querySelector('.main');
      return main ? main.scrollHeight + (document.documentElement.clientHeight - main.clientHeight) : document.documentElement.scrollHeight;
    });
    await page.setViewportSize({ width: viewport.width, height: Math.max(viewport.height, Math.min(height, 4000)) });
  }
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png` });
  if (fullPage && viewport) await page.setViewportSize(viewport);
}

/** A server with an owner account, and a browser. */
export async function setup(options: Parameters<typeof startServer>[0] = {}) {
  const server = await startServer(options);
  const owner = await signUp(server, { email: `owner-${Date.now()}@example.com`, password: 'correct horse battery' });
  const browser = await launchBrowser();
  return {
    server,
    owner,
    browser,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/** Waits until the board page has loaded every card. */
export async function waitForBoard(page: Page): Promise<void> {
  await page.locator('.board-page[data-state="complete"]').waitFor();
}

/** The titles of a column's rendered cards, top to bottom. */
export async function columnTitles(page: Page, key: string): Promise<string[]> {
  return page.locator(`[data-column-key="${key}"] .card-slot`).evaluateAll((slots) =>
    slots
      .map((slot) => ({ y: new DOMMatrix(getComputedStyle(slot).transform).m42, title: slot.querySelector('.card-title')!.textContent! }))
      .sort((a, b) => a.y - b.y)
      .map((s) => s.title),
  );
}

/** Resolves when every animation with an end (a panel sliding in, a toast fading in) has finished. */
export async function animationsSettled(page: Page): Promise<void> {
  await page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((a) => Number.isFinite(a.effect?.getComputedTiming().endTime ?? Number.POSITIVE_INFINITY))
        .map((a) => a.finished.catch(() => undefined)),
    ),
  );
}

/**
 * Runs axe-core on the page at rest (animations finished: a toast halfway through fading in has
 * the contrast of neither its start nor its end); returns its violations, readable.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  await animationsSettled(page);
  // Injected through the devtools protocol: the app's CSP rightly refuses inline scripts.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document) => Promise<{ violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: unknown[]; failureSummary?: string }> }> }> } }).axe;
    const result = await axe.run(document);
    return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `  ${JSON.stringify(n.target)}: ${n.failureSummary?.replace(/\s+/g, ' ')}`).join('\n')}`);
  });
}

