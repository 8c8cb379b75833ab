/**
 * The supernode-grant part of the AuthorityStore suite (see store.suite.ts):
 * run after it on the same database, so tests assert only on their own
 * accounts' grants and on properties that hold whatever else is stored.
 */
import { describe, expect, it } from 'vitest'
import { later, storeUnderTest, unique } from './store.suite.js'
import { GrantLimitError, type AuthorityStore } from './types.js'

const NO_LIMIT = 1_000_000

export function storeGrantsSuite(name: string, open: () => Promise<AuthorityStore>): void {
  describe(name, () => {
    const t = storeUnderTest(open)
    const { createAccount, openMigrated } = t

    describe('supernode grants', () => {
      it('grants an account the role, lists it, and raises the sequence', async () => {
        const { username } = await createAccount()
        const before = await t.store.supernodeGrantSequence()
        const now = later()
        expect(await t.store.grantSupernode(username, now, NO_LIMIT)).toEqual({ username, grantedAt: now })
        expect(await t.store.getSupernodeGrant(username)).toEqual({ username, grantedAt: now })
        expect(await t.store.listSupernodeGrants()).toContainEqual({ username, grantedAt: now })
        expect(await t.store.supernodeGrantSequence()).toBeGreaterThan(before)
      })

      it('keeps the first grant when granting again, and the sequence with it', async () => {
        const { username } = await createAccount()
        const now = later()
        await t.store.grantSupernode(username, now, NO_LIMIT)
        const sequence = await t.store.supernodeGrantSequence()
        expect(await t.store.grantSupernode(username, now + 5, NO_LIMIT)).toEqual({
          username,
          grantedAt: now,
        })
        expect(await t.store.supernodeGrantSequence()).toBe(sequence)
      })

      it('grants nothing to an account that does not exist', async () => {
        const sequence = await t.store.supernodeGrantSequence()
        const ghost = unique('ghost')
        expect(await t.store.grantSupernode(ghost, later(), NO_LIMIT)).toBeUndefined()
        expect(await t.store.getSupernodeGrant(ghost)).toBeUndefined()
        expect(await t.store.supernodeGrantSequence()).toBe(sequence)
      })

      it('withdraws a grant: gone from the list, and the sequence still goes up', async () => {
        const { username } = await createAccount()
        const now = later()
        await t.store.grantSupernode(username, now, NO_LIMIT)
        const granted = await t.store.supernodeGrantSequence()
        expect(await t.store.revokeSupernode(username, now + 1)).toBe(true)
        expect(await t.store.getSupernodeGrant(username)).toBeUndefined()
        expect((await t.store.listSupernodeGrants()).map((g) => g.username)).not.toContain(username)
        const revoked = await t.store.supernodeGrantSequence()
        expect(revoked).toBeGreaterThan(granted)
        // Withdrawing again changes nothing; granting again is a new grant with a new time.
        expect(await t.store.revokeSupernode(username, now + 2)).toBe(false)
        expect(await t.store.supernodeGrantSequence()).toBe(revoked)
        expect(await t.store.grantSupernode(username, now + 3, NO_LIMIT)).toEqual({
          username,
          grantedAt: now + 3,
        })
        expect(await t.store.supernodeGrantSequence()).toBeGreaterThan(revoked)
      })

      it('refuses a grant past the limit, but not one already held', async () => {
        const held = await createAccount()
        await t.store.grantSupernode(held.username, later(), NO_LIMIT)
        const count = (await t.store.listSupernodeGrants()).length
        const { username } = await createAccount()
        const sequence = await t.store.supernodeGrantSequence()
        await expect(t.store.grantSupernode(username, later(), count)).rejects.toThrow(GrantLimitError)
        expect(await t.store.getSupernodeGrant(username)).toBeUndefined()
        expect(await t.store.supernodeGrantSequence()).toBe(sequence)
        expect(await t.store.grantSupernode(held.username, later(), count)).toBeDefined()
      })

      it('grants once when two stores grant at the same time, and keeps the limit between them', async () => {
        const other = await openMigrated()
        const { username } = await createAccount()
        const now = later()
        const [a, b] = await Promise.all([
          t.store.grantSupernode(username, now, NO_LIMIT),
          other.grantSupernode(username, now + 1, NO_LIMIT),
        ])
        expect(b).toEqual(a)
        const [x, y] = [await createAccount(), await createAccount()]
        const limit = (await t.store.listSupernodeGrants()).length + 1
        const results = await Promise.allSettled([
          t.store.grantSupernode(x.username, now + 2, limit),
          other.grantSupernode(y.username, now + 3, limit),
        ])
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
        expect((await t.store.listSupernodeGrants()).length).toBe(limit)
      })

      it('lists grants in byte order of the username, whatever the database locale', async () => {
        const stem = unique('o')
        const names = [`${stem}_b`, `${stem}.b`, `${stem}-b`, `${stem}b`, `${stem}0`]
        for (const username of names) {
          await createAccount({ username })
          await t.store.grantSupernode(username, later(), NO_LIMIT)
        }
        const listed = (await t.store.listSupernodeGrants()).map((g) => g.username)
        const bytewise = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
        expect(listed).toEqual([...listed].sort(bytewise))
        expect(listed.filter((u) => u.startsWith(stem))).toEqual([...names].sort(bytewise))
      })
    })
  })
}
