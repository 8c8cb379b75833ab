/**
 * Call signals reach each device in the order they were sent. The web client
 * sends its signals on its socket one after another without waiting for each
 * to be taken (a ring, then its ICE candidates), and two pushes on their own
 * streams may overtake each other: a candidate that comes before its ring is
 * dropped by the callee. So per device one push is in flight at a time, and
 * what comes meanwhile leaves as one batch when it returns (the receiver
 * applies a push's events in order).
 */
import type { Listed } from '../chat/lookups.js'
import { ChatLimits } from '../wire/chat.js'

/** Events in one batch at most; far under ChatLimits.pushEvents and pushBytes. */
export const BATCH_EVENTS = 16
const BATCH_BYTES = ChatLimits.pushBytes / 2

interface Queued {
  event: Uint8Array
  done: (took: boolean) => void
}

interface Lane {
  device: Listed
  queue: Queued[]
}

export class OrderedPushes {
  /** The devices with a push in flight, and what waits for it. */
  private readonly lanes = new Map<string, Lane>()

  constructor(
    private readonly push: (device: Listed, events: Uint8Array[]) => Promise<unknown>,
    /** A push failed (its signals are lost: nothing is retried); for the log. */
    private readonly onFailed: (device: Listed, err: unknown) => void = () => undefined,
  ) {}

  /** Resolves true when the device took the event, false when its push failed. Never rejects. */
  send(device: Listed, event: Uint8Array): Promise<boolean> {
    return new Promise<boolean>((done) => {
      const lane = this.lanes.get(device.deviceId)
      if (lane !== undefined) {
        lane.device = device
        lane.queue.push({ event, done })
        return
      }
      const fresh: Lane = { device, queue: [{ event, done }] }
      this.lanes.set(device.deviceId, fresh)
      void this.drain(fresh)
    })
  }

  /** Devices with a push in flight (for tests). */
  get busy(): number {
    return this.lanes.size
  }

  private async drain(lane: Lane): Promise<void> {
    while (lane.queue.length > 0) {
      const batch = take(lane.queue)
      const took = await this.push(
        lane.device,
        batch.map((q) => q.event),
      ).then(
        () => true,
        (err: unknown) => {
          this.onFailed(lane.device, err)
          return false
        },
      )
      for (const q of batch) q.done(took)
    }
    this.lanes.delete(lane.device.deviceId)
  }
}

/** The first events of the queue that fit one push, at least one. */
function take(queue: Queued[]): Queued[] {
  let bytes = 0
  let n = 0
  while (n < queue.length && n < BATCH_EVENTS) {
    bytes += queue[n]!.event.byteLength
    if (n > 0 && bytes > BATCH_BYTES) break
    n++
  }
  return queue.splice(0, n)
}
