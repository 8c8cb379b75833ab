import { describe, expect, it } from 'vitest'
import { InvalidOptionError } from '../util/errors.js'
import { HostCache, type HostEntry, type HostHint } from './host-cache.js'

const none: ReadonlySet<string> = new Set()

function hint(peerId: string, load: number, capacity = 100, mega = false): HostHint {
  return { peerId, addrs: [`/ip4/10.0.0.1/tcp/4001/p2p/${peerId}`], load, capacity, mega }
}

const ids = (entries: HostEntry[]): string[] => entries.map((e) => e.peerId)

describe('HostCache ordering', () => {
  it('puts the lowest load/capacity ratio first', () => {
    const cache = new HostCache()
    cache.upsert(hint('a', 80), 0)
    cache.upsert(hint('b', 10), 0)
    cache.upsert(hint('c', 300, 1000), 0) // 0.3
    expect(ids(cache.candidates(0, none))).toEqual(['b', 'c', 'a'])
  })

  it('puts an ordinary supernode before a mega one at equal ratio, but a less loaded mega first', () => {
    const cache = new HostCache()
    cache.upsert(hint('mega-half', 500, 1000, true), 0)
    cache.upsert(hint('half', 50), 0)
    cache.upsert(hint('mega-idle', 0, 1000, true), 0)
    expect(ids(cache.candidates(0, none))).toEqual(['mega-idle', 'half', 'mega-half'])
  })

  it('breaks equal load by fewer failures, then fresher news, then peer id', () => {
    const cache = new HostCache()
    cache.upsert(hint('old', 10), 0)
    cache.upsert(hint('new', 10), 5)
    cache.upsert(hint('failed', 10), 9)
    cache.markFailed('failed', 9, 0) // retryAt 9 + 0
    cache.upsert(hint('z', 10), 5)
    expect(ids(cache.candidates(10, none))).toEqual(['new', 'z', 'old', 'failed'])
  })

  it('puts hosts with no capacity or nonsense loads last', () => {
    const cache = new HostCache()
    cache.upsert(hint('zero-capacity', 0, 0), 0)
    cache.upsert(hint('full', 100), 0)
    cache.upsert(hint('ok', 99), 0)
    expect(ids(cache.candidates(0, none))).toEqual(['ok', 'full', 'zero-capacity'])
  })

  it('leaves out excluded hosts', () => {
    const cache = new HostCache()
    for (const id of ['a', 'b', 'c']) cache.upsert(hint(id, 1), 0)
    expect(ids(cache.candidates(0, new Set(['a', 'c'])))).toEqual(['b'])
  })
})

describe('HostCache backoff', () => {
  const backoff = { baseMs: 1000, capMs: 8000 }

  it('excludes a failed host until its retryAt, with full jitter growing per failure', () => {
    const cache = new HostCache({ backoff })
    cache.upsert(hint('a', 0), 0)
    cache.markFailed('a', 100, 0.5) // attempt 0: 100 + 500
    expect(cache.get('a')).toMatchObject({ failures: 1, retryAt: 600 })
    expect(ids(cache.candidates(599, none))).toEqual([])
    expect(ids(cache.candidates(600, none))).toEqual(['a'])
    cache.markFailed('a', 600, 0.5) // attempt 1: 600 + 1000
    cache.markFailed('a', 1600, 0.5) // attempt 2: 1600 + 2000
    cache.markFailed('a', 3600, 0.999) // attempt 3 reaches the cap: 3600 + 7992
    expect(cache.get('a')).toMatchObject({ failures: 4, retryAt: 11_592 })
    cache.markFailed('a', 20_000, 0.999) // attempt 4, still capped
    expect(cache.get('a')?.retryAt).toBe(27_992)
  })

  it('keeps a longer hold in place, and adds a floor when asked', () => {
    const cache = new HostCache({ backoff })
    cache.upsert(hint('a', 0), 0)
    cache.markFailed('a', 0, 0, 600_000)
    expect(cache.get('a')?.retryAt).toBe(600_000)
    cache.markFailed('a', 1000, 0) // a plain failure does not shorten the hold
    expect(cache.get('a')?.retryAt).toBe(600_000)
  })

  it('markOk clears the backoff; upsert does not', () => {
    const cache = new HostCache({ backoff })
    cache.upsert(hint('a', 0), 0)
    cache.markFailed('a', 0, 0.5)
    cache.upsert(hint('a', 5), 10)
    expect(cache.get('a')).toMatchObject({ load: 5, failures: 1, retryAt: 500, lastSeen: 10 })
    cache.markOk('a', 20)
    expect(cache.get('a')).toMatchObject({ failures: 0, retryAt: 0, lastSeen: 20 })
  })

  it('nextRetryAt: the earliest hold among hosts not excluded', () => {
    const cache = new HostCache({ backoff })
    expect(cache.nextRetryAt(none)).toBeUndefined()
    for (const id of ['a', 'b', 'c']) cache.upsert(hint(id, 0), 0)
    expect(cache.nextRetryAt(none)).toBeUndefined() // nobody backing off
    cache.markFailed('a', 0, 0.3)
    cache.markFailed('b', 0, 0.1)
    expect(cache.nextRetryAt(none)).toBe(100)
    expect(cache.nextRetryAt(new Set(['b']))).toBe(300)
    expect(cache.nextRetryAt(none, 100)).toBe(300) // with now: only holds still running
  })

  it('ignores unknown hosts', () => {
    const cache = new HostCache()
    cache.markFailed('ghost', 0, 0.5)
    cache.markOk('ghost', 0)
    cache.remove('ghost')
    expect(cache.size).toBe(0)
  })
})

describe('HostCache bounds', () => {
  it('evicts the stalest ordinary host first, and never a mega one', () => {
    const cache = new HostCache({ maxEntries: 3 })
    cache.upsert(hint('seed', 0, 1000, true), 0) // the oldest of all, but a mega
    cache.upsert(hint('a', 0), 1)
    cache.upsert(hint('b', 0), 2)
    cache.upsert(hint('c', 0), 3)
    expect(ids(cache.entries()).sort()).toEqual(['b', 'c', 'seed'])
    cache.upsert(hint('a', 0), 4) // heard of again: fresh
    expect(ids(cache.entries()).sort()).toEqual(['a', 'c', 'seed'])
  })

  it('at equal staleness, evicts the one failing more', () => {
    const cache = new HostCache({ maxEntries: 2 })
    cache.upsert(hint('a', 0), 0)
    cache.upsert(hint('b', 0), 0)
    cache.markFailed('a', 0, 0)
    cache.upsert(hint('c', 0), 1)
    expect(ids(cache.entries()).sort()).toEqual(['b', 'c'])
  })

  it('keeps every mega-supernode even past maxEntries', () => {
    const cache = new HostCache({ maxEntries: 2 })
    for (let i = 0; i < 5; i++) cache.upsert(hint(`mega-${i}`, 0, 1000, true), i)
    cache.upsert(hint('ordinary', 0), 10)
    expect(cache.size).toBe(5)
    expect(cache.entries().every((e) => e.mega)).toBe(true)
  })

  it('refuses malformed hints, and caps addresses', () => {
    const cache = new HostCache()
    const bad: unknown[] = [
      null,
      {},
      { ...hint('', 0) },
      { ...hint('x'.repeat(129), 0) },
      { ...hint('a', -1) },
      { ...hint('a', NaN) },
      { ...hint('a', 0), capacity: Infinity },
      { ...hint('a', 0), addrs: 'not a list' },
    ]
    for (const h of bad) expect(cache.upsert(h as HostHint, 0)).toBe(false)
    expect(cache.size).toBe(0)
    const addrs = [...Array.from({ length: 40 }, (_, i) => `/ip4/10.0.0.${i}/tcp/1`), 7, 'x'.repeat(600)]
    expect(cache.upsert({ ...hint('a', 0), addrs } as HostHint, 0)).toBe(true)
    expect(cache.get('a')?.addrs).toHaveLength(16)
  })

  it('hands out copies: a caller cannot change the cache by mistake', () => {
    const cache = new HostCache()
    cache.upsert(hint('a', 0), 0)
    const [entry] = cache.candidates(0, none)
    entry!.retryAt = 1e12
    entry!.addrs.push('/evil')
    expect(cache.get('a')).toMatchObject({ retryAt: 0, addrs: [hint('a', 0).addrs[0]] })
  })

  it('refuses a maxEntries that cannot work', () => {
    expect(() => new HostCache({ maxEntries: 0 })).toThrow(InvalidOptionError)
    expect(() => new HostCache({ backoff: { baseMs: 10, capMs: 1 } })).toThrow(InvalidOptionError)
  })
})

describe('HostCache persistence', () => {
  it('round-trips through JSON, backoff state included', () => {
    const cache = new HostCache({ maxEntries: 10 })
    cache.upsert(hint('seed', 10, 5000, true), 1)
    cache.upsert(hint('a', 30), 2)
    cache.upsert(hint('b', 70), 3)
    cache.markFailed('b', 3, 0.5)
    const text = JSON.stringify(cache.entries())
    const restored = new HostCache({ maxEntries: 10 }, JSON.parse(text) as HostEntry[])
    expect(restored.entries()).toEqual(cache.entries())
    expect(ids(restored.candidates(3, none))).toEqual(ids(cache.candidates(3, none)))
    expect(restored.nextRetryAt(none)).toBe(cache.nextRetryAt(none))
  })

  it('loads a damaged file without throwing: bad entries are skipped, duplicates keep the freshest', () => {
    const good = { ...hint('a', 1), lastSeen: 5, failures: 0, retryAt: 0 }
    const raw: unknown = [
      good,
      { ...good, lastSeen: 9, load: 2 },
      { ...good, lastSeen: 1, load: 3 },
      { ...hint('b', 1), lastSeen: 'yesterday', failures: 0, retryAt: 0 },
      { ...hint('c', 1), lastSeen: 1, failures: 1.5, retryAt: 0 },
      { ...hint('d', 1), lastSeen: 1, failures: -1, retryAt: 0 },
      { ...hint('e', 1), lastSeen: 1, failures: 1e9, retryAt: 10 },
      42,
      'x',
    ]
    const cache = new HostCache({}, raw as HostEntry[])
    expect(ids(cache.entries()).sort()).toEqual(['a', 'e'])
    expect(cache.get('a')).toMatchObject({ lastSeen: 9, load: 2 })
    expect(cache.get('e')?.failures).toBe(1000) // clamped
    expect(new HostCache({}, { not: 'an array' } as unknown as HostEntry[]).size).toBe(0)
  })

  it('applies the bound to what it loads', () => {
    const entries = Array.from({ length: 10 }, (_, i) => ({
      ...hint(`h${i}`, 0, 100, i === 0),
      lastSeen: i,
      failures: 0,
      retryAt: 0,
    }))
    const cache = new HostCache({ maxEntries: 4 }, entries)
    expect(ids(cache.entries()).sort()).toEqual(['h0', 'h7', 'h8', 'h9'])
  })
})
