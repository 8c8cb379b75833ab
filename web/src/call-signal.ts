/**
 * The call signals two browsers exchange over Parley (`POST /v1/call/signal`,
 * heard back as `call-signal` notices), and the pure decision of what an
 * incoming one means for the call on screen. No WebRTC, no clock: useCall.ts
 * does the IO.
 *
 * The caller's offer rides on the ring, so the callee can answer as soon as
 * the user accepts (one round trip fewer than offering after the accept).
 * Each callee device that accepts names itself with a random `leg` in its
 * answer (this client sends no separate `accept`; the type stays valid); the
 * caller follows the first leg and ignores the others.
 *
 * The kind of call (audio only, or audio and video) travels in the offer
 * itself, not beside it: an offer with no video m-line is an audio call
 * (offerKind). An older client's offer always has one, so it means video.
 */

import type { CallKind } from '../../src/calls/api.js'

/** An audio-only call, or an audio and video one: the device's own type (src/calls/api.ts). */
export type { CallKind }

export type SignalType = 'ring' | 'accept' | 'answer' | 'candidate' | 'decline' | 'hangup' | 'busy'

/** RTCSessionDescriptionInit and RTCIceCandidateInit, restated so this file needs no DOM types. */
export interface Description {
  type: 'offer' | 'answer' | 'pranswer' | 'rollback'
  sdp?: string
}
export interface Candidate {
  candidate?: string
  sdpMid?: string | null
  sdpMLineIndex?: number | null
  usernameFragment?: string | null
}

export interface Signal {
  call: string
  type: SignalType
  /** the callee device that accepted (accept, answer, and that device's candidates) */
  leg?: string
  /** ring: the offer; answer: the answer */
  sdp?: Description
  candidate?: Candidate
}

/** A signal is one chat event's text: well under the event's 64 KiB. */
export const MAX_SIGNAL_CHARS = 60_000
const TYPES = new Set<string>(['ring', 'accept', 'answer', 'candidate', 'decline', 'hangup', 'busy'])

/** At most this many signals travel in one payload (candidates queued while a request was out). */
export const MAX_BATCH = 32

/** A payload: one signal, or a JSON array of them in order; what is malformed is dropped. */
export function parseSignals(payload: string): Signal[] {
  if (payload.length > MAX_SIGNAL_CHARS) return []
  let s: unknown
  try {
    s = JSON.parse(payload)
  } catch {
    return []
  }
  const list: unknown[] = Array.isArray(s) ? s.slice(0, MAX_BATCH) : [s]
  return list.map(validSignal).filter((x) => x !== undefined)
}

export function parseSignal(payload: string): Signal | undefined {
  const [s, ...rest] = parseSignals(payload)
  return rest.length === 0 ? s : undefined
}

function validSignal(s: unknown): Signal | undefined {
  if (typeof s !== 'object' || s === null) return undefined
  const { call, type, leg, sdp, candidate } = s as Record<string, unknown>
  if (typeof call !== 'string' || call.length === 0 || call.length > 64) return undefined
  if (typeof type !== 'string' || !TYPES.has(type)) return undefined
  if (leg !== undefined && typeof leg !== 'string') return undefined
  const sdpOk = typeof sdp === 'object' && sdp !== null && typeof (sdp as { sdp?: unknown }).sdp === 'string'
  if ((type === 'ring' || type === 'answer') && !sdpOk) return undefined
  if (type === 'candidate' && (typeof candidate !== 'object' || candidate === null)) return undefined
  return s as Signal
}

/**
 * The kind of call an offer asks for: video when it has a video m-line that
 * is not turned off (port 0), else audio (no offer at all: video, as before
 * there were audio calls). No field of our own beside the SDP:
 * every client, this one and older ones, already sends it, and the callee
 * must answer what the offer holds anyway.
 */
export function offerKind(sdp: string | undefined): CallKind {
  if (sdp === undefined) return 'video'
  return /^m=video [1-9]/m.test(sdp) ? 'video' : 'audio'
}

/** The call on screen, as far as routing a signal needs to know it. */
export interface CallRef {
  id: string
  peer: string
  incoming: boolean
  /** true once it is past ringing (a callee accepted, here or on another of our devices) */
  answered: boolean
  /** the callee device the caller follows; on the callee, our own leg */
  leg: string | undefined
  ended: boolean
}

export type Route =
  /** a new incoming call: ring */
  | 'ring'
  /** an incoming call while another is on: answer busy */
  | 'busy'
  /** another device of ours answered or declined: stop ringing here, quietly */
  | 'taken'
  /** for the call on screen: apply it */
  | 'apply'
  | 'ignore'

/** What a signal from `from` means here; `me` is our own username (our other devices sign as us). */
export function route(current: CallRef | undefined, me: string, from: string, s: Signal): Route {
  const live = current !== undefined && !current.ended
  if (s.type === 'ring') {
    if (from === me) return 'ignore'
    if (live && current.id === s.call) return 'ignore'
    return live ? 'busy' : 'ring'
  }
  if (!live || current.id !== s.call) return 'ignore'
  if (from === me) {
    // Our other device acted on a call ringing here too.
    const acted = s.type === 'accept' || s.type === 'answer' || s.type === 'decline'
    return current.incoming && acted && current.leg === undefined ? 'taken' : 'ignore'
  }
  if (from !== current.peer) return 'ignore'
  if (current.incoming) {
    // From the caller: its candidates, or its hang-up.
    return s.type === 'candidate' || s.type === 'hangup' ? 'apply' : 'ignore'
  }
  // From the callee's devices: the first to accept wins; a decline or busy only while ringing.
  if (s.type === 'decline' || s.type === 'busy') return current.answered ? 'ignore' : 'apply'
  if (s.type === 'accept' || s.type === 'answer')
    return current.leg === undefined || current.leg === s.leg ? 'apply' : 'ignore'
  if (s.type === 'candidate') return current.leg !== undefined && current.leg === s.leg ? 'apply' : 'ignore'
  return s.type === 'hangup' ? 'apply' : 'ignore'
}

/** What a call event says happened: the device's own type (src/calls/api.ts), imported as a type only. */
export type { CallWhat } from '../../src/calls/api.js'

/** Call events in words live in call-history.ts. */
export { callEventText, formatDuration } from './call-history.js'
