import { availableParallelism } from 'node:os'
import { configDefaults, defineConfig } from 'vitest/config'

/** Tests that drive a real browser: heavy on both cores, so they run one at a time, last. */
const browserTests = [
  'test/web.test.ts',
  'test/web-app.test.ts',
  'test/web-files.test.ts',
  'test/web-call.test.ts',
  'test/call-ringing.test.ts',
  'test/calls.test.ts',
  'test/firefox.test.ts',
  'test/hostile/web-session.test.ts',
]

/**
 * Three tiers, run in this order by `npm test` (scripts/test.mjs), each timed:
 * unit tests beside the code; network tests on real processes over loopback,
 * two at a time even on two cores, since most of their time is waiting on
 * promised deadlines (a 60 s revocation, 3 minutes of certificate renewals);
 * and the browser tests. `npx vitest run` runs all three at once.
 */
export default defineConfig({
  test: {
    globalSetup: ['test/setup/postgres.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'bench/**/*.test.ts'],
          maxWorkers: availableParallelism(),
        },
      },
      {
        extends: true,
        test: {
          name: 'network',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...browserTests],
          maxWorkers: Math.max(2, availableParallelism()),
        },
      },
      { extends: true, test: { name: 'browser', include: browserTests, maxWorkers: 1 } },
    ],
  },
})
