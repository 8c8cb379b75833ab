/**
 * The installable app's page side: registers the service worker (sw.js,
 * built by web/build/app-shell.ts) whose cached shell opens while the device
 * is stopped, and keeps Chromium's install offer (`beforeinstallprompt`) for
 * the Install button in Settings. Only in a build: the dev server has no
 * sw.js. A browser without service workers (or a page not on a secure
 * origin) runs the client as before, just not installed.
 */
import { useSyncExternalStore } from 'react'

/** Chromium's install offer (not in the DOM's types). */
interface InstallOffer extends Event {
  prompt(): Promise<unknown>
}

let offer: InstallOffer | undefined
const listeners = new Set<() => void>()
const changed = () => listeners.forEach((l) => l())

export function registerShell(): void {
  // Kept for Settings' button; the browser's own Install (in its menu or address bar) stays too.
  window.addEventListener('beforeinstallprompt', (e) => {
    e.preventDefault()
    offer = e as InstallOffer
    changed()
  })
  window.addEventListener('appinstalled', () => {
    offer = undefined
    changed()
  })
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return
  // Absolute: the worker's scope is the whole origin, whichever page (/signin, /) registers it.
  navigator.serviceWorker.register('/sw.js').catch(() => {
    // No worker: no offline shell, and the client works as before.
  })
}

/** Whether the browser offers to install the app now. */
export function useInstallOffer(): boolean {
  return useSyncExternalStore(
    (onChange) => {
      listeners.add(onChange)
      return () => listeners.delete(onChange)
    },
    () => offer !== undefined,
  )
}

/** Shows the browser's install dialog (from a click); an offer is good for one prompt. */
export async function install(): Promise<void> {
  const o = offer
  offer = undefined
  changed()
  await o?.prompt()
}
