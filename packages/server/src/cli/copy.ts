/** prodboard copy: moves a whole server's data from a SQLite file into an empty PostgreSQL database. */
import { copySqliteToPostgres } from '../store/copy.js';
import { openPostgresStore } from '../store/postgres/postgres-store.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { lockDatabase } from './db-lock.js';
import { ExitError, parse } from './options.js';
import { existsSync } from 'node:fs';

const USAGE = `Usage: prodboard copy --from FILE --to URL

Copies everything (accounts, tokens, boards, cards, trash, activity) from a SQLite database file
into an empty PostgreSQL database, in one transaction, then checks every table's row count.
Stop the server first so nothing is written during the copy.

Options:
  --from FILE          the SQLite database file (e.g. ./data/prodboard.db)
  --to URL             the PostgreSQL database, e.g. postgres://prodboard@db:5432/prodboard
  -h, --help           show this help`;

const OPTIONS = { from: { type: 'string' }, to: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;

function bar(done: number, total: number): string {
  const width = 30;
  const ratio = total === 0 ? 1 : done / total;
  const filled = Math.round(ratio * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(ratio * 100).toFixed(0).padStart(3)}%`;
}

export async function copyCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, OPTIONS, USAGE);
  if (values.help) return console.log(USAGE), 0;
  if (!values.from || !values.to) throw new ExitError(`--from and --to are required\n\n${USAGE}`, 2);
  if (!existsSync(values.from)) throw new ExitError(`no SQLite database at ${values.from}`);
  if (!/^postgres(ql)?:\/\//.test(values.to)) throw new ExitError('--to must be a postgres:// URL', 2);
  // Nothing may write to the source meanwhile: refused while a server runs on it.
  const lock = lockDatabase(values.from);
  const source = openSqliteStore(values.from);
  const target = openPostgresStore(values.to);
  const tty = process.stderr.isTTY;
  try {
    await source.migrate();
    await target.migrate();
    const report = await copySqliteToPostgres(source, target, (table, done, total) => {
      const line = `${table.padEnd(18)} ${bar(done, total)} ${done.toLocaleString('en')}/${total.toLocaleString('en')}`;
      if (tty) process.stderr.write(`\r${line}`);
      else if (done === total || done === 0) process.stderr.write(`${line}\n`);
      if (tty && done === total) process.stderr.write('\n');
    });
    console.log(`\n${'table'.padEnd(18)} ${'sqlite'.padStart(10)} ${'postgres'.padStart(10)}`);
    for (const t of report.tables) console.log(`${t.name.padEnd(18)} ${String(t.source).padStart(10)} ${String(t.target).padStart(10)}${t.source === t.target ? '' : '  MISMATCH'}`);
    if (!report.ok) throw new ExitError('row counts differ between the two databases; the copy is not complete');
    console.log(`\ncopied ${values.from} to ${target.description}: every table matches`);
    return 0;
  } catch (err) {
    if (err instanceof ExitError) throw err;
    throw new ExitError(`copy failed, nothing was kept in the target: ${(err as Error).message}`);
  } finally {
    await source.close();
    await target.close();
    lock.release();
  }
}
