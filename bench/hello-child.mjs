// The baseline: a plain Fastify hello-world in its own process, started like the prodboard child
// (same node, same flags), so both servers get a core of their own and autocannon another.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));
const address = await app.listen({ host: '127.0.0.1', port: 0 });
console.log(`READY ${address}`);

process.once('SIGTERM', () => {
  app.close().then(() => process.exit(0), (err) => {
    console.error(err);
    process.exit(1);
  });
});
