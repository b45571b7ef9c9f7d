import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Live tests call paid providers when a key is set: only `npm run test:live` runs them
    // (vitest.live.config.ts); test/no-network.test.ts checks `npm test` never does.
    exclude: ['**/node_modules/**', 'test/live/**'],
    // Every worker refuses sockets to anything but this machine (test/support/network-guard.ts).
    setupFiles: ['test/support/network-guard.ts'],
    // Integration tests spawn the CLI and real servers; give them room on a 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
