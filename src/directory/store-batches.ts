/**
 * Stores to one peer go one request at a time; what is handed over for it
 * while a request is out waits and goes together in the next, up to the
 * wire's cap of records a request. Idle, a store leaves at once: there is
 * no timer, only the request already out to wait for (the way a Kafka
 * producer batches while its previous request is in flight).
 *
 * Why: a supernode that lost a neighbour sees every device attached there
 * publish again within the same couple of seconds, each record going to the
 * same few ranks. One request per record was one stream, one Noise frame
 * and one answer each on both sides, the bulk of the CPU that a burst of
 * republishes cost a network on two cores (docs/directory.md, "Stores
 * together"). Coalesced, the ranks take the burst in a few requests.
 *
 * A failed request fails what was waiting behind it too: those records
 * waited for a peer that did not answer within the replica deadline, so the
 * caller passes their turn to the next rank now (and owes them to this one,
 * directory/handoff.ts) instead of waiting a second deadline.
 *
 * Sans-IO: units go in with ids, batches and settled ids come out.
 */

/** What to send to a peer now: the records of the units `ids`, in the order they came. */
export interface StoreBatch<T> {
  ids: number[]
  records: T[]
}

/** A batch to a peer settled: the units it carried or that failed with it, and the next batch, if any. */
export interface Settled<T> {
  done: number[]
  failed: number[]
  next: StoreBatch<T> | undefined
}

interface PeerQueue<T> {
  /** Units in the request that is out, undefined when none is. */
  out: number[] | undefined
  waiting: Array<{ id: number; records: T[] }>
}

export class StoreBatches<T> {
  private readonly peers = new Map<string, PeerQueue<T>>()

  /** @param cap records a request carries at most; a single unit past it still goes alone, whole. */
  constructor(private readonly cap: number) {}

  /** A unit for `peer`: the batch to send now when nothing is out to it, else undefined (it waits). */
  add(peer: string, id: number, records: T[]): StoreBatch<T> | undefined {
    let q = this.peers.get(peer)
    if (q === undefined) {
      q = { out: undefined, waiting: [] }
      this.peers.set(peer, q)
    }
    q.waiting.push({ id, records })
    return q.out === undefined ? this.take(peer, q) : undefined
  }

  /** The request out to `peer` settled; `ok` when the peer took it. */
  settled(peer: string, ok: boolean): Settled<T> {
    const q = this.peers.get(peer)
    if (q?.out === undefined) return { done: [], failed: [], next: undefined }
    const carried = q.out
    q.out = undefined
    if (!ok) {
      const failed = [...carried, ...q.waiting.map((u) => u.id)]
      this.peers.delete(peer)
      return { done: [], failed, next: undefined }
    }
    return { done: carried, failed: [], next: this.take(peer, q) }
  }

  /** Units waiting or out, over every peer (for tests and metrics). */
  pending(): number {
    let n = 0
    for (const q of this.peers.values()) n += q.waiting.length + (q.out?.length ?? 0)
    return n
  }

  /** The next batch: whole units in order while they fit the cap (the first always goes). */
  private take(peer: string, q: PeerQueue<T>): StoreBatch<T> | undefined {
    if (q.waiting.length === 0) {
      this.peers.delete(peer)
      return undefined
    }
    const batch: StoreBatch<T> = { ids: [], records: [] }
    while (q.waiting.length > 0) {
      const unit = q.waiting[0]!
      if (batch.ids.length > 0 && batch.records.length + unit.records.length > this.cap) break
      q.waiting.shift()
      batch.ids.push(unit.id)
      batch.records.push(...unit.records)
    }
    q.out = batch.ids
    return batch
  }
}
