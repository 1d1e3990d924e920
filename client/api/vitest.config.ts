import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One real embedded PostgreSQL per run; each test file gets its own database on it.
    // One file at a time (the default on 2 cores). Two at a time took 990 s → 494 s on 2026-12-04, but the tests
    // on seconds-long alert thresholds (alerts-live, alerts-database-down) then missed them under the second
    // file's load; they need to stand that first.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
