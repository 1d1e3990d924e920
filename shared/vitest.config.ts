import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Some tests start a real embedded PostgreSQL or HTTP server: on a loaded 2-core machine that takes longer than
    // vitest's default 5 s (a limit on start-up, not a performance figure: those live in proof/src/bench).
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
