/**
 * The device's side of the offline store: deposits sealed events for devices
 * that are not reachable, and, whenever it attaches (and now and then), takes
 * what waits for it, opens and commits it, then acknowledges so the
 * supernodes delete it. A late, duplicated or missing answer is normal input:
 * what was not acknowledged is fetched again; what was committed twice is one.
 */
import type { DeviceNode } from '../device/node.js'
import type { Logger } from '../log/logger.js'
import type { SealedItem } from '../wire/chat.js'
import { ChatKind } from '../wire/generated/parley.js'
import type { Chat } from './chat.js'
import { ack, deposit, fetchAll } from './offline-client.js'
import { openSealed } from './seal.js'
import { equalBytes } from '../wire/bytes.js'

const FETCH_EVERY_MS = 60_000

export class OfflineFetch {
  private timer: NodeJS.Timeout | undefined
  private soon: NodeJS.Timeout | undefined
  private fetching = false
  private again = false
  private stopped = false

  constructor(
    private readonly device: DeviceNode,
    private readonly chat: Chat,
    private readonly key: { deviceId: string; seed: Uint8Array },
    private readonly log: Logger,
    private readonly onCommitted: () => void,
  ) {
    this.timer = setInterval(() => this.fetchSoon(), FETCH_EVERY_MS)
    this.timer.unref()
  }

  stop(): void {
    this.stopped = true
    clearInterval(this.timer)
    clearTimeout(this.soon)
  }

  async deposit(items: SealedItem[]): Promise<void> {
    await deposit(this.device.node, this.device.supernodeAddrs(), this.chat.me, items)
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
    if (this.device.supernodeAddrs().length === 0) return
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
    const addrs = this.device.supernodeAddrs()
    const items = await fetchAll(this.device.node, addrs, this.chat.me)
    if (items.length === 0) return
    const events: Uint8Array[] = []
    const unreadable: Uint8Array[] = []
    for (const item of items) {
      try {
        const event = openSealed(item, this.key)
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
    await ack(this.device.node, addrs, this.chat.me, [...committed, ...refused, ...unreadable])
    this.log.info({ items: items.length, committed: committed.length }, 'offline messages fetched')
    this.onCommitted()
    if (items.length > 0) this.again = true
  }
}
