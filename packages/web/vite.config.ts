/**
 * The web app's build: React through Vite into dist/, which prodboard serves at `/`.
 * `npm run dev -w @prodboard/web` serves it with hot reload and sends /xapi2 to a local prodboard.
 *
 * src/boot.ts is an entry of its own, loaded by a script tag ahead of the main bundle, so the live
 * stream and a board's first pages are requested while the browser still compiles React and the pages.
 */
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

export default defineConfig({
  plugins: [react(), bootFirst()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: { input: { index: 'index.html', boot: 'src/boot.ts' } },
  },
  server: { proxy: { '/xapi2': { target: process.env.PRODBOARD_URL ?? 'http://127.0.0.1:4747' } } },
});
