/**
 * A replica's offline writes, committed together (issue 12 §2): the stores
 * that arrive within one turn of the event loop (several deposits' store
 * requests, read from their streams in the same poll) go to SQLite as one
 * transaction, so they share one commit instead of paying one each. Each
 * is still applied whole or not at all and decided in arrival order
 * (OfflineStore.putEach), and each is answered only once that commit is
 * done: nothing is acknowledged before it is on disk.
 */
import type { OfflineStore, PutResult } from '../offline/store.js'
import type { OfflineItem } from '../offline/types.js'

interface Pending {
  items: readonly OfflineItem[]
  resolve: (r: PutResult) => void
  reject: (err: Error) => void
}

export class OfflineWrites {
  private pending: Pending[] = []
  private scheduled = false

  constructor(
    private readonly store: OfflineStore,
    /** The clock the store is given at commit time (it clamps and expires by it). */
    private readonly now: () => number = Date.now,
  ) {}

  /** Stores `items` with whatever else arrives in this turn; resolves once they are committed. */
  put(items: readonly OfflineItem[]): Promise<PutResult> {
    return new Promise((resolve, reject) => {
      this.pending.push({ items, resolve, reject })
      if (this.scheduled) return
      this.scheduled = true
      // After the I/O callbacks of this turn: the stores read from other streams join in.
      setImmediate(() => this.flush())
    })
  }

  private flush(): void {
    this.scheduled = false
    const batch = this.pending
    this.pending = []
    let results: Array<PutResult | Error>
    try {
      results = this.store.putEach(
        batch.map((p) => p.items),
        this.now(),
      )
    } catch (err) {
      // The commit failed (or the store is closed): nothing of this turn was stored.
      const error = err instanceof Error ? err : new Error(String(err))
      for (const p of batch) p.reject(error)
      return
    }
    batch.forEach((p, i) => {
      const r = results[i]!
      if (r instanceof Error) p.reject(r)
      else p.resolve(r)
    })
  }
}
