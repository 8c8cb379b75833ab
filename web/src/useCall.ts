/**
 * The page's call engine as React state: one engine per signed-in user, the
 * call on screen (or none), and `window.__parleyCallStats()` for tests and
 * benchmarks (the inbound counters only, never media or keys).
 */
import { useEffect, useMemo, useState } from 'react'
import { CallEngine, type CallStats, type CallView } from './call-engine.js'

declare global {
  interface Window {
    __parleyCallStats?: () => Promise<CallStats | undefined>
  }
}

export interface UseCall {
  view: CallView | undefined
  engine: CallEngine
}

export function useCall(me: string, onError: (err: unknown) => void): UseCall {
  const [view, setView] = useState<CallView>()
  const engine = useMemo(() => new CallEngine(me, { onView: setView, onError }), [me, onError])
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
  return { view, engine }
}
