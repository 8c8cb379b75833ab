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
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import type Database from 'better-sqlite3'

/** Commits between two checkpoint requests. */
export const CHECKPOINT_EVERY = 32
/** SQLite's default, put back if the worker fails. */
const AUTO_CHECKPOINT_PAGES = 1000

// CommonJS, evaluated: the same source runs from dist/ and under vitest (no worker file to build).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.sqlite)
const db = new Database(workerData.path, { fileMustExist: true })
parentPort.on('message', (m) => {
  if (m === 'close') {
    db.close()
    parentPort.close()
    return
  }
  const [row] = db.pragma('wal_checkpoint(PASSIVE)')
  parentPort.postMessage(row)
})
`

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
  private worker: Worker | undefined
  private commits = 0
  private failed = false
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

  /** Asks the worker for a checkpoint now (started on first use). */
  request(): void {
    if (this.failed || this.closed) return
    this.worker ??= this.spawn()
    this.worker.postMessage('checkpoint')
  }

  /** Lets the worker close its connection and end; the store's own close checkpoints what is left. */
  close(): void {
    this.closed = true
    this.worker?.postMessage('close')
  }

  private spawn(): Worker {
    const sqlite = createRequire(import.meta.url).resolve('better-sqlite3')
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { sqlite, path: this.path } })
    // Never what keeps a process alive: a store left open must not hold up the exit.
    worker.unref()
    worker.on('message', (r: CheckpointResult) => this.onCheckpoint(r))
    worker.on('error', (err) => this.fail(workerError(err)))
    worker.on('exit', (code) => {
      if (!this.closed) this.fail(new CheckpointWorkerError(`exited with code ${code}`))
    })
    return worker
  }

  private fail(err: CheckpointWorkerError): void {
    if (this.failed) return
    this.failed = true
    this.worker = undefined
    if (!this.closed && this.db.open) this.db.pragma(`wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`)
    this.onError(err)
  }
}
