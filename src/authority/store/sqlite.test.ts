import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
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
