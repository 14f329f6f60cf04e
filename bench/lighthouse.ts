/**
 * Lighthouse on the web app: the login page, the boards page and a board of 50 cards, each on
 * desktop and mobile, and the same board on a 390 px phone; accessibility and performance scores,
 * CLS, LCP, bytes transferred, unused JavaScript and uncompressed bytes, the median of 3 runs each
 * (LIGHTHOUSE_RUNS). Run it with `npm run bench:lighthouse` (builds first) or, on a fresh build,
 * `node --import tsx bench/lighthouse.ts`.
 *
 * The server is the built prodboard on a fresh SQLite file, seeded through its HTTP API (six members,
 * six boards, one of 50 cards with assignees, tags, checklists and comments) after a real login.
 *
 * Lighthouse 13 needs Node 22: it runs from the npx cache (`npx -p node@22 -p lighthouse@…`, resolved
 * once) against Debian's Chromium, never a downloaded browser. The app keeps its session in
 * localStorage (the `prodboard.session` key), which no Lighthouse flag can set (its extra headers and
 * cookies would reach the API, but the app would still show its login form), so this script starts
 * Chromium itself with the usual headless flags and a DevTools port, and before each run empties the
 * HTTP cache and the origin's storage and puts the session in (or takes it out, for the login page);
 * Lighthouse then attaches with `--port` and `--disable-storage-reset`. Every run is a cold load.
 */
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { buildApp } from '../packages/server/dist/app.js';
import { configFromEnv } from '../packages/server/dist/config.js';
import { userCreator } from '../packages/server/dist/commands/user-creator.js';
import { openSqliteStore } from '../packages/server/dist/store/sqlite/sqlite-store.js';

/** The pinned tools: Lighthouse 13 requires Node 22.19 or later. */
export const LIGHTHOUSE = { node: 'node@22', package: 'lighthouse@13.5.0' } as const;
const CHROMIUM = process.env.PRODBOARD_CHROMIUM || '/usr/bin/chromium';
const CHROME_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--no-default-browser-check'];
/** The built web app measured: PRODBOARD_WEB_ROOT names another build (to compare before and after a change). */
const WEB_ROOT = process.env.PRODBOARD_WEB_ROOT || fileURLToPath(new URL('../packages/web/dist/', import.meta.url));
const SESSION_KEY = 'prodboard.session';
/** Each run's full Lighthouse report (JSON), for looking into a figure. */
const REPORTS = fileURLToPath(new URL('./results/lighthouse/', import.meta.url));
const slug = (text: string) => text.replace(/[^a-z0-9]+/gi, '-').replace(/-$/, '').toLowerCase();

/** Lighthouse's settings for each device: its desktop preset, its default phone, and a 390 px phone. */
const DEVICES = {
  desktop: ['--preset=desktop'],
  mobile: [],
  'phone 390': ['--form-factor=mobile', '--screenEmulation.mobile', '--screenEmulation.width=390', '--screenEmulation.height=844', '--screenEmulation.deviceScaleFactor=3'],
} as const;
type Device = keyof typeof DEVICES;

/** The pages measured: path, whether signed in, and on which devices. */
function pages(boardId: string): Array<{ name: string; path: string; signedIn: boolean; devices: Device[] }> {
  return [
    { name: 'login', path: '/login', signedIn: false, devices: ['desktop', 'mobile'] },
    { name: 'boards', path: '/', signedIn: true, devices: ['desktop', 'mobile'] },
    { name: 'board (50 cards)', path: `/boards/${boardId}`, signedIn: true, devices: ['desktop', 'mobile', 'phone 390'] },
  ];
}

/** One Lighthouse run's figures. */
export interface RunFigures {
  accessibility: number;
  performance: number;
  cls: number;
  lcpMs: number;
  transferBytes: number;
  unusedJsBytes: number;
  /** Bodies of text responses (1 KiB or more) sent without compression, in bytes. */
  uncompressedBytes: number;
  /** Those responses: url → body bytes. */
  uncompressed: Record<string, number>;
  /** Accessibility audits that failed, by id. */
  failedA11y: string[];
  /** Scripts with unused bytes: url → wasted bytes. */
  unusedJs: Record<string, number>;
  /** Layout shifts' sources, when CLS is not 0. */
  shifts: string[];
  /** Lighthouse's measure of this machine's speed at the time (its `benchmarkIndex`; higher is faster): the baseline a score is read against. */
  benchmarkIndex: number;
}

export interface PageResult {
  page: string;
  device: Device;
  url: string;
  runs: RunFigures[];
  median: Omit<RunFigures, 'failedA11y' | 'unusedJs' | 'shifts' | 'uncompressed'>;
  /** The spread over the runs of what varies most with the machine's load. */
  range: { performance: [number, number]; cls: [number, number] };
  failedA11y: string[];
  unusedJs: Record<string, number>;
  uncompressed: Record<string, number>;
  shifts: string[];
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Where npx keeps Node 22 and Lighthouse (installed on first use, then cached). */
function resolveLighthouse(log: (line: string) => void): { node: string; cli: string } {
  log(`resolving ${LIGHTHOUSE.package} under ${LIGHTHOUSE.node} through npx (installs on first use)`);
  const out = execFileSync('npx', ['-y', '-p', LIGHTHOUSE.node, '-p', LIGHTHOUSE.package, '-c', 'command -v node; command -v lighthouse; node --version; lighthouse --version'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [node, cli, nodeVersion, version] = out.trim().split('\n').slice(-4);
  if (!node || !cli || !existsSync(cli)) throw new Error(`could not find lighthouse in the npx cache; npx printed: ${out}`);
  log(`lighthouse ${version} on node ${nodeVersion}`);
  return { node, cli };
}

/** Starts Chromium with a DevTools port; resolves once it listens. */
async function startChromium(profile: string): Promise<{ port: number; stop: () => Promise<void> }> {
  const child = spawn(CHROMIUM, [...CHROME_FLAGS, '--remote-debugging-port=0', `--user-data-dir=${profile}`, 'about:blank'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    let err = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      err += chunk;
      const m = /DevTools listening on ws:\/\/[^:]+:(\d+)\//.exec(err);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`Chromium exited (${code}) before listening: ${err.slice(-2000)}`)));
  });
  return {
    port,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Runs Lighthouse once against the browser on `port`; returns its JSON report. */
function lighthouse(tool: { node: string; cli: string }, url: string, port: number, device: Device, output: string): Promise<any> {
  const args = [
    tool.cli, url, `--port=${port}`, '--hostname=127.0.0.1',
    '--disable-storage-reset', '--only-categories=accessibility,performance', '--output=json', `--output-path=${output}`, '--quiet', ...DEVICES[device],
  ];
  return new Promise((resolve, reject) => {
    // Node 22 first on PATH: Lighthouse's own child processes, if any, run on it too.
    const child = spawn(tool.node, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PATH: `${dirname(tool.node)}:${process.env.PATH}` } });
    let err = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      err += chunk;
    });
    child.once('exit', (code) => {
      if (code !== 0 || !existsSync(output)) return reject(new Error(`lighthouse exited ${code} on ${url}: ${err.slice(-3000)}`));
      resolve(JSON.parse(readFileSync(output, 'utf8')));
    });
  });
}

/** The figures of one report. */
export function figures(report: any, origin: string): RunFigures {
  const audits = report.audits;
  const score = (category: string) => Math.round((report.categories[category]?.score ?? Number.NaN) * 100);
  const short = (url: string) => url.replace(origin, '');
  const unusedJs: Record<string, number> = {};
  for (const item of audits['unused-javascript']?.details?.items ?? []) unusedJs[short(item.url)] = item.wastedBytes;
  const failedA11y = report.categories.accessibility.auditRefs
    .filter((ref: { id: string; weight: number }) => ref.weight > 0 && audits[ref.id]?.score !== null && audits[ref.id]?.score < 1)
    .map((ref: { id: string }) => ref.id);
  // Lighthouse 13 dropped its text-compression audit: a text response of 1 KiB or more whose
  // transfer (headers included) is not smaller than its body went out uncompressed.
  const uncompressed: Record<string, number> = {};
  for (const item of audits['network-requests']?.details?.items ?? []) {
    const text = /^text\/|javascript|json|css|svg|xml/.test(item.mimeType ?? '');
    if (text && item.resourceSize >= 1024 && item.transferSize >= item.resourceSize) uncompressed[short(item.url)] = item.resourceSize;
  }
  const shifts: string[] = [];
  for (const item of audits['layout-shifts']?.details?.items ?? []) {
    shifts.push(`${item.node?.selector ?? item.node?.snippet ?? 'unknown'} (${Number(item.score).toFixed(3)})`);
  }
  return {
    accessibility: score('accessibility'),
    performance: score('performance'),
    cls: audits['cumulative-layout-shift'].numericValue,
    lcpMs: audits['largest-contentful-paint'].numericValue,
    transferBytes: audits['total-byte-weight'].numericValue,
    unusedJsBytes: audits['unused-javascript']?.details?.overallSavingsBytes ?? 0,
    uncompressedBytes: Object.values(uncompressed).reduce((a, b) => a + b, 0),
    uncompressed,
    failedA11y,
    unusedJs,
    shifts,
    benchmarkIndex: Math.round(report.environment?.benchmarkIndex ?? 0),
  };
}

/** Members, boards and cards through the HTTP API, signed in as the owner; returns the measured board's id. */
async function seed(base: string, store: Parameters<typeof userCreator>[0], log: (line: string) => void): Promise<{ session: string; boardId: string }> {
  const password = 'a long bench passphrase';
  const workspace = 'lighthouse';
  await userCreator(store, { email: 'owner@example.com', name: 'Olivia Owner', password, role: 'owner', workspace });
  const people = ['Ada Lovelace', 'Grace Hopper', 'Linus Torvalds', 'Barbara Liskov', 'Ken Thompson', 'Margaret Hamilton'];
  const members: string[] = [];
  for (const name of people) {
    const { user } = await userCreator(store, { email: `${name.split(' ')[0].toLowerCase()}@example.com`, name, password, role: 'member', workspace });
    members.push(user.id);
  }
  const call = async (method: string, path: string, token: string | null, body?: unknown) => {
    const res = await fetch(new URL(path, base), {
      method,
      headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json()) as any;
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const session = (await call('POST', '/xapi2/auth/login', null, { email: 'owner@example.com', password })).access_token as string;

  const boardNames = ['Website relaunch', 'Mobile app', 'Customer support', 'Infrastructure', 'Hiring', 'Marketing'];
  const boards: string[] = [];
  for (const name of boardNames) boards.push((await call('POST', '/xapi2/data/board', session, { name, description: `Everything for ${name.toLowerCase()}.` })).id);
  const [boardId] = boards;
  const words = 'deploy review migrate refactor login billing invoice export search cache queue retry webhook onboarding dashboard report layout column token audit upload email filter archive import chart alert'.split(' ');
  const tags = ['bug', 'feature', 'ui', 'api', 'infra', 'docs', 'urgent', 'customer'];
  const statuses = ['todo', 'todo', 'todo', 'in_progress', 'in_progress', 'review', 'done'];
  const priorities = ['low', 'medium', 'high', 'critical'];
  for (let i = 0; i < 50; i++) {
    const title = `${words[i % words.length].replace(/^./, (c) => c.toUpperCase())} ${words[(i * 7 + 3) % words.length]} ${words[(i * 11 + 5) % words.length]}${i % 5 === 0 ? ' before the launch review with the whole team' : ''}`;
    const card: Record<string, unknown> = { title, board_id: boardId, status: statuses[i % statuses.length], priority: priorities[i % priorities.length] };
    if (i % 3 !== 2) card.assignees = [members[i % members.length], ...(i % 4 === 0 ? [members[(i + 1) % members.length]] : [])];
    if (i % 2 === 0) card.tags = [tags[i % tags.length], tags[(i + 3) % tags.length]];
    if (i % 4 === 1) card.due_date = `2030-0${1 + (i % 9)}-1${i % 10}`;
    if (i % 6 === 0) card.checklist = [{ text: 'Write it' }, { text: 'Review it', done: i % 12 === 0 }, { text: 'Ship it' }];
    if (i % 5 === 0) card.description = `Why: **${title}**.\n\n- step one\n- step two`;
    const created = await call('POST', '/xapi2/data/card', session, card);
    if (i % 8 === 0) await call('POST', `/xapi2/cards/${created.id}/comments`, session, { body: `Looks good, @ada, see the _notes_ on ${title}.` });
  }
  for (const [n, id] of boards.slice(1).entries()) {
    for (let i = 0; i < 3 + n; i++) await call('POST', '/xapi2/data/card', session, { title: `Card ${i + 1}`, board_id: id, status: statuses[i % statuses.length] });
  }
  log(`seeded ${members.length + 1} members and ${boards.length} boards; the measured board has 50 cards`);
  return { session, boardId };
}

/** Before each run: a cold HTTP cache, the origin's storage emptied, and the session put in or taken out. */
async function prepare(browser: Browser, origin: string, session: string | null): Promise<void> {
  const context = browser.contexts()[0];
  const page = await context.newPage();
  try {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.clearBrowserCache');
    await cdp.send('Storage.clearDataForOrigin', { origin, storageTypes: 'all' });
    // A URL the app does not boot on, so nothing it does on load touches the storage set below.
    await page.goto(`${origin}/xapi2/health`);
    await page.evaluate(`(${session === null ? `localStorage.removeItem(${JSON.stringify(SESSION_KEY)})` : `localStorage.setItem(${JSON.stringify(SESSION_KEY)}, ${JSON.stringify(session)})`})`);
    await cdp.send('Network.clearBrowserCache');
  } finally {
    await page.close();
  }
}

/** Seeds, serves, and runs Lighthouse `runs` times on each page and device. */
export async function runLighthouseBench(options: { log?: (line: string) => void; runs?: number } = {}): Promise<PageResult[]> {
  const log = options.log ?? (() => {});
  const runs = options.runs ?? Number(process.env.LIGHTHOUSE_RUNS || 3);
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is missing at ${CHROMIUM}: apt-get install -y chromium (or set PRODBOARD_CHROMIUM)`);
  if (!existsSync(join(WEB_ROOT, 'index.html'))) throw new Error(`the web app is not built at ${WEB_ROOT}: run npm run build first`);
  const tool = resolveLighthouse(log);
  log(`web app: ${WEB_ROOT}`);

  const dir = mkdtempSync(join(tmpdir(), 'prodboard-lighthouse-'));
  const config = { ...configFromEnv({}), dbPath: join(dir, 'bench.db'), port: 0, logLevel: 'warn', webRoot: WEB_ROOT };
  const store = openSqliteStore(config.dbPath);
  await store.migrate();
  const app = await buildApp({ store, config });
  const chrome = await startChromium(join(dir, 'profile'));
  let browser: Browser | undefined;
  try {
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    const origin = new URL(base).origin;
    const { session, boardId } = await seed(base, store, log);
    browser = await chromium.connectOverCDP(`http://127.0.0.1:${chrome.port}`);
    log(`Chromium ${browser.version()} on DevTools port ${chrome.port}`);
    const results: PageResult[] = [];
    mkdirSync(REPORTS, { recursive: true });
    for (const page of pages(boardId)) {
      for (const device of page.devices) {
        const url = `${origin}${page.path}`;
        const figuresOfRuns: RunFigures[] = [];
        for (let i = 0; i < runs; i++) {
          await prepare(browser, origin, page.signedIn ? session : null);
          const report = await lighthouse(tool, url, chrome.port, device, join(REPORTS, `${slug(page.name)}-${slug(device)}-${i + 1}.json`));
          if (report.runtimeError) throw new Error(`lighthouse on ${url}: ${report.runtimeError.code} ${report.runtimeError.message}`);
          if (new URL(report.finalDisplayedUrl).pathname !== page.path) throw new Error(`lighthouse on ${url} ended on ${report.finalDisplayedUrl}: the session did not take`);
          const f = figures(report, origin);
          figuresOfRuns.push(f);
          log(`  ${page.name}, ${device}, run ${i + 1}: accessibility ${f.accessibility}, performance ${f.performance}, CLS ${f.cls.toFixed(3)}, LCP ${Math.round(f.lcpMs)} ms`);
        }
        const m = (key: keyof PageResult['median']) => median(figuresOfRuns.map((f) => f[key]));
        const last = figuresOfRuns[figuresOfRuns.length - 1];
        results.push({
          page: page.name,
          device,
          url: page.path,
          runs: figuresOfRuns,
          median: {
            accessibility: m('accessibility'), performance: m('performance'), cls: m('cls'), lcpMs: m('lcpMs'), transferBytes: m('transferBytes'), unusedJsBytes: m('unusedJsBytes'),
            uncompressedBytes: m('uncompressedBytes'),
            benchmarkIndex: m('benchmarkIndex'),
          },
          range: {
            performance: [Math.min(...figuresOfRuns.map((f) => f.performance)), Math.max(...figuresOfRuns.map((f) => f.performance))],
            cls: [Math.min(...figuresOfRuns.map((f) => f.cls)), Math.max(...figuresOfRuns.map((f) => f.cls))],
          },
          failedA11y: [...new Set(figuresOfRuns.flatMap((f) => f.failedA11y))],
          unusedJs: last.unusedJs,
          uncompressed: Object.assign({}, ...figuresOfRuns.map((f) => f.uncompressed)),
          shifts: [...new Set(figuresOfRuns.flatMap((f) => f.shifts))],
        });
      }
    }
    return results;
  } finally {
    await browser?.close().catch(() => {});
    await chrome.stop();
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

/** The medians as a Markdown table, then what fell short and where the unused JavaScript is. */
export function formatLighthouse(results: PageResult[], runs: number): string {
  const rows = [
    `Lighthouse ${LIGHTHOUSE.package.split('@')[1]}, median of ${runs} runs (cold cache each); performance and CLS also give the runs' range,`,
    "and 'machine' is Lighthouse's benchmark index of this machine during the runs (higher is faster; a loaded machine lowers performance scores)",
    '',
    '| page | device | accessibility | performance (range) | CLS (range) | LCP | transfer | unused JS | uncompressed | machine |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...results.map((r) => {
      const m = r.median;
      const [pMin, pMax] = r.range.performance;
      const [cMin, cMax] = r.range.cls;
      return `| ${r.page} | ${r.device} | ${m.accessibility} | ${m.performance} (${pMin}–${pMax}) | ${m.cls.toFixed(3)} (${cMin.toFixed(3)}–${cMax.toFixed(3)}) | ${Math.round(m.lcpMs)} ms | ${kib(m.transferBytes)} | ${kib(m.unusedJsBytes)} | ${kib(m.uncompressedBytes)} | ${m.benchmarkIndex} |`;
    }),
  ];
  const notes: string[] = [];
  for (const r of results) {
    const where = `${r.page} (${r.device})`;
    if (r.failedA11y.length) notes.push(`${where}: accessibility audits failing in some run: ${r.failedA11y.join(', ')}`);
    if (r.shifts.length) notes.push(`${where}: layout shifts: ${r.shifts.join('; ')}`);
    const unused = Object.entries(r.unusedJs).sort((a, b) => b[1] - a[1]);
    const plain = Object.entries(r.uncompressed);
    if (plain.length) notes.push(`${where}: sent uncompressed: ${plain.map(([url, bytes]) => `${url} ${kib(bytes)}`).join(', ')}`);
    if (unused.length) notes.push(`${where}: unused JS: ${unused.map(([url, bytes]) => `${url} ${kib(bytes)}`).join(', ')}`);
  }
  return [...rows, ...(notes.length ? ['', ...notes] : [])].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const runs = Number(process.env.LIGHTHOUSE_RUNS || 3);
  const results = await runLighthouseBench({ log: (line) => console.log(line), runs });
  console.log(`\n${formatLighthouse(results, runs)}\n`);
  console.log(JSON.stringify(results.map(({ runs: _, ...r }) => r)));
}
