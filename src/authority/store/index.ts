import { openPostgresStore } from './postgres.js'
import { openSqliteStore } from './sqlite.js'
import type { AuthorityStore } from './types.js'

export * from './types.js'
export { MIGRATIONS, type Migration } from './migrations.js'
export { PostgresStore, openPostgresStore, type PostgresStoreInit } from './postgres.js'
export { SqliteStore, openSqliteStore } from './sqlite.js'

export interface OpenStoreOptions {
  /** PostgreSQL connection URL; when set, authority processes can share one database. */
  databaseUrl?: string
  /** SQLite file used when there is no databaseUrl; its directory must exist. */
  sqlitePath: string
}

/** Opens the configured store; the caller runs migrate() before use. */
export function openStore(opts: OpenStoreOptions): AuthorityStore {
  return opts.databaseUrl !== undefined && opts.databaseUrl !== ''
    ? openPostgresStore(opts.databaseUrl)
    : openSqliteStore(opts.sqlitePath)
}
