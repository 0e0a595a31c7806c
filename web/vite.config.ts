// The dashboard's build: React, bundled into web/dist, served by the node itself (src/webapp/). Nothing
// is fetched from the network at run time: fonts are the system's, maps are drawn from GeoJSON.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    // `npx vite --config web/vite.config.ts` for UI work: API calls go to a running node.
    proxy: Object.fromEntries(['/v1', '/auth', '/query', '/identity', '/health'].map((p) => [p, 'http://127.0.0.1:8780'])),
  },
});
