/**
 * The revocation part of the AuthorityStore suite (see store.suite.ts): run
 * after storeSuite on the same database, so its time windows follow that
 * suite's and its rows sit beside them.
 */
import { describe, expect, it } from 'vitest'
import { later, storeUnderTest, unique } from './store.suite.js'
import type { AuthorityStore } from './types.js'

export function storeRevocationsSuite(name: string, open: () => Promise<AuthorityStore>): void {
  describe(name, () => {
    const t = storeUnderTest(open)
    const { addDevice, openMigrated } = t

    describe('revocations', () => {
      it('revokes a device and marks it revoked', async () => {
        const now = later()
        const device = await addDevice(undefined, now)
        const revocation = await t.store.revokeDevice(device.deviceId, 'owner', now + 5)
        expect(revocation).toEqual({
          seq: expect.any(Number) as number,
          deviceId: device.deviceId,
          username: device.username,
          revokedAt: now + 5,
          revokedBy: 'owner',
        })
        expect(revocation?.seq).toBeGreaterThan(0)
        expect((await t.store.getDevice(device.deviceId))?.revokedAt).toBe(now + 5)
        expect(await t.store.revocationSequence()).toBe(revocation?.seq)
      })

      it('returns the existing record when revoking again', async () => {
        const now = later()
        const device = await addDevice(undefined, now)
        const first = await t.store.revokeDevice(device.deviceId, 'owner', now + 5)
        const sequence = await t.store.revocationSequence()
        expect(await t.store.revokeDevice(device.deviceId, 'admin', now + 9)).toEqual(first)
        expect(await t.store.revocationSequence()).toBe(sequence)
        expect((await t.store.getDevice(device.deviceId))?.revokedAt).toBe(now + 5)
      })

      it('revokes once when two stores revoke at the same time', async () => {
        const other = await openMigrated()
        const now = later()
        const device = await addDevice(undefined, now)
        const [a, b] = await Promise.all([
          t.store.revokeDevice(device.deviceId, 'owner', now + 1),
          other.revokeDevice(device.deviceId, 'admin', now + 2),
        ])
        expect(a).toBeDefined()
        expect(b).toEqual(a)
        expect(
          (await t.store.listRevocations(now)).filter((r) => r.deviceId === device.deviceId),
        ).toHaveLength(1)
      })

      it('returns undefined for an unknown device', async () => {
        const sequence = await t.store.revocationSequence()
        expect(await t.store.revokeDevice(unique('12D3Koo'), 'admin', later())).toBeUndefined()
        expect(await t.store.revocationSequence()).toBe(sequence)
      })

      it('lists revocations since a time, ordered by seq', async () => {
        const now = later()
        const [a, b, c] = [await addDevice(), await addDevice(), await addDevice()] as const
        // Revoked out of time order, so ordering by seq and ordering by time differ.
        const early = await t.store.revokeDevice(a.deviceId, 'owner', now + 10)
        const last = await t.store.revokeDevice(b.deviceId, 'admin', now + 30)
        const middle = await t.store.revokeDevice(c.deviceId, 'owner', now + 20)
        const listed = await t.store.listRevocations(now + 20)
        expect(listed).toEqual([last, middle])
        expect(listed).not.toContainEqual(early)
        expect(await t.store.listRevocations(now + 31)).toEqual([])
      })

      it('orders every listing by seq and reports the highest seq as the sequence', async () => {
        const all = await t.store.listRevocations(0)
        const seqs = all.map((r) => r.seq)
        expect(seqs).toEqual([...seqs].sort((x, y) => x - y))
        expect(new Set(seqs).size).toBe(seqs.length)
        // 0 on an empty database.
        expect(await t.store.revocationSequence()).toBe(seqs.at(-1) ?? 0)
      })
    })
  })
}
