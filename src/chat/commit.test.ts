/** Group commit: what another reader of chat.sqlite sees, and when (a real SQLite file in WAL mode). */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { GroupCommit, GROUP_MS } from './commit.js'

let dir: string
let db: Database.Database
let reader: Database.Database
let commits: GroupCommit

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'parley-commit-'))
  db = new Database(join(dir, 'chat.sqlite'))
  db.pragma('journal_mode = WAL')
  db.exec('CREATE TABLE t (v TEXT NOT NULL)')
  reader = new Database(join(dir, 'chat.sqlite'), { readonly: true })
  commits = new GroupCommit(db)
})

afterEach(() => {
  commits.flush()
  reader.close()
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

const insert = (v: string) => db.prepare('INSERT INTO t (v) VALUES (?)').run(v)
const seen = (): string[] => (reader.prepare('SELECT v FROM t').all() as { v: string }[]).map((r) => r.v)

describe('GroupCommit', () => {
  it('keeps the actions of a group uncommitted until flush, and commits them together', () => {
    commits.later(() => insert('a'))
    commits.later(() => insert('b'))
    expect(seen()).toEqual([])
    commits.flush()
    expect(seen()).toEqual(['a', 'b'])
  })

  it('commits the open group before a transaction that must be committed when it returns', () => {
    commits.later(() => insert('mine'))
    commits.now(() => insert('received'))
    expect(seen()).toEqual(['mine', 'received'])
  })

  it('commits a group on its own within GROUP_MS', async () => {
    commits.later(() => insert('a'))
    await new Promise((resolve) => setTimeout(resolve, GROUP_MS * 4))
    expect(seen()).toEqual(['a'])
  })

  it('leaves nothing of an action that throws, and keeps the rest of its group', () => {
    commits.later(() => insert('kept'))
    expect(() =>
      commits.later(() => {
        insert('half')
        throw new Error('boom')
      }),
    ).toThrow('boom')
    commits.flush()
    expect(seen()).toEqual(['kept'])
  })

  it('does not commit from inside an action', () => {
    commits.later(() => {
      insert('outer')
      commits.now(() => insert('inner'))
      expect(seen()).toEqual([])
    })
    commits.flush()
    expect(seen()).toEqual(['outer', 'inner'])
  })
})
