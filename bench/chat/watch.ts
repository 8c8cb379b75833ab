/**
 * The sender's view of its messages: the ChatService's notices, turned into
 * "this message is delivered" (committed on a recipient device and acked).
 */
import { performance } from 'node:perf_hooks'
import type { ChatNotice } from '../../src/chat/chat.js'
import type { ChatService } from '../../src/chat/service.js'
import { TimeoutError } from '../support/cleanup.js'

export class DeliveryWatch {
  private readonly waiting = new Map<string, (at: number) => void>()
  private readonly listener = (n: ChatNotice): void => {
    if (n.type !== 'message-updated') return
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

  close(): void {
    this.service.events.off('notice', this.listener)
    this.waiting.clear()
  }
}
