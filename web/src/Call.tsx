/**
 * The call on screen, over everything else: an incoming call rings with
 * accept and decline, says whether it is an audio or a video call, and shows
 * our own camera's preview once it opens (it opens while ringing, so the user
 * sees it is on: docs/calls.md), or, for an audio call, that the microphone
 * is on. A video call in progress shows the remote video, our own preview,
 * mute, camera off, hang up and how long it has lasted; an audio call shows
 * the peer's name and initials instead of video that would stay black, and
 * no camera button.
 */
import { useEffect, useRef, useState } from 'react'
import type { CallEngine, CallOutcome, CallView } from './call-engine.js'
import { formatDuration, type CallKind } from './call-signal.js'
import { initials } from './initials.js'
import './call.css'

export interface CallProps {
  view: CallView
  engine: CallEngine
}

const ENDED: Record<CallOutcome, string> = {
  ended: 'Call ended',
  declined: 'Call declined',
  missed: 'No answer',
  busy: 'Busy',
  unreachable: 'Not online',
  failed: 'The call could not connect',
}

const KIND: Record<CallKind, string> = { audio: 'Audio call', video: 'Video call' }

export function Call({ view, engine }: CallProps) {
  const { peer, phase, kind } = view
  if (phase === 'ringing' && view.incoming)
    return (
      <div className="call-overlay" role="dialog" aria-label={`${KIND[kind]} from ${peer}`}>
        <div className="call-incoming" data-testid="call-incoming" data-kind={kind}>
          <span data-testid="call-state" data-state={phase} hidden />
          <p data-testid="call-incoming-title">
            {KIND[kind]} from <strong>{peer}</strong>
          </p>
          {view.local !== undefined &&
            (kind === 'video' ? (
              <figure className="call-preview">
                <Video className="call-preview-video" stream={view.local} testId="call-preview" muted />
                <figcaption data-testid="call-preview-note">
                  Your camera and microphone are on for this preview. Nothing is sent until you accept.
                </figcaption>
              </figure>
            ) : (
              <p className="call-preview-note" data-testid="call-preview-note">
                Your microphone is on for this preview. Nothing is sent until you accept.
              </p>
            ))}
          <div className="call-controls">
            <button
              type="button"
              className="primary"
              data-testid="call-accept"
              onClick={() => void engine.accept()}
            >
              Accept
            </button>
            <button
              type="button"
              className="danger"
              data-testid="call-decline"
              onClick={() => engine.decline()}
            >
              Decline
            </button>
          </div>
        </div>
      </div>
    )
  const status =
    phase === 'ended'
      ? ENDED[view.outcome ?? 'ended']
      : phase === 'ringing'
        ? `Calling ${peer}…`
        : phase === 'connecting'
          ? 'Connecting…'
          : undefined
  return (
    <div className="call-overlay" role="dialog" aria-label={`${KIND[kind]} with ${peer}`}>
      <div
        className={`call ${kind}`}
        data-testid="call-state"
        data-state={phase}
        data-outcome={view.outcome}
        data-kind={kind}
      >
        {kind === 'video' ? (
          <>
            <Video className="call-remote" stream={view.remote} testId="call-remote-video" />
            <Video className="call-local" stream={view.local} testId="call-local-video" muted />
          </>
        ) : (
          <>
            <RemoteAudio stream={view.remote} />
            <div className="call-avatar" data-testid="call-avatar" aria-hidden="true">
              {initials(peer)}
            </div>
          </>
        )}
        <header className="call-header">
          <strong>{peer}</strong>
          {status !== undefined ? <span>{status}</span> : <Duration since={view.connectedAt ?? 0} />}
        </header>
        <div className="call-controls">
          {phase === 'ended' ? (
            <button type="button" data-testid="call-close" onClick={() => engine.dismiss()}>
              Close
            </button>
          ) : (
            <>
              <button
                type="button"
                aria-pressed={view.muted}
                data-testid="call-mute"
                onClick={() => engine.toggleMute()}
              >
                {view.muted ? 'Unmute' : 'Mute'}
              </button>
              {kind === 'video' && (
                <button
                  type="button"
                  aria-pressed={view.cameraOff}
                  data-testid="call-camera"
                  onClick={() => engine.toggleCamera()}
                >
                  {view.cameraOff ? 'Camera on' : 'Camera off'}
                </button>
              )}
              <button
                type="button"
                className="danger"
                data-testid="call-hangup"
                onClick={() => engine.hangup()}
              >
                Hang up
              </button>
            </>
          )}
        </div>
      </div>
    </div>
  )
}

function Video(p: { stream: MediaStream | undefined; className: string; testId: string; muted?: boolean }) {
  const ref = useRef<HTMLVideoElement>(null)
  useEffect(() => {
    const el = ref.current
    if (el !== null && el.srcObject !== (p.stream ?? null)) el.srcObject = p.stream ?? null
  }, [p.stream])
  return (
    <video ref={ref} className={p.className} data-testid={p.testId} autoPlay playsInline muted={p.muted} />
  )
}

/** The peer's voice in an audio call: no video element, which would stay black. */
function RemoteAudio({ stream }: { stream: MediaStream | undefined }) {
  const ref = useRef<HTMLAudioElement>(null)
  useEffect(() => {
    const el = ref.current
    if (el !== null && el.srcObject !== (stream ?? null)) el.srcObject = stream ?? null
  }, [stream])
  return <audio ref={ref} data-testid="call-remote-audio" autoPlay />
}

function Duration({ since }: { since: number }) {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000)
    return () => clearInterval(timer)
  }, [])
  return <span data-testid="call-duration">{formatDuration(now - since)}</span>
}
