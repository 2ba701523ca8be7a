import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The console is served by the hub: pages at /hub/…, built files at /hub/static/ (web/dist).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/hub/static/',
  build: { outDir: 'dist', sourcemap: true },
  // Preact's automatic JSX runtime through esbuild; no Preact plugin needed for a production build.
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
});
