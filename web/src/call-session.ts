/**
 * One call's state in the page's call engine (call-engine.ts): its
 * connection, media, the signals waiting to leave, and what the page shows.
 */
import type { CallRef, Signal } from './call-signal.js'
import type { CallView } from './call-view.js'

export interface Session extends CallRef {
  view: CallView
  pc: RTCPeerConnection | undefined
  media: MediaStream | undefined
  /** callee: the offer that came with the ring */
  offer: RTCSessionDescriptionInit | undefined
  /** callee: the connection made ready while ringing (offer applied, nothing sent, no media) */
  prepared: Promise<RTCPeerConnection> | undefined
  /** callee: camera and microphone opened while ringing, shown but not sent */
  preview: Promise<MediaStream> | undefined
  /** caller: how many of the callee's devices took the ring (undefined until the ring's request returns) */
  ringing: number | undefined
  /** caller: the callee devices that answered busy; the call is busy once every ringing device is */
  busy: Set<string>
  /** candidates that came before the remote description */
  pending: RTCIceCandidateInit[]
  /** callee: the answer is waiting for candidates to carry in its SDP; they are not sent apart */
  gathering: boolean
  /** the remote tracks that came without a stream of their own, as one stream */
  unnamed: MediaStream | undefined
  timers: ReturnType<typeof setTimeout>[]
  /** signals leave in order (on the socket at once; over HTTP one request at a time, what queues meanwhile as one batch) */
  outbox: Signal[]
  sending: boolean
}

export function newSession(id: string, peer: string, incoming: boolean): Session {
  const view: CallView = {
    id,
    peer,
    incoming,
    phase: 'ringing',
    connectedAt: undefined,
    muted: false,
    cameraOff: false,
    local: undefined,
    remote: undefined,
    outcome: undefined,
  }
  const s: Session = {
    id,
    peer,
    incoming,
    answered: false,
    leg: undefined,
    ended: false,
    view,
    pc: undefined,
    media: undefined,
    offer: undefined,
    prepared: undefined,
    preview: undefined,
    ringing: undefined,
    busy: new Set(),
    pending: [],
    gathering: false,
    unnamed: undefined,
    timers: [],
    outbox: [],
    sending: false,
  }
  return s
}
