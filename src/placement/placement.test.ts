import { sha256 } from '@noble/hashes/sha2.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { lnU, placedKey, Placement, replicasFor, type Placed } from './placement.js'

const nodes = (n: number, weight = 1): Placed[] =>
  Array.from({ length: n }, (_, i) => ({ peerId: `sn-${String(i).padStart(2, '0')}`, weight }))
const keys = (n: number): string[] => Array.from({ length: n }, (_, i) => `user-${i}`)

describe('replicasFor', () => {
  it('is deterministic and gives r distinct nodes, best first', () => {
    const members = nodes(10)
    for (const key of keys(200)) {
      const a = replicasFor(key, members, 3)
      expect(a).toEqual(replicasFor(key, members, 3))
      expect(new Set(a).size).toBe(3)
      // Best first: asking for fewer gives a prefix.
      expect(replicasFor(key, members, 1)).toEqual(a.slice(0, 1))
    }
  })

  it('does not depend on input order', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(nodes(12), { minLength: 1 }), fc.string(), (subset, key) => {
        const reversed = [...subset].reverse()
        expect(replicasFor(key, reversed, 3)).toEqual(replicasFor(key, subset, 3))
      }),
    )
  })

  it('returns every node when r exceeds the node count, and nothing for r = 0 or no nodes', () => {
    const all = replicasFor('alice', nodes(2), 3)
    expect([...all].sort()).toEqual(['sn-00', 'sn-01'])
    expect(replicasFor('alice', nodes(5), 0)).toEqual([])
    expect(replicasFor('alice', [], 3)).toEqual([])
    expect(replicasFor('alice', nodes(5), Number.NaN)).toEqual([])
    expect(replicasFor('alice', nodes(5), 2.7)).toHaveLength(2)
    expect(replicasFor('alice', nodes(5), Infinity)).toHaveLength(5)
  })

  it('never chooses a node without a positive finite weight, and merges duplicates', () => {
    const members: Placed[] = [
      { peerId: 'zero', weight: 0 },
      { peerId: 'negative', weight: -1 },
      { peerId: 'nan', weight: Number.NaN },
      { peerId: 'inf', weight: Infinity },
      { peerId: 'ok', weight: 1 },
      { peerId: 'ok', weight: 4 },
    ]
    expect(replicasFor('alice', members, 3)).toEqual(['ok'])
    // The duplicate keeps its larger weight whichever order it comes in.
    const twice = [...nodes(6), { peerId: 'sn-00', weight: 4 }]
    for (const key of keys(50)) {
      expect(replicasFor(key, twice, 3)).toEqual(replicasFor(key, [...twice].reverse(), 3))
    }
  })

  it('gives a weight-4 node about four times the share of a weight-1 node', () => {
    const members = [...nodes(8), { peerId: 'mega', weight: 4 }]
    const first = new Map<string, number>()
    for (const key of keys(20_000)) {
      const winner = replicasFor(key, members, 1)[0]!
      first.set(winner, (first.get(winner) ?? 0) + 1)
    }
    // Expected: mega 4/12 of the keys, each other node 1/12.
    const mega = first.get('mega')!
    const others = nodes(8).map((n) => first.get(n.peerId) ?? 0)
    expect(mega / 20_000).toBeGreaterThan(0.31)
    expect(mega / 20_000).toBeLessThan(0.356)
    for (const share of others) expect(share / mega).toBeGreaterThan(0.2)
    for (const share of others) expect(share / mega).toBeLessThan(0.3)
  })

  it('moves only the keys that involved a removed node', () => {
    const members = [...nodes(9), { peerId: 'mega', weight: 4 }]
    for (const gone of ['sn-03', 'mega']) {
      const remaining = members.filter((n) => n.peerId !== gone)
      for (const key of keys(3_000)) {
        const before = replicasFor(key, members, 3)
        const after = replicasFor(key, remaining, 3)
        if (!before.includes(gone)) expect(after).toEqual(before)
        // The survivors stay, in the same order; one newcomer fills in.
        else expect(after.filter((p) => before.includes(p))).toEqual(before.filter((p) => p !== gone))
      }
    }
  })

  it('moves only the keys a new node wins', () => {
    const members = nodes(9)
    const grown = [...members, { peerId: 'new', weight: 1 }]
    for (const key of keys(3_000)) {
      const after = replicasFor(key, grown, 3)
      if (!after.includes('new')) expect(after).toEqual(replicasFor(key, members, 3))
    }
  })
})

describe('places', () => {
  it('hashes a node’s place instead of its peer id when it has one', () => {
    const place = Uint8Array.from([1, 2, 3])
    const score = (bytes: Uint8Array): number => {
      const input = new Uint8Array([...new TextEncoder().encode('alice\u0000'), ...bytes])
      return -1 / lnU(sha256(input))
    }
    const members: Placed[] = [
      { peerId: 'placed', weight: 1, place },
      ...['sn-a', 'sn-b', 'sn-c'].map((peerId) => ({ peerId, weight: 1 })),
    ]
    const byHand = members
      .map((m) => ({ id: m.peerId, s: score(m.place ?? new TextEncoder().encode(m.peerId)) }))
      .sort((a, b) => b.s - a.s)
      .map((m) => m.id)
    expect(replicasFor('alice', members, 4)).toEqual(byHand)
  })

  it('merges a peer listed twice with two places the same way in either order', () => {
    const twice: Placed[] = [
      ...nodes(5),
      { peerId: 'sn-00', weight: 1, place: Uint8Array.from([9]) },
      { peerId: 'sn-00', weight: 1, place: Uint8Array.from([1]) },
    ]
    for (const key of keys(50))
      expect(replicasFor(key, twice, 3)).toEqual(replicasFor(key, [...twice].reverse(), 3))
  })

  it('keys a membership by peer, weight and place', () => {
    expect(placedKey({ peerId: 'p', weight: 4 })).not.toBe(placedKey({ peerId: 'p', weight: 1 }))
    expect(placedKey({ peerId: 'p', weight: 1, place: Uint8Array.from([1]) })).not.toBe(
      placedKey({ peerId: 'p', weight: 1, place: Uint8Array.from([2]) }),
    )
  })
})

describe('Placement', () => {
  it('answers like replicasFor, from its cache too', () => {
    const members = [...nodes(20), { peerId: 'mega', weight: 4 }]
    const placement = new Placement(members, { cacheSize: 10 })
    for (let round = 0; round < 2; round++) {
      for (const key of keys(30)) {
        expect(placement.replicasFor(key, 3)).toEqual(replicasFor(key, members, 3))
        expect(placement.replicasFor(key, 1)).toEqual(replicasFor(key, members, 1))
      }
    }
    // A cached answer for r = 1 is not enough for r = 3.
    placement.replicasFor('fresh', 1)
    expect(placement.replicasFor('fresh', 3)).toEqual(replicasFor('fresh', members, 3))
  })
})

describe('the hash to u', () => {
  const digest = (first7: number[]): Uint8Array =>
    Uint8Array.from([...first7, ...new Array<number>(25).fill(0)])

  it('keeps u strictly inside (0, 1) at both ends', () => {
    const low = lnU(digest([0, 0, 0, 0, 0, 0, 0]))
    const high = lnU(digest([255, 255, 255, 255, 255, 255, 255]))
    expect(low).toBeCloseTo(Math.log(0.5 / 2 ** 53), 10)
    expect(high).toBeLessThan(0)
    expect(high).toBeCloseTo(-0.5 / 2 ** 53, 25)
  })

  it('reads the first 53 bits, big endian', () => {
    // h = 2^52 exactly: the top bit set, u = (2^52 + 0.5) / 2^53 ≈ 0.5.
    expect(lnU(digest([128, 0, 0, 0, 0, 0, 0]))).toBeCloseTo(Math.log(0.5), 12)
    // The last three bits of byte 6 are beyond the 53.
    expect(lnU(digest([1, 2, 3, 4, 5, 6, 0b111]))).toBe(lnU(digest([1, 2, 3, 4, 5, 6, 0])))
    expect(lnU(digest([1, 2, 3, 4, 5, 6, 8]))).not.toBe(lnU(digest([1, 2, 3, 4, 5, 6, 0])))
  })

  it('matches the worked example in docs/directory.md', () => {
    const members: Placed[] = [
      { peerId: 'sn-a', weight: 1 },
      { peerId: 'sn-b', weight: 1 },
      { peerId: 'sn-c', weight: 1 },
      { peerId: 'sn-d', weight: 1 },
      { peerId: 'mega-1', weight: 4 },
    ]
    const score = (peerId: string, weight: number): number =>
      -weight / lnU(sha256(new TextEncoder().encode(`alice\u0000${peerId}`)))
    const table = members.map((m) => `${m.peerId} ${score(m.peerId, m.weight).toFixed(3)}`)
    expect(table).toMatchInlineSnapshot(`
      [
        "sn-a 7.528",
        "sn-b 1.606",
        "sn-c 1.006",
        "sn-d 0.998",
        "mega-1 88.347",
      ]
    `)
    expect(replicasFor('alice', members, 3)).toMatchInlineSnapshot(`
      [
        "mega-1",
        "sn-a",
        "sn-b",
      ]
    `)
  })
})
