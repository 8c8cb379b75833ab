/** A ping we send for another member's ping-req, to answer with an ack on its behalf. */
export interface Relay {
  requester: string
  /** The requester's probe seq, which the relayed ack must carry. */
  seq: number
  target: string
  expires: number
}

/**
 * Pending relays, keyed by the seq of our own ping. Bounded: past `max` a
 * ping-req is refused (the requester has other intermediaries). Every relay
 * lives the same time, so insertion order is expiry order.
 */
export class Relays {
  private readonly pending = new Map<number, Relay>()

  constructor(
    private readonly max: number,
    private readonly lifetimeMs: number,
  ) {}

  get size(): number {
    return this.pending.size
  }

  add(ownSeq: number, requester: string, seq: number, target: string, now: number): boolean {
    if (this.pending.size >= this.max) return false
    this.pending.set(ownSeq, { requester, seq, target, expires: now + this.lifetimeMs })
    return true
  }

  /** The relay an ack answers, if it is one of ours and from the right member; removed. */
  answer(ownSeq: number, target: string): Relay | undefined {
    const relay = this.pending.get(ownSeq)
    if (relay?.target !== target) return undefined
    this.pending.delete(ownSeq)
    return relay
  }

  relaying(target: string): boolean {
    for (const relay of this.pending.values()) if (relay.target === target) return true
    return false
  }

  nextExpiry(): number | undefined {
    return this.pending.values().next().value?.expires
  }

  expire(now: number): void {
    for (const [seq, relay] of this.pending) {
      if (relay.expires > now) return
      this.pending.delete(seq)
    }
  }
}
