/**
 * The supernode-grant part of the AuthorityStore suite (see store.suite.ts):
 * run after it on the same database, so tests assert only on their own
 * accounts' grants and on properties that hold whatever else is stored.
 */
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { later, storeUnderTest, unique } from './store.suite.js'
import { GrantLimitError, type AuthorityStore } from './types.js'

const NO_LIMIT = 1_000_000
const seat = () => new Uint8Array(randomBytes(16))
const terms = () => ({ seat: seat() })

export function storeGrantsSuite(name: string, open: () => Promise<AuthorityStore>): void {
  describe(name, () => {
    const t = storeUnderTest(open)
    const { createAccount, openMigrated } = t

    describe('supernode grants', () => {
      it('grants an account the role, lists it, and raises the sequence', async () => {
        const { username } = await createAccount()
        const before = await t.store.supernodeGrantSequence()
        const now = later()
        const drawn = seat()
        const grant = { username, grantedAt: now, seat: drawn, places: 1 }
        expect(await t.store.grantSupernode(username, now, NO_LIMIT, { seat: drawn })).toEqual(grant)
        expect(await t.store.getSupernodeGrant(username)).toEqual(grant)
        expect(await t.store.listSupernodeGrants()).toContainEqual(grant)
        expect(await t.store.supernodeGrantSequence()).toBeGreaterThan(before)
        const { username: fleet } = await createAccount()
        expect(await t.store.grantSupernode(fleet, now, NO_LIMIT, { seat: drawn, places: 5 })).toMatchObject({
          places: 5,
        })
      })

      it('keeps the first grant and its seat when granting again, and the sequence with it', async () => {
        const { username } = await createAccount()
        const now = later()
        const first = await t.store.grantSupernode(username, now, NO_LIMIT, terms())
        const sequence = await t.store.supernodeGrantSequence()
        expect(await t.store.grantSupernode(username, now + 5, NO_LIMIT, terms())).toEqual(first)
        expect(await t.store.grantSupernode(username, now + 6, NO_LIMIT, { ...terms(), places: 1 })).toEqual(
          first,
        )
        expect(await t.store.supernodeGrantSequence()).toBe(sequence)
      })

      it('changes only the places of a held grant, and raises the sequence', async () => {
        const { username } = await createAccount()
        const now = later()
        const first = await t.store.grantSupernode(username, now, NO_LIMIT, terms())
        const sequence = await t.store.supernodeGrantSequence()
        const more = await t.store.grantSupernode(username, now + 5, NO_LIMIT, { ...terms(), places: 4 })
        expect(more).toEqual({ ...first, places: 4 })
        expect(await t.store.getSupernodeGrant(username)).toEqual(more)
        expect(await t.store.supernodeGrantSequence()).toBeGreaterThan(sequence)
        expect(await t.store.seatSupernodeGrants(seat)).toBe(0)
        expect(await t.store.getSupernodeGrant(username)).toEqual(more)
      })

      it('grants nothing to an account that does not exist', async () => {
        const sequence = await t.store.supernodeGrantSequence()
        const ghost = unique('ghost')
        expect(await t.store.grantSupernode(ghost, later(), NO_LIMIT, terms())).toBeUndefined()
        expect(await t.store.getSupernodeGrant(ghost)).toBeUndefined()
        expect(await t.store.supernodeGrantSequence()).toBe(sequence)
      })

      it('withdraws a grant: gone from the list, and the sequence still goes up', async () => {
        const { username } = await createAccount()
        const now = later()
        const first = await t.store.grantSupernode(username, now, NO_LIMIT, terms())
        const granted = await t.store.supernodeGrantSequence()
        expect(await t.store.revokeSupernode(username, now + 1)).toBe(true)
        expect(await t.store.getSupernodeGrant(username)).toBeUndefined()
        expect((await t.store.listSupernodeGrants()).map((g) => g.username)).not.toContain(username)
        const revoked = await t.store.supernodeGrantSequence()
        expect(revoked).toBeGreaterThan(granted)
        // Withdrawing again changes nothing; granting again is a new grant with a new time and seat.
        expect(await t.store.revokeSupernode(username, now + 2)).toBe(false)
        expect(await t.store.supernodeGrantSequence()).toBe(revoked)
        const redrawn = seat()
        const again = await t.store.grantSupernode(username, now + 3, NO_LIMIT, { seat: redrawn })
        expect(again).toEqual({ username, grantedAt: now + 3, seat: redrawn, places: 1 })
        expect(again?.seat).not.toEqual(first?.seat)
        expect(await t.store.supernodeGrantSequence()).toBeGreaterThan(revoked)
      })

      it('refuses a grant past the limit, but not one already held', async () => {
        const held = await createAccount()
        await t.store.grantSupernode(held.username, later(), NO_LIMIT, terms())
        const count = (await t.store.listSupernodeGrants()).length
        const { username } = await createAccount()
        const sequence = await t.store.supernodeGrantSequence()
        await expect(t.store.grantSupernode(username, later(), count, terms())).rejects.toThrow(
          GrantLimitError,
        )
        expect(await t.store.getSupernodeGrant(username)).toBeUndefined()
        expect(await t.store.supernodeGrantSequence()).toBe(sequence)
        expect(await t.store.grantSupernode(held.username, later(), count, terms())).toBeDefined()
      })

      it('grants once when two stores grant at the same time, and keeps the limit between them', async () => {
        const other = await openMigrated()
        const { username } = await createAccount()
        const now = later()
        const [a, b] = await Promise.all([
          t.store.grantSupernode(username, now, NO_LIMIT, terms()),
          other.grantSupernode(username, now + 1, NO_LIMIT, terms()),
        ])
        expect(b).toEqual(a)
        const [x, y] = [await createAccount(), await createAccount()]
        const limit = (await t.store.listSupernodeGrants()).length + 1
        const results = await Promise.allSettled([
          t.store.grantSupernode(x.username, now + 2, limit, terms()),
          other.grantSupernode(y.username, now + 3, limit, terms()),
        ])
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
        expect((await t.store.listSupernodeGrants()).length).toBe(limit)
      })

      it('lists grants in byte order of the username, whatever the database locale', async () => {
        const stem = unique('o')
        const names = [`${stem}_b`, `${stem}.b`, `${stem}-b`, `${stem}b`, `${stem}0`]
        for (const username of names) {
          await createAccount({ username })
          await t.store.grantSupernode(username, later(), NO_LIMIT, terms())
        }
        const listed = (await t.store.listSupernodeGrants()).map((g) => g.username)
        const bytewise = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
        expect(listed).toEqual([...listed].sort(bytewise))
        expect(listed.filter((u) => u.startsWith(stem))).toEqual([...names].sort(bytewise))
      })
    })
  })
}
