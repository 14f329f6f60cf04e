/**
 * The web app's build: React through Vite into dist/, which prodboard serves at `/`.
 * `npm run dev -w @prodboard/web` serves it with hot reload and sends /xapi2 to a local prodboard.
 *
 * src/boot.ts is an entry of its own, loaded by a script tag ahead of the main bundle, so the live
 * stream and a board's first pages are requested while the browser still compiles React and the pages.
 *
 * Every text file of the build gets brotli and gzip copies beside it (`x.js.br`, `x.js.gz`) at the
 * best quality, which prodboard sends to browsers that accept them (server routes/web.ts): done
 * once here, it costs no request any CPU.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

function bootFirst(): Plugin {
  return {
    name: 'prodboard-boot-first',
    transformIndexHtml: {
      order: 'post',
      handler(html, ctx) {
        const boot = ctx.bundle && Object.values(ctx.bundle).find((c) => c.type === 'chunk' && c.isEntry && c.name === 'boot');
        const src = boot ? `/${boot.fileName}` : '/src/boot.ts';
        return html.replace('<script type="module"', `<script type="module" crossorigin src="${src}"></script>\n    <script type="module"`);
      },
    },
  };
}

/** Files worth compressing: text, and larger than what compression saves in headers. */
const COMPRESSIBLE = /\.(?:js|mjs|css|html|svg|json|txt|map|webmanifest)$/;
const MIN_COMPRESS_BYTES = 1024;

function precompress(): Plugin {
  return {
    name: 'prodboard-precompress',
    apply: 'build',
    closeBundle() {
      const outDir = 'dist';
      for (const name of readdirSync(outDir, { recursive: true, encoding: 'utf8' })) {
        const path = join(outDir, name);
        if (!COMPRESSIBLE.test(name) || !statSync(path).isFile()) continue;
        const body = readFileSync(path);
        if (body.length < MIN_COMPRESS_BYTES) continue;
        writeFileSync(`${path}.br`, brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } }));
        writeFileSync(`${path}.gz`, gzipSync(body, { level: 9 }));
      }
    },
  };
}

export default defineConfig({
  plugins: [react(), bootFirst(), precompress()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: { input: { index: 'index.html', boot: 'src/boot.ts' } },
  },
  server: { proxy: { '/xapi2': { target: process.env.PRODBOARD_URL ?? 'http://127.0.0.1:4747' } } },
});
