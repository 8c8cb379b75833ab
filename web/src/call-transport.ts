/**
 * How the page's call signals reach the device: on the live socket when it
 * is open (one frame each, the next one leaving at once: the device keeps
 * them in order, src/calls/socket.ts), else one HTTP request at a time
 * (`POST /v1/call/signal/:user`, which a device older than the socket route
 * also takes). Either way the caller learns how many of the contact's
 * devices took a batch, which is how a ring knows how many devices ring.
 */
import { callApi } from './call-api.js'
import type { Signal } from './call-signal.js'

/** One batch handed over. */
export interface Sent {
  /** The next batch may leave (at once on the socket; after the answer over HTTP). */
  queued: Promise<void>
  /** How many of the contact's devices took it; undefined when that is unknown (lost, refused). */
  took: Promise<number | undefined>
}

export interface SignalTransport {
  send(to: string, batch: Signal[]): Sent
}

/** The device's answer to one socket frame (a `call-signal-sent` or `call-signal-error` notice). */
export interface SignalAnswer {
  id: string | number
  contactDevices?: number
}

/** A device that does not answer a frame in this long: the batch counts as lost. */
export const ANSWER_TIMEOUT_MS = 10_000

const payloadOf = (batch: Signal[]) => JSON.stringify(batch.length === 1 ? batch[0] : batch)

/** Over HTTP only: one request at a time. */
export const httpSignals: SignalTransport = {
  send(to, batch) {
    const took = callApi.signal(to, batch).catch(() => undefined)
    return { queued: took.then(() => undefined), took }
  },
}

export class SocketSignals implements SignalTransport {
  private socket: ((text: string) => boolean) | undefined
  private next = 1
  private readonly waiting = new Map<string | number, (took: number | undefined) => void>()

  constructor(private readonly fallback: SignalTransport = httpSignals) {}

  /** The live socket opened: frames go through `send`, which is false when the socket is not open. */
  attach(send: (text: string) => boolean): void {
    this.socket = send
  }

  /** The live socket closed: what waits on it is lost (a lost signal is not retried, as over HTTP). */
  detach(): void {
    this.socket = undefined
    for (const done of this.waiting.values()) done(undefined)
    this.waiting.clear()
  }

  /** The device answered a frame. */
  answered(a: SignalAnswer): void {
    const done = this.waiting.get(a.id)
    this.waiting.delete(a.id)
    done?.(a.contactDevices)
  }

  send(to: string, batch: Signal[]): Sent {
    const id = this.next++
    const frame = JSON.stringify({ type: 'call-signal', id, to, payload: payloadOf(batch) })
    if (this.socket === undefined || !this.socket(frame)) return this.fallback.send(to, batch)
    const took = new Promise<number | undefined>((resolve) => {
      const timer = setTimeout(() => this.answered({ id }), ANSWER_TIMEOUT_MS)
      this.waiting.set(id, (n) => {
        clearTimeout(timer)
        resolve(n)
      })
    })
    return { queued: Promise.resolve(), took }
  }
}
