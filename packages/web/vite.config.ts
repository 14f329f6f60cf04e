/**
 * The web app's build: React through Vite into dist/, which prodboard serves at `/`.
 * `npm run dev -w @prodboard/web` serves it with hot reload and sends /xapi2 to a local prodboard.
 */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  server: { proxy: { '/xapi2': { target: process.env.PRODBOARD_URL ?? 'http://127.0.0.1:4747' } } },
});
