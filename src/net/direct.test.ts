/** Which addresses go where (issue 10, M6), sans-IO. */
import { describe, expect, it } from 'vitest'
import {
  announceCircuitsOnly,
  ASK_AGAIN_MS,
  circuitsOnly,
  dialPlan,
  DIRECT_RETRY_MS,
  DirectLimits,
  directOnly,
  DirectPaths,
  isCircuit,
  mayShareDirect,
  type Relation,
} from './direct.js'

const DEV = '12D3KooWDevice'
const SN = '12D3KooWSupernode'
const tcp = (port: number) => `/ip4/192.0.2.7/tcp/${port}/p2p/${DEV}`
const circuit = (port: number) => `/ip4/198.51.100.1/tcp/${port}/p2p/${SN}/p2p-circuit/p2p/${DEV}`

const relations: Record<string, Relation> = { alice: 'own', bob: 'contact', mallory: 'stranger' }
const relationOf = (u: string): Relation => relations[u] ?? 'stranger'

describe('what anyone may learn, and what only contacts may', () => {
  it('publishes and announces relay circuits only', () => {
    const all = [tcp(4001), circuit(1), tcp(4002), circuit(2), circuit(1)]
    expect(circuitsOnly(all)).toEqual([circuit(1), circuit(2)])
    expect(all.filter(isCircuit)).toHaveLength(3)
    // The host's announce filter works on multiaddr objects: only what prints as a circuit passes.
    const objects = all.map((a) => ({ toString: () => a }))
    expect(announceCircuitsOnly(objects).map(String)).toEqual([circuit(1), circuit(2), circuit(1)])
  })

  it('gives contacts the direct addresses, each once, at most 8, never a circuit', () => {
    const many = Array.from({ length: 12 }, (_, i) => tcp(5000 + i))
    expect(directOnly([circuit(1), tcp(4001), tcp(4001), 'garbage', tcp(4002)])).toEqual([
      tcp(4001),
      tcp(4002),
    ])
    expect(directOnly(many)).toEqual(many.slice(0, DirectLimits.addrs))
  })

  it('shares direct addresses with own devices and contacts, never with strangers', () => {
    expect(mayShareDirect('own')).toBe(true)
    expect(mayShareDirect('contact')).toBe(true)
    expect(mayShareDirect('stranger')).toBe(false)
  })
})

describe('dialPlan', () => {
  it("dials a contact's device directly first (what it told us, then what an older one publishes), relay last", () => {
    const published = [tcp(4001), circuit(1)]
    expect(dialPlan('contact', published, [tcp(6000)])).toEqual({
      direct: [tcp(6000), tcp(4001)],
      relayed: [circuit(1)],
    })
    expect(dialPlan('own', [circuit(1)], [])).toEqual({ direct: [], relayed: [circuit(1)] })
  })

  it('dials a stranger through its relay only, even when an older device publishes its address', () => {
    expect(dialPlan('stranger', [tcp(4001), circuit(1), circuit(2)], [tcp(6000)])).toEqual({
      direct: [],
      relayed: [circuit(1), circuit(2)],
    })
  })
})

describe('DirectPaths', () => {
  it('lets a peer that is not known as a device (a supernode) be dialled directly', () => {
    const p = new DirectPaths()
    expect(p.mayDialDirect(SN, relationOf)).toBe(true)
  })

  it('never dials directly a device of a stranger, or one whose user it does not know (it came over a relay)', () => {
    const p = new DirectPaths()
    p.noteDevice('relayed-peer')
    p.noteDevice('m1', 'mallory')
    p.noteDevice('b1', 'bob')
    p.noteDevice('a2', 'alice')
    expect(p.mayDialDirect('relayed-peer', relationOf)).toBe(false)
    expect(p.mayDialDirect('m1', relationOf)).toBe(false)
    expect(p.mayDialDirect('b1', relationOf)).toBe(true)
    expect(p.mayDialDirect('a2', relationOf)).toBe(true)
  })

  it('decides at dial time: a contact removed is a stranger from then on', () => {
    const p = new DirectPaths()
    p.learn('b1', 'bob', [tcp(4001)])
    const now: Record<string, Relation> = { bob: 'contact' }
    expect(p.mayDialDirect('b1', (u) => now[u] ?? 'stranger')).toBe(true)
    now.bob = 'stranger'
    expect(p.mayDialDirect('b1', (u) => now[u] ?? 'stranger')).toBe(false)
  })

  it('keeps a known user when the same device is later seen over a relay', () => {
    const p = new DirectPaths()
    p.noteDevice('b1', 'bob')
    p.noteDevice('b1')
    expect(p.usernameOf('b1')).toBe('bob')
    expect(p.mayDialDirect('b1', relationOf)).toBe(true)
  })

  it('remembers what a device told, direct addresses only, and replaces it on the next answer', () => {
    const p = new DirectPaths()
    p.learn('b1', 'bob', [tcp(4001), circuit(1)])
    expect(p.addrs('b1')).toEqual([tcp(4001)])
    p.learn('b1', 'bob', [tcp(4002)])
    expect(p.addrs('b1')).toEqual([tcp(4002)])
    expect(p.addrs('unknown')).toEqual([])
  })

  it('waits a minute after a failed direct dial, unless the device gives new addresses', () => {
    const p = new DirectPaths()
    p.learn('b1', 'bob', [tcp(4001)])
    expect(p.mayTryDirect('b1', 0)).toBe(true)
    p.directFailed('b1', 1000)
    expect(p.mayTryDirect('b1', 1000 + DIRECT_RETRY_MS - 1)).toBe(false)
    expect(p.mayTryDirect('b1', 1000 + DIRECT_RETRY_MS)).toBe(true)
    p.directFailed('b1', 5000)
    p.learn('b1', 'bob', [tcp(4001)])
    expect(p.mayTryDirect('b1', 5001)).toBe(false)
    p.learn('b1', 'bob', [tcp(4009)])
    expect(p.mayTryDirect('b1', 5001)).toBe(true)
    p.directFailed('b1', 6000)
    p.directWorked('b1')
    expect(p.mayTryDirect('b1', 6001)).toBe(true)
  })

  it('asks a device at most every 30 s', () => {
    const p = new DirectPaths()
    p.noteDevice('b1', 'bob')
    expect(p.mayAsk('b1', 0)).toBe(true)
    p.asked('b1', 100)
    expect(p.mayAsk('b1', 100 + ASK_AGAIN_MS - 1)).toBe(false)
    expect(p.mayAsk('b1', 100 + ASK_AGAIN_MS)).toBe(true)
  })

  it('is bounded: past its size the least recently noted devices go first', () => {
    const p = new DirectPaths({ maxDevices: 3 })
    for (const id of ['d1', 'd2', 'd3']) p.noteDevice(id, 'mallory')
    p.noteDevice('d1', 'mallory')
    p.noteDevice('d4', 'mallory')
    expect(p.size).toBe(3)
    expect(['d1', 'd2', 'd3', 'd4'].map((id) => p.isDevice(id))).toEqual([true, false, true, true])
  })

  it('keeps contacts however many unknown peers come over relays, and forgets those first', () => {
    const p = new DirectPaths({ maxDevices: 3 })
    p.learn('b1', 'bob', [tcp(4001)])
    for (let i = 0; i < 100; i++) p.noteDevice(`throwaway-${i}`)
    expect(p.addrs('b1')).toEqual([tcp(4001)])
    expect(p.mayDialDirect('b1', relationOf)).toBe(true)
    expect(p.size).toBe(4)
    // One of them turns out to be mallory's: it is named from then on, and still never dialled directly.
    p.noteDevice('throwaway-99', 'mallory')
    expect(p.usernameOf('throwaway-99')).toBe('mallory')
    expect(p.mayDialDirect('throwaway-99', relationOf)).toBe(false)
  })

  it('starts over when a certificate names another user for a device it knew', () => {
    const p = new DirectPaths()
    p.learn('x1', 'bob', [tcp(4001)])
    p.noteDevice('x1', 'mallory')
    expect(p.usernameOf('x1')).toBe('mallory')
    expect(p.addrs('x1')).toEqual([])
  })
})
