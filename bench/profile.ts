/**
 * Summarises a V8 .cpuprofile (node --cpu-prof): self time per function, and per area of the code
 * (native frames such as better-sqlite3's statement calls or JSON.parse are charged to the nearest
 * JavaScript caller's area, so "prodboard store" includes the SQLite time it asks for; PostgreSQL's
 * own time is in its server processes, not here: see the cpu column of the results).
 *
 * Usage: node --import tsx bench/profile.ts FILE.cpuprofile [TOP]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const AREAS: Array<[RegExp, string]> = [
  [/packages\/server\/dist\/store\//, 'prodboard store (with the native SQLite calls it makes)'],
  [/packages\/server\/dist\/http\/authenticate/, 'prodboard authenticate'],
  [/packages\/server\/dist\//, 'prodboard server (routes, commands, presenters)'],
  [/packages\/shared\/dist\//, 'prodboard shared (validation, query parsing)'],
  [/node_modules\/better-sqlite3\//, 'better-sqlite3 (JS side)'],
  [/node_modules\/(pg|pg-pool|pg-protocol|pg-types|postgres-array|postgres-date|postgres-interval|postgres-bytea|pg-int8)\//, 'pg driver (protocol, parsing rows)'],
  [/node_modules\/zod\//, 'zod'],
  [/node_modules\/(pino|pino-std-serializers|sonic-boom|thread-stream)\//, 'pino logger'],
  [/node_modules\/(fast-json-stringify|fast-querystring|find-my-way|fast-uri|ajv)/, 'fastify helpers (router, querystring, serializer)'],
  [/node_modules\/(fastify|@fastify|avvio|light-my-request)\//, 'fastify core'],
  [/node_modules\/uuid\//, 'uuid'],
  [/^node:|^internal\//, 'node core (http, net, streams)'],
];

function area(url: string): string | undefined {
  if (!url) return undefined;
  for (const [re, name] of AREAS) if (re.test(url)) return name;
  return 'other';
}

function short(url: string): string {
  return url.replace(/^file:\/\//, '').replace(/^.*\/(node_modules|packages)\//, '$1/');
}

export function summarizeProfile(file: string, topN = 25) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

  const callerWithUrl = (id: number): ProfileNode | undefined => {
    let p = parent.get(id);
    while (p !== undefined) {
      const node = byId.get(p)!;
      if (node.callFrame.url) return node;
      p = parent.get(p);
    }
    return undefined;
  };

  const fns = new Map<string, { fn: string; where: string; us: number }>();
  const areas = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of self) {
    const node = byId.get(id)!;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idle += us;
      continue;
    }
    total += us;
    let where: string;
    let a: string;
    if (url) {
      where = `${short(url)}:${lineNumber + 1}`;
      a = area(url)!;
    } else {
      const caller = callerWithUrl(id);
      where = caller ? `native, called from ${caller.callFrame.functionName || '(anonymous)'} ${short(caller.callFrame.url)}:${caller.callFrame.lineNumber + 1}` : 'native';
      a = functionName.startsWith('(') ? functionName : caller ? area(caller.callFrame.url)! : 'native';
    }
    const key = `${functionName}|${where}`;
    const entry = fns.get(key) ?? { fn: functionName || '(anonymous)', where, us: 0 };
    entry.us += us;
    fns.set(key, entry);
    areas.set(a, (areas.get(a) ?? 0) + us);
  }
  // Inclusive time (self + callees) of prodboard's own functions: where a request's time goes by
  // step (authenticate, getObject, listObjects, presenting). A recursive call counts once.
  const inclusive = new Map<string, { fn: string; where: string; us: number }>();
  const totalOf = new Map<number, number>();
  const total_ = (id: number): number => {
    const known = totalOf.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id)!;
    const t = (self.get(id) ?? 0) + (node.children ?? []).reduce((sum, c) => sum + total_(c), 0);
    totalOf.set(id, t);
    return t;
  };
  const walk = (id: number, open: Set<string>) => {
    const node = byId.get(id)!;
    const { functionName, url, lineNumber } = node.callFrame;
    let key: string | undefined;
    if (/packages\/(server|shared)\/dist\//.test(url)) {
      key = `${functionName}|${url}:${lineNumber}`;
      if (!open.has(key)) {
        const entry = inclusive.get(key) ?? { fn: functionName || '(anonymous)', where: `${short(url)}:${lineNumber + 1}`, us: 0 };
        entry.us += total_(id);
        inclusive.set(key, entry);
      } else key = undefined;
    }
    if (key) open.add(key);
    for (const c of node.children ?? []) walk(c, open);
    if (key) open.delete(key);
  };
  const root = profile.nodes.find((n) => !parent.has(n.id));
  if (root) walk(root.id, new Set());

  const top = [...fns.values()]
    .sort((x, y) => y.us - x.us)
    .slice(0, topN)
    .map((f) => ({ fn: f.fn, where: f.where, self_ms: f.us / 1000, self_pct: (100 * f.us) / total }));
  return {
    file,
    total_ms: total / 1000,
    idle_ms: idle / 1000,
    top,
    inclusive: [...inclusive.values()]
      .sort((x, y) => y.us - x.us)
      .slice(0, topN)
      .map((f) => ({ fn: f.fn, where: f.where, total_ms: f.us / 1000, total_pct: (100 * f.us) / total })),
    areas: [...areas.entries()].sort((x, y) => y[1] - x[1]).map(([name, us]) => ({ area: name, ms: us / 1000, pct: (100 * us) / total })),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node --import tsx bench/profile.ts FILE.cpuprofile [TOP]');
    process.exit(2);
  }
  const s = summarizeProfile(file, Number(process.argv[3] ?? 30));
  console.log(`${s.file}: ${s.total_ms.toFixed(0)} ms busy, ${s.idle_ms.toFixed(0)} ms idle`);
  for (const f of s.top) console.log(`${f.self_pct.toFixed(1).padStart(5)} % ${f.self_ms.toFixed(0).padStart(6)} ms  ${f.fn}  ${f.where}`);
  console.log('inclusive time of prodboard functions:');
  for (const f of s.inclusive) console.log(`${f.total_pct.toFixed(1).padStart(5)} % ${f.total_ms.toFixed(0).padStart(6)} ms  ${f.fn}  ${f.where}`);
  console.log('by area:');
  for (const a of s.areas) console.log(`${a.pct.toFixed(1).padStart(5)} % ${a.ms.toFixed(0).padStart(6)} ms  ${a.area}`);
}
