/**
 * Watching a page's system notifications in Chromium: an init script that
 * puts a subclass of the browser's own Notification in its place, which only
 * records what was made and how often permission was asked, and wraps the
 * service worker registration's showNotification (a notification with
 * buttons) to record what it was asked to show. The notifications themselves
 * are Chromium's own.
 */
import type { Page, Worker } from 'playwright-core'

export const RECORD_NOTIFICATIONS = `(() => {
  const Real = window.Notification
  if (Real === undefined) return
  const rec = { asked: 0, shown: [] }
  window.__notify = rec
  class Recorded extends Real {
    constructor(title, options) {
      super(title, options)
      rec.shown.push({ title, options: options ?? {}, persistent: false, notification: this })
    }
    static requestPermission(...args) {
      rec.asked++
      return Real.requestPermission(...args)
    }
  }
  window.Notification = Recorded
  const show = ServiceWorkerRegistration.prototype.showNotification
  ServiceWorkerRegistration.prototype.showNotification = function (title, options) {
    rec.shown.push({ title, options: options ?? {}, persistent: true })
    return show.call(this, title, options)
  }
})()`

export interface Shown {
  title: string
  body: string
  tag: string
  requireInteraction: boolean
  /** shown by the service worker (it can have buttons) */
  persistent: boolean
  /** its buttons' actions */
  actions: string[]
}

/** What the page has shown so far, oldest first. */
export const notificationsOf = (page: Page) =>
  page.evaluate<Shown[]>(
    `(window.__notify?.shown ?? []).map((n) => ({ title: n.title, body: n.options.body ?? '', tag: n.options.tag ?? '', requireInteraction: n.options.requireInteraction === true, persistent: n.persistent, actions: (n.options.actions ?? []).map((a) => a.action) }))`,
  )

/** The tags of the worker's notifications still up in the page's origin. */
export const openNotifications = (page: Page) =>
  page.evaluate<string[]>(
    `navigator.serviceWorker.getRegistration().then(async (r) => (await r?.getNotifications() ?? []).map((n) => n.tag))`,
  )

/**
 * What Chromium does when the user clicks a worker's notification (`action`: one of its buttons, or ''
 * for the notification itself): a notificationclick in the worker, with the notification still up.
 * Dispatched from inside the worker, so the browser's own delivery of the click is not what is tested.
 */
export const clickNotification = (worker: Worker, tag: string, action: string) =>
  worker.evaluate(
    `self.registration.getNotifications({ tag: ${JSON.stringify(tag)} }).then(([n]) => {
      if (n === undefined) throw new Error('no notification ${tag} is up')
      self.dispatchEvent(new NotificationEvent('notificationclick', { notification: n, action: ${JSON.stringify(action)} }))
    })`,
  )

/** The page as if its window lost focus (another window in front). */
export const toBackground = (page: Page) =>
  page.evaluate(`document.hasFocus = () => false; window.dispatchEvent(new Event('blur'))`)

/** The page's window in front again. */
export const toForeground = (page: Page) =>
  page.evaluate(`delete document.hasFocus; window.dispatchEvent(new Event('focus'))`)
