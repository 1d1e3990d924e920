import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The suites start their own embedded PostgreSQL servers and real processes; run files one at a time
    // (the machine is shared, and the chaos suite binds fixed loopback BACnet addresses).
    fileParallelism: false,
    testTimeout: 240_000,
    hookTimeout: 120_000,
  },
});
