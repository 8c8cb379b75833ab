import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test/support/postgres.js'
import { openPostgresStore } from './postgres.js'
import { storeGrantsSuite } from './store.grants.suite.js'
import { storeRevocationsSuite } from './store.revocations.suite.js'
import { storeSuite } from './store.suite.js'

// Provided by test/setup/postgres.ts, which fails the whole run when no server can start.
const baseUrl = inject('databaseUrl')
let database: TestDatabase | undefined

beforeAll(async () => {
  // Never skip: a run without PostgreSQL must fail here, loudly.
  if (!baseUrl) throw new Error('no databaseUrl provided; is test/setup/postgres.ts the vitest globalSetup?')
  database = await createTestDatabase(baseUrl)
})

afterAll(async () => {
  await database?.drop()
})

function url(): string {
  if (database === undefined) throw new Error('test database was not created')
  return database.url
}

const open = () => Promise.resolve(openPostgresStore(url()))
storeSuite('PostgresStore', open)
storeRevocationsSuite('PostgresStore', open)
storeGrantsSuite('PostgresStore', open)

describe('PostgresStore on a new database', () => {
  it('migrates once when several processes migrate at once', async () => {
    const fresh = await createTestDatabase(baseUrl)
    const stores = Array.from({ length: 4 }, () => openPostgresStore(fresh.url))
    try {
      await Promise.all(stores.map((s) => s.migrate()))
      expect(await stores[1]?.countAccounts()).toBe(0)
      expect(await stores[2]?.revocationSequence()).toBe(0)
    } finally {
      await Promise.all(stores.map((s) => s.close()))
      await fresh.drop()
    }
  })

  it('fails ping when the server cannot be reached', async () => {
    const target = new URL(url())
    target.port = '1' // nothing listens on port 1
    const store = openPostgresStore(target.toString())
    try {
      await expect(store.ping()).rejects.toThrow()
    } finally {
      await store.close()
    }
  })
})
