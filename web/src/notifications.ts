/**
 * The browser's part of notify.ts: the Notification API's permission, asked
 * only from a click (the sidebar's NotifyPrompt), the notification itself,
 * and the page's title.
 */
import { useEffect, useSyncExternalStore } from 'react'
import { titleFor, type Shown } from './notify.js'

/** The browser's answer so far: 'unsupported' where there is no Notification API (an insecure origin, some browsers). */
export type Permission = NotificationPermission | 'unsupported'

const supported = (): boolean => typeof window !== 'undefined' && 'Notification' in window
const listeners = new Set<() => void>()
const readPermission = (): Permission => (supported() ? Notification.permission : 'unsupported')

/** The notification permission, re-read when the user answers our request. */
export function usePermission(): Permission {
  return useSyncExternalStore((onChange) => {
    listeners.add(onChange)
    return () => listeners.delete(onChange)
  }, readPermission)
}

/** Asks for the permission (call from a click); the answer re-renders every `usePermission`. */
export async function askPermission(): Promise<Permission> {
  if (!supported()) return 'unsupported'
  try {
    await Notification.requestPermission()
  } catch {
    // An old browser's callback form, or a refusal to ask: the permission says what it is.
  }
  for (const l of listeners) l()
  return readPermission()
}

/** The page's title follows the unread count. */
export function useUnreadTitle(unread: number): void {
  useEffect(() => {
    document.title = titleFor(unread)
  }, [unread])
}

/**
 * Shows a notification when the user allowed them; a click brings the window forward and opens its
 * conversation. `requireInteraction` keeps it up until it is clicked or closed (a ringing call's).
 * Returns what closes it (nothing to close when none was shown).
 */
export function showNotification(
  shown: Shown,
  open: (conversation: string) => void,
  opts: { requireInteraction?: boolean } = {},
): () => void {
  if (readPermission() !== 'granted') return () => undefined
  try {
    const n = new Notification(shown.title, {
      body: shown.body,
      tag: shown.tag,
      ...(opts.requireInteraction === true ? { requireInteraction: true } : {}),
    })
    n.onclick = () => {
      window.focus()
      open(shown.conversation)
      n.close()
    }
    return () => n.close()
  } catch {
    // Some browsers allow notifications from a service worker only: the title still counts.
    return () => undefined
  }
}
