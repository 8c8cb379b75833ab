/**
 * One call at a time in this page: the RTCPeerConnection, the microphone
 * (and the camera, in a video call), and the signals over Parley. What a
 * signal means is decided by route() in call-signal.ts; this class does the
 * IO and tells the page what to show through `onView`.
 *
 * The caller writes the call event into the conversation (it is the one
 * that knows every outcome: declined, missed, busy, ended after so long).
 */
import { callApi } from './call-api.js'
import { httpSignals, type SignalTransport } from './call-transport.js'
import { MAX_BATCH, offerKind, route } from './call-signal.js'
import type { CallKind, CallRef, CallWhat, Signal } from './call-signal.js'
import { mark, mediaFor, openMedia, stopMedia } from './call-view.js'
import type { CallOutcome, CallStats, CallView } from './call-view.js'

export type { CallOutcome, CallPhase, CallStats, CallView } from './call-view.js'

export interface CallEngineInit {
  onView: (view: CallView | undefined) => void
  onError: (err: unknown) => void
  now?: () => number
  /** How signals reach the device: the live socket when the page has one (call-transport.ts). */
  signals?: SignalTransport
}

/** An unanswered call stops ringing after this long. */
export const RING_MS = 30_000
/** The "call ended" screen stays this long. */
export const ENDED_SHOWN_MS = 4_000

interface Session extends CallRef {
  view: CallView
  pc: RTCPeerConnection | undefined
  media: MediaStream | undefined
  /** callee: the offer that came with the ring */
  offer: RTCSessionDescriptionInit | undefined
  /** callee: the connection made ready while ringing (offer applied, nothing sent, no media) */
  prepared: Promise<RTCPeerConnection> | undefined
  /** callee: microphone (and camera) opened while ringing, shown but not sent */
  preview: Promise<MediaStream> | undefined
  /** caller: how many of the callee's devices took the ring (undefined until the ring's request returns) */
  ringing: number | undefined
  /** caller: the callee devices that answered busy; the call is busy once every ringing device is */
  busy: Set<string>
  /** candidates that came before the remote description */
  pending: RTCIceCandidateInit[]
  timers: ReturnType<typeof setTimeout>[]
  /** signals leave in order (on the socket at once; over HTTP one request at a time, what queues meanwhile as one batch) */
  outbox: Signal[]
  sending: boolean
}

const OUTCOME_EVENT: Record<CallOutcome, CallWhat> = {
  ended: 'missed',
  declined: 'declined',
  missed: 'missed',
  busy: 'missed',
  unreachable: 'missed',
  failed: 'missed',
}

export class CallEngine {
  private s: Session | undefined
  private ice: { at: number; config: Promise<RTCConfiguration> } | undefined
  private readonly now: () => number
  private readonly signals: SignalTransport

  constructor(
    private readonly me: string,
    private readonly init: CallEngineInit,
  ) {
    this.now = init.now ?? Date.now
    this.signals = init.signals ?? httpSignals
  }

  /**
   * TURN credentials, fetched ahead so they are not on the way of a call;
   * none if the device has none. With the device's relay-only policy, only
   * TURN candidates are gathered: the callee never learns this address.
   */
  iceConfig(): Promise<RTCConfiguration> {
    if (this.ice === undefined || this.now() - this.ice.at > 5 * 60_000) {
      const config = callApi.iceServers().then(
        (r): RTCConfiguration => ({
          iceServers: r.iceServers,
          ...(r.iceTransportPolicy === undefined ? {} : { iceTransportPolicy: r.iceTransportPolicy }),
        }),
        (): RTCConfiguration => ({ iceServers: [] }),
      )
      this.ice = { at: this.now(), config }
    }
    return this.ice.config
  }

  /** Calls `peer`: an audio call opens the microphone only, and its offer has no video m-line. */
  async start(peer: string, kind: CallKind = 'video'): Promise<void> {
    if (this.s !== undefined && !this.s.ended) return
    const s = this.session(crypto.randomUUID(), peer, false, kind)
    try {
      const [media, ice] = await Promise.all([this.media(kind), this.iceConfig()])
      mark('media')
      if (s.ended) return stopMedia(media)
      s.media = media
      this.show(s, { local: media })
      const pc = this.connect(s, ice)
      for (const t of media.getTracks()) pc.addTrack(t, media)
      await pc.setLocalDescription()
      mark('offer')
      this.send(s, { call: s.id, type: 'ring', sdp: pc.localDescription!.toJSON() })
      s.timers.push(setTimeout(() => this.finish(s, 'missed', true), RING_MS))
    } catch (err) {
      this.finish(s, 'failed', true)
      this.init.onError(err)
    }
  }

  async accept(): Promise<void> {
    const s = this.s
    if (s === undefined || !s.incoming || s.answered || s.ended || s.offer === undefined) return
    s.answered = true
    s.leg = crypto.randomUUID()
    // The ring's own limit (RING_MS + 5 s) is for a call nobody answers: not for this one.
    s.timers.forEach(clearTimeout)
    s.timers = []
    mark('accept')
    this.show(s, { phase: 'connecting' })
    // No separate "accept" signal: the answer, a camera start later, says it (and stops our other
    // devices ringing). Sending one first cost the answer about 40 ms here (bench:call).
    try {
      // A preview that failed while ringing (no permission yet) is asked for again now.
      const media = s.preview?.catch(() => this.media(s.view.kind)) ?? this.media(s.view.kind)
      const [local, pc] = await Promise.all([media, s.prepared ?? this.prepare(s)])
      if (s.ended) return stopMedia(local)
      s.media = local
      this.show(s, { local })
      // The tracks take the transceivers the offer made.
      for (const t of local.getTracks()) pc.addTrack(t, local)
      await pc.setLocalDescription()
      mark('answer')
      this.send(s, { call: s.id, type: 'answer', leg: s.leg, sdp: pc.localDescription!.toJSON() })
    } catch (err) {
      this.finish(s, 'failed', true)
      this.init.onError(err)
    }
  }

  decline(): void {
    const s = this.s
    if (s === undefined || !s.incoming || s.answered || s.ended) return
    this.send(s, { call: s.id, type: 'decline' })
    this.finish(s, 'declined', false)
  }

  hangup(): void {
    if (this.s !== undefined) this.finish(this.s, 'ended', true)
  }

  toggleMute(): void {
    this.toggle('audio')
  }

  toggleCamera(): void {
    this.toggle('video')
  }

  /** Closes the "call ended" screen. */
  dismiss(): void {
    if (this.s?.ended === true) this.clear(this.s)
  }

  /** A `call-signal` notice: `from` is the sender's username (ours for our other devices), `device` its device. */
  onSignal(from: string, sig: Signal, device = ''): void {
    const s = this.s
    switch (route(s, this.me, from, sig)) {
      case 'ring': {
        // An audio call's offer has no video m-line: the ringing and the answer open no camera.
        const r = this.session(sig.call, from, true, offerKind(sig.sdp?.sdp))
        r.offer = sig.sdp
        // The caller gives up after RING_MS; a lost hang-up must not ring here forever.
        r.timers.push(setTimeout(() => this.finish(r, 'missed', false), RING_MS + 5_000))
        // Applying the offer takes tens of milliseconds: done while ringing, not after Accept.
        r.prepared = this.prepare(r)
        r.prepared.catch(() => undefined)
        // So does opening the microphone and camera: opened while ringing and shown on the ringing
        // screen (the user sees they are on); nothing is sent before Accept (docs/calls.md).
        r.preview = openMedia(r.view.kind, () => r.ended).then((local) => {
          mark('media')
          r.media = local
          this.show(r, { local })
          return local
        })
        r.preview.catch(() => undefined)
        return
      }
      case 'busy':
        void this.signals.send(from, [{ call: sig.call, type: 'busy' }])
        return
      case 'taken':
        if (s !== undefined) this.clear(s, true)
        return
      case 'apply':
        if (s !== undefined) this.apply(s, sig, device).catch((err: unknown) => this.init.onError(err))
        return
      case 'ignore':
        return
    }
  }

  /** The inbound counters of the call on screen (numbers only), for tests and benchmarks. */
  async stats(): Promise<CallStats | undefined> {
    const pc = this.s?.pc
    if (pc === undefined || pc.connectionState === 'closed') return undefined
    const out: CallStats = { audio: { bytes: 0, packets: 0 }, video: { bytes: 0, frames: 0 } }
    ;(await pc.getStats()).forEach((r: { type?: string; kind?: string } & Record<string, unknown>) => {
      if (r.type !== 'inbound-rtp') return
      const n = (k: string) => (typeof r[k] === 'number' ? r[k] : 0)
      if (r.kind === 'audio') out.audio = { bytes: n('bytesReceived'), packets: n('packetsReceived') }
      if (r.kind === 'video') out.video = { bytes: n('bytesReceived'), frames: n('framesDecoded') }
    })
    return out
  }

  /** The page goes away: end the call on the other side too. */
  close(): void {
    if (this.s !== undefined && !this.s.ended) this.finish(this.s, 'ended', true)
  }

  private async apply(s: Session, sig: Signal, device: string): Promise<void> {
    switch (sig.type) {
      case 'accept':
      case 'answer':
        if (!s.answered) {
          s.answered = true
          s.leg = sig.leg
          s.timers.forEach(clearTimeout)
          this.show(s, { phase: 'connecting' })
        }
        if (sig.type === 'answer' && s.pc !== undefined && sig.sdp !== undefined) {
          await s.pc.setRemoteDescription(sig.sdp)
          await this.flush(s)
        }
        return
      case 'candidate':
        if (sig.candidate === undefined) return
        if (s.pc?.remoteDescription == null) s.pending.push(sig.candidate)
        else await s.pc.addIceCandidate(sig.candidate)
        return
      case 'decline':
        return this.finish(s, 'declined', false)
      case 'busy':
        // One device of theirs in another call; the others may still ring.
        s.busy.add(device)
        return this.checkBusy(s)
      case 'hangup':
        return this.finish(s, s.answered ? 'ended' : 'missed', false)
      case 'ring':
        return
    }
  }

  /**
   * The callee's connection with the caller's offer applied: no media, and
   * nothing gathered or sent until the answer is made on Accept.
   */
  private async prepare(s: Session): Promise<RTCPeerConnection> {
    const ice = await this.iceConfig()
    if (s.ended) throw new Error('the call ended while ringing')
    const pc = this.connect(s, ice)
    await pc.setRemoteDescription(s.offer!)
    mark('offer set')
    await this.flush(s)
    return pc
  }

  private session(id: string, peer: string, incoming: boolean, kind: CallKind): Session {
    const view: CallView = {
      id,
      peer,
      incoming,
      kind,
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
      timers: [],
      outbox: [],
      sending: false,
    }
    this.s = s
    this.init.onView(view)
    return s
  }

  private connect(s: Session, config: RTCConfiguration): RTCPeerConnection {
    const pc = new RTCPeerConnection(config)
    s.pc = pc
    pc.onicecandidate = (e) => {
      if (e.candidate === null || s.ended) return
      this.send(s, { call: s.id, type: 'candidate', leg: s.leg, candidate: e.candidate.toJSON() })
    }
    pc.oniceconnectionstatechange = () => mark(`ice ${pc.iceConnectionState}`)
    pc.ontrack = (e) => {
      if (s.view.remote === undefined) this.show(s, { remote: e.streams[0] ?? new MediaStream([e.track]) })
    }
    pc.onconnectionstatechange = () => {
      if (s.ended) return
      mark(`connection ${pc.connectionState}`)
      if (pc.connectionState === 'connected' && s.view.connectedAt === undefined)
        this.show(s, { phase: 'connected', connectedAt: this.now() })
      if (pc.connectionState === 'failed') this.finish(s, 'failed', true)
    }
    return pc
  }

  private async flush(s: Session): Promise<void> {
    const pending = s.pending.splice(0)
    for (const c of pending) await s.pc?.addIceCandidate(c)
  }

  private media(kind: CallKind): Promise<MediaStream> {
    return navigator.mediaDevices.getUserMedia(mediaFor(kind))
  }

  private send(s: Session, sig: Signal): void {
    s.outbox.push(sig)
    if (!s.sending) void this.drain(s)
  }

  private async drain(s: Session): Promise<void> {
    s.sending = true
    while (s.outbox.length > 0) {
      const batch = s.outbox.splice(0, MAX_BATCH)
      // A lost candidate or hang-up is not worth a banner: the call fails or times out by itself.
      const sent = this.signals.send(s.peer, batch)
      if (batch[0]?.type === 'ring') void sent.took.then((took) => this.rang(s, took))
      await sent.queued
    }
    s.sending = false
  }

  /** The ring's answer: how many of the callee's devices ring. */
  private rang(s: Session, took: number | undefined): void {
    if (took === undefined || s.ended) return
    s.ringing = took
    // No device of theirs is online: nothing rings, say so now rather than after RING_MS.
    if (took === 0) this.finish(s, 'unreachable', false)
    else this.checkBusy(s)
  }

  private checkBusy(s: Session): void {
    if (!s.answered && !s.ended && s.ringing !== undefined && s.busy.size >= s.ringing)
      this.finish(s, 'busy', false)
  }

  private toggle(kind: 'audio' | 'video'): void {
    const s = this.s
    if (s === undefined || s.ended) return
    const off = kind === 'audio' ? !s.view.muted : !s.view.cameraOff
    for (const t of s.media?.getTracks() ?? []) if (t.kind === kind) t.enabled = !off
    this.show(s, kind === 'audio' ? { muted: off } : { cameraOff: off })
  }

  private finish(s: Session, outcome: CallOutcome, notify: boolean): void {
    if (s.ended) return
    s.ended = true
    s.timers.forEach(clearTimeout)
    s.pc?.close()
    if (s.media !== undefined) stopMedia(s.media)
    if (notify) this.send(s, { call: s.id, type: 'hangup' })
    if (!s.incoming) {
      const connectedAt = s.view.connectedAt
      const what = connectedAt !== undefined ? 'ended' : OUTCOME_EVENT[outcome]
      const duration = connectedAt === undefined ? 0 : this.now() - connectedAt
      callApi.event(s.peer, s.id, what, duration, s.view.kind).catch(this.init.onError)
    }
    this.show(s, { phase: 'ended', outcome })
    s.timers = [setTimeout(() => this.clear(s), ENDED_SHOWN_MS)]
  }

  /** Takes the call off the screen; `quietly` when another of our devices took it while ringing. */
  private clear(s: Session, quietly = false): void {
    if (quietly) {
      s.ended = true
      s.timers.forEach(clearTimeout)
      s.pc?.close()
      if (s.media !== undefined) stopMedia(s.media)
    }
    if (this.s !== s) return
    this.s = undefined
    this.init.onView(undefined)
  }

  private show(s: Session, change: Partial<CallView>): void {
    s.view = { ...s.view, ...change }
    if (this.s === s) this.init.onView(s.view)
  }
}
