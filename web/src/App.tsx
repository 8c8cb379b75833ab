/**
 * The page's top level: asks the device which state it is in and shows the
 * sign-up / sign-in forms (no account yet), "starting…" (signed in, the node
 * is coming up) or the messenger (ready).
 */
import { useCallback, useEffect, useState } from 'react'
import { ApiError, api, messageOf } from './api.js'
import { Messenger } from './Messenger.js'
import { Setup } from './Setup.js'
import type { Session } from './types.js'

type View =
  | { kind: 'loading' }
  | { kind: 'session'; session: Session }
  | { kind: 'failed'; message: string; signedOut: boolean }

const POLL_MS = 500

export function App() {
  const [view, setView] = useState<View>({ kind: 'loading' })
  // Bumped to ask again; `starting` also covers the moment between a sign-up and the node noticing it.
  const [check, setCheck] = useState({ round: 0, starting: false })

  useEffect(() => {
    let stopped = false
    let timer: ReturnType<typeof setTimeout> | undefined
    const ask = async (): Promise<void> => {
      try {
        const session = await api.session()
        if (stopped) return
        const waiting =
          session.state === 'starting' ||
          (session.state === 'ready' && session.username === undefined) ||
          (check.starting && session.state === 'setup')
        setView({ kind: 'session', session: waiting ? { ...session, state: 'starting' } : session })
        if (waiting) timer = setTimeout(() => void ask(), POLL_MS)
      } catch (err) {
        if (stopped) return
        setView({ kind: 'failed', message: messageOf(err), signedOut: isSignedOut(err) })
      }
    }
    void ask()
    return () => {
      stopped = true
      clearTimeout(timer)
    }
  }, [check])

  const signedOut = useCallback((err: ApiError) => {
    setView({ kind: 'failed', message: err.message, signedOut: true })
  }, [])
  const retry = () => setCheck((c) => ({ round: c.round + 1, starting: false }))
  const started = () => setCheck((c) => ({ round: c.round + 1, starting: true }))

  if (view.kind === 'loading') return <Splash text="Loading…" testId="loading" />
  if (view.kind === 'failed')
    return (
      <main className="splash" data-testid="failed">
        <h1>Parley</h1>
        <p className="error" data-testid="error">
          {view.message}
        </p>
        {view.signedOut ? (
          <p>
            Open the sign-in link that <code>parley up</code> printed to use this device from the browser.
          </p>
        ) : (
          <button type="button" onClick={retry}>
            Try again
          </button>
        )}
      </main>
    )
  const { session } = view
  if (session.state === 'setup') return <Setup onStarted={started} />
  if (session.state === 'starting' || session.username === undefined)
    return <Splash text="starting…" testId="starting" />
  return <Messenger me={session.username} onSignedOut={signedOut} />
}

export function isSignedOut(err: unknown): err is ApiError {
  return err instanceof ApiError && err.status === 401
}

function Splash({ text, testId }: { text: string; testId: string }) {
  return (
    <main className="splash">
      <h1>Parley</h1>
      <p data-testid={testId}>{text}</p>
    </main>
  )
}
