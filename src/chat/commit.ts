/**
 * Group commit for the chat store. Each commit of a chat.sqlite transaction
 * cost more than everything else in chat.send (bench:chat, issue 12): the
 * WAL write and, above all, FTS5 writing a new index segment (and merging
 * the old ones) at every commit. So the device's own actions (a sent
 * message, an edit, a receipt) join one open transaction, committed:
 *
 * - before anything leaves the device or is acknowledged: every `now`
 *   transaction (a push's receive before its ack, the outbox recording
 *   acks) and the outbox round (`flush`) commit the group first, so nothing
 *   uncommitted is ever pushed, sealed or acknowledged;
 * - when the local API answers the user (src/device/chat-api.ts);
 * - and at the latest GROUP_MS after the group opened.
 *
 * Each action is still atomic: it runs in a savepoint inside the group, so
 * one that throws leaves nothing behind. What a SIGKILL can lose is at most
 * the last GROUP_MS of actions nobody outside this process has seen.
 */
import type Database from 'better-sqlite3'

/** The longest a group stays open. */
export const GROUP_MS = 5

export class GroupCommit {
  private open = false
  /** Inside one of our transaction functions: a COMMIT there would end the caller's. */
  private depth = 0
  private timer: NodeJS.Timeout | undefined
  /** Runs inside the group just before it commits: the chat core signs the group's events there (batch.ts). */
  beforeCommit: () => void = () => undefined
  /** Runs after each COMMIT (a group's or a `now` transaction's): the store counts them for checkpoints. */
  afterCommit: () => void = () => undefined

  /** One transaction function for every call (better-sqlite3 builds one per `db.transaction`). */
  private readonly atomic: (fn: () => unknown) => unknown

  constructor(
    private readonly db: Database.Database,
    /** A timed commit that failed (the group is rolled back); a direct flush throws instead. */
    private readonly onError: (err: unknown) => void = () => undefined,
    /** Something was rolled back: what the store remembers of its rows in memory may be wrong. */
    private readonly onRollback: () => void = () => undefined,
  ) {
    this.atomic = db.transaction((fn: () => unknown) => fn())
  }

  /** Runs `fn` as one transaction, committed before it returns (and after the open group). */
  now<T>(fn: () => T): T {
    if (this.depth > 0) return this.run(fn)
    this.flush()
    const result = this.run(fn)
    this.afterCommit()
    return result
  }

  /** Runs `fn` atomically inside the open group (opening one), committed with it. */
  later<T>(fn: () => T): T {
    if (this.depth === 0 && !this.db.inTransaction) {
      this.db.exec('BEGIN IMMEDIATE')
      this.open = true
      this.timer = setTimeout(() => this.timed(), GROUP_MS)
      this.timer.unref()
    }
    return this.run(fn)
  }

  /** Commits the open group, if any. */
  flush(): void {
    if (!this.open || this.depth > 0) return
    this.open = false
    clearTimeout(this.timer)
    try {
      this.beforeCommit()
      this.db.exec('COMMIT')
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK')
      this.onRollback()
      throw err
    }
    this.afterCommit()
  }

  private timed(): void {
    try {
      this.flush()
    } catch (err) {
      this.onError(err)
    }
  }

  private run<T>(fn: () => T): T {
    this.depth++
    try {
      return this.atomic(fn) as T
    } catch (err) {
      this.onRollback()
      throw err
    } finally {
      this.depth--
    }
  }
}
