/**
 * The page's top level: trades a sign-in link's code for a session when the
 * link opened it, asks the device which state it is in and shows the sign-up
 * / sign-in forms (no account yet), "starting…" (signed in, the node is coming
 * up), the messenger (ready), or why this page is signed out. When the
 * device does not answer at all (stopped; the installed app's shell then
 * comes from the service worker) it says so and asks again every few seconds.
 */
import { useCallback, useEffect, useRef, useState } from 'react'
import { api, ApiError, isSignedOut, messageOf } from './api.js'
import { Messenger } from './Messenger.js'
import { forgetSession, keepSession, takeLinkCode } from './session.js'
import { Setup } from './Setup.js'
import type { Session } from './types.js'

export const UNREACHABLE_TEXT =
  'Parley cannot reach your device. Start it (parley up, or npm start for the demo network); this page connects as soon as it answers.'

export const SIGNED_OUT_TEXT =
  'You signed out. To come back, open a new sign-in link (parley link prints one).'

type View =
  | { kind: 'loading' }
  | { kind: 'session'; session: Session }
  | { kind: 'failed'; message: string; signedOut: boolean }
  | { kind: 'unreachable' }

const POLL_MS = 500
/** While the device does not answer, how often the page asks again by itself. */
const UNREACHABLE_RETRY_MS = 3_000

export function App() {
  const [view, setView] = useState<View>({ kind: 'loading' })
  // Bumped to ask again; `starting` also covers the moment between a sign-up and the node noticing it.
  const [check, setCheck] = useState({ round: 0, starting: false })

  useEffect(() => {
    let stopped = false
    let timer: ReturnType<typeof setTimeout> | undefined
    const ask = async (): Promise<void> => {
      try {
        await signInFromLink()
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
        if (err instanceof ApiError && err.code === 'unreachable') {
          setView({ kind: 'unreachable' })
          timer = setTimeout(() => void ask(), UNREACHABLE_RETRY_MS)
        } else setView({ kind: 'failed', message: messageOf(err), signedOut: isSignedOut(err) })
      }
    }
    void ask()
    return () => {
      stopped = true
      clearTimeout(timer)
    }
  }, [check])

  // While the user signs out, the socket's close and the refusals that follow (still in flight
  // from the messenger) must not say "Not signed in" instead of "You signed out"; otherwise the
  // first reason stands.
  const leaving = useRef(false)
  const signedOut = useCallback((err: ApiError) => {
    if (leaving.current) return
    setView((v) =>
      v.kind === 'failed' && v.signedOut ? v : { kind: 'failed', message: err.message, signedOut: true },
    )
  }, [])
  const signOut = useCallback(async () => {
    leaving.current = true
    // Forgotten here whatever the device says: a device that is gone has forgotten it too.
    await api.signOut().catch(() => undefined)
    forgetSession()
    setView({ kind: 'failed', message: SIGNED_OUT_TEXT, signedOut: true })
  }, [])
  const retry = () => setCheck((c) => ({ round: c.round + 1, starting: false }))
  const started = () => setCheck((c) => ({ round: c.round + 1, starting: true }))

  if (view.kind === 'loading') return <Splash text="Loading…" testId="loading" />
  if (view.kind === 'unreachable')
    return (
      <main className="splash" data-testid="unreachable">
        <h1>Parley</h1>
        <h2>Cannot reach your device</h2>
        <p data-testid="error">{UNREACHABLE_TEXT}</p>
        <button type="button" onClick={retry}>
          Try again
        </button>
      </main>
    )
  if (view.kind === 'failed')
    return (
      <main className="splash" data-testid="failed">
        <h1>Parley</h1>
        <p className="error" data-testid="error">
          {view.message}
        </p>
        {view.signedOut ? (
          <p data-testid="signed-out">
            To use this device from the browser, open a sign-in link: <code>parley up</code> prints one at
            start, <code>parley link</code> a new one.
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
  return (
    <Messenger
      me={session.username}
      signedOut={session.signedOut}
      onSignedOut={signedOut}
      onSignOut={signOut}
    />
  )
}

let linkSignIn: Promise<void> | undefined

/** Trades the sign-in link's code, once per page load (React's StrictMode runs effects twice). */
function signInFromLink(): Promise<void> {
  linkSignIn ??= (async () => {
    const code = takeLinkCode(window.location, window.history)
    if (code !== undefined) keepSession(await api.signIn(code))
  })()
  return linkSignIn
}

function Splash({ text, testId }: { text: string; testId: string }) {
  return (
    <main className="splash">
      <h1>Parley</h1>
      <p data-testid={testId}>{text}</p>
    </main>
  )
}
