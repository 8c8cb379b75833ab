/**
 * WAL checkpoints for chat.sqlite, off the event loop (issue 12 §2).
 *
 * SQLite copies the write-ahead log back into the database file once it
 * passes 1,000 pages, inside whichever COMMIT crosses that line, and syncs
 * the file: on the 2-core dev machine that commit took 7-12 ms where the
 * others take 0.2, every fifty or so commits, so at 1,000 messages/s a
 * push's ack (sent after the recipient's commit) or the sender's next round
 * waited behind it now and then. Here the store's own connection never
 * checkpoints (`wal_autocheckpoint = 0`); every CHECKPOINT_EVERY commits it
 * asks a worker thread, which holds a second connection to the same file,
 * for a PASSIVE checkpoint: it copies what is committed without waiting for
 * or blocking the writer, and the log restarts from its beginning at the
 * next write once it is all copied. The event loop's share of a commit fell
 * by a quarter to a third in a bare SQLite loop of chat-shaped writes.
 *
 * Durability is SQLite's: a commit is in the log before it returns, and a
 * log not checkpointed yet is replayed by the next open. If the worker
 * fails, the store's connection checkpoints itself again, as before.
 */
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import type Database from 'better-sqlite3'

/** Commits between two checkpoint requests. */
export const CHECKPOINT_EVERY = 32
/** SQLite's default, put back if the worker fails. */
const AUTO_CHECKPOINT_PAGES = 1000

// An ES module from a data: URL: the same source runs from dist/ and under vitest (no worker file
// to build), and unlike an `eval` worker it runs the process's --import preloads, so a resolve
// hook (Node 24's test runs load better-sqlite3 built for its ABI, scripts/node24-hooks.mjs) sees
// the bare specifier as the main thread does. One worker per process, a connection per store.
const WORKER_SOURCE = `
import { createRequire } from 'node:module'
import { parentPort, workerData } from 'node:worker_threads'
const Database = createRequire(workerData.from)('better-sqlite3')
const open = new Map()
parentPort.on('message', (m) => {
  if (m.op === 'end') {
    for (const db of open.values()) db.close()
    parentPort.close()
    return
  }
  if (m.op === 'close') {
    open.get(m.key)?.close()
    open.delete(m.key)
    return
  }
  try {
    let db = open.get(m.key)
    if (db === undefined) {
      db = new Database(m.path, { fileMustExist: true })
      open.set(m.key, db)
    }
    const [row] = db.pragma('wal_checkpoint(PASSIVE)')
    parentPort.postMessage({ key: m.key, row })
  } catch (err) {
    parentPort.postMessage({ key: m.key, error: { code: err.code, message: err.message } })
  }
})
`
const WORKER_URL = new URL(`data:text/javascript,${encodeURIComponent(WORKER_SOURCE)}`)

type Answer = { key: number; row?: CheckpointResult; error?: unknown }

/** The process's checkpoint worker and the stores using it; started on first use, ended when none is left. */
let shared: { worker: Worker; users: Map<number, Checkpointer> } | undefined
let nextKey = 0

function sharedWorker(): { worker: Worker; users: Map<number, Checkpointer> } {
  if (shared !== undefined) return shared
  const worker = new Worker(WORKER_URL, { workerData: { from: fileURLToPath(import.meta.url) } })
  // Never what keeps a process alive: a store left open must not hold up the exit.
  worker.unref()
  const mine = { worker, users: new Map<number, Checkpointer>() }
  const failAll = (err: CheckpointWorkerError): void => {
    if (shared === mine) shared = undefined
    for (const user of mine.users.values()) user.failed(err)
    mine.users.clear()
  }
  worker.on('message', (a: Answer) => {
    const user = mine.users.get(a.key)
    if (user === undefined) return
    if (a.error === undefined) user.onCheckpoint(a.row as CheckpointResult)
    else {
      mine.users.delete(a.key)
      user.failed(workerError(a.error))
    }
  })
  worker.on('error', (err) => failAll(workerError(err)))
  worker.on('exit', (code) => failAll(new CheckpointWorkerError(`exited with code ${code}`)))
  shared = mine
  return mine
}

/** What one checkpoint did: SQLite's answer to `PRAGMA wal_checkpoint`. */
export interface CheckpointResult {
  busy: number
  log: number
  checkpointed: number
}

/** The worker failed; `code` is SQLite's when it said one (an error crosses the thread as its fields only). */
export class CheckpointWorkerError extends Error {
  override name = 'CheckpointWorkerError'
  constructor(readonly code: string) {
    super(`chat.sqlite checkpoint worker failed: ${code}`)
  }
}

function workerError(err: unknown): CheckpointWorkerError {
  const code = (err as { code?: unknown } | undefined)?.code
  const message = (err as { message?: unknown } | undefined)?.message
  return new CheckpointWorkerError(typeof code === 'string' ? code : String(message ?? err))
}

export class Checkpointer {
  private readonly key = nextKey++
  private commits = 0
  private failedOnce = false
  private closed = false
  /** Called with each checkpoint's result (tests; the store ignores them). */
  onCheckpoint: (r: CheckpointResult) => void = () => undefined

  constructor(
    private readonly db: Database.Database,
    private readonly path: string,
    /** The worker failed: checkpoints are back on the store's connection. */
    private readonly onError: (err: CheckpointWorkerError) => void = () => undefined,
  ) {
    db.pragma('wal_autocheckpoint = 0')
  }

  /** A transaction committed. */
  committed(): void {
    if (++this.commits < CHECKPOINT_EVERY) return
    this.commits = 0
    this.request()
  }

  /** Asks the process's worker for a checkpoint of this store now (the worker starts on first use). */
  request(): void {
    if (this.failedOnce || this.closed) return
    const { worker, users } = sharedWorker()
    users.set(this.key, this)
    worker.postMessage({ op: 'checkpoint', key: this.key, path: this.path })
  }

  /** Lets the worker close this store's connection; the store's own close checkpoints what is left. */
  close(): void {
    this.closed = true
    const mine = shared
    if (mine === undefined || !mine.users.delete(this.key)) return
    mine.worker.postMessage({ op: 'close', key: this.key })
    if (mine.users.size > 0) return
    shared = undefined
    mine.worker.postMessage({ op: 'end' })
  }

  /** The worker failed for this store (or for all): checkpoints go back to the store's connection. */
  failed(err: CheckpointWorkerError): void {
    if (this.failedOnce || this.closed) return
    this.failedOnce = true
    if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`)
    this.onError(err)
  }
}
