/**
 * Which supernodes are placed, and where (issue 10, H3 residual). Placement
 * by raw peer ids lets a granted account grind keys offline until two of its
 * supernodes rank among a victim's R = 3 replicas. Placement by seats does
 * not: the authority draws a random seat when it grants the role (signed in
 * the v2 grant list, `parley/supernode-grants/2`), and an account with k live
 * supernodes and a grant of N places holds the places
 *
 *   place(i) = seat ‖ uint32be(i),  i < min(k, N)
 *
 * so its positions on the ring are fixed by the grant, whatever keys it runs;
 * supernodes past its places are not placed (they still serve attachments).
 * Which of its supernodes holds which place is its own business: place 0,
 * then 1, …, goes to the account's not yet placed supernode with the highest
 * SHA-256(place ‖ peer id), so one supernode leaving moves only the places
 * that chain through it, not every place after it. Only the operator changes
 * the grant: places by granting again with `--places`, the seat by
 * withdrawing and granting again.
 *
 * Old supernodes place by peer id and know no seats, and every member must
 * reach the same replicas from the same membership. So the network places by
 * seats only when this node holds a v2 list and every live member announces
 * a version at or above SEATS_SINCE; otherwise every member places by peer id.
 * A granted account could announce an older version to hold the whole
 * network on peer ids: the operator closes that by raising the network
 * config's minClientVersion to SEATS_SINCE once every supernode runs it
 * (announcements below it are then refused), which new networks do from the
 * start. Sans-IO: members and grants in, placement out.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { compareVersions } from '../wire/fields.js'
import type { Placed } from '../placement/placement.js'

/** The first version that places by seats; announced by every supernode since. */
export const SEATS_SINCE = '0.2.0'

const encoder = new TextEncoder()

export type PlacementMode = 'seats' | 'peer-id'

/** A live supernode as membership knows it, from its verified announcement. */
export interface SeatCandidate {
  peerId: string
  /** Its account, from its certificate. */
  username: string
  /** The version it announces. */
  version: string
  weight: number
}

/** A grant's seat and how many of the account's supernodes it places. */
export interface SeatGrant {
  seat: Uint8Array
  places: number
}

export interface SeatDecision {
  mode: PlacementMode
  /** What Placement takes, sorted by peer id. */
  placed: Placed[]
  /** Live supernodes left off the ring (past their account's places, or no seat for it), sorted. */
  unplaced: string[]
}

/** The bytes placement hashes for an account's place i: seat ‖ uint32be(i). */
export function placeOf(seat: Uint8Array, index: number): Uint8Array {
  const out = new Uint8Array(seat.byteLength + 4)
  out.set(seat, 0)
  new DataView(out.buffer).setUint32(seat.byteLength, index)
  return out
}

/** True when the member's code places by seats (it announces SEATS_SINCE or later). */
export function placesBySeats(version: string): boolean {
  return compareVersions(version, SEATS_SINCE) >= 0
}

/**
 * The placement every member computes alike from the same live members and
 * grant list. `seatOf` is undefined without a v2 grant list (an authority
 * older than seats, or one that signs no list): then peer ids.
 */
export function placeMembers(
  members: readonly SeatCandidate[],
  seatOf: ((username: string) => SeatGrant | undefined) | undefined,
): SeatDecision {
  // A peer listed twice is one supernode: the entry with the largest weight (then username, version) counts.
  const sorted = [...members]
    .sort(
      (a, b) =>
        compare(a.peerId, b.peerId) ||
        (b.weight > a.weight ? 1 : b.weight < a.weight ? -1 : 0) ||
        compare(a.username, b.username) ||
        compare(a.version, b.version),
    )
    .filter((m, i, all) => i === 0 || all[i - 1]!.peerId !== m.peerId)
  if (seatOf === undefined || !sorted.every((m) => placesBySeats(m.version)))
    return {
      mode: 'peer-id',
      placed: sorted.map(({ peerId, weight }) => ({ peerId, weight })),
      unplaced: [],
    }
  const accounts = new Map<string, SeatCandidate[]>()
  for (const m of sorted) accounts.set(m.username, [...(accounts.get(m.username) ?? []), m])
  const placed: Placed[] = []
  const unplaced: string[] = []
  for (const [username, nodes] of accounts) {
    const grant = seatOf(username)
    const held = grant === undefined ? new Map<string, number>() : assignPlaces(grant, nodes)
    for (const m of nodes) {
      const index = held.get(m.peerId)
      if (grant === undefined || index === undefined) unplaced.push(m.peerId)
      else placed.push({ peerId: m.peerId, weight: m.weight, place: placeOf(grant.seat, index) })
    }
  }
  const byPeerId = (a: { peerId: string }, b: { peerId: string }) => compare(a.peerId, b.peerId)
  return { mode: 'seats', placed: placed.sort(byPeerId), unplaced: unplaced.sort(compare) }
}

/**
 * Which of an account's supernodes holds which place: place 0, 1, … in turn
 * goes to the free supernode with the highest SHA-256(place ‖ utf8(peerId)).
 * The places held are 0 … min(k, N) − 1 whatever the peer ids.
 */
function assignPlaces(grant: SeatGrant, nodes: readonly SeatCandidate[]): Map<string, number> {
  const free = new Map(nodes.map((m) => [m.peerId, encoder.encode(m.peerId)]))
  const held = new Map<string, number>()
  for (let i = 0; i < grant.places && free.size > 0; i++) {
    const place = placeOf(grant.seat, i)
    let best: { peerId: string; digest: Uint8Array } | undefined
    for (const [peerId, id] of free) {
      const input = new Uint8Array(place.byteLength + id.byteLength)
      input.set(place)
      input.set(id, place.byteLength)
      const digest = sha256(input)
      if (best === undefined || compareBytes(digest, best.digest) > 0) best = { peerId, digest }
    }
    held.set(best!.peerId, i)
    free.delete(best!.peerId)
  }
  return held
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!
  return a.length - b.length
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
