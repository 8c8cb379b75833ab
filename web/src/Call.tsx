/**
 * The call on screen, over everything else: an incoming call rings with
 * accept and decline, and our own camera's preview once it opens (it opens
 * while ringing, so the user sees it is on: docs/calls.md); a call in
 * progress shows the remote video, our own preview, mute, camera off, hang
 * up and how long it has lasted.
 */
import { useEffect, useRef, useState } from 'react'
import type { CallEngine, CallOutcome, CallView } from './call-engine.js'
import { formatDuration } from './call-signal.js'
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

export function Call({ view, engine }: CallProps) {
  const { peer, phase } = view
  if (phase === 'ringing' && view.incoming)
    return (
      <div className="call-overlay" role="dialog" aria-label={`Call from ${peer}`}>
        <div className="call-incoming" data-testid="call-incoming">
          <span data-testid="call-state" data-state={phase} hidden />
          <p>
            <strong>{peer}</strong> is calling…
          </p>
          {view.local !== undefined && (
            <figure className="call-preview">
              <Video className="call-preview-video" stream={view.local} testId="call-preview" muted />
              <figcaption data-testid="call-preview-note">
                Your camera and microphone are on for this preview. Nothing is sent until you accept.
              </figcaption>
            </figure>
          )}
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
    <div className="call-overlay" role="dialog" aria-label={`Call with ${peer}`}>
      <div className="call" data-testid="call-state" data-state={phase} data-outcome={view.outcome}>
        <Video className="call-remote" stream={view.remote} testId="call-remote-video" />
        <Video className="call-local" stream={view.local} testId="call-local-video" muted />
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
              <button
                type="button"
                aria-pressed={view.cameraOff}
                data-testid="call-camera"
                onClick={() => engine.toggleCamera()}
              >
                {view.cameraOff ? 'Camera on' : 'Camera off'}
              </button>
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

function Duration({ since }: { since: number }) {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000)
    return () => clearInterval(timer)
  }, [])
  return <span data-testid="call-duration">{formatDuration(now - since)}</span>
}
