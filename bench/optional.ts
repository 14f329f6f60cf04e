/**
 * Benchmarks other parts of the project keep in bench/ (prodmcp-bench.ts, web-bench.ts): run when
 * their module is present, skipped when it is not. Only "this very module is missing" is tolerated;
 * a module that exists but fails to load (a missing import of its own, a syntax error) or fails
 * while measuring is reported as a failure.
 */
import { fileURLToPath } from 'node:url';

/** A benchmark module and the names of its entry point and (optional) formatter. */
export interface OptionalBench {
  /** BENCH_ONLY's name for it. */
  key: string;
  /** The module, relative to run.ts (".js": tsx finds the .ts). */
  file: string;
  /** The exported async function that measures and returns its figures. */
  run: string;
  /** An exported function that turns the figures into printable lines, if the module has one. */
  format: string;
}

/** What became of one optional benchmark, for the report and latest.json. */
export type OptionalOutcome =
  | { status: 'absent'; reason: string }
  | { status: 'done'; seconds: number; result: unknown; text: string }
  | { status: 'failed'; error: string };

/** True when `err` says that `url` itself (not something it imports) does not exist. */
function isMissing(err: unknown, url: string): boolean {
  const e = err as { code?: string; url?: string; message?: string };
  if (e?.code !== 'ERR_MODULE_NOT_FOUND') return false;
  if (e.url !== undefined) return e.url === url;
  return (e.message ?? '').includes(`'${fileURLToPath(url)}'`);
}

/** Imports and runs one optional benchmark, printing its figures under a heading. */
export async function runOptionalBench(bench: OptionalBench, base: string, log: (line: string) => void): Promise<OptionalOutcome> {
  const url = new URL(bench.file, base).href;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (err) {
    if (isMissing(err, url)) {
      log(`${bench.file.replace(/\.js$/, '.ts')} is not there yet: the ${bench.key} benchmark is skipped`);
      return { status: 'absent', reason: 'module not found' };
    }
    console.error(`${bench.key} benchmark FAILED to load:`, err);
    return { status: 'failed', error: String((err as Error)?.stack ?? err) };
  }
  const run = mod[bench.run];
  if (typeof run !== 'function') {
    log(`${bench.file} exports no ${bench.run}(): the ${bench.key} benchmark is skipped`);
    return { status: 'absent', reason: `no ${bench.run} export` };
  }
  console.log(`\n=== ${bench.key} benchmark (${bench.file.replace(/\.js$/, '.ts')}: ${bench.run}) ===`);
  const started = performance.now();
  try {
    const result = await (run as (options: { log: (line: string) => void }) => Promise<unknown>)({ log });
    const seconds = Number(((performance.now() - started) / 1000).toFixed(1));
    const format = mod[bench.format];
    const text = typeof format === 'function' ? String((format as (r: unknown) => unknown)(result)) : JSON.stringify(result, null, 2);
    console.log(text);
    log(`${bench.key} benchmark done in ${seconds} s`);
    return { status: 'done', seconds, result, text };
  } catch (err) {
    console.error(`${bench.key} benchmark FAILED:`, err);
    return { status: 'failed', error: String((err as Error)?.stack ?? err) };
  }
}
