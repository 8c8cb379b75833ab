/**
 * Call signalling: an offer, answer, ICE candidate or hang-up, signed as a
 * live CALL_SIGNAL chat event, pushed to the contact's online devices and the
 * user's own other ones (so every device rings, and the others stop when one
 * answers). Nothing is stored or queued: a signal that finds nobody is lost,
 * and the caller hears how many devices took it.
 */
import type { Presence } from '../trust/presence.js'

export interface SignalDeps {
  /** This device, never pushed to. */
  deviceId: string
  username: string
  /** Signs the CALL_SIGNAL event to `to` (throws ChatError when it is not allowed). */
  sign: (to: string, payload: string) => Uint8Array
  /** Devices listed for `username` within the last minute, at once. */
  recentlyListed: (username: string) => Presence[]
  /** A fresh lookup. */
  devicesOf: (username: string) => Promise<Presence[]>
  /** Resolves when the device committed the events, rejects otherwise. */
  push: (device: Presence, events: Uint8Array[]) => Promise<unknown>
}

/** Pushes one signal; how many of the contact's and of our own devices took it. */
export async function sendSignal(
  deps: SignalDeps,
  to: string,
  payload: string,
): Promise<{ contact: number; own: number }> {
  const event = deps.sign(to, payload)
  const pushed = new Map<string, { contact: boolean; took: Promise<number> }>()
  const pushAll = (devices: Presence[], contact: boolean) => {
    for (const d of devices)
      if (d.deviceId !== deps.deviceId && !pushed.has(d.deviceId))
        pushed.set(d.deviceId, {
          contact,
          took: deps.push(d, [event]).then(
            () => 1,
            () => 0,
          ),
        })
  }
  // A call's signals are latency: the devices listed within the last minute get this one at
  // once, while the lookup is refreshed; devices it adds get it when it answers.
  pushAll(deps.recentlyListed(to), true)
  pushAll(deps.recentlyListed(deps.username), false)
  const [theirs, ours] = await Promise.all([
    deps.devicesOf(to).catch(() => []),
    deps.devicesOf(deps.username).catch(() => []),
  ])
  pushAll(theirs, true)
  pushAll(ours, false)
  let contact = 0
  let own = 0
  for (const p of pushed.values()) {
    const n = await p.took
    if (p.contact) contact += n
    else own += n
  }
  return { contact, own }
}
