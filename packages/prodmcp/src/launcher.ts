/**
 * What dist/prodmcp.mjs runs first. The rest of that file is the bundled program, kept as comment
 * lines after PAYLOAD_MARKER (so the file stays one executable file whose version line and sha256
 * the server can announce). The launcher compiles the program with node:vm, using a V8 code cache
 * from ~/.prodmcp/cache when one matches this exact file, and writes that cache a moment after
 * start-up. Node 20 has no compile cache of its own, and hosts start prodmcp every time they start:
 * reusing compiled code saves about a third of the time to the first answer.
 */
import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Script } from 'node:vm';

declare const PRODMCP_VERSION: string;

/** The line after which the program starts; each of its lines is prefixed with `//`. */
const PAYLOAD_MARKER = '\n//# prodmcp-payload\n';
/** The cache is written after start-up (or at exit, if sooner), so it holds the code the first answers needed. */
const CACHE_DELAY_MS = 1500;
const CACHES_KEPT = 3;

function writeCodeCache(script: Script, cacheFile: string): void {
  try {
    const dir = dirname(cacheFile);
    mkdirSync(dirname(dir), { recursive: true, mode: 0o700 });
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
    const temp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(temp, script.createCachedData(), { mode: 0o600 });
    renameSync(temp, cacheFile);
    // Keep the caches of the last few builds only (an update leaves the old one behind).
    const caches = readdirSync(dir)
      .filter((name) => name.endsWith('.bin'))
      .map((name) => ({ path: join(dir, name), mtime: statSync(join(dir, name)).mtimeMs }))
      .sort((a, b) => b.mtime - a.mtime);
    for (const stale of caches.slice(CACHES_KEPT)) rmSync(stale.path, { force: true });
  } catch {
    // A cache is an optimisation: without one, the next start compiles from source.
  }
}

function launch(): void {
  // Start-up allocates a few MB of long-lived objects (the SDK's schemas); growing the young
  // generation in larger steps turns five scavenges (~13 ms) into two (~4 ms). V8 reads this
  // factor at each collection, so setting it now takes effect.
  setFlagsFromString('--semi-space-growth-factor=8');
  const file = fileURLToPath(import.meta.url);
  const text = readFileSync(file, 'utf8');
  // The last one: this launcher's own code contains the marker text too.
  const at = text.lastIndexOf(PAYLOAD_MARKER);
  if (at < 0) throw new Error(`${file} is damaged (its program is missing); reinstall prodmcp`);
  const program = text.slice(at + PAYLOAD_MARKER.length).replace(/^\/\//gm, '');
  const source = `(function (require, __prodmcpMetaUrl, PRODMCP_VERSION) {${program}\n})`;

  // Only `serve` (what hosts start, again and again) is worth a cache; the setup commands run rarely.
  const serving = process.argv.length <= 2 || process.argv[2] === 'serve';
  const useCache = serving && !/^(1|true|yes|on)$/i.test(process.env.PRODMCP_NO_CODE_CACHE ?? '');
  const { size, mtimeMs } = statSync(file);
  const cacheFile = join(homedir(), '.prodmcp', 'cache', `${PRODMCP_VERSION}-${size}-${Math.floor(mtimeMs)}-${process.version}-${process.arch}.bin`);
  let cachedData: Buffer | undefined;
  if (useCache) {
    try {
      cachedData = readFileSync(cacheFile);
    } catch {
      cachedData = undefined;
    }
  }
  const script = new Script(source, { filename: file, cachedData });
  if (useCache && (!cachedData || script.cachedDataRejected)) {
    let written = false;
    const write = () => {
      if (written) return;
      written = true;
      writeCodeCache(script, cacheFile);
    };
    setTimeout(write, CACHE_DELAY_MS).unref();
    process.once('exit', write);
  }
  const program_ = script.runInThisContext() as (require: NodeJS.Require, metaUrl: string, version: string) => void;
  program_(createRequire(file), pathToFileURL(file).href, PRODMCP_VERSION);
}

launch();
