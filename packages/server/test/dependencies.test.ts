/**
 * Dependencies point one way (issue 11). Every import of the workspace's source is read and held to
 * the layers: routes are leaves that only the app mounts; the store is the bottom (it imports no
 * presenter, command, operation, policy or edge); commands and operations know nothing of HTTP, MCP
 * or routes; the shared package and the tools depend on no server code. A violation fails here,
 * naming the file, the import and the rule.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { presentObject } from '../src/presenters.js';
import { PRESENTED_OBJECT_FIELDS } from '../src/store/presented-object.js';
import type { ObjectRow } from '../src/store/types.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const SERVER = 'packages/server/src/';

/** Every .ts/.tsx file under `dir` (repository-relative), skipping build output and dependencies. */
function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...sources(path));
    else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** The module specifiers a file imports or re-exports, static or dynamic (comments left out). */
function importsOf(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const specs: string[] = [];
  for (const m of code.matchAll(/(?:^|[;\s])(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]|(?:^|[;\s])import\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/gm)) {
    specs.push(m[1] ?? m[2] ?? m[3]);
  }
  return specs;
}

/** What an import points at: a repository-relative path for a relative import (extension dropped), else the package name. */
function target(file: string, spec: string): string {
  if (!spec.startsWith('.')) return spec;
  return relative(ROOT, resolve(ROOT, dirname(file), spec)).replace(/\.(js|ts|tsx)$/, '');
}

interface Rule {
  name: string;
  /** Files the rule constrains. */
  from: (file: string) => boolean;
  /** Whether an import target is forbidden to them. */
  forbids: (target: string) => boolean;
}

const under = (...dirs: string[]) => (path: string) => dirs.some((d) => path.startsWith(d));
const isModule = (...names: string[]) => (path: string) => names.some((n) => path === n);
const RULES: Rule[] = [
  { name: 'nothing imports a route (only app.ts mounts them)', from: (f) => f !== `${SERVER}app.ts`, forbids: under(`${SERVER}routes/`) },
  {
    name: 'the store imports no presenter, policy, command, operation or edge',
    from: under(`${SERVER}store/`),
    // The store's factory reads the configuration; nothing else of the server is below the store.
    forbids: (t) => t.startsWith(SERVER) && !t.startsWith(`${SERVER}store/`) && t !== `${SERVER}config`,
  },
  {
    name: 'commands know nothing of operations, HTTP, MCP, live feeds or presenters',
    from: under(`${SERVER}commands/`),
    forbids: (t) => under(`${SERVER}operations/`, `${SERVER}http/`, `${SERVER}mcp/`, `${SERVER}live/`)(t) || isModule(`${SERVER}presenters`, `${SERVER}app`)(t),
  },
  {
    name: 'operations know nothing of HTTP, MCP or live feeds',
    from: under(`${SERVER}operations/`),
    forbids: (t) => under(`${SERVER}http/`, `${SERVER}mcp/`, `${SERVER}live/`)(t) || isModule(`${SERVER}app`)(t) || /^(fastify|@fastify\/)/.test(t),
  },
  {
    name: 'presenters and policies import no command, operation or edge',
    from: isModule(`${SERVER}presenters.ts`, `${SERVER}policies.ts`),
    forbids: under(`${SERVER}commands/`, `${SERVER}operations/`, `${SERVER}http/`, `${SERVER}mcp/`, `${SERVER}oauth/`),
  },
  {
    name: 'the shared package and the tools depend on no server or client code',
    from: under('packages/shared/src/', 'packages/tools/src/'),
    forbids: (t) => under('packages/server/', 'packages/web/', 'packages/prodmcp/')(t) || /^@prodboard\/(server|web|prodmcp)/.test(t),
  },
];

/** Every violation of `rules` among `files` (path → text). */
function violations(rules: Rule[], files: Record<string, string>): string[] {
  const found: string[] = [];
  for (const [file, text] of Object.entries(files)) {
    for (const spec of importsOf(text)) {
      const to = target(file, spec);
      for (const rule of rules) if (rule.from(file) && rule.forbids(to)) found.push(`${file} imports ${spec}: ${rule.name}`);
    }
  }
  return found;
}

test('every import in the source points the right way', () => {
  const files: Record<string, string> = {};
  for (const dir of ['packages/server/src', 'packages/shared/src', 'packages/tools/src', 'packages/prodmcp/src', 'packages/web/src']) {
    for (const file of sources(dir)) files[file] = readFileSync(join(ROOT, file), 'utf8');
  }
  assert.ok(Object.keys(files).length > 100, 'the scan reads the source');
  const routes = Object.keys(files).filter((f) => f.startsWith(`${SERVER}routes/`));
  assert.ok(routes.length > 5 && Object.values(files).some((t) => importsOf(t).some((s) => s.includes('/routes/'))), 'the scan sees the app mount the routes');
  assert.deepEqual(violations(RULES, files), []);
});

test('the scan catches each kind of wrong import (static, re-export, dynamic, bare side effect)', () => {
  const wrong = {
    [`${SERVER}store/sql/x.ts`]: "import { presentObject } from '../../presenters.js';",
    [`${SERVER}operations/x.ts`]: "export { authenticate } from '../http/authenticate.js';\nimport type { FastifyRequest } from 'fastify';",
    [`${SERVER}commands/x.ts`]: "const m = await import('../routes/data.js');",
    [`${SERVER}mcp/x.ts`]: "import '../routes/comments.js';",
    'packages/shared/src/x.ts': "import { Store } from '../../server/src/store/types.js';",
    [`${SERVER}commands/ok.ts`]: "// import { x } from '../routes/data.js';\nimport { AppError } from '@prodboard/shared';\nimport type { StoreTx } from '../store/types.js';",
  };
  const found = violations(RULES, wrong);
  assert.deepEqual(found.map((v) => v.split(' imports ')[0]).sort(), [
    `${SERVER}commands/x.ts`, `${SERVER}mcp/x.ts`, `${SERVER}operations/x.ts`, `${SERVER}operations/x.ts`, `${SERVER}store/sql/x.ts`, 'packages/shared/src/x.ts',
  ]);
});

test("the fields the store writes as an object's JSON are exactly presentObject's, in order", () => {
  const row = Object.fromEntries(PRESENTED_OBJECT_FIELDS.map(([key]) => [key, null])) as unknown as ObjectRow;
  assert.deepEqual(Object.keys(presentObject({ ...row, deleted_at: null, deleted_with: null } as ObjectRow)), PRESENTED_OBJECT_FIELDS.map(([key]) => key));
});
