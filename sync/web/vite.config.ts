import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { env } from 'node:process';

// The agent serves dist/ at / on LOCAL_API_PORT. `pnpm dev` proxies the API to a running agent
// (AGENT_URL, default http://127.0.0.1:3002) so the dashboard can be worked on with live data.
const agent = env.AGENT_URL ?? 'http://127.0.0.1:3002';

export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: { '/api': agent, '/health': agent, '/ready': agent },
  },
});
