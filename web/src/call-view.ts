/**
 * What the page shows of a call (the call engine's view of it, and the
 * inbound counters tests and benchmarks read), and two small media helpers
 * the engine uses.
 */

export type CallPhase = 'ringing' | 'connecting' | 'connected' | 'ended'
export type CallOutcome = 'ended' | 'declined' | 'missed' | 'busy' | 'unreachable' | 'failed'

export interface CallView {
  id: string
  peer: string
  incoming: boolean
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

export function stopMedia(media: MediaStream): void {
  for (const t of media.getTracks()) t.stop()
}
