/**
 * The gossip queue: which member's news to piggyback next. One entry per
 * member (newer news about a member replaces older), so its size is bounded by
 * the membership. The update itself is built at send time from the current
 * record, so a message never carries news we have since overridden.
 */
interface Entry {
  transmits: number
  /** Larger is newer. */
  order: number
}

export class Broadcasts {
  private readonly entries = new Map<string, Entry>()
  private counter = 0

  get size(): number {
    return this.entries.size
  }

  /** News about peerId: (re)start its retransmissions. */
  enqueue(peerId: string): void {
    this.entries.set(peerId, { transmits: 0, order: this.counter++ })
  }

  /**
   * Up to max items of news, least-sent first and then most recent, each
   * counted as one transmission; an entry sent `limit` times is dropped.
   * `pick` builds the item, or says no (not worth it to this recipient, or no
   * room left in the message): then it is not counted.
   */
  take<T>(max: number, limit: number, pick: (peerId: string) => T | undefined): T[] {
    if (max <= 0 || this.entries.size === 0) return []
    const list = [...this.entries]
    if (list.length > 1) list.sort(([, a], [, b]) => a.transmits - b.transmits || b.order - a.order)
    const out: T[] = []
    for (const [peerId, entry] of list) {
      if (out.length >= max) break
      const item = pick(peerId)
      if (item === undefined) continue
      out.push(item)
      entry.transmits++
      if (entry.transmits >= limit) this.entries.delete(peerId)
    }
    return out
  }

  /** The member was forgotten: nothing left to say about it. */
  forget(peerId: string): void {
    this.entries.delete(peerId)
  }
}

/** SWIM's retransmission count: lambda * ceil(log2(N + 1)). */
export function retransmitLimit(lambda: number, members: number): number {
  return Math.max(1, Math.ceil(lambda * Math.ceil(Math.log2(members + 1))))
}
