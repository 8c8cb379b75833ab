/**
 * The password hash on its own, in this process: how long one takes, and how
 * many the machine completes per second with several in flight on libuv's
 * thread pool, as the authority runs them. The second is the ceiling for
 * registrations and sign-ins, which each cost one hash.
 */
import { performance } from 'node:perf_hooks'
import { hashPassword, type ScryptCost } from '../../src/authority/password.js'
import { closedLoop, median, type LoadResult } from './load.js'

export const PASSWORD = 'correct horse battery staple'

/** Median ms of `samples` sequential hashes, after one unmeasured hash to warm up. */
export async function hashMs(cost: ScryptCost, samples: number, signal: AbortSignal): Promise<number> {
  await hashPassword(PASSWORD, cost)
  const times: number[] = []
  for (let i = 0; i < samples; i++) {
    signal.throwIfAborted()
    const t0 = performance.now()
    await hashPassword(PASSWORD, cost)
    times.push(performance.now() - t0)
  }
  return median(times)
}

export function hashThroughput(
  cost: ScryptCost,
  opts: { concurrency: number; durationMs: number; signal: AbortSignal },
): Promise<LoadResult> {
  return closedLoop(
    {
      prepare: () => undefined,
      run: async () => {
        await hashPassword(PASSWORD, cost)
      },
    },
    opts,
  )
}
