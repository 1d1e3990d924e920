import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One real embedded PostgreSQL per run; each test file gets its own database on it.
    // `pnpm test` runs two files at a time (most of a browser or process test is waiting, so two fit on two
    // cores: 990 s → 494 s on 2026-12-04), then alerts-live.test.ts alone: its agent and API run on seconds-long
    // alert thresholds, which a second file's load stretches into extra uplink alerts.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
