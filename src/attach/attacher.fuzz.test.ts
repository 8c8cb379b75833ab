import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Attacher } from './attacher.js'
import { HostCache, type HostHint } from './host-cache.js'

const HOSTS = ['a', 'b', 'c', 'd']
const hint = (peerId: string, load = 0): HostHint => ({
  peerId,
  addrs: [`/dns4/${peerId}/tcp/1`],
  load,
  capacity: 10,
  mega: false,
})

/** Any event, for any host (known or not), at any time step, in any order: late, duplicated, reordered. */
const event = fc.record({
  kind: fc.constantFrom('attached', 'busy', 'refused', 'failed', 'lost', 'timeout', 'poll'),
  peer: fc.constantFrom(...HOSTS, 'stranger'),
  dt: fc.integer({ min: -1000, max: 20_000 }),
  load: fc.integer({ min: 0, max: 12 }),
})

describe('Attacher under arbitrary event sequences (rule 1)', () => {
  it('never throws and keeps its invariants', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 200 }), fc.integer({ min: 1, max: 3 }), (events, target) => {
        const cache = new HostCache()
        for (const id of HOSTS) cache.upsert(hint(id), 0)
        let seed = 7
        const random = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647
        const attacher = new Attacher({ cache, target, random }, 0)
        let now = 0
        let latest = 0 // the core never moves its clock back
        for (const e of events) {
          now += e.dt
          if (e.kind !== 'poll') latest = Math.max(latest, now)
          if (e.kind === 'attached') attacher.onAttached(e.peer, now)
          else if (e.kind === 'busy') attacher.onBusy(e.peer, [hint('c', e.load), hint(e.peer)], now)
          else if (e.kind === 'refused') attacher.onRefused(e.peer, 'certificate_expired', now)
          else if (e.kind === 'failed') attacher.onFailed(e.peer, now)
          else if (e.kind === 'lost') attacher.onLost(e.peer, now)
          else if (e.kind === 'timeout') attacher.handleTimeout(now)
          for (let a = attacher.pollAction(); a !== undefined; a = attacher.pollAction()) {
            if (a.type === 'detach') continue
            expect(attacher.attached()).not.toContain(a.peerId)
            // A dial starts only for a slot nobody fills: a late attachment can
            // briefly sit beside a dial in flight, never a new dial beside both.
            expect(attacher.attached().length + attacher.dialing().length).toBeLessThanOrEqual(target)
          }
          const attached = attacher.attached()
          const dialing = attacher.dialing()
          expect(attached.length).toBeLessThanOrEqual(target)
          expect(dialing.length).toBeLessThanOrEqual(2)
          expect(dialing.filter((p) => attached.includes(p))).toEqual([])
          const next = attacher.pollTimeout()
          if (next !== undefined) expect(next).toBeGreaterThan(latest) // drained: nothing due now, no busy loop
        }
      }),
      { numRuns: 300 },
    )
  })
})
