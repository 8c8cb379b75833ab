import { Sim, type SimOptions } from './sim.js'
import type { MembershipMessage } from './types.js'

export interface UpkeepRun {
  n: number
  churnPerSec: number
  seed?: number
  /** Untimed start, so the measure sees a steady state. Default 30 s. */
  warmupMs?: number
  measureMs?: number
  membership?: SimOptions['membership']
}

export interface UpkeepMeasure {
  /** Bytes sent per live node per second, all kinds. */
  perNode: number
  byKind: Record<MembershipMessage['kind'], number>
}

/**
 * Measures membership upkeep in the simulator: N nodes that know each other,
 * crash-and-join churn, bytes sent per live node per second. Message sizes
 * come from WIRE_SIZES, like the formula it is checked against.
 */
export function measureUpkeep(run: UpkeepRun): UpkeepMeasure {
  const seeds = ['n0', 'n1', 'n2']
  const sim = new Sim({ seed: run.seed ?? 1, membership: run.membership ?? {} })
  sim.warmStart(
    Array.from({ length: run.n }, (_, i) => `n${i}`),
    seeds,
  )
  if (run.churnPerSec > 0) sim.startChurn(run.churnPerSec, seeds)
  sim.runFor(run.warmupMs ?? 30_000)
  sim.resetCounters()
  const measureMs = run.measureMs ?? 60_000
  // Sampled each second: crashes and joins move the live count a little.
  let liveSeconds = 0
  for (let t = 0; t < measureMs; t += 1000) {
    sim.runFor(Math.min(1000, measureMs - t))
    liveSeconds += (sim.live().length * Math.min(1000, measureMs - t)) / 1000
  }
  const per = (bytes: number) => bytes / liveSeconds
  const byKind = { ...sim.traffic }
  for (const kind of Object.keys(byKind) as MembershipMessage['kind'][]) byKind[kind] = per(byKind[kind])
  const total = Object.values(sim.traffic).reduce((a, b) => a + b, 0)
  return { perNode: per(total), byKind }
}
