import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { MIGRATIONS, SCHEMA_MIGRATIONS_TABLE } from './migrations.js'
import { openSqliteStore } from './sqlite.js'
import { storeGrantsSuite } from './store.grants.suite.js'
import { storeRevocationsSuite } from './store.revocations.suite.js'
import { storeSuite } from './store.suite.js'

const dir = mkdtempSync(join(tmpdir(), 'parley-sqlite-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const path = join(dir, 'authority.db')
const open = () => Promise.resolve(openSqliteStore(path))
storeSuite('SqliteStore', open)
storeRevocationsSuite('SqliteStore', open)
storeGrantsSuite('SqliteStore', open)

describe('SqliteStore on a new file', () => {
  it('migrates once when several connections migrate at once', async () => {
    const fresh = join(dir, 'fresh.db')
    const stores = [openSqliteStore(fresh), openSqliteStore(fresh), openSqliteStore(fresh)]
    try {
      await Promise.all(stores.map((s) => s.migrate()))
      expect(await stores[1]?.countAccounts()).toBe(0)
      expect(await stores[2]?.revocationSequence()).toBe(0)
    } finally {
      await Promise.all(stores.map((s) => s.close()))
    }
  })

  it('writes through a write-ahead log', async () => {
    const file = join(dir, 'wal.db')
    const store = openSqliteStore(file)
    try {
      await store.migrate()
      expect(existsSync(`${file}-wal`)).toBe(true)
    } finally {
      await store.close()
    }
  })
})

describe('SqliteStore upgraded from before seats', () => {
  it('keeps every grant, with a place per signed-in device and no seat until one is drawn', async () => {
    const file = join(dir, 'before-seats.db')
    const old = new Database(file)
    old.exec(SCHEMA_MIGRATIONS_TABLE.sqlite)
    for (const m of MIGRATIONS.filter((m) => m.id < '0003')) {
      old.exec(m.sqlite)
      old.prepare('INSERT INTO schema_migrations (id) VALUES (?)').run(m.id)
    }
    const account = old.prepare('INSERT INTO accounts (username, password_hash, created_at) VALUES (?, ?, 1)')
    const device = old.prepare(
      "INSERT INTO devices (device_id, username, public_key, name, created_at, last_sign_in_at, revoked_at) VALUES (?, ?, x'00', 'd', 1, 1, ?)",
    )
    for (const username of ['operator', 'carol']) account.run(username, 'x')
    for (const [id, revokedAt] of [
      ['a', null],
      ['b', null],
      ['c', null],
      ['d', 5],
    ] as const)
      device.run(id, 'operator', revokedAt)
    old.prepare('INSERT INTO supernode_grants (username, granted_at) VALUES (?, 7)').run('operator')
    old.prepare('INSERT INTO supernode_grants (username, granted_at) VALUES (?, 8)').run('carol')
    old.close()

    const store = openSqliteStore(file)
    try {
      await store.migrate()
      // Three devices not revoked: three places; an account with none keeps one.
      expect(await store.listSupernodeGrants()).toEqual([
        { username: 'carol', grantedAt: 8, places: 1 },
        { username: 'operator', grantedAt: 7, places: 3 },
      ])
      let n = 0
      const draw = () => new Uint8Array(16).fill(++n)
      expect(await store.seatSupernodeGrants(draw)).toBe(2)
      expect(await store.seatSupernodeGrants(draw)).toBe(0)
      const seats = (await store.listSupernodeGrants()).map((g) => g.seat)
      expect(seats).toEqual([new Uint8Array(16).fill(1), new Uint8Array(16).fill(2)])
    } finally {
      await store.close()
    }
  })
})
