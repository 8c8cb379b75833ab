import { describe, expect, it } from 'vitest'
import { replicasFor, type Placed } from '../placement/placement.js'
import { Rankings } from './ranking.js'

const members = (n: number): Placed[] =>
  Array.from({ length: n }, (_, i) => ({ peerId: `sn-${i}`, weight: 1 }))
const opts = { stored: 3, depth: 6, settleMs: 30_000 }

describe('Rankings', () => {
  it('ranks a username deeper than its stored places, best first, as placement does', () => {
    const r = new Rankings(opts)
    r.update(members(10), 0)
    expect(r.order('alice')).toEqual(replicasFor('alice', members(10), 6))
    const ranked = r.rank('alice', 1)
    expect(ranked.map((x) => x.peerId)).toEqual(r.order('alice'))
    // The stored places may hold the record; the ranks below them only if a publish was passed on.
    expect(ranked.map((x) => x.mayLack)).toEqual([false, false, false, true, true, true])
  })

  it('marks a node newly ranked among the stored places as one that may lack records, until settleMs', () => {
    const r = new Rankings(opts)
    const all = members(10)
    r.update(all, 0)
    const [first] = r.order('alice')
    const survivors = all.filter((m) => m.peerId !== first)
    r.update(survivors, 1_000)
    const ranked = r.rank('alice', 1_000)
    // The third stored place now is the node that was ranked fourth: no holder has repaired it yet.
    expect(ranked.slice(0, 3).map((x) => x.mayLack)).toEqual([false, false, true])
    expect(r.rank('alice', 30_999)[2]?.mayLack).toBe(true)
    expect(r.rank('alice', 31_000)[2]?.mayLack).toBe(false)
  })

  it('does not count the same membership listed in another order as a change', () => {
    const r = new Rankings(opts)
    r.update(members(10), 0)
    r.update([...members(10)].reverse(), 5)
    expect(
      r
        .rank('alice', 6)
        .slice(0, 3)
        .every((x) => x.mayLack === false),
    ).toBe(true)
  })

  it('says which nodes are slow, as the caller knows them', () => {
    const r = new Rankings(opts)
    r.update(members(5), 0)
    const [, second] = r.order('bob')
    const ranked = r.rank('bob', 0, (p) => p === second)
    expect(ranked.map((x) => x.slow)).toEqual([false, true, false, false, false])
  })

  it('ranks nobody before the first membership', () => {
    expect(new Rankings(opts).rank('alice', 0)).toEqual([])
  })
})
