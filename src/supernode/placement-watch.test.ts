/** PlacementWatch: repairs exactly when the placement moves, by membership or by the grant list. */
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import type { Placed } from '../placement/placement.js'
import { SEATS_SINCE } from '../directory/seats.js'
import type { MemberView } from '../membership/types.js'
import type { SupernodeGrantList } from '../trust/grants.js'
import { PlacementWatch } from './placement-watch.js'

const member = (peerId: string, username: string, version = SEATS_SINCE): MemberView =>
  ({
    peerId,
    state: 'alive',
    incarnation: 1,
    since: 0,
    announcement: { peerId, username, version, mega: false },
  }) as unknown as MemberView

const v2 = (places: number, seatByte = 1): SupernodeGrantList =>
  ({
    version: 2,
    seatOf: (u: string) => (u === 'op' ? { seat: new Uint8Array(16).fill(seatByte), places } : undefined),
  }) as unknown as SupernodeGrantList

function watch(members: MemberView[], grants: { list: SupernodeGrantList | undefined }) {
  const moves: Array<{ before: Placed[]; after: Placed[] }> = []
  const w = new PlacementWatch({
    alive: () => members,
    grants: () => grants.list,
    megaWeight: 4,
    moved: (before, after) => moves.push({ before, after }),
    log: pino({ level: 'silent' }),
  })
  w.start()
  return { w, moves }
}

describe('PlacementWatch', () => {
  it('repairs when the network switches to seats, when places or a seat change, and only then', () => {
    const members = [member('a', 'op'), member('b', 'op'), member('c', 'op')]
    const grants: { list: SupernodeGrantList | undefined } = { list: undefined }
    const { w, moves } = watch(members, grants)
    expect(w.decide().mode).toBe('peer-id')
    w.check()
    expect(moves).toHaveLength(0)

    grants.list = v2(3)
    w.check()
    expect(w.decide().mode).toBe('seats')
    expect(moves).toHaveLength(1)
    expect(moves[0]!.before.every((p) => p.place === undefined)).toBe(true)
    expect(moves[0]!.after.every((p) => p.place !== undefined)).toBe(true)

    grants.list = v2(3) // a re-signed list, the same seats: nothing moves
    w.check()
    expect(moves).toHaveLength(1)
    grants.list = v2(2)
    w.check()
    expect(w.decide().unplaced).toHaveLength(1)
    grants.list = v2(2, 9)
    w.check()
    expect(moves).toHaveLength(3)
  })

  it('goes back to peer ids, and repairs, when an older supernode joins', () => {
    const members = [member('a', 'op'), member('b', 'op')]
    const { w, moves } = watch(members, { list: v2(2) })
    expect(w.decide().mode).toBe('seats')
    members.push(member('old', 'op', '0.1.0'))
    w.check()
    expect(w.decide().mode).toBe('peer-id')
    expect(moves).toHaveLength(1)
    expect(w.replicas('alice', 3)).toEqual({
      username: 'alice',
      mode: 'peer-id',
      replicas: expect.any(Array) as string[],
    })
  })
})
