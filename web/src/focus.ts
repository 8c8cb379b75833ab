/** Whether the user can see the page: its window has focus and its tab is shown. */
import { useSyncExternalStore } from 'react'

function subscribe(onChange: () => void): () => void {
  window.addEventListener('focus', onChange)
  window.addEventListener('blur', onChange)
  document.addEventListener('visibilitychange', onChange)
  return () => {
    window.removeEventListener('focus', onChange)
    window.removeEventListener('blur', onChange)
    document.removeEventListener('visibilitychange', onChange)
  }
}

const focused = (): boolean => document.hasFocus() && document.visibilityState === 'visible'

export function useFocused(): boolean {
  return useSyncExternalStore(subscribe, focused)
}
