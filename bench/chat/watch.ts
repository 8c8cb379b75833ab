/**
 * The sender's view of its messages: the ChatService's notices, turned into
 * "this message is delivered" (committed on a recipient device and acked).
 * It also counts the watched messages that went through the offline store
 * (state "sent": a push failed and the outbox sealed them for the recipient's
 * supernodes; they become delivered when the recipient fetches them).
 */
import { performance } from 'node:perf_hooks'
import type { ChatNotice } from '../../src/chat/chat.js'
import type { ChatService } from '../../src/chat/service.js'
import { TimeoutError } from '../support/cleanup.js'

export class DeliveryWatch {
  private readonly waiting = new Map<string, (at: number) => void>()
  /** Watched messages that reached "sent" (held by the offline store) before "delivered". */
  viaOffline = 0
  private readonly listener = (n: ChatNotice): void => {
    if (n.type !== 'message-updated') return
    if (n.message.state === 'sent' && this.waiting.has(n.message.id)) this.viaOffline++
    if (n.message.state !== 'delivered' && n.message.state !== 'read') return
    const done = this.waiting.get(n.message.id)
    if (done === undefined) return
    this.waiting.delete(n.message.id)
    done(performance.now())
  }

  constructor(private readonly service: ChatService) {
    service.events.on('notice', this.listener)
  }

  /**
   * Resolves with the performance.now() at which the message became
   * delivered. Call it right after send: the notice comes in a later turn.
   */
  delivered(id: string, timeoutMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id)
        reject(new TimeoutError(`message ${id} not delivered within ${timeoutMs} ms`))
      }, timeoutMs)
      this.waiting.set(id, (at) => {
        clearTimeout(timer)
        resolve(at)
      })
    })
  }

  /** Calls `done` when the message becomes delivered; no timer (the caller bounds the whole batch). */
  onDelivered(id: string, done: (at: number) => void): void {
    this.waiting.set(id, done)
  }

  get outstanding(): number {
    return this.waiting.size
  }

  /** How many watched, undelivered messages are in each state ("sending": still queued; "sent": offline). */
  outstandingStates(): Map<string, number> {
    const states = new Map<string, number>()
    for (const id of this.waiting.keys()) {
      const state = this.service.store.message(Buffer.from(id, 'hex'))?.state ?? 'unknown'
      states.set(state, (states.get(state) ?? 0) + 1)
    }
    return states
  }

  close(): void {
    this.service.events.off('notice', this.listener)
    this.waiting.clear()
  }
}
