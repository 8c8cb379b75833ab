import { describe, expect, it } from 'vitest'
import { compareHosts, hasRoom, loadRatio, pickByHeadroom } from './rank.js'

const h = (peerId: string, load: number, capacity: number, mega = false) => ({ peerId, load, capacity, mega })

describe('ranking', () => {
  it('loadRatio is Infinity for hosts that cannot take anyone', () => {
    expect(loadRatio(h('a', 50, 100))).toBe(0.5)
    expect(loadRatio(h('a', 0, 0))).toBe(Infinity)
    expect(loadRatio(h('a', NaN, 100))).toBe(Infinity)
    expect(loadRatio(h('a', 1, Infinity))).toBe(Infinity)
    expect(hasRoom(h('a', 100, 100))).toBe(false)
  })

  it('compareHosts: ratio, then ordinary before mega, then peer id', () => {
    const hosts = [h('m', 10, 100, true), h('z', 10, 100), h('a', 10, 100), h('low', 1, 100)]
    expect(hosts.sort(compareHosts).map((x) => x.peerId)).toEqual(['low', 'a', 'z', 'm'])
  })
})

describe('pickByHeadroom', () => {
  it('draws in proportion to headroom, and r = 0 takes the first host with room', () => {
    const hosts = [h('full', 100, 100), h('a', 0, 100), h('b', 50, 100), h('c', 75, 100)]
    expect(pickByHeadroom(hosts, 0)?.peerId).toBe('a')
    const counts: Record<string, number> = {}
    for (let i = 0; i < 1750; i++) {
      const id = pickByHeadroom(hosts, i / 1750)!.peerId
      counts[id] = (counts[id] ?? 0) + 1
    }
    expect(counts).toEqual({ a: 1000, b: 500, c: 250 }) // headroom 1 : 0.5 : 0.25, the full one never
  })

  it('gives a host claiming a huge capacity no more pull than an empty honest one', () => {
    const hosts = [h('liar', 0, 4_000_000_000), h('honest', 0, 800)]
    expect(pickByHeadroom(hosts, 0.49)?.peerId).toBe('liar')
    expect(pickByHeadroom(hosts, 0.51)?.peerId).toBe('honest')
  })

  it('is uniform when nobody has room, and empty-handed for an empty list', () => {
    const hosts = [h('a', 100, 100), h('b', 5, 0), h('c', 200, 100)]
    expect([0, 0.34, 0.99].map((r) => pickByHeadroom(hosts, r)?.peerId)).toEqual(['a', 'b', 'c'])
    expect(pickByHeadroom([], 0.5)).toBeUndefined()
  })

  it('turns a bad random number into a pick, never undefined', () => {
    const hosts = [h('a', 0, 100), h('b', 0, 100)]
    for (const r of [NaN, -1, 1, 2, Infinity]) expect(pickByHeadroom(hosts, r)).toBeDefined()
  })
})
