import { describe, expect, it } from 'vitest'
import { DEFAULTS } from './constants.js'
import { Sim } from './sim.js'

const ids = (n: number) => Array.from({ length: n }, (_, i) => `n${i}`)
const SEEDS = ['n0', 'n1']

/** 20 nodes joined one after another through the seeds, with delay and reordering. */
function joined(seed: number, opts: Omit<ConstructorParameters<typeof Sim>[0], 'seed'> = {}): Sim {
  const sim = new Sim({ seed, ...opts })
  for (const id of ids(20)) {
    sim.addNode(id, SEEDS)
    sim.runFor(100)
  }
  sim.runFor(30_000)
  return sim
}

describe('simulated network', () => {
  it('converges: 20 nodes joining through the seeds all know each other', () => {
    const sim = joined(1)
    for (const node of sim.live()) {
      const members = node.core.members()
      expect(members.map((m) => m.peerId).sort()).toEqual(ids(20).sort())
      expect(members.every((m) => m.state === 'alive' && m.incarnation === 1)).toBe(true)
    }
    expect(sim.counts.suspect + sim.counts.dead).toBe(0)
  })

  it('is deterministic: the same seed gives the same run', () => {
    const a = joined(7, { loss: 0.02 })
    const b = joined(7, { loss: 0.02 })
    expect(a.counts).toEqual(b.counts)
    expect(a.traffic).toEqual(b.traffic)
  })

  it('marks a killed and a frozen node dead everywhere within the derived bound, and nobody else', () => {
    // Bound: the first probe of a target, by any of the 18 live probers, comes within
    // k periods with probability 1 - e^(-k·18/19); k = 6 leaves ~0.3% per target.
    // Then one period for that probe to fail, the suspicion timeout, and the dead news
    // has to reach everyone: about log2(20) gossip rounds, 3 s measured at most.
    const T = DEFAULTS.probeIntervalMs
    const bound = 6 * T + T + DEFAULTS.suspicionTimeoutMs + 3000
    for (const seed of [1, 2, 3]) {
      const sim = joined(seed)
      sim.kill('n5')
      sim.freeze('n7')
      const t0 = sim.now
      sim.runFor(30_000)
      for (const node of sim.live()) {
        for (const peer of ['n5', 'n7']) {
          const death = sim.deaths.find((d) => d.observer === node.id && d.peer === peer)
          expect(death, `${node.id} sees ${peer} dead`).toBeDefined()
          expect((death?.at ?? Infinity) - t0).toBeLessThanOrEqual(bound)
        }
        expect(node.core.members()).toHaveLength(18)
      }
      expect(sim.deaths.filter((d) => d.peer !== 'n5' && d.peer !== 'n7')).toEqual([])
    }
  })

  it('has no false deaths with 1% message loss over 10 minutes', () => {
    for (const seed of [1, 2]) {
      const sim = joined(seed, { loss: 0.01 })
      sim.runFor(600_000)
      expect(sim.counts.lost).toBeGreaterThan(100)
      expect(sim.deaths).toEqual([])
      for (const node of sim.live()) expect(node.core.members()).toHaveLength(20)
    }
  })

  it('keeps a member whose direct links to two others are cut, through ping-req', () => {
    const sim = joined(3)
    sim.cut('n3', 'n4')
    sim.cut('n3', 'n9')
    sim.resetCounters()
    sim.runFor(120_000)
    expect(sim.traffic['ping-req']).toBeGreaterThan(0)
    expect(sim.counts.suspect).toBe(0)
    for (const node of sim.live()) expect(node.core.member('n3')?.state).toBe('alive')
  })

  it('takes back a frozen node that wakes up: it refutes its death with a higher incarnation', () => {
    const sim = joined(4)
    sim.freeze('n7')
    sim.runFor(20_000)
    for (const node of sim.live()) expect(node.core.member('n7')?.state ?? 'dead').toBe('dead')
    sim.thaw('n7')
    sim.runFor(20_000)
    for (const node of sim.live())
      expect(node.core.member('n7')).toMatchObject({ state: 'alive', incarnation: 2 })
    expect(sim.counts.refute).toBeGreaterThan(0)
  })

  it('keeps memory flat under churn: dead members are forgotten', () => {
    const sim = new Sim({ seed: 5, membership: { deadRetentionMs: 20_000 } })
    sim.warmStart(ids(50), SEEDS)
    sim.startChurn(1, SEEDS)
    sim.runFor(300_000)
    // The original nodes still up (a joiner of the last second may not have its state yet).
    const old = sim.live().filter((n) => n.id.startsWith('n'))
    expect(old.length).toBeGreaterThan(0)
    for (const node of old) {
      const stats = node.core.stats()
      // ~0.5 crashes a second remembered for 20 s, plus the few still being detected.
      expect(stats.dead).toBeLessThan(20)
      expect(stats.live).toBeGreaterThan(40)
      expect(stats.live).toBeLessThan(60)
      expect(stats.gossipQueue).toBeLessThanOrEqual(stats.live + stats.dead)
      expect(stats.relays).toBeLessThan(10)
    }
  })
})
