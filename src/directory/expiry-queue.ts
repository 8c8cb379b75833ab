/**
 * A min-heap of expiry times, so that dropping expired records costs time in
 * proportion to what expired, not to the million records a supernode holds.
 * Entries are never removed from the middle: when a record is replaced or
 * removed its entry goes stale, and the store checks each popped entry
 * against what it holds (lazy deletion).
 */
export interface Expiry {
  at: number
  username: string
  deviceId: string
}

export class ExpiryQueue {
  private heap: Expiry[] = []

  get length(): number {
    return this.heap.length
  }

  push(entry: Expiry): void {
    const heap = this.heap
    heap.push(entry)
    let i = heap.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (heap[parent]!.at <= entry.at) break
      heap[i] = heap[parent]!
      i = parent
    }
    heap[i] = entry
  }

  /** The earliest entry if it is due at `now` (at ≤ now), removed from the queue. */
  popDue(now: number): Expiry | undefined {
    const heap = this.heap
    const first = heap[0]
    if (first === undefined || first.at > now) return undefined
    const last = heap.pop()!
    if (heap.length > 0) this.siftDown(last)
    return first
  }

  /** Replaces the contents, e.g. to shed stale entries once they outnumber live ones. */
  rebuild(entries: Expiry[]): void {
    this.heap = entries.sort((a, b) => a.at - b.at)
  }

  private siftDown(entry: Expiry): void {
    const heap = this.heap
    let i = 0
    for (;;) {
      const left = 2 * i + 1
      if (left >= heap.length) break
      const right = left + 1
      const child = right < heap.length && heap[right]!.at < heap[left]!.at ? right : left
      if (heap[child]!.at >= entry.at) break
      heap[i] = heap[child]!
      i = child
    }
    heap[i] = entry
  }
}
