import { describe, expect, it } from 'vitest'
import { Attacher, ATTACHER_DEFAULTS, type AttacherInit } from './attacher.js'
import { HostCache, type HostEntry } from './host-cache.js'
import { AttachSim } from './sim.js'

/**
 * December 2010 in small, on the real cores in virtual time. 14 supernodes:
 * 4 that will die (capacity 250), 8 that stay (250), 2 mega-supernodes
 * (1000, 600 taken by the rest of the world). 1,000 devices.
 */
const N = 1000
const DYING = ['dying-0', 'dying-1', 'dying-2', 'dying-3']
const STAYING = Array.from({ length: 8 }, (_, i) => `staying-${i}`)
const MEGAS = ['mega-0', 'mega-1']
/** The outage, once every device has been attached long enough to count as stable. */
const T0 = 100_000
const WINDOW_S = 300

/** mulberry32: a small seeded generator, so every run of the storm is the same run. */
function seeded(seed: number): () => number {
  let s = seed | 0
  return () => {
    s = (s + 0x6d2b79f5) | 0
    let t = Math.imul(s ^ (s >>> 15), 1 | s)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

function network(): AttachSim {
  const sim = new AttachSim(0)
  for (const id of [...DYING, ...STAYING]) sim.addHost({ peerId: id, capacity: 250 })
  for (const id of MEGAS) sim.addHost({ peerId: id, capacity: 1000, mega: true, preload: 600 })
  return sim
}

interface Outcome {
  /** Dials to live supernodes in each second after T0. */
  perSecond: number[]
  peak: number
  toDead: number
  busy: number
  /** Devices holding at least one attachment, and `target`, at each second after T0. */
  served: number[]
  full: number[]
  overCapacity: boolean
}

function run(sim: AttachSim, target: number): Outcome {
  const served: number[] = []
  const full: number[] = []
  for (let t = 0; t <= WINDOW_S; t++) {
    sim.runUntil(T0 + t * 1000)
    const attached = sim.devices.map((d) => d.attacher.attached().length)
    served.push(attached.filter((n) => n > 0).length)
    full.push(attached.filter((n) => n >= target).length)
  }
  const perSecond = new Array<number>(WINDOW_S).fill(0)
  let toDead = 0
  for (const dial of sim.dials) {
    if (dial.at < T0) continue
    if (!dial.alive) toDead++
    else perSecond[Math.floor((dial.at - T0) / 1000)]! += 1
  }
  const busy = sim.busyAnswers.filter((at) => at >= T0).length
  const overCapacity = [...sim.hosts.values()].some((h) => h.admission.load > h.admission.capacity)
  return { perSecond, peak: Math.max(...perSecond), toDead, busy, served, full, overCapacity }
}

/**
 * The bound from the jitter formula, for devices still attached elsewhere.
 * Each of their dials waits behind a gate uniform over a window of at least
 * W = refillSpreadMs, so a given gate fires in a given second with
 * probability at most 1/W: with G gates in play, the expected dials in any
 * second are at most λ = G/W, and by Chernoff P(X ≥ 2λ) ≤ e^(−λ/3), below
 * 1e-4 for λ ≥ 30. (Seeded: the run is the same run every time anyway.)
 */
function bound(gates: number): number {
  return (2 * gates) / (ATTACHER_DEFAULTS.refillSpreadMs / 1000)
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0)

/**
 * Every device attached to one dying and one staying supernode, and knowing
 * the whole network; the megas then fill up behind the caches' backs (stale
 * loads, so the busy path is exercised). At T0 the four die together.
 */
function loseOneOfTwo(
  tune: Partial<AttacherInit> = {},
  hostBackoff = { baseMs: 1000, capMs: 60_000 },
): Outcome {
  const sim = network()
  const caches: HostCache[] = []
  for (let i = 0; i < N; i++) {
    const cache = new HostCache({ backoff: hostBackoff })
    for (const id of [DYING[i % 4]!, STAYING[i % 8]!]) cache.upsert(sim.hint(id), sim.now)
    caches.push(cache)
    sim.addDevice(`device-${i}`, new Attacher({ ...tune, cache, random: seeded(i + 1) }, sim.now))
  }
  sim.runUntil(40_000)
  const view = [...sim.hosts.keys()].map((id) => sim.hint(id))
  for (const cache of caches) for (const h of view) cache.upsert(h, sim.now)
  sim.runUntil(T0 - 1000)
  for (const id of MEGAS) for (let i = 0; i < 350; i++) sim.hosts.get(id)!.admission.admit(`late-${i}`, [])
  sim.runUntil(T0)
  expect(sim.devices.every((d) => d.attacher.attached().length === 2)).toBe(true)
  for (const id of DYING) sim.kill(id)
  return run(sim, 2)
}

describe('storm: 1,000 devices lose a supernode at the same instant (rule 3)', () => {
  it('spreads the reconnections: peak dial rate far below 1,000 a second', () => {
    const r = loseOneOfTwo()
    // One gate per device for its first refill, one more per busy answer.
    expect(r.peak).toBeLessThan(bound(N + r.busy))
    expect(r.peak).toBeLessThan(N / 10)
    expect(Math.min(...r.served)).toBe(N) // rule 2: nobody is ever left without a supernode
    expect(r.toDead).toBe(0) // nobody goes straight back to the host it lost
    expect(r.overCapacity).toBe(false) // rule 4: admission holds
    expect(r.full[90]).toBeGreaterThanOrEqual(0.9 * N) // nine in ten have two again after 90 s
    expect(r.full[WINDOW_S]).toBe(N) // everyone after 5 min, in a network left 97% full
  })

  it('without jitter the same event is the storm: every device dials in the same instant', () => {
    const r = loseOneOfTwo({ pace: { baseMs: 0, capMs: 0 }, refillSpreadMs: 0 }, { baseMs: 0, capMs: 0 })
    expect(r.perSecond[0]).toBeGreaterThanOrEqual(N)
  })

  it('a whole network restarting at once, from persisted caches, 4 of 14 supernodes gone', () => {
    const sim = network()
    const view = [...sim.hosts.keys()].map((id) => ({
      ...sim.hint(id),
      lastSeen: 0,
      failures: 0,
      retryAt: 0,
    }))
    const persisted = JSON.stringify(new HostCache({}, view).entries())
    for (const id of DYING) sim.kill(id)
    sim.runUntil(T0)
    for (let i = 0; i < N; i++) {
      const cache = new HostCache({}, JSON.parse(persisted) as HostEntry[])
      sim.addDevice(`device-${i}`, new Attacher({ cache, random: seeded(i + 1) }, sim.now))
    }
    const r = run(sim, 2)
    // Nothing is attached, so the first two dials are urgent: each behind a
    // gate uniform over the first pace window (0–1 s). That burst is the
    // price of a device being up within a second of its start; it is one
    // or two dials per device, never a loop.
    expect(sum(r.perSecond.slice(0, 2))).toBeLessThanOrEqual(2 * N)
    expect(r.served[2]).toBeGreaterThanOrEqual(0.9 * N)
    expect(r.served[30]).toBe(N)
    // From then on every device is served, and refills are spread like above.
    const after = r.perSecond.slice(10)
    expect(Math.max(...after)).toBeLessThan(bound(sum(after)))
    expect(Math.max(...after)).toBeLessThan(N / 20)
    expect(r.toDead).toBeLessThan(N) // a dead host costs a device one timed-out dial, not a loop
    expect(r.full[WINDOW_S]).toBe(N)
  })
})
