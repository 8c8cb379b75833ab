/**
 * The device's side of the offline store: deposits sealed events for devices
 * that are not reachable, and, whenever it attaches (and now and then), takes
 * what waits for it, opens and commits it, then acknowledges so the
 * supernodes delete it. A late, duplicated or missing answer is normal input:
 * what was not acknowledged is fetched again; what was committed twice is one.
 */
import type { Libp2p } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Logger } from '../log/logger.js'
import type { SealedItem } from '../wire/chat.js'
import { ChatKind } from '../wire/generated/parley.js'
import type { Chat } from './chat.js'
import { ack, deposit, fetchAll } from './offline-client.js'
import { openSealed } from './seal.js'
import { equalBytes } from '../wire/bytes.js'

const FETCH_EVERY_MS = 60_000

export interface OfflineFetchComponents {
  node: Libp2p
  /** The supernodes this device is attached to, each by its addresses; [] when none. */
  supernodeAddrs(): Multiaddr[][]
  chat: Pick<Chat, 'me' | 'idOf' | 'receive' | 'receipts'>
  /** This device's id and the seed of its key, to open items sealed to it. */
  key: { deviceId: string; seed: Uint8Array }
  log: Logger
  /** Something was committed: the outbox may have receipts to send. */
  onCommitted(): void
}

export class OfflineFetch {
  private timer: NodeJS.Timeout | undefined
  private soon: NodeJS.Timeout | undefined
  private fetching = false
  private again = false
  private stopped = false

  private readonly chat: OfflineFetchComponents['chat']
  private readonly log: Logger

  constructor(private readonly c: OfflineFetchComponents) {
    this.chat = c.chat
    this.log = c.log
    this.timer = setInterval(() => this.fetchSoon(), FETCH_EVERY_MS)
    this.timer.unref()
  }

  stop(): void {
    this.stopped = true
    clearInterval(this.timer)
    clearTimeout(this.soon)
  }

  async deposit(items: SealedItem[]): Promise<void> {
    await deposit(this.c.node, this.c.supernodeAddrs(), this.chat.me, items)
  }

  fetchSoon(): void {
    if (this.stopped) return
    if (this.fetching) {
      this.again = true
      return
    }
    clearTimeout(this.soon)
    this.soon = setTimeout(() => void this.fetch(), 100)
  }

  private async fetch(): Promise<void> {
    if (this.c.supernodeAddrs().length === 0) return
    this.fetching = true
    try {
      do {
        this.again = false
        await this.fetchOnce()
      } while (this.again && !this.stopped)
    } catch (err) {
      this.log.info({ err: (err as Error).message }, 'offline fetch failed; will retry')
    } finally {
      this.fetching = false
    }
  }

  private async fetchOnce(): Promise<void> {
    const addrs = this.c.supernodeAddrs()
    const items = await fetchAll(this.c.node, addrs, this.chat.me)
    if (items.length === 0) return
    const events: Uint8Array[] = []
    const unreadable: Uint8Array[] = []
    for (const item of items) {
      try {
        const event = openSealed(item, this.c.key)
        // Anyone can seal to our key: the event inside must be the one the item names.
        if (!equalBytes(this.chat.idOf(event), item.id)) throw new Error('the item holds another event')
        events.push(event)
      } catch {
        // Not for us or damaged: nobody can ever open it here; let the store drop our copy.
        unreadable.push(item.id)
      }
    }
    const { committed, refused, applied } = this.chat.receive(events)
    // DELIVERED receipts: the sender only saw "sent" for these.
    const receipts = new Map<string, Uint8Array[]>()
    for (const e of applied) {
      if (e.kind !== ChatKind.TEXT || e.from === this.chat.me.username) continue
      receipts.set(e.from, [...(receipts.get(e.from) ?? []), e.id])
    }
    this.chat.receipts(receipts)
    // Only what is committed (or can never be: unreadable or refused) is acknowledged; the rest comes again.
    await ack(this.c.node, addrs, this.chat.me, [...committed, ...refused, ...unreadable])
    this.log.info({ items: items.length, committed: committed.length }, 'offline messages fetched')
    this.c.onCommitted()
    if (items.length > 0) this.again = true
  }
}
