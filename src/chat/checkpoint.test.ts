/**
 * WAL checkpoints off the event loop (checkpoint.ts), on real SQLite files:
 * the store's own commits never checkpoint, the worker keeps the log from
 * growing, nothing committed is lost across a reopen, and a worker that
 * cannot work hands checkpoints back to the store's connection.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import type { CheckpointWorkerError } from './checkpoint.js'
import { CHECKPOINT_EVERY, Checkpointer, type CheckpointResult } from './checkpoint.js'
import { ChatStore } from './store.js'

const dir = mkdtempSync(join(tmpdir(), 'parley-checkpoint-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const id = (k: number) => {
  const b = new Uint8Array(16)
  new DataView(b.buffer).setUint32(0, k)
  return b
}
const TEXT = 'a message of some length, as people write them '.repeat(40)

function write(store: ChatStore, from: number, count: number): void {
  for (let k = from; k < from + count; k++)
    store.transaction(() =>
      store.addMessage({
        id: id(k),
        conversation: 'bob',
        sender: 'alice',
        senderDevice: 'd',
        lamport: k,
        sentAt: k,
        text: `${k} ${TEXT}`,
        state: 'sending',
        held: false,
      }),
    )
}

/** Resolves with the next checkpoint the worker reports. */
const nextCheckpoint = (store: ChatStore) =>
  new Promise<CheckpointResult>((resolve) => (store.checkpoints.onCheckpoint = resolve))

describe('chat.sqlite checkpoints', () => {
  it('leaves them to a worker, which keeps the log small while the store writes', async () => {
    const path = join(dir, 'chat.sqlite')
    const store = new ChatStore(path)
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(0)

    const commits = 40 * CHECKPOINT_EVERY
    const logs: number[] = []
    for (let i = 0; i < commits; i += CHECKPOINT_EVERY) {
      const done = nextCheckpoint(store)
      write(store, i, CHECKPOINT_EVERY)
      const r = await done
      expect(r.busy).toBe(0)
      expect(r.checkpointed).toBe(r.log)
      logs.push(r.log)
    }
    // All copied each time, so each write after starts the log over: it holds one round of
    // commits, not forty, and the file stays that size.
    const first = logs[0] ?? 0
    expect(first).toBeGreaterThan(0)
    expect(Math.max(...logs)).toBeLessThan(2 * first)
    const pageSize = store.db.pragma('page_size', { simple: true }) as number
    expect(statSync(`${path}-wal`).size).toBeLessThan(2 * first * (pageSize + 24))

    store.close()
    const again = new ChatStore(path)
    expect(again.conversation('bob', commits + 10)).toHaveLength(commits)
    again.close()
  })

  it('runs one worker thread for all the stores of a process (a device pool holds fifty)', async () => {
    const threads = () => readdirSync('/proc/self/task').length
    const stores = Array.from({ length: 6 }, (_, i) => new ChatStore(join(dir, `pool-${i}.sqlite`)))
    const before = threads()
    for (const store of stores) {
      const done = nextCheckpoint(store)
      write(store, 0, CHECKPOINT_EVERY)
      expect((await done).busy).toBe(0)
    }
    // One worker: its own thread, not one per store.
    expect(threads() - before).toBeLessThanOrEqual(1)
    for (const store of stores) store.close()
  })

  it('falls back to checkpointing on the store connection when the worker cannot open the file', async () => {
    const db = new Database(join(dir, 'fallback.sqlite'))
    db.pragma('journal_mode = WAL')
    const failed = new Promise<CheckpointWorkerError>((resolve) => {
      const c = new Checkpointer(db, join(dir, 'no-such-file.sqlite'), resolve)
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0)
      c.request()
    })
    const err = await failed
    expect(err.name).toBe('CheckpointWorkerError')
    expect(err.code).toBe('SQLITE_CANTOPEN')
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000)
    db.close()
  })
})
