#!/usr/bin/env node
// The prodboard command: a thin entry that loads the compiled CLI (run `npm run build` first).
import('../dist/cli/main.js').then((cli) => cli.main(process.argv.slice(2))).then(
  (code) => { process.exitCode = code; },
  (err) => {
    if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli')) {
      console.error('prodboard is not built yet: run `npm run build` in the repository root first.');
    } else {
      console.error(err);
    }
    process.exitCode = 1;
  },
);
