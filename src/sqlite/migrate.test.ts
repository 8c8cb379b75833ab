/** The migration runner on real SQLite files in a temporary folder, one of them locked by another process. */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { migrate, StoreVersionError, type SqliteMigration } from './migrate.js'

let dir: string
let open: Database.Database[] = []

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'parley-migrate-'))
})

afterEach(() => {
  for (const db of open) if (db.open) db.close()
  open = []
  rmSync(dir, { recursive: true, force: true })
})

function db(name = 'store.sqlite'): Database.Database {
  const d = new Database(join(dir, name))
  d.pragma('busy_timeout = 5000')
  d.pragma('journal_mode = WAL')
  open.push(d)
  return d
}

const notes: SqliteMigration = {
  version: 1,
  name: 'notes',
  up: 'CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)',
}
const tags: SqliteMigration = {
  version: 2,
  name: 'tags',
  up: (d) => {
    d.exec('ALTER TABLE notes ADD COLUMN tag TEXT')
    d.exec("UPDATE notes SET tag = 'old'")
  },
}

const texts = (d: Database.Database) => d.prepare('SELECT text FROM notes ORDER BY id').pluck().all()

describe('migrate', () => {
  it('brings a new file to the last version, and an older one through the migrations it lacks', () => {
    const d = db()
    expect(migrate(d, 'store.sqlite', [notes])).toEqual({ from: 0, to: 1 })
    d.prepare("INSERT INTO notes (text) VALUES ('kept')").run()
    expect(migrate(d, 'store.sqlite', [notes, tags])).toEqual({ from: 1, to: 2 })
    expect(d.prepare('SELECT text, tag FROM notes').all()).toEqual([{ text: 'kept', tag: 'old' }])
    expect(d.pragma('user_version', { simple: true })).toBe(2)
    // Opened again by the same code: nothing to do.
    expect(migrate(d, 'store.sqlite', [notes, tags])).toEqual({ from: 2, to: 2 })
  })

  it('refuses a file from a newer Parley with store_too_new and leaves it as it was', () => {
    const d = db()
    migrate(d, 'store.sqlite', [notes, tags])
    d.prepare("INSERT INTO notes (text) VALUES ('from the future')").run()
    let caught: unknown
    try {
      migrate(d, 'store.sqlite', [notes])
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(StoreVersionError)
    expect((caught as StoreVersionError).code).toBe('store_too_new')
    expect((caught as Error).message).toMatch(
      /store\.sqlite is at schema version 2, newer than this Parley knows \(1\)/,
    )
    expect(d.pragma('user_version', { simple: true })).toBe(2)
    expect(texts(d)).toEqual(['from the future'])
  })

  it('rolls a failing run back whole: the file keeps its version and its rows', () => {
    const d = db()
    migrate(d, 'store.sqlite', [notes])
    d.prepare("INSERT INTO notes (text) VALUES ('before')").run()
    const broken: SqliteMigration = {
      version: 3,
      name: 'broken',
      up: 'CREATE TABLE half (x); SELECT nonsense FROM nowhere',
    }
    expect(() => migrate(d, 'store.sqlite', [notes, tags, broken])).toThrow(/no such table: nowhere/)
    expect(d.pragma('user_version', { simple: true })).toBe(1)
    expect(
      d
        .prepare('PRAGMA table_info(notes)')
        .all()
        .map((c) => (c as { name: string }).name),
    ).toEqual(['id', 'text'])
    expect(d.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'half'").pluck().get()).toBe(0)
    expect(texts(d)).toEqual(['before'])
  })

  it('waits for another process that is migrating the same file, then applies nothing twice', async () => {
    const file = join(dir, 'shared.sqlite')
    db('shared.sqlite') // creates the file in WAL mode
    // The other process takes the write lock, says so, and commits version 1 a moment later.
    const other = spawn(
      process.execPath,
      [
        '-e',
        `const db = new (require('better-sqlite3'))(${JSON.stringify(file)})
         db.exec('BEGIN IMMEDIATE')
         db.exec(${JSON.stringify(notes.up)})
         db.exec("INSERT INTO notes (text) VALUES ('theirs'); PRAGMA user_version = 1")
         console.log('locked')
         setTimeout(() => { db.exec('COMMIT'); db.close() }, 500)`,
      ],
      { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] },
    )
    const exited = new Promise((resolve) => other.on('exit', resolve))
    for await (const line of createInterface({ input: other.stdout })) if (line === 'locked') break
    const d = db('shared.sqlite')
    expect(migrate(d, 'shared.sqlite', [notes])).toEqual({ from: 1, to: 1 })
    expect(texts(d)).toEqual(['theirs'])
    expect(await exited).toBe(0)
  })
})
