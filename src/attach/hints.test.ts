import { describe, expect, it } from 'vitest'
import { InvalidOptionError } from '../util/errors.js'
import { Attacher } from './attacher.js'
import { HintLedger } from './hints.js'
import { HostCache, type HostHint } from './host-cache.js'

const none: ReadonlySet<string> = new Set()

function hint(peerId: string, over: Partial<HostHint> = {}): HostHint {
  return {
    peerId,
    addrs: [`/ip4/10.0.0.1/tcp/4001/p2p/${peerId}`],
    load: 1,
    capacity: 100,
    mega: false,
    ...over,
  }
}

const ids = (cache: HostCache) => cache.entries().map((e) => e.peerId)

/** A cache as a device has it: the signed config's seed, hosts it knows. */
function known(): HostCache {
  const cache = new HostCache({ maxEntries: 6 })
  cache.upsert(hint('seed', { mega: true, capacity: 100_000, load: 0 }), 0)
  for (const id of ['a', 'b', 'c']) cache.upsert(hint(id), 0)
  return cache
}

describe('HostCache.learn', () => {
  it('adds a new host, never as a mega, and updates a known one without touching its backoff or mega flag', () => {
    const cache = known()
    cache.markFailed('a', 10, 0.5)
    const held = cache.get('a')!
    expect(cache.learn(hint('new', { mega: true }), 20)).toBe('added')
    expect(cache.get('new')?.mega).toBe(false)
    expect(cache.learn(hint('a', { load: 7, addrs: ['/ip4/10.9.9.9/tcp/1'] }), 20)).toBe('updated')
    expect(cache.get('a')).toMatchObject({
      load: 7,
      addrs: ['/ip4/10.9.9.9/tcp/1'],
      failures: held.failures,
      retryAt: held.retryAt,
    })
    expect(cache.learn(hint('seed', { mega: false }), 20)).toBe('updated')
    expect(cache.get('seed')?.mega).toBe(true)
  })

  it('ignores an announcement older than the one it holds', () => {
    const cache = known()
    expect(cache.learn(hint('a', { incarnation: 5, load: 5 }), 1)).toBe('updated')
    expect(cache.learn(hint('a', { incarnation: 4, load: 99 }), 2)).toBe('stale')
    expect(cache.get('a')).toMatchObject({ incarnation: 5, load: 5 })
    // A trusted upsert without an incarnation (the adapter, after attaching) keeps the one held.
    cache.upsert(hint('a', { load: 6 }), 3)
    expect(cache.learn(hint('a', { incarnation: 4 }), 4)).toBe('stale')
  })

  it('takes the place of a failing ordinary host when full, never of a working one or a mega', () => {
    const cache = known()
    cache.learn(hint('d'), 1)
    cache.learn(hint('e'), 1)
    expect(cache.size).toBe(6)
    expect(cache.learn(hint('x'), 2)).toBe('full')
    cache.markFailed('b', 3, 0)
    expect(cache.learn(hint('x'), 4)).toBe('added')
    expect(ids(cache).sort()).toEqual(['a', 'c', 'd', 'e', 'seed', 'x'])
  })

  it('refuses malformed hints', () => {
    expect(known().learn({ peerId: '' } as HostHint, 0)).toBe('malformed')
  })
})

describe('HintLedger', () => {
  it('adds at most maxNewPerAnswer new hosts from one answer, and updates known ones freely', () => {
    const cache = new HostCache()
    cache.upsert(hint('a'), 0)
    const ledger = new HintLedger(cache, { maxNewPerAnswer: 2 })
    const out = ledger.take(
      {
        from: 's',
        hints: [hint('a', { load: 9 }), hint('n1'), hint('n2'), hint('n3'), hint('n4')],
        refused: 0,
        complete: false,
      },
      none,
      1,
    )
    expect(out).toMatchObject({ added: ['n1', 'n2'], updated: 1, overAllowance: 2 })
    expect(cache.get('a')?.load).toBe(9)
    expect(cache.get('n3')).toBeUndefined()
  })

  it('never removes a host because one supernode left it out', () => {
    const cache = known()
    const ledger = new HintLedger(cache)
    const out = ledger.take({ from: 'rogue', hints: [], refused: 0, complete: true }, none, 1)
    expect(out.forgotten).toEqual([])
    expect(ids(cache).sort()).toEqual(['a', 'b', 'c', 'seed'])
    // The same supernode again is still one source.
    ledger.take({ from: 'rogue', hints: [], refused: 0, complete: true }, none, 2)
    expect(cache.size).toBe(4)
  })

  it('forgets an ordinary host two supernodes left out of complete answers; megas and attachments stay', () => {
    const cache = known()
    const ledger = new HintLedger(cache)
    ledger.take({ from: 's1', hints: [hint('a')], refused: 0, complete: true }, new Set(['c']), 1)
    const out = ledger.take({ from: 's2', hints: [hint('a')], refused: 0, complete: true }, new Set(['c']), 2)
    expect(out.forgotten).toEqual(['b'])
    expect(ids(cache).sort()).toEqual(['a', 'c', 'seed'])
  })

  it('takes no omission from an answer that was incomplete or carried a refused proof', () => {
    const cache = known()
    const ledger = new HintLedger(cache)
    ledger.take({ from: 's1', hints: [], refused: 1, complete: true }, none, 1)
    ledger.take({ from: 's2', hints: [], refused: 0, complete: false }, none, 2)
    ledger.take({ from: 's3', hints: [], refused: 0, complete: true }, none, 3)
    expect(cache.size).toBe(4)
  })

  it('a host listed again clears the omissions against it', () => {
    const cache = known()
    const ledger = new HintLedger(cache)
    ledger.take({ from: 's1', hints: [hint('a'), hint('c')], refused: 0, complete: true }, none, 1)
    ledger.take({ from: 's1', hints: [hint('a'), hint('b'), hint('c')], refused: 0, complete: true }, none, 2)
    ledger.take({ from: 's2', hints: [hint('a'), hint('c')], refused: 0, complete: true }, none, 3)
    expect(cache.get('b')).toBeDefined()
  })

  it('ignores hints about the sender itself and duplicates', () => {
    const cache = new HostCache()
    const ledger = new HintLedger(cache, { maxNewPerAnswer: 1 })
    const out = ledger.take(
      { from: 's', hints: [hint('s'), hint('n'), hint('n')], refused: 0, complete: false },
      none,
      1,
    )
    expect(out.added).toEqual(['n'])
    expect(out.overAllowance).toBe(0)
  })

  it('checks its options', () => {
    expect(() => new HintLedger(new HostCache(), { quorum: 1 })).toThrow(InvalidOptionError)
    expect(() => new HintLedger(new HostCache(), { maxNewPerAnswer: -1 })).toThrow(InvalidOptionError)
  })
})

describe('Attacher.onHints and onBusy', () => {
  it('go through the ledger: a busy answer cannot make a host mega or flood the cache', () => {
    const cache = new HostCache()
    cache.upsert(hint('full'), 0)
    const attacher = new Attacher({ cache, random: () => 0.5, hints: { maxNewPerAnswer: 2 } }, 0)
    attacher.onBusy('full', [hint('m1', { mega: true }), hint('m2'), hint('m3')], 1)
    expect(ids(cache).sort()).toEqual(['full', 'm1', 'm2'])
    expect(cache.get('m1')?.mega).toBe(false)
    const out = attacher.onHints({ from: 'full', hints: [hint('m4')], refused: 0, complete: false }, 2)
    expect(out.added).toEqual(['m4'])
  })
})
