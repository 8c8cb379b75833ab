/**
 * The page's call engine as React state: one engine per signed-in user, the
 * call on screen (or none), and `window.__parleyCallStats()` for tests and
 * benchmarks (the inbound counters only, never media or keys).
 */
import { useEffect, useMemo, useState } from 'react'
import { CallEngine, type CallStats, type CallView } from './call-engine.js'
import { SocketSignals } from './call-transport.js'

declare global {
  interface Window {
    __parleyCallStats?: () => Promise<CallStats | undefined>
  }
}

export interface UseCall {
  view: CallView | undefined
  engine: CallEngine
  /** The engine's signals go on the live socket while it is attached here. */
  signals: SocketSignals
}

export function useCall(me: string, onError: (err: unknown) => void): UseCall {
  const [view, setView] = useState<CallView>()
  const signals = useMemo(() => new SocketSignals(), [])
  const engine = useMemo(
    () => new CallEngine(me, { onView: setView, onError, signals }),
    [me, onError, signals],
  )
  useEffect(() => {
    void engine.iceConfig()
    window.__parleyCallStats = () => engine.stats()
    // Leaving the page (or signing out) hangs up.
    const leave = () => engine.close()
    window.addEventListener('pagehide', leave)
    return () => {
      window.removeEventListener('pagehide', leave)
      engine.close()
      delete window.__parleyCallStats
    }
  }, [engine])
  return { view, engine, signals }
}
