import { describe, expect, it } from 'vitest'
import { InvalidOptionError } from '../util/errors.js'
import { Attacher, type AttacherAction, type AttacherInit } from './attacher.js'
import { HostCache, type HostHint } from './host-cache.js'

function hint(peerId: string, load = 0, capacity = 100, mega = false): HostHint {
  return { peerId, addrs: [`/ip4/10.0.0.1/tcp/4001/p2p/${peerId}`], load, capacity, mega }
}

function cacheOf(hosts: HostHint[], backoff = { baseMs: 1000, capMs: 60_000 }): HostCache {
  const cache = new HostCache({ backoff })
  for (const h of hosts) cache.upsert(h, 0)
  return cache
}

function drain(attacher: Attacher): AttacherAction[] {
  const out: AttacherAction[] = []
  for (let a = attacher.pollAction(); a !== undefined; a = attacher.pollAction()) out.push(a)
  return out
}

const dialed = (actions: AttacherAction[]): string[] =>
  actions.filter((a) => a.type === 'dial').map((a) => a.peerId)

/**
 * Runs the attacher on virtual time until `end`: drains actions, answers
 * dials with `answer`, sleeps until pollTimeout. Returns every dial with its
 * time and how many times the attacher was woken.
 */
function drive(
  attacher: Attacher,
  start: number,
  end: number,
  answer: (peerId: string, at: number) => void,
): { dials: { at: number; peerId: string }[]; wakeups: number } {
  const dials: { at: number; peerId: string }[] = []
  let now = start
  let wakeups = 0
  for (;;) {
    for (const action of drain(attacher)) {
      if (action.type !== 'dial') continue
      dials.push({ at: now, peerId: action.peerId })
      answer(action.peerId, now)
    }
    const next = attacher.pollTimeout()
    if (next === undefined || next > end) return { dials, wakeups }
    expect(next).toBeGreaterThan(now) // never a wake-up for nothing: no busy loop
    now = next
    wakeups++
    attacher.handleTimeout(now)
  }
}

/** Sleeps from wake-up to wake-up until the attacher dials; the time and the host. */
function nextDial(attacher: Attacher, from: number, limit = 3_600_000): { at: number; peerId: string } {
  let now = from
  for (;;) {
    const dial = dialed(drain(attacher))[0]
    if (dial !== undefined) return { at: now, peerId: dial }
    const next = attacher.pollTimeout()
    if (next === undefined || next > from + limit) throw new Error('no dial')
    now = next
    attacher.handleTimeout(now)
  }
}

function make(opts: Partial<AttacherInit> & { cache: HostCache }, now = 0): Attacher {
  return new Attacher({ random: () => 0, ...opts }, now)
}

describe('Attacher', () => {
  it('reaches two attachments, dialling two different hosts in parallel', () => {
    const attacher = make({ cache: cacheOf([hint('a'), hint('b', 10), hint('c', 20)]) })
    const first = drain(attacher)
    expect(first).toEqual([
      { type: 'dial', peerId: 'a', addrs: [hint('a').addrs[0]] },
      { type: 'dial', peerId: 'b', addrs: [hint('b').addrs[0]] },
    ])
    expect(attacher.dialing()).toEqual(['a', 'b'])
    attacher.onAttached('a', 40)
    attacher.onAttached('b', 60)
    expect(attacher.attached()).toEqual(['a', 'b'])
    expect(drain(attacher)).toEqual([])
    expect(attacher.dialing()).toEqual([])
  })

  it('waits a jittered start (0–1 s) before its first dial', () => {
    const attacher = make({ cache: cacheOf([hint('a')]), random: () => 0.5, target: 1 }, 1000)
    expect(drain(attacher)).toEqual([])
    expect(attacher.pollTimeout()).toBe(1500)
    attacher.handleTimeout(1500)
    expect(dialed(drain(attacher))).toEqual(['a'])
  })

  it('never dials a host twice in parallel, nor one it is attached to', () => {
    const attacher = make({ cache: cacheOf([hint('only')]) })
    expect(dialed(drain(attacher))).toEqual(['only'])
    attacher.onAttached('only', 50)
    expect(drain(attacher)).toEqual([])
    expect(attacher.pollTimeout()).toBe(30_050) // only the stability check is left: nobody else to dial
    attacher.handleTimeout(30_050)
    expect(attacher.pollTimeout()).toBeUndefined()
  })

  it('a busy answer moves the device to the hinted hosts, and holds the busy host off', () => {
    const cache = cacheOf([hint('full', 10), hint('far', 60)])
    const attacher = make({ cache, target: 1 })
    expect(dialed(drain(attacher))).toEqual(['full'])
    attacher.onBusy('full', [hint('h1', 5), hint('h2', 1, 100, true)], 50)
    expect(cache.get('full')).toMatchObject({ load: 100, failures: 1 }) // it said it is full
    expect(cache.get('h2')?.mega).toBe(false) // a hint cannot make a mega-supernode
    drive(attacher, 50, 10_000, () => {})
    expect(attacher.dialing()).toEqual(['h1'])
  })

  it('keeps the hints of a busy answer that comes after its dial timed out, without counting it twice', () => {
    const cache = cacheOf([hint('slow')])
    const attacher = make({ cache, target: 1, dialTimeoutMs: 100 })
    drain(attacher)
    attacher.handleTimeout(100)
    expect(cache.get('slow')?.failures).toBe(1)
    attacher.onBusy('slow', [hint('h1')], 150)
    expect(cache.get('slow')?.failures).toBe(1)
    expect(cache.get('h1')).toBeDefined()
  })

  it('replaces a lost attachment with another host, not straight back to the lost one', () => {
    const cache = cacheOf([hint('best', 0), hint('b', 50), hint('c', 60)])
    const attacher = make({ cache, random: () => 0.5 })
    drive(attacher, 0, 10_000, (id, at) => attacher.onAttached(id, at + 50))
    expect(attacher.attached()).toEqual(['best', 'b']) // by headroom: 0.5 of (1 + 0.5 + 0.4), then of (0.5 + 0.4)
    attacher.handleTimeout(40_000) // both stable
    attacher.onLost('best', 40_000)
    expect(attacher.attached()).toEqual(['b'])
    // Still served by b: the refill waits in [0, 30 s); random 0.5 makes it 15 s.
    expect(drain(attacher)).toEqual([])
    expect(attacher.pollTimeout()).toBe(55_000)
    attacher.handleTimeout(55_000)
    // 'best' is out of its backoff (0.5 of 1 s) and has the most headroom, but was just lost.
    expect(cache.candidates(55_000, new Set(['b']))[0]?.peerId).toBe('best')
    expect(dialed(drain(attacher))).toEqual(['c'])
  })

  it('refills at once when used with one attachment left, not over the spread', () => {
    const cache = cacheOf([hint('a', 0), hint('b', 50), hint('c', 60)])
    const attacher = make({ cache, random: () => 0.5 })
    drive(attacher, 0, 10_000, (id, at) => attacher.onAttached(id, at + 50))
    attacher.handleTimeout(40_000)
    attacher.onLost('a', 40_000)
    expect(attacher.pollTimeout()).toBe(55_000) // idle: 0.5 of the 30 s spread
    // A lookup at 41 s has one supernode to ask: the refill moves to 0.5 of pace's 1 s.
    attacher.onInUse(41_000)
    expect(nextDial(attacher, 41_000)).toEqual({ at: 41_500, peerId: 'c' })
  })

  it('refills at pace when a link is lost within inUseMs of the last use, and over the spread after', () => {
    const cache = cacheOf([hint('a', 0), hint('b', 50), hint('c', 60), hint('d', 70)])
    const attacher = make({ cache, random: () => 0.5 })
    drive(attacher, 0, 10_000, (id, at) => attacher.onAttached(id, at + 50))
    attacher.handleTimeout(40_000)
    attacher.onInUse(30_000) // in the past: time never goes back, so this is a use at 40 s
    attacher.onLost('a', 70_000) // 30 s after the use
    expect(nextDial(attacher, 70_000)).toEqual({ at: 70_500, peerId: 'c' })
    attacher.onAttached('c', 70_550)
    attacher.handleTimeout(110_000) // c stable
    attacher.onLost('b', 110_000) // 70 s after the last use: idle again
    expect(attacher.pollTimeout()).toBe(125_000)
  })

  it('a device in use dials a second host beside a dial unanswered for a second', () => {
    const cache = cacheOf([hint('a', 0), hint('b', 50)])
    const attacher = make({ cache, random: () => 0.5 })
    drive(attacher, 0, 10_000, (id, at) => attacher.onAttached(id, at + 50))
    attacher.handleTimeout(40_000)
    cache.upsert(hint('frozen', 0), 40_000) // accepts TCP, never answers
    cache.upsert(hint('c', 90), 40_000)
    attacher.onInUse(40_000)
    attacher.onLost('b', 40_000)
    const first = nextDial(attacher, 40_000)
    expect(first).toEqual({ at: 40_500, peerId: 'frozen' })
    // Not 5 s of dial timeout: 1 s, then 0.5 of pace's 1 s.
    expect(nextDial(attacher, first.at)).toEqual({ at: 42_000, peerId: 'c' })
    attacher.onAttached('c', 42_050)
    attacher.onAttached('frozen', 43_000) // late after all: one too many
    expect(attacher.attached()).toEqual(['a', 'c'])
    expect(drain(attacher)).toEqual([{ type: 'detach', peerId: 'frozen' }])
  })

  it('an idle device waits out the dial timeout before dialling another host', () => {
    const cache = cacheOf([hint('a', 0), hint('b', 50)])
    const attacher = make({ cache, random: () => 0.5, refillSpreadMs: 1_000 })
    drive(attacher, 0, 10_000, (id, at) => attacher.onAttached(id, at + 50))
    attacher.handleTimeout(40_000)
    cache.upsert(hint('frozen', 0), 40_000)
    cache.upsert(hint('c', 90), 40_000)
    attacher.onLost('b', 40_000)
    const first = nextDial(attacher, 40_000)
    expect(first.peerId).toBe('frozen')
    expect(nextDial(attacher, first.at).at).toBeGreaterThanOrEqual(first.at + 5_000)
  })

  it('goes back to the host it lost when nothing else is left, after its backoff', () => {
    const cache = cacheOf([hint('only')])
    const attacher = make({ cache, target: 1, random: () => 0.5 })
    drive(attacher, 0, 10_000, (id, at) => attacher.onAttached(id, at + 50))
    attacher.handleTimeout(40_000)
    attacher.onLost('only', 40_000)
    // Nothing attached: urgent, 0.5 of 1 s; its hold (0.5 of 1 s after the first failure) ends then too.
    expect(nextDial(attacher, 40_000)).toEqual({ at: 40_500, peerId: 'only' })
  })

  it('retries a failing host only after its backoff', () => {
    const cache = cacheOf([hint('a')], { baseMs: 10_000, capMs: 60_000 })
    const attacher = make({ cache, target: 1, random: () => 0.5 })
    const holds: number[] = []
    const { dials } = drive(attacher, 0, 300_000, (id, at) => {
      attacher.onFailed(id, at + 10)
      holds.push(cache.get(id)!.retryAt)
    })
    // Failure k holds 'a' for half of min(60 s, 10 s·2^(k-1)); the device's own gate is shorter.
    expect(holds.slice(0, 5).map((h, k) => h - dials[k]!.at - 10)).toEqual([
      5000, 10_000, 20_000, 30_000, 30_000,
    ])
    for (let k = 1; k < dials.length; k++) expect(dials[k]!.at).toBe(holds[k - 1])
  })

  it('counts a dial with no answer within dialTimeoutMs as failed, and moves on', () => {
    const cache = cacheOf([hint('silent'), hint('next', 50)])
    const attacher = make({ cache, target: 1, dialTimeoutMs: 5000 })
    expect(dialed(drain(attacher))).toEqual(['silent'])
    expect(attacher.pollTimeout()).toBe(5000)
    attacher.handleTimeout(4999)
    expect(attacher.dialing()).toEqual(['silent'])
    attacher.handleTimeout(5000)
    expect(attacher.dialing()).toEqual([])
    expect(cache.get('silent')?.failures).toBe(1)
    expect(dialed(drain(attacher))).toEqual(['next'])
    attacher.onAttached('next', 5050)
    // The late answer of the first dial: a real connection, but one too many.
    attacher.onAttached('silent', 6000)
    expect(drain(attacher)).toEqual([{ type: 'detach', peerId: 'silent' }])
    expect(attacher.attached()).toEqual(['next'])
  })

  it('with every host down it sleeps until the earliest retry, never spinning', () => {
    const cache = cacheOf([hint('a'), hint('b'), hint('c')])
    let r = 0
    const attacher = make({ cache, random: () => (r = (r + 0.37) % 1) })
    const { dials, wakeups } = drive(attacher, 0, 600_000, (id, at) => attacher.onFailed(id, at + 30))
    // Three hosts, ten minutes: the windows grow to a minute, so a few dozen dials, not thousands.
    expect(dials.length).toBeGreaterThan(10)
    expect(dials.length).toBeLessThan(60)
    expect(wakeups).toBeLessThan(3 * dials.length)
    expect(dials.slice(-5).every((d, i, xs) => i === 0 || d.at - xs[i - 1]!.at > 1000)).toBe(true)
  })

  it('once its gate has passed with every host held off, it wakes exactly at the earliest retryAt', () => {
    const cache = cacheOf([hint('a'), hint('b')], { baseMs: 20_000, capMs: 60_000 })
    const attacher = make({ cache, random: () => 0.5 })
    const first = nextDial(attacher, 0)
    attacher.onFailed(first.peerId, first.at + 10) // held 10 s (half of 20 s)
    const second = nextDial(attacher, first.at + 10)
    attacher.onFailed(second.peerId, second.at + 10) // held 10 s
    const gate = attacher.pollTimeout()!
    expect(gate).toBeLessThan(first.at + 10 + 10_000) // the device's own gate ends first
    attacher.handleTimeout(gate)
    expect(drain(attacher)).toEqual([]) // nobody to dial
    expect(attacher.pollTimeout()).toBe(first.at + 10 + 10_000) // the first host back
    expect(attacher.pollTimeout()).toBe(cache.nextRetryAt(new Set()))
  })

  it('a refused host is held off for the long hold, and the refusal is kept for the UI', () => {
    const cache = cacheOf([hint('strict'), hint('other', 50)])
    const attacher = make({ cache, target: 1, refusedHoldMs: 600_000 })
    drain(attacher)
    attacher.onRefused('strict', 'certificate_revoked', 100)
    expect(cache.get('strict')!.retryAt).toBeGreaterThanOrEqual(600_100)
    expect(attacher.lastRefusal()).toEqual({
      peerId: 'strict',
      code: 'certificate_revoked',
      message: '',
      at: 100,
    })
    drive(attacher, 100, 10_000, () => {})
    expect(attacher.dialing()).toEqual(['other'])
  })

  it('an attachment that does not last counts against the host and the pace (crash-looping supernode)', () => {
    const cache = cacheOf([hint('flappy')])
    const attacher = make({ cache, target: 1, random: () => 0.5 })
    let now = 0
    const waits: number[] = []
    for (let round = 0; round < 6; round++) {
      const dial = nextDial(attacher, now)
      waits.push(dial.at - now)
      attacher.onAttached('flappy', dial.at + 50)
      now = dial.at + 1050 // drops after a second: never stable
      attacher.onLost('flappy', now)
    }
    expect(cache.get('flappy')!.failures).toBe(6)
    // The waits double (half of 1, 2, 4, 8, 16, 32 s): no herd of devices pulled back at every restart.
    expect(waits).toEqual([500, 1000, 2000, 4000, 8000, 16_000])
  })

  it('a stable attachment clears the host failures and the pace', () => {
    const cache = cacheOf([hint('a')])
    const attacher = make({ cache, target: 1, stableAfterMs: 30_000 })
    drain(attacher)
    attacher.onFailed('a', 10)
    const dial = nextDial(attacher, 10)
    attacher.onAttached('a', dial.at + 50)
    expect(cache.get('a')!.failures).toBe(1)
    attacher.handleTimeout(dial.at + 50 + 30_000)
    expect(cache.get('a')).toMatchObject({ failures: 0, retryAt: 0 })
    attacher.onLost('a', dial.at + 40_000)
    expect(nextDial(attacher, dial.at + 40_000).at).toBe(dial.at + 40_000) // random 0: the first window again
  })

  it('ignores stray and duplicate events', () => {
    const cache = cacheOf([hint('a'), hint('b')])
    const attacher = make({ cache })
    drain(attacher)
    attacher.onAttached('a', 10)
    attacher.onAttached('a', 11)
    attacher.onFailed('nobody', 12)
    attacher.onLost('nobody', 12)
    attacher.onBusy('nobody', [{ peerId: '' } as HostHint, null as unknown as HostHint], 12)
    attacher.onFailed('a', 13) // a failure for an attached host is not a loss
    expect(attacher.attached()).toEqual(['a'])
    expect(attacher.dialing()).toEqual(['b'])
    expect(cache.size).toBe(2)
  })

  it('tolerates time going backwards in events', () => {
    const attacher = make({ cache: cacheOf([hint('a')]), target: 1 }, 10_000)
    drain(attacher)
    attacher.onFailed('a', 5)
    expect(attacher.pollTimeout()).toBeGreaterThanOrEqual(10_000)
  })

  it('refuses options that cannot work', () => {
    const cache = cacheOf([])
    expect(() => make({ cache, target: 0 })).toThrow(InvalidOptionError)
    expect(() => make({ cache, maxParallelDials: 1.5 })).toThrow(InvalidOptionError)
    expect(() => make({ cache, dialTimeoutMs: 0 })).toThrow(InvalidOptionError)
    expect(() => make({ cache, inUseMs: -1 })).toThrow(InvalidOptionError)
    expect(() => make({ cache, slowDialMs: 0 })).toThrow(InvalidOptionError)
    expect(() => make({ cache, pace: { baseMs: 5, capMs: 1 } })).toThrow(InvalidOptionError)
  })
})
