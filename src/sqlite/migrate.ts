/**
 * Versioned schema migrations for the SQLite files a node keeps (the chat
 * store today), in the authority's shape (src/authority/store/migrations.ts):
 * a numbered list, applied in order at open, never edited once shipped. The
 * version lives in the file header (`PRAGMA user_version`), which needs no
 * table and is written in the same transaction as the migrations, so a file is
 * at one version or the next, never between. The authority keeps its own
 * schema_migrations table instead: its list serves PostgreSQL as well, which
 * has no user_version.
 */
import type Database from 'better-sqlite3'

export interface SqliteMigration {
  /** 1, 2, 3…: the file's user_version once this migration has run. */
  version: number
  /** What it does, for people reading the list. */
  name: string
  /** SQL, or a function for what SQL alone cannot decide; run inside the migration transaction. */
  up: string | ((db: Database.Database) => void)
}

/**
 * The file was written by a newer Parley (its version is above every migration
 * this code knows). Opening it is refused and the file left as it is: the
 * newer code may keep data this code would not understand or would damage.
 */
export class StoreVersionError extends Error {
  override name = 'StoreVersionError'
  readonly code = 'store_too_new'
  constructor(
    readonly store: string,
    readonly version: number,
    readonly known: number,
  ) {
    super(
      `${store} is at schema version ${version}, newer than this Parley knows (${known}): ` +
        'it was written by a newer version of Parley; run that version, or move the file aside [store_too_new]',
    )
  }
}

export interface MigrationResult {
  from: number
  to: number
}

/**
 * Brings `db` up to the last of `migrations`. BEGIN IMMEDIATE takes the write
 * lock before the version is read, so two processes opening one file queue
 * (busy_timeout) instead of both applying a migration; a migration that throws
 * rolls the whole run back and leaves the file at the version it had.
 */
export function migrate(
  db: Database.Database,
  store: string,
  migrations: readonly SqliteMigration[],
): MigrationResult {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(`${store}: migration ${m.name} is number ${m.version}, not ${i + 1}`)
  })
  const latest = migrations.length
  return db
    .transaction((): MigrationResult => {
      const from = db.pragma('user_version', { simple: true }) as number
      if (from > latest) throw new StoreVersionError(store, from, latest)
      for (const m of migrations.slice(from)) {
        if (typeof m.up === 'string') db.exec(m.up)
        else m.up(db)
      }
      // A pragma takes no bound parameters; latest is an integer we counted.
      if (from !== latest) db.pragma(`user_version = ${latest}`)
      return { from, to: latest }
    })
    .immediate()
}
