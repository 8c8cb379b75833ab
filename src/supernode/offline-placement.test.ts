import { describe, expect, it } from 'vitest'
import { replicasFor, type Placed } from '../placement/placement.js'
import { OfflinePlacement } from './offline-placement.js'

describe('the offline store’s placement', () => {
  it('ranks as replicasFor does, and follows every change of membership or weight', () => {
    let members: Placed[] = Array.from({ length: 6 }, (_, i) => ({ peerId: `sn-${i}`, weight: 1 }))
    const placement = new OfflinePlacement(() => members)
    const users = Array.from({ length: 50 }, (_, i) => `user${i}`)
    const agrees = () => {
      for (const u of users) {
        expect(placement.now().replicasFor(u, 3)).toEqual(replicasFor(u, members, 3))
        expect(placement.now().replicasFor(u, 4)).toEqual(replicasFor(u, members, 4))
      }
    }
    agrees()
    const first = placement.now()
    // The same membership in another order, as a new array: the same rankings, remembered.
    members = [...members].reverse()
    expect(placement.now()).toBe(first)
    agrees()
    members = members.filter((m) => m.peerId !== 'sn-2')
    agrees()
    members = [...members, { peerId: 'sn-9', weight: 1 }]
    agrees()
    members = members.map((m) => (m.peerId === 'sn-0' ? { ...m, weight: 8 } : m))
    agrees()
  })
})
