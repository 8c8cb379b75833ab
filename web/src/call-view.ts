/**
 * What the page shows of a call (the call engine's view of it, and the
 * inbound counters tests and benchmarks read), and the small media helpers
 * the engine uses.
 */
import type { CallKind } from './call-signal.js'

export type CallPhase = 'ringing' | 'connecting' | 'connected' | 'ended'
export type CallOutcome = 'ended' | 'declined' | 'missed' | 'busy' | 'unreachable' | 'failed'

export interface CallView {
  id: string
  peer: string
  incoming: boolean
  /** audio only (the microphone, never the camera) or audio and video */
  kind: CallKind
  phase: CallPhase
  connectedAt: number | undefined
  muted: boolean
  cameraOff: boolean
  local: MediaStream | undefined
  remote: MediaStream | undefined
  outcome: CallOutcome | undefined
}

export interface CallStats {
  audio: { bytes: number; packets: number }
  video: { bytes: number; frames: number }
}

/** A User Timing mark (`parley:…`), for the call benchmark's breakdown; free when nobody looks. */
export function mark(what: string): void {
  performance.mark(`parley:${what}`)
}

/** What a call of this kind opens: an audio call never asks for the camera. */
export function mediaFor(kind: CallKind): MediaStreamConstraints {
  return { audio: true, video: kind === 'video' }
}

/** The microphone (and camera, for video); stopped at once, and an error, when the call ended while they opened. */
export async function openMedia(kind: CallKind, ended: () => boolean): Promise<MediaStream> {
  const media = await navigator.mediaDevices.getUserMedia(mediaFor(kind))
  if (!ended()) return media
  stopMedia(media)
  throw new Error('the call ended while the microphone and camera opened')
}

export function stopMedia(media: MediaStream): void {
  for (const t of media.getTracks()) t.stop()
}
