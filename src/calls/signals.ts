/**
 * Call signalling: an offer, answer, ICE candidate or hang-up, signed as a
 * live CALL_SIGNAL chat event, pushed to the contact's online devices and the
 * user's own other ones (so every device rings, and the others stop when one
 * answers). Nothing is stored or queued: a signal that finds nobody is lost,
 * and the caller hears how many devices took it.
 */
import type { Listed } from '../chat/lookups.js'
import type { Presence } from '../trust/presence.js'

export interface SignalDeps {
  /** This device, never pushed to. */
  deviceId: string
  username: string
  /** Signs the CALL_SIGNAL event to `to` (throws ChatError when it is not allowed). */
  sign: (to: string, payload: string) => Uint8Array
  /** Devices listed for `username` within the last minute, or that sent us a call signal then, at once. */
  recentlyListed: (username: string) => Listed[]
  /** A fresh lookup. */
  devicesOf: (username: string) => Promise<Presence[]>
  /** True when the device committed the event (in order per device: ordered-push.ts); never rejects. */
  push: (device: Listed, event: Uint8Array) => Promise<boolean>
  /** A fresh lookup failed: the signal goes only to the devices listed recently (for the log). */
  lookupFailed?: (username: string, err: unknown) => void
  /** Milliseconds, for the timings only (performance.now in the service). */
  now: () => number
  /** Resolves after `ms` (a timer in the service, virtual time in tests). */
  sleep: (ms: number) => Promise<void>
}

/**
 * The fresh lookups wait this long at most for the pushes to the devices
 * listed recently: on two cores their CPU (directory requests, every
 * record's signatures) slowed the push they ran beside (docs/calls.md).
 */
export const LOOKUPS_AFTER_MS = 250

/** Where the device's time for one signal went, in ms from the request (bench:call prints them). */
export interface SignalTimings {
  /** the event signed */
  signed: number
  /** the first device committed it; undefined when none did */
  firstTook: number | undefined
  /** the fresh lookups answered (they start once the devices listed recently took it) */
  looked: number
  /** every push settled: the answer */
  done: number
}

export interface SignalOutcome {
  /** how many of the contact's devices took it */
  contact: number
  /** how many of our own other devices took it */
  own: number
  timings: SignalTimings
}

/** Pushes one signal; how many of the contact's and of our own devices took it. */
export async function sendSignal(deps: SignalDeps, to: string, payload: string): Promise<SignalOutcome> {
  const t0 = deps.now()
  const since = () => deps.now() - t0
  const event = deps.sign(to, payload)
  const signed = since()
  let firstTook: number | undefined
  const pushed = new Map<string, { contact: boolean; took: Promise<number> }>()
  const pushAll = (devices: readonly Listed[], contact: boolean) => {
    for (const d of devices)
      if (d.deviceId !== deps.deviceId && !pushed.has(d.deviceId))
        pushed.set(d.deviceId, {
          contact,
          took: deps.push(d, event).then((took) => {
            if (!took) return 0
            firstTook ??= since()
            return 1
          }),
        })
  }
  // A call's signals are latency: the devices listed within the last minute get this one at
  // once, and the lookups are refreshed once they took it (or LOOKUPS_AFTER_MS passed, when one
  // of them is gone); devices the lookups add get it then.
  pushAll(deps.recentlyListed(to), true)
  pushAll(deps.recentlyListed(deps.username), false)
  if (pushed.size > 0)
    await Promise.race([Promise.all([...pushed.values()].map((p) => p.took)), deps.sleep(LOOKUPS_AFTER_MS)])
  const lookup = (username: string) =>
    deps.devicesOf(username).catch((err: unknown) => {
      deps.lookupFailed?.(username, err)
      return []
    })
  const [theirs, ours] = await Promise.all([lookup(to), lookup(deps.username)])
  const looked = since()
  pushAll(theirs, true)
  pushAll(ours, false)
  let contact = 0
  let own = 0
  for (const p of pushed.values()) {
    const n = await p.took
    if (p.contact) contact += n
    else own += n
  }
  return { contact, own, timings: { signed, firstTook, looked, done: since() } }
}

/** The timings as a Server-Timing header's value; `push` is the whole of it. */
export function serverTiming(t: SignalTimings): string {
  const parts = [`sign;dur=${t.signed.toFixed(1)}`]
  if (t.firstTook !== undefined) parts.push(`first;dur=${t.firstTook.toFixed(1)}`)
  parts.push(`lookup;dur=${t.looked.toFixed(1)}`, `push;dur=${t.done.toFixed(1)}`)
  return parts.join(', ')
}
