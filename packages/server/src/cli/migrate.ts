/** prodboard migrate: applies pending migrations and reports them. */
import { DB_HELP, DB_OPTIONS, configWith, parse } from './options.js';
import { openConfiguredStore } from '../store/open.js';

const USAGE = `Usage: prodboard migrate [--db FILE | --database-url URL]

Applies pending database migrations (serve also does this at start).

Options:
${DB_HELP}`;

export async function migrateCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, DB_OPTIONS, USAGE);
  if (values.help) return console.log(USAGE), 0;
  const config = configWith(values);
  const store = openConfiguredStore(config);
  try {
    const applied = await store.migrate();
    console.log(applied.length ? `applied migrations ${applied.join(', ')} to ${store.description}` : `${store.description} is up to date`);
  } finally {
    await store.close();
  }
  return 0;
}
