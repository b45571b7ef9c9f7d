import { defineConfig } from 'vitest/config';

/**
 * `npm run test:live`: the tests that call real providers (paid; each provider's block runs only when
 * its key variable is set). The default suite (vitest.config.ts) excludes them, so `npm test` with a
 * key in the shell still makes no network request.
 */
export default defineConfig({
  test: {
    include: ['test/live/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
