import { describe, expect, it } from 'vitest'
import { goalLines, ratioLines } from './report.js'
import { Phase } from './stats.js'
import type { Outcome } from './stats.js'

function phase(system: string, name: string, latencies: number[], outcome: Outcome = 'ok'): Phase {
  const p = new Phase(system, name)
  for (const ms of latencies) p.record(ms, outcome)
  return p
}
const fast = (n: number, ms = 3): number[] => Array.from({ length: n }, () => ms)

describe('the goal table', () => {
  it('passes a phase without misses inside the goals', () => {
    const { lines, failed } = goalLines([phase('parley', 'healthy', fast(100))])
    expect(failed.size).toBe(0)
    expect(lines).toEqual([
      '  PASS  parley healthy p50 3 ms ≤ 10 ms (n 100)',
      '  PASS  parley healthy p99 3 ms ≤ 20 ms (n 100)',
      '  PASS  parley healthy: 0 misses (nobody, unavailable) and failures of 100 = 0',
    ])
  })

  it('fails on one miss, even a fast one, and the failures line lists it', () => {
    const healthy = phase('parley', 'healthy', fast(999))
    healthy.record(4, 'nobody', undefined, 'user-165 via bench-1')
    const frozen = phase('parley', 'frozen, immediately', fast(999))
    frozen.record(1000, 'unavailable', 'lookup failed: no supernode answered', 'user-8 via bench-2')
    const { lines, failed } = goalLines([healthy, frozen])
    expect([...failed]).toEqual(['parley'])
    expect(lines).toContain('  PASS  parley healthy p99 3 ms ≤ 20 ms (n 1000)')
    expect(lines).toContain('  FAIL  parley healthy: 1 misses (nobody, unavailable) and failures of 1000 = 0')
    expect(lines).toContain(
      '  FAIL  parley frozen, immediately: 1 misses (nobody, unavailable) and failures of 1000 = 0',
    )
    expect(lines).toContain('  failures in parley healthy: 1 (1 nobody): 1× nobody')
    expect(lines).toContain('    e.g. nobody user-165 via bench-1 after 4 ms')
    expect(lines).toContain(
      '  failures in parley frozen, immediately: 1 (1 unavailable): 1× lookup failed: no supernode answered',
    )
  })

  it("fails kad-dht's goals on its own misses and latency, apart from Parley's", () => {
    const kad = phase('kad-dht', 'frozen, immediately', [...fast(98, 400), 5000])
    kad.record(180_000, 'unavailable', 'TimeoutError', 'user-2 from user-9')
    const { lines, failed } = goalLines([phase('parley', 'healthy', fast(10)), kad])
    expect([...failed]).toEqual(['kad-dht'])
    expect(lines).toContain('  FAIL  kad-dht frozen, immediately: p99 5000 ms ≤ 100 ms (n 100)')
    expect(lines).toContain(
      '  FAIL  kad-dht frozen, immediately: 1 misses (nobody, unavailable) and failures of 100 = 0',
    )
  })
})

describe('the fair ratio', () => {
  it('is kad-dht / Parley per phase, with n beside the p99s', () => {
    const lines = ratioLines([
      {
        label: 'healthy',
        parley: phase('parley', 'healthy', fast(100, 2.5)),
        kad: phase('kad-dht', 'healthy', fast(100, 500)),
      },
    ])
    expect(lines).toEqual([
      '  healthy                      p50 500 / 2.5 ms = 200×   p99 500 / 2.5 ms = 200×   (n 100 each; misses 0 / 0)',
    ])
  })

  it("compares a kad phase cut by its budget with Parley's first n lookups of that phase", () => {
    // Parley's first 10 lookups after the freeze were slow, the later ones fast.
    const parley = phase('parley', 'frozen, immediately', [...fast(10, 80), ...fast(990, 2)])
    const kad = phase('kad-dht', 'frozen, immediately', fast(10, 800))
    kad.capped = 'time budget 10 min'
    const [line] = ratioLines([{ label: 'frozen, immediately', parley, kad }])
    expect(line).toBe(
      '  frozen, immediately          p50 800 / 80 ms = 10×   p99 800 / 80 ms = 10×   ' +
        '(n 10 each; misses 0 / 0; kad cut by its time budget 10 min: Parley over its first 10 of 1000)',
    )
  })
})
