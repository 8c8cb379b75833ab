import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Lookup, MAX_ROUNDS, type ReplicaAnswer } from './lookup.js'
import { ERROR, found, NOT_FOUND, rec, replicas, run, type Behaviour } from './lookup.fixtures.js'

describe('Lookup', () => {
  it('answers from the first replica in one round trip when it is healthy', () => {
    const { result, decidedAt, asks } = run({ replicas }, { r0: { after: 1, answer: found(rec('phone')) } })
    expect(result).toEqual({ kind: 'found', records: [rec('phone')] })
    expect(decidedAt).toBe(1)
    expect(asks).toEqual([{ peer: 'r0', at: 0 }])
  })

  it('asks the second after hedgeDelay when the first is frozen, never waiting attemptTimeout', () => {
    const { result, decidedAt, asks } = run(
      { replicas, hedgeDelayMs: 25, attemptTimeoutMs: 300 },
      { r0: 'frozen', r1: { after: 2, answer: found(rec('phone')) } },
    )
    expect(result?.kind).toBe('found')
    expect(asks).toEqual([
      { peer: 'r0', at: 0 },
      { peer: 'r1', at: 25 },
    ])
    expect(decidedAt).toBe(27)
  })

  it('reaches the third when two are frozen', () => {
    const { result, decidedAt, asks } = run(
      { replicas },
      { r0: 'frozen', r1: 'frozen', r2: { after: 2, answer: found(rec('phone')) } },
    )
    expect(result?.kind).toBe('found')
    expect(asks.map((a) => [a.peer, a.at])).toEqual([
      ['r0', 0],
      ['r1', 25],
      ['r2', 50],
    ])
    expect(decidedAt).toBe(52)
  })

  it('moves on at once when a replica errors', () => {
    const { result, asks } = run(
      { replicas },
      {
        r0: { after: 1, answer: ERROR },
        r1: { after: 1, answer: ERROR },
        r2: { after: 1, answer: found(rec('x')) },
      },
    )
    expect(result?.kind).toBe('found')
    expect(asks.map((a) => [a.peer, a.at])).toEqual([
      ['r0', 0],
      ['r1', 1],
      ['r2', 2],
    ])
  })

  it('without hedging, a silent replica costs attemptTimeout and no more', () => {
    const { asks } = run(
      { replicas, hedgeDelayMs: 10_000, attemptTimeoutMs: 300 },
      { r0: 'frozen', r1: { after: 1, answer: found(rec('x')) } },
    )
    expect(asks.map((a) => [a.peer, a.at])).toEqual([
      ['r0', 0],
      ['r1', 300],
    ])
  })

  it('asks the next at once beside a node known to be slow, and still takes its late answer', () => {
    const { result, asks, decidedAt } = run(
      { replicas: [{ peerId: 'r0', slow: true }, 'r1', 'r2'] },
      { r0: { after: 5, answer: found(rec('phone')) }, r1: 'frozen', r2: 'frozen' },
    )
    expect(asks.map((a) => [a.peer, a.at])).toEqual([
      ['r0', 0],
      ['r1', 0],
    ])
    expect(result).toEqual({ kind: 'found', records: [rec('phone')] })
    expect(decidedAt).toBe(5)
  })

  it('fails when every replica fails, by attemptTimeout of the last', () => {
    const { result, decidedAt } = run({ replicas }, { r0: 'frozen', r1: { after: 1, answer: ERROR } })
    expect(result).toEqual({ kind: 'failed', reason: 'all-failed' })
    // r2 asked at 26 (r1 errored at 26) and never answers: failed at 326.
    expect(decidedAt).toBe(326)
  })

  it('uses a late found from a replica it had given up on, while undecided', () => {
    const { result, decidedAt } = run(
      { replicas: ['r0', 'r1'], attemptTimeoutMs: 100, hedgeDelayMs: 1_000 },
      { r0: { after: 150, answer: found(rec('phone')) }, r1: 'frozen' },
    )
    expect(result?.kind).toBe('found')
    expect(decidedAt).toBe(150)
  })

  it('ignores answers after the decision, duplicates, and strangers', () => {
    const { lookup, late } = run(
      { replicas },
      { r0: 'frozen', r1: { after: 1, answer: found(rec('phone')) }, r2: { after: 5, answer: NOT_FOUND } },
    )
    const decided = lookup.result()
    for (const l of late) lookup.onAnswer(l.peer, l.answer, l.at)
    lookup.onAnswer('r0', found(rec('tablet')), 500)
    lookup.onAnswer('r1', found(rec('laptop', 9)), 500)
    lookup.onAnswer('mallory', found(rec('evil')), 500)
    lookup.handleTimeout(10_000)
    expect(lookup.result()).toBe(decided)
    expect(lookup.pollAsk()).toBeUndefined()
    expect(lookup.pollTimeout()).toBeUndefined()
  })

  it('ignores an answer from a replica it has not asked yet', () => {
    const lookup = new Lookup({ replicas }, 0)
    expect(lookup.pollAsk()).toBe('r0')
    lookup.onAnswer('r2', found(rec('phone')), 1)
    expect(lookup.result()).toBeUndefined()
    expect(lookup.pending()).toEqual(['r0'])
  })

  it('fails at the overall timeout whatever is still in flight', () => {
    const { result, decidedAt } = run(
      { replicas, overallTimeoutMs: 40, attemptTimeoutMs: 300 },
      { r0: 'frozen', r1: 'frozen', r2: 'frozen' },
    )
    expect(result).toEqual({ kind: 'failed', reason: 'timeout' })
    expect(decidedAt).toBe(40)
  })

  it('fails at once with no replicas', () => {
    const lookup = new Lookup({ replicas: [] }, 0)
    expect(lookup.result()).toEqual({ kind: 'failed', reason: 'no-replicas' })
    expect(lookup.pollAsk()).toBeUndefined()
  })

  it('keeps one record per device, the highest sequence, and drops expired or foreign ones', () => {
    const answer = found(rec('phone', 3), rec('phone', 7), rec('laptop', 1, 10), rec('tab', 1, 1e9, 'bob'))
    const { result } = run({ replicas, username: 'alice' }, { r0: { after: 20, answer } })
    expect(result).toEqual({ kind: 'found', records: [rec('phone', 7)] })
  })

  it('counts a found answer with nothing usable as not-found', () => {
    const { result, asks } = run(
      { replicas },
      {
        r0: { after: 1, answer: found() },
        r1: { after: 1, answer: found(rec('phone', 1, 1)) },
        r2: 'frozen',
      },
    )
    expect(result).toEqual({ kind: 'not-found' })
    expect(asks).toHaveLength(2)
  })

  it('caps the not-found quorum at the number of replicas', () => {
    const { result, decidedAt } = run(
      { replicas: ['only'], notFoundQuorum: 5 },
      { only: { after: 3, answer: NOT_FOUND } },
    )
    expect(result).toEqual({ kind: 'not-found' })
    expect(decidedAt).toBe(3)
  })

  it('falls back to the defaults for waits that are not finite, so it always decides', () => {
    const { result, decidedAt } = run(
      { replicas, hedgeDelayMs: Number.NaN, attemptTimeoutMs: Infinity, overallTimeoutMs: Number.NaN },
      {},
    )
    expect(result).toEqual({ kind: 'failed', reason: 'all-failed' })
    expect(decidedAt).toBe(350)
  })

  it('asks a replica listed twice once', () => {
    const { asks } = run({ replicas: ['r0', 'r0', 'r1'] }, { r0: 'frozen', r1: 'frozen' })
    expect(asks.map((a) => a.peer)).toEqual(['r0', 'r1'])
  })
})

describe('Lookup rounds', () => {
  it('asks only the nodes that errored again, once every request of the round is over', () => {
    const { result, asks } = run(
      { replicas, rounds: 2, attemptTimeoutMs: 300, overallTimeoutMs: 1_000 },
      { r0: { after: 1, answer: ERROR }, r1: 'frozen', r2: { after: 5, answer: ERROR } },
    )
    // r1 is silent: the second round waits for its attempt to time out, and does not ask it again.
    expect(asks.map((a) => [a.peer, a.at])).toEqual([
      ['r0', 0],
      ['r1', 1],
      ['r2', 26],
      ['r0', 301],
      ['r2', 302],
    ])
    expect(result).toEqual({ kind: 'failed', reason: 'all-failed' })
  })

  it('takes a found from the second round', () => {
    let asked = 0
    const lookup = new Lookup({ replicas: ['sn'], rounds: 2, overallTimeoutMs: 1_000 }, 0)
    for (let peer = lookup.pollAsk(); peer !== undefined; peer = lookup.pollAsk()) asked++
    lookup.onAnswer('sn', ERROR, 700)
    for (let peer = lookup.pollAsk(); peer !== undefined; peer = lookup.pollAsk()) asked++
    lookup.onAnswer('sn', found(rec('phone')), 710)
    expect(asked).toBe(2)
    expect(lookup.result()).toEqual({ kind: 'found', records: [rec('phone')] })
  })

  it('starts no round past the deadline, takes one round by default, and at most MAX_ROUNDS', () => {
    const late = new Lookup({ replicas: ['sn'], rounds: 2, overallTimeoutMs: 500 }, 0)
    late.pollAsk()
    late.onAnswer('sn', ERROR, 500)
    expect(late.pollAsk()).toBeUndefined()
    expect(late.result()).toEqual({ kind: 'failed', reason: 'all-failed' })
    const count = (rounds: number | undefined): number =>
      run({ replicas: ['sn'], rounds, overallTimeoutMs: 10_000 }, { sn: { after: 1, answer: ERROR } }).asks
        .length
    expect(count(undefined)).toBe(1)
    expect(count(Number.NaN)).toBe(1)
    expect(count(2)).toBe(2)
    expect(count(100)).toBe(MAX_ROUNDS)
  })
})

describe('Lookup under any answer schedule', () => {
  const behaviour: fc.Arbitrary<Behaviour> = fc.oneof(
    fc.constant('frozen' as const),
    fc.record({
      after: fc.nat(2_000),
      answer: fc.constantFrom<ReplicaAnswer>(found(rec('phone')), found(), NOT_FOUND, ERROR),
    }),
  )
  const options = fc.record({
    hedgeDelayMs: fc.nat(400),
    attemptTimeoutMs: fc.integer({ min: 1, max: 800 }),
    overallTimeoutMs: fc.nat(2_000),
    notFoundQuorum: fc.integer({ min: 0, max: 4 }),
  })

  it('decides by overallTimeoutMs, asks without waiting on the silent, and never changes its mind', () => {
    fc.assert(
      fc.property(
        options,
        fc.array(behaviour, { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 0, max: 1e12 }),
        (opts, list, start) => {
          const peers = list.map((_, i) => `r${i}`)
          const behaviours = Object.fromEntries(list.map((b, i) => [`r${i}`, b]))
          const { result, decidedAt, asks, lookup, late } = run(
            { replicas: peers, ...opts },
            behaviours,
            start,
          )
          expect(result).toBeDefined()
          expect(decidedAt - start).toBeLessThanOrEqual(opts.overallTimeoutMs)
          // Each next replica is asked within min(hedgeDelay, attemptTimeout) of the one before.
          const gap = Math.min(opts.hedgeDelayMs, opts.attemptTimeoutMs)
          asks.forEach((a, i) => {
            expect(a.peer).toBe(peers[i])
            if (i > 0) expect(a.at - asks[i - 1]!.at).toBeLessThanOrEqual(gap)
          })
          // The decision follows from what was heard.
          const heard = (kind: string): boolean =>
            asks.some((a) => {
              const b = behaviours[a.peer]!
              return b !== 'frozen' && b.answer.kind === kind && a.at + b.after <= decidedAt
            })
          if (result!.kind === 'found') expect(heard('found')).toBe(true)
          if (result!.kind === 'not-found') expect(heard('not-found') || heard('found')).toBe(true)
          for (const l of late) lookup.onAnswer(l.peer, l.answer, l.at)
          lookup.handleTimeout(start + 10_000)
          expect(lookup.result()).toBe(result)
        },
      ),
      { numRuns: 500 },
    )
  })
})
