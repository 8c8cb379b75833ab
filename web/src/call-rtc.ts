/**
 * The WebRTC steps the call engine takes to set a call up sooner
 * (docs/calls.md, "Setup time"): a connection whose media is attached once
 * camera and microphone open (so neither the caller's ring nor the callee's
 * answer waits for them), the candidates the callee gathers as it rings, and
 * the one remote stream a call shows.
 */

/** One transport for audio and video (one set of candidates, one TURN allocation, one DTLS handshake). */
export const TRANSPORT: RTCConfiguration = { bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' }

/**
 * The callee's connection gathers its candidates as the call rings (one
 * transport's worth, TURN's included): they are ready when it answers, and
 * nothing is sent before that.
 */
export const RINGING_POOL = 1

/** How long a callee's answer waits for candidates still gathering, to carry them in its one push. */
export const ANSWER_GATHER_MS = 40

/**
 * Whether camera and microphone open without asking the user: then a call
 * can ring before they are open (a prompt would otherwise leave the callee
 * ringing while the caller is still deciding).
 */
export async function mediaAllowed(): Promise<boolean> {
  try {
    const q = (name: string) => navigator.permissions.query({ name: name as PermissionName })
    const states = await Promise.all([q('camera'), q('microphone')])
    return states.every((s) => s.state === 'granted')
  } catch {
    // A browser that cannot say: open them first, as before.
    return false
  }
}

/** Whether a sender's stream can be named before its track is set (not in every browser). */
export const canNameStreams = (): boolean =>
  typeof RTCRtpSender !== 'undefined' && 'setStreams' in RTCRtpSender.prototype

/** The caller's audio and video, to send once camera and microphone are set (`attachMedia`). */
export function addTransceivers(pc: RTCPeerConnection): void {
  const stream = new MediaStream()
  for (const kind of ['audio', 'video']) pc.addTransceiver(kind, { direction: 'sendrecv', streams: [stream] })
}

/**
 * The callee's side of the offer's audio and video, sending once camera and
 * microphone are set (`attachMedia`): the answer can be made without them.
 */
export function sendOnTransceivers(pc: RTCPeerConnection): void {
  const stream = new MediaStream()
  for (const t of pc.getTransceivers()) {
    t.direction = 'sendrecv'
    t.sender.setStreams(stream)
  }
}

/** Camera and microphone onto the senders made for them. */
export async function attachMedia(pc: RTCPeerConnection, media: MediaStream): Promise<void> {
  const senders = pc.getTransceivers().filter((t) => t.sender.track === null && t.direction !== 'stopped')
  for (const track of media.getTracks()) {
    const i = senders.findIndex((t) => t.receiver.track.kind === track.kind)
    if (i < 0) continue
    const [t] = senders.splice(i, 1)
    await t!.sender.replaceTrack(track)
  }
}

/** Resolves once the connection has gathered its candidates, or after `ms`. */
export function gathered(pc: RTCPeerConnection, ms: number): Promise<void> {
  return new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve()
    const done = () => {
      clearTimeout(timer)
      pc.removeEventListener('icegatheringstatechange', check)
      resolve()
    }
    const check = () => {
      if (pc.iceGatheringState === 'complete') done()
    }
    const timer = setTimeout(done, ms)
    pc.addEventListener('icegatheringstatechange', check)
  })
}

/**
 * The remote stream of a track event: the sender's own when it named one,
 * else one stream gathering the tracks that came without.
 */
export function remoteStream(e: RTCTrackEvent, unnamed: MediaStream | undefined): MediaStream {
  if (e.streams[0] !== undefined) return e.streams[0]
  const stream = unnamed ?? new MediaStream()
  stream.addTrack(e.track)
  return stream
}
