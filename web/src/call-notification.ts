/**
 * A ringing call's system notification with Accept and Decline (issue 17).
 * Buttons in a notification (`actions`) need one shown by the service worker
 * (`registration.showNotification`); its clicks come back from the worker as
 * messages (sw-call.ts). Without a worker (the dev server, a browser without
 * them) the page shows a plain notification (notifications.ts), which a
 * click brings forward, and Accept and Decline are on the ringing screen only.
 */
import { useEffect, useEffectEvent } from 'react'
import { showNotification } from './notifications.js'
import type { Shown } from './notify.js'
import type { CallAction, CallChoiceMessage, CallNotificationData } from './sw-call.js'

/** This page, among the windows the worker tells of a click (each ringing tab shows its own). */
const PAGE = crypto.randomUUID()

const ACTIONS: Array<{ action: CallAction; title: string }> = [
  { action: 'accept', title: 'Accept' },
  { action: 'decline', title: 'Decline' },
]

const registration = (): Promise<ServiceWorkerRegistration | undefined> =>
  'serviceWorker' in navigator
    ? navigator.serviceWorker.getRegistration().catch(() => undefined)
    : Promise.resolve(undefined)

/**
 * Shows the call's notification (when the user allowed them): the worker's, with Accept and Decline,
 * when one is active, else the page's own. Returns what takes it away.
 */
export function showCallNotification(shown: Shown, call: string, open: (peer: string) => void): () => void {
  if (!('Notification' in window) || Notification.permission !== 'granted') return () => undefined
  let gone = false
  let closePlain: (() => void) | undefined
  const shownBy = registration().then(async (reg) => {
    if (gone) return undefined
    if (reg?.active == null) {
      closePlain = showNotification(shown, open, { requireInteraction: true })
      return undefined
    }
    const data: CallNotificationData = { type: 'parley-call', call, peer: shown.conversation, page: PAGE }
    // `actions` is not in TypeScript's DOM types yet (NotificationOptions); Chromium shows them.
    const options = { body: shown.body, tag: shown.tag, requireInteraction: true, data, actions: ACTIONS }
    await reg.showNotification(shown.title, options as NotificationOptions).catch(() => undefined)
    return reg
  })
  return () => {
    gone = true
    closePlain?.()
    void shownBy.then(async (reg) => {
      for (const n of (await reg?.getNotifications({ tag: shown.tag })) ?? []) n.close()
    })
  }
}

/** Calls `on` with each choice made in this page's call notifications (from the worker). */
export function useCallChoices(on: (choice: CallChoiceMessage) => void): void {
  const handle = useEffectEvent((e: MessageEvent) => {
    const m = e.data as Partial<CallChoiceMessage> | null
    if (m?.type === 'parley-call-choice' && m.page === PAGE) on(m as CallChoiceMessage)
  })
  useEffect(() => {
    if (!('serviceWorker' in navigator)) return
    const sw = navigator.serviceWorker
    const listener = (e: MessageEvent) => handle(e)
    sw.addEventListener('message', listener)
    sw.startMessages()
    return () => sw.removeEventListener('message', listener)
  }, [])
}
