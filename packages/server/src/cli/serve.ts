/** prodboard serve: runs the server until SIGINT/SIGTERM, then drains requests and closes the store. */
import { buildApp } from '../app.js';
import { issueSetupToken } from '../routes/setup.js';
import { DB_HELP, DB_OPTIONS, configWith, openStore, parse } from './options.js';

const USAGE = `Usage: prodboard serve [--host H] [--port P] [--public-url URL] [--db FILE]

Runs the Production Board server.

Options:
  --host H             address to listen on (env PRODBOARD_HOST; default 127.0.0.1)
  --port P             port (env PRODBOARD_PORT; default 4747; 0 picks a free one)
  --public-url URL     the address people open the board at, used in the links it writes
                       (env PRODBOARD_PUBLIC_URL; default: the address it listens on)
${DB_HELP}`;

const OPTIONS = { ...DB_OPTIONS, host: { type: 'string' }, port: { type: 'string' }, 'public-url': { type: 'string' } } as const;

export async function serveCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, OPTIONS, USAGE);
  if (values.help) return console.log(USAGE), 0;
  const config = configWith(values);
  const store = await openStore(config);
  const app = await buildApp({ store, config }, { level: config.logLevel });
  const address = await app.listen({ host: config.host, port: config.port });
  const url = address.replace('[::1]', 'localhost');
  console.log(`Production Board is running at ${url} (database ${store.description})`);
  if (!config.publicUrl && ['0.0.0.0', '::'].includes(config.host)) {
    console.log('Invite links will point at localhost: set PRODBOARD_PUBLIC_URL (or --public-url) to the address people open the board at.');
  }
  const setupToken = await issueSetupToken(store);
  if (setupToken) {
    console.log(`\nNo account exists yet. Create the first (owner) account with this one-time link:\n\n  ${url}/setup#token=${setupToken}\n`);
    console.log(`or from a shell: npx prodboard user create --email you@example.com --password '...' --role owner --db ${config.dbPath}\n`);
  }

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      console.log(`${signal} received: finishing requests in flight, then stopping`);
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  await app.close();
  await store.close();
  console.log('stopped');
  return 0;
}
