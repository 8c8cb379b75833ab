import { sha256 } from '@noble/hashes/sha2.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { lnU, Placement, replicasFor, type Placed } from '../placement/placement.js'
import {
  placeMembers,
  placeOf,
  placesBySeats,
  SEATS_SINCE,
  type SeatCandidate,
  type SeatGrant,
} from './seats.js'

const R = 3
const NEW = SEATS_SINCE
const seatFrom = (label: string): Uint8Array => sha256(new TextEncoder().encode(label)).slice(0, 16)
const keys = (n: number): string[] => Array.from({ length: n }, (_, i) => `user-${i}`)

/** Ten honest accounts with one supernode each, and their grants. */
const honest: SeatCandidate[] = Array.from({ length: 10 }, (_, i) => ({
  peerId: `honest-${i}`,
  username: `owner${i}`,
  version: NEW,
  weight: i === 0 ? 4 : 1,
}))
const grants = new Map<string, SeatGrant>(
  honest.map((m) => [m.username, { seat: seatFrom(m.username), places: 1 }]),
)
grants.set('mallory', { seat: seatFrom('mallory'), places: 1 })
const seatOf = (username: string) => grants.get(username)

const rogue = (peerId: string): SeatCandidate => ({ peerId, username: 'mallory', version: NEW, weight: 1 })

/** Peer ids a grinder would try: any strings it likes. */
const ids = (n: number, stem = 'key'): string[] => Array.from({ length: n }, (_, i) => `${stem}-${i}`)

describe('a place', () => {
  it('is the seat then the index as four bytes, big endian', () => {
    const seat = Uint8Array.from({ length: 16 }, (_, i) => i)
    expect(Buffer.from(placeOf(seat, 0)).toString('hex')).toBe('000102030405060708090a0b0c0d0e0f00000000')
    expect(Buffer.from(placeOf(seat, 258)).toString('hex')).toBe('000102030405060708090a0b0c0d0e0f00000102')
  })

  it('is what placement hashes beside the key: SHA-256(key ‖ 0x00 ‖ seat ‖ index)', () => {
    const members: Placed[] = honest.map((m, i) => ({
      peerId: m.peerId,
      weight: m.weight,
      place: placeOf(seatFrom(m.username), i % 2),
    }))
    const score = (m: Placed): number => {
      const key = new TextEncoder().encode('alice\u0000')
      const input = new Uint8Array(key.length + m.place!.length)
      input.set(key)
      input.set(m.place!, key.length)
      return -m.weight / lnU(sha256(input))
    }
    const byHand = [...members].sort((a, b) => score(b) - score(a)).map((m) => m.peerId)
    expect(replicasFor('alice', members, members.length)).toEqual(byHand)
    // The peer id no longer matters: the same places under other ids rank the same.
    const renamed = members.map((m, i) => ({ ...m, peerId: `x${i}` }))
    expect(replicasFor('alice', renamed, R).map((p) => Number(p.slice(1)))).toEqual(
      replicasFor('alice', members, R).map((p) => members.findIndex((m) => m.peerId === p)),
    )
  })
})

describe('placement by seats', () => {
  it('ranks a grinder’s supernodes by its seat, not its keys: any keys, the same place, at most one of R', () => {
    const base = placeMembers([...honest, rogue('key-0')], seatOf)
    expect(base.mode).toBe('seats')
    const honestReplicas = (placed: Placed[], key: string) =>
      replicasFor(key, placed, R + 1).map((p) => (p.startsWith('honest-') ? p : 'mallory'))
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 6 }),
        fc.constantFrom(...keys(40)),
        (rogueIds, key) => {
          const { placed } = placeMembers([...honest, ...rogueIds.map(rogue)], seatOf)
          const replicas = replicasFor(key, placed, R)
          expect(replicas.filter((p) => rogueIds.includes(p)).length).toBeLessThanOrEqual(1)
          // Whatever keys it runs, the ranking is the one its seat gives.
          expect(honestReplicas(placed, key)).toEqual(honestReplicas(base.placed, key))
        },
      ),
      { numRuns: 300 },
    )
  })

  it('where peer ids are placed, the same grinder captures 2 of a victim’s 3 replicas from 400 keys', () => {
    const byPeerId = (rogueIds: string[]) =>
      placeMembers([...honest, ...rogueIds.map(rogue)], undefined).placed
    const tries = ids(400)
    const victim = 'victim'
    const ranked = tries
      .map((id) => ({ id, best: replicasFor(victim, byPeerId([id]), 1)[0] === id }))
      .filter((t) => t.best)
      .map((t) => t.id)
    const captured = replicasFor(victim, byPeerId(ranked.slice(0, 2)), R).filter((p) => ranked.includes(p))
    expect(captured).toHaveLength(2)
    // By seats the same two keys hold one place at most.
    const { placed } = placeMembers([...honest, ...ranked.slice(0, 2).map(rogue)], seatOf)
    expect(replicasFor(victim, placed, R).filter((p) => ranked.includes(p)).length).toBeLessThanOrEqual(1)
  })

  it('gives an account places 0 … min(k, N) − 1 whatever its keys, one supernode each, the rest unplaced', () => {
    const seat = seatFrom('op')
    const grant = (places: number) => (u: string) => (u === 'op' ? { seat, places } : undefined)
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 10 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 10 }),
        (peerIds, places) => {
          const fleet = peerIds.map((peerId) => ({ peerId, username: 'op', version: NEW, weight: 1 }))
          const d = placeMembers(fleet, grant(places))
          const held = Math.min(peerIds.length, places)
          expect(d.placed.map((p) => Buffer.from(p.place!).toString('hex')).sort()).toEqual(
            Array.from({ length: held }, (_, i) => Buffer.from(placeOf(seat, i)).toString('hex')).sort(),
          )
          expect(new Set(d.placed.map((p) => p.peerId)).size).toBe(held)
          expect(d.unplaced).toHaveLength(peerIds.length - held)
        },
      ),
    )
  })

  it('moves few places when one of an account’s supernodes leaves, not every place after it', () => {
    const seat = seatFrom('operator')
    const fleet = ids(20, 'op').map((peerId) => ({ peerId, username: 'operator', version: NEW, weight: 1 }))
    const seatOfOp = (u: string) => (u === 'operator' ? { seat, places: 20 } : undefined)
    const where = (d: { placed: Placed[] }) =>
      new Map(d.placed.map((p) => [p.peerId, Buffer.from(p.place!).toString('hex')]))
    const before = where(placeMembers(fleet, seatOfOp))
    let moved = 0
    for (const gone of fleet) {
      const after = where(
        placeMembers(
          fleet.filter((m) => m !== gone),
          seatOfOp,
        ),
      )
      moved += [...after].filter(([peerId, place]) => before.get(peerId) !== place).length
    }
    // Reassigning in peer id order moved about half the places (10 of 20) per departure.
    expect(moved / fleet.length).toBeLessThan(4)
  })

  it('leaves off the ring a live member whose account has no seat, and keeps its weight for the placed', () => {
    const d = placeMembers(
      [...honest, { peerId: 'stray', username: 'nobody', version: NEW, weight: 1 }],
      seatOf,
    )
    expect(d.unplaced).toEqual(['stray'])
    expect(d.placed.find((p) => p.peerId === 'honest-0')?.weight).toBe(4)
    expect(d.placed).toHaveLength(honest.length)
  })

  it('does not depend on the order members are listed in, nor on duplicates', () => {
    const members = [...honest, rogue('r-1'), rogue('r-0')]
    fc.assert(
      fc.property(fc.shuffledSubarray(members, { minLength: 1 }), (subset) => {
        const a = placeMembers(subset, seatOf)
        expect(placeMembers([...subset].reverse(), seatOf)).toEqual(a)
        expect(placeMembers([...subset, ...subset], seatOf)).toEqual(a)
      }),
    )
  })
})

describe('the mode: seats only when every member can place by them', () => {
  it('places by seats with a v2 list and every live member at SEATS_SINCE or later', () => {
    expect(placeMembers(honest, seatOf).mode).toBe('seats')
    expect(placeMembers([...honest, { ...honest[1]!, peerId: 'later', version: '1.0.0' }], seatOf).mode).toBe(
      'seats',
    )
    expect(placeMembers([], seatOf).mode).toBe('seats')
  })

  it('places by peer id without a v2 list (an authority older than seats, or none)', () => {
    const d = placeMembers(honest, undefined)
    expect(d.mode).toBe('peer-id')
    expect(d.placed).toEqual(honest.map(({ peerId, weight }) => ({ peerId, weight })))
    expect(d.unplaced).toEqual([])
  })

  it('places everyone by peer id while one live member is older, every member alike', () => {
    const old = { ...honest[3]!, version: '0.1.0' }
    const members = [...honest.filter((m) => m.peerId !== old.peerId), old]
    const d = placeMembers(members, seatOf)
    expect(d.mode).toBe('peer-id')
    // The same answer as an old member computes: every peer id, its weight, no place.
    const placement = new Placement(members.map(({ peerId, weight }) => ({ peerId, weight })))
    for (const key of keys(30)) expect(replicasFor(key, d.placed, R)).toEqual(placement.replicasFor(key, R))
  })

  it('compares versions part by part', () => {
    expect(placesBySeats(SEATS_SINCE)).toBe(true)
    expect(placesBySeats('0.10.0')).toBe(true)
    expect(placesBySeats('0.1.9')).toBe(false)
    expect(placesBySeats('0.1')).toBe(false)
    expect(placesBySeats('1')).toBe(true)
  })
})
