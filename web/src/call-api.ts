/**
 * The device's calls API (src/calls/api.ts) through the typed client
 * (api.ts): TURN credentials, live signals to a contact's devices (and our
 * other ones) when the page's socket is closed, call events written into
 * the conversation, and the newest of them (the Calls list).
 */
import { device, ok, within } from './api.js'
import type { CallKind, CallWhat, Signal } from './call-signal.js'

const TIMEOUT_MS = 10_000
const call = device.v1.call

export const callApi = {
  /** TURN credentials, and 'relay' when the device is set to keep its address from the callee (`--calls-relay-only`). */
  iceServers: () => ok(call['ice-servers'].$get(undefined, within(TIMEOUT_MS))),
  /**
   * One signal, or several in order as a JSON array (see parseSignals); how
   * many of the contact's devices took it.
   */
  signal: async (to: string, batch: Signal[]) => {
    const payload = JSON.stringify(batch.length === 1 ? batch[0] : batch)
    return (
      await ok(call.signal[':user'].$post({ param: { user: to }, json: { payload } }, within(TIMEOUT_MS)))
    ).contactDevices
  },
  /** A call event in both conversations, with the call's kind (an older device stores it without). */
  event: (to: string, id: string, what: CallWhat, durationMs: number, kind: CallKind) =>
    ok(
      call.event[':user'].$post(
        { param: { user: to }, json: { call: id, what, durationMs, kind } },
        within(TIMEOUT_MS),
      ),
    ),
  /** The newest call events over every conversation, newest first (the Calls list). */
  recent: async (limit: number) =>
    (await ok(device.v1.calls.$get({ query: { limit: String(limit) } }, within(TIMEOUT_MS)))).calls,
}
