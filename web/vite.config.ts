import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The web app is built into dist/web, which the Baton server serves at `/`. `npm run dev:web`
// serves it with hot reload and sends /api to a Baton on port 3000.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    chunkSizeWarningLimit: 3000,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});
