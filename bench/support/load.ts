/**
 * Closed-loop load: a fixed number of workers, each starting its next
 * operation as soon as the last one ends, until the time is up. Operations
 * in flight at the deadline finish and count. The first failure stops every
 * worker and is thrown: a benchmark that saw errors has no figures to show.
 */
import { performance } from 'node:perf_hooks'

export interface Operation<T> {
  /** Client-side setup (a fresh key, a name), left out of the latency. */
  prepare(): Promise<T> | T
  /** The timed part. */
  run(input: T, signal: AbortSignal): Promise<void>
}

export interface LoadOptions {
  concurrency: number
  durationMs: number
  signal: AbortSignal
}

export interface LoadResult {
  ops: number
  elapsedMs: number
  /** Latencies in ms, ascending. */
  latenciesMs: number[]
}

export async function closedLoop<T>(op: Operation<T>, opts: LoadOptions): Promise<LoadResult> {
  const stop = new AbortController()
  const signal = AbortSignal.any([opts.signal, stop.signal])
  const latencies: number[] = []
  const start = performance.now()
  const deadline = start + opts.durationMs

  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      signal.throwIfAborted()
      const input = await op.prepare()
      const t0 = performance.now()
      await op.run(input, signal)
      latencies.push(performance.now() - t0)
    }
  }
  const workers = Array.from({ length: opts.concurrency }, () =>
    worker().catch((err: unknown) => {
      stop.abort(err)
      throw err
    }),
  )
  const settled = await Promise.allSettled(workers)
  // The first failure, not the aborts it caused in the other workers.
  if (stop.signal.aborted) throw stop.signal.reason
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected')
  if (failed !== undefined) throw failed.reason
  return {
    ops: latencies.length,
    elapsedMs: performance.now() - start,
    latenciesMs: latencies.sort((a, b) => a - b),
  }
}

/** Nearest-rank percentile of ascending values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length))
  return sorted[Math.min(rank, sorted.length) - 1] ?? NaN
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  if (sorted.length % 2 === 1) return sorted[mid] ?? NaN
  return ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2
}
