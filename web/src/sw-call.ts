/**
 * The service worker's part of a ringing call's notification (sw.ts hands it
 * the worker's scope): a click on the notification, or on its Accept or
 * Decline button, becomes a message to the page that showed it
 * (call-notification.ts), which answers or declines as its own buttons would;
 * Accept and a click on the notification also bring a window forward.
 * Imported by the worker only (a worker's script is classic: no shared chunk
 * with the page); the page imports its types alone.
 */

/** What a call's notification carries (`data`), set by the page. */
export interface CallNotificationData {
  type: 'parley-call'
  call: string
  peer: string
  /** the page that showed it: every window hears the choice, only this one acts */
  page: string
}

/** A notification's button: its `action`. A click elsewhere on it has none (''). */
export type CallAction = 'accept' | 'decline'

export interface CallChoiceMessage {
  type: 'parley-call-choice'
  choice: CallAction | 'open'
  call: string
  peer: string
  page: string
}

/** What a click on a notification means; undefined for anything but a call's. */
export function choiceOf(data: unknown, action: string): CallChoiceMessage | undefined {
  if (typeof data !== 'object' || data === null) return undefined
  const d = data as Partial<Record<keyof CallNotificationData, unknown>>
  if (d.type !== 'parley-call' || typeof d.call !== 'string' || typeof d.peer !== 'string') return undefined
  if (typeof d.page !== 'string') return undefined
  const choice = action === 'accept' || action === 'decline' ? action : 'open'
  return { type: 'parley-call-choice', choice, call: d.call, peer: d.peer, page: d.page }
}

/** The little of the worker's scope used here (web/tsconfig.json has the DOM's types, not the worker's). */
interface WindowClient {
  postMessage(message: unknown): void
  focus(): Promise<unknown>
}
interface NotificationClick extends Event {
  readonly notification: { readonly data: unknown; close(): void }
  readonly action: string
  waitUntil(done: Promise<unknown>): void
}
export interface CallWorkerScope {
  readonly clients: {
    matchAll(options: { type: 'window'; includeUncontrolled: boolean }): Promise<readonly WindowClient[]>
    openWindow(url: string): Promise<unknown>
  }
  addEventListener(type: 'notificationclick', on: (e: NotificationClick) => void): void
}

/** Passes each click on a call's notification to the pages. */
export function listenForCallChoices(worker: CallWorkerScope): void {
  worker.addEventListener('notificationclick', (e) => {
    const message = choiceOf(e.notification.data, e.action)
    if (message === undefined) return
    e.notification.close()
    e.waitUntil(tell(worker, message))
  })
}

async function tell(worker: CallWorkerScope, message: CallChoiceMessage): Promise<void> {
  const windows = await worker.clients.matchAll({ type: 'window', includeUncontrolled: true })
  for (const w of windows) w.postMessage(message)
  if (message.choice === 'decline') return
  // Answering, or looking: a window comes forward (the browser allows it from a notification's click).
  const first = windows[0]
  await (first === undefined ? worker.clients.openWindow('/') : first.focus()).catch(() => undefined)
}
