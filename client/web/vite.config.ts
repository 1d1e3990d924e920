import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// `pnpm dev` serves the app on 5173 and forwards /api to the client API on 3001.
// In production the API serves the built dist/ itself, on one port.
export default defineConfig({
  plugins: [react()],
  server: {
    port: 5173,
    proxy: { '/api': { target: process.env.VITE_API_PROXY ?? 'http://127.0.0.1:3001', changeOrigin: false } },
  },
  build: { outDir: 'dist', sourcemap: false, chunkSizeWarningLimit: 1500 },
  test: { include: ['test/**/*.test.ts'] },
} as Parameters<typeof defineConfig>[0]);
