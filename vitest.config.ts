import { defineConfig } from 'vitest/config';

// Two suites: `unit` (logic next to its code, plus integration tests against ../shared/testdata) and `e2e`
// (the built app in Debian's Chromium through the browser mode). `npm test` runs both through scripts/test.mjs.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          environment: 'node',
          include: [
            'main/**/*.test.ts',
            'preload/**/*.test.ts',
            'renderer/src/lib/**/*.test.ts',
            'test/integration/**/*.test.ts',
          ],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
