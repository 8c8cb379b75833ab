/**
 * The device's own events, signed a batch at a time (issue 12 §2). An event
 * made by the user's action is applied and queued at once with its unsigned
 * body in the store; the events of one group commit (commit.ts) are signed
 * together just before the group commits, or as soon as a batch is full,
 * and their signed bytes replace the bodies. Nothing leaves the device
 * before its group commits, so nothing unsigned ever does.
 */
import type { Signer } from '../crypto/keys.js'
import { signChatBatch } from '../trust/chat-batch.js'
import { CHAT_BATCH } from '../wire/chat.js'
import type { ChatStore } from './store.js'

export class PendingBatch {
  private pending: { id: Uint8Array; body: Uint8Array }[] = []

  constructor(
    private readonly store: ChatStore,
    private readonly signer: Signer,
  ) {
    store.setPendingSigner(() => this.sign())
  }

  /** An event made in the open group; signed with the rest of its batch. */
  add(id: Uint8Array, body: Uint8Array): void {
    this.pending.push({ id, body })
    if (this.pending.length >= CHAT_BATCH.documents) this.sign()
  }

  /** Signs what waits, one signature per CHAT_BATCH.documents events. */
  sign(): void {
    if (this.pending.length === 0) return
    const all = this.pending
    this.pending = []
    for (let i = 0; i < all.length; i += CHAT_BATCH.documents) {
      const part = all.slice(i, i + CHAT_BATCH.documents)
      const signed = signChatBatch(
        part.map((p) => p.body),
        this.signer,
      )
      part.forEach((p, j) => this.store.replaceEvent(p.id, signed[j]!))
    }
  }
}
