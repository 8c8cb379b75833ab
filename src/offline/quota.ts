/**
 * Quotas of the offline store, sans-IO: usage counters the store keeps in
 * step with its tables, and the decision whether a batch of new items fits.
 * A batch is admitted whole or not at all, so a deposit is never half stored
 * on one replica.
 *
 * Per recipient and per sender, and one cap on the bytes the whole store
 * holds (issue 10, M4): many senders, each under its own quota, must not fill
 * the supernode's disk. Past that cap new items are refused until items
 * leave; items held are never evicted to make room, since that would lose
 * someone's messages.
 */
import { InvalidOptionError } from '../util/errors.js'

export interface Quotas {
  /** Items held for one recipient. */
  recipientItems: number
  /** Bytes held for one recipient (see itemBytes). */
  recipientBytes: number
  /** Items held from one sender, across all recipients. */
  senderItems: number
  /** Bytes held for all recipients together on this supernode (`parley supernode --offline-max-bytes`). */
  storeBytes: number
}

export const DEFAULT_QUOTAS: Quotas = {
  recipientItems: 10_000,
  recipientBytes: 64 * 1024 * 1024,
  senderItems: 2_000,
  storeBytes: 1024 ** 3,
}

/** store_bytes is the supernode's own limit (store_full, try later); the others are one user's (quota_exceeded). */
export type QuotaBreach = 'recipient_items' | 'recipient_bytes' | 'sender_items' | 'store_bytes'

/** One new item's charge. */
export interface Charge {
  recipient: string
  sender: string
  bytes: number
}

interface RecipientUsage {
  items: number
  bytes: number
}

export class Usage {
  readonly quotas: Quotas
  private readonly recipients = new Map<string, RecipientUsage>()
  private readonly senders = new Map<string, number>()
  private total = 0
  private totalBytes = 0

  constructor(quotas: Partial<Quotas> = {}) {
    this.quotas = { ...DEFAULT_QUOTAS, ...quotas }
    for (const [name, value] of Object.entries(this.quotas)) {
      if (!Number.isSafeInteger(value) || value < 0)
        throw new InvalidOptionError(`quota ${name} must be an integer >= 0, got ${value}`)
    }
  }

  /** The first quota these items would break if all were added, or undefined when they fit. */
  breach(charges: readonly Charge[]): QuotaBreach | undefined {
    const byRecipient = new Map<string, RecipientUsage>()
    const bySender = new Map<string, number>()
    let bytes = this.totalBytes
    for (const c of charges) {
      bytes += c.bytes
      const r = byRecipient.get(c.recipient) ?? { ...this.recipient(c.recipient) }
      r.items++
      r.bytes += c.bytes
      byRecipient.set(c.recipient, r)
      if (r.items > this.quotas.recipientItems) return 'recipient_items'
      if (r.bytes > this.quotas.recipientBytes) return 'recipient_bytes'
      // Items with no sender come from repair of very old data or tests; they count against no sender.
      if (c.sender === '') continue
      const s = (bySender.get(c.sender) ?? this.sender(c.sender)) + 1
      bySender.set(c.sender, s)
      if (s > this.quotas.senderItems) return 'sender_items'
    }
    // After the per-user quotas: a user past their own quota is told so, not "try later".
    if (bytes > this.quotas.storeBytes) return 'store_bytes'
    return undefined
  }

  add(c: Charge): void {
    const r = this.recipients.get(c.recipient) ?? { items: 0, bytes: 0 }
    r.items++
    r.bytes += c.bytes
    this.recipients.set(c.recipient, r)
    this.total++
    this.totalBytes += c.bytes
    if (c.sender !== '') this.senders.set(c.sender, (this.senders.get(c.sender) ?? 0) + 1)
  }

  remove(c: Charge): void {
    const r = this.recipients.get(c.recipient)
    if (r !== undefined) {
      this.total--
      this.totalBytes -= c.bytes
      r.items--
      r.bytes -= c.bytes
      if (r.items <= 0) this.recipients.delete(c.recipient)
    }
    if (c.sender === '') return
    const s = (this.senders.get(c.sender) ?? 0) - 1
    if (s <= 0) this.senders.delete(c.sender)
    else this.senders.set(c.sender, s)
  }

  clear(): void {
    this.recipients.clear()
    this.senders.clear()
    this.total = 0
    this.totalBytes = 0
  }

  /** Items held, all recipients together. */
  get items(): number {
    return this.total
  }

  /** Bytes held, all recipients together (what storeBytes caps). */
  get bytes(): number {
    return this.totalBytes
  }

  recipient(name: string): RecipientUsage {
    return this.recipients.get(name) ?? { items: 0, bytes: 0 }
  }

  sender(name: string): number {
    return this.senders.get(name) ?? 0
  }
}
