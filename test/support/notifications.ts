/**
 * Watching a page's system notifications in Chromium: an init script that
 * puts a subclass of the browser's own Notification in its place, which only
 * records what was made (and whether it was closed) and how often permission
 * was asked. The notifications themselves are Chromium's own.
 * (test/web.test.ts has its own copy of the recorder, without `closed`.)
 */
import type { Page } from 'playwright-core'

export const RECORD_NOTIFICATIONS = `(() => {
  const Real = window.Notification
  if (Real === undefined) return
  const rec = { asked: 0, shown: [] }
  window.__notify = rec
  class Recorded extends Real {
    constructor(title, options) {
      super(title, options)
      this.__closed = false
      rec.shown.push(this)
    }
    close() {
      this.__closed = true
      return super.close()
    }
    static requestPermission(...args) {
      rec.asked++
      return Real.requestPermission(...args)
    }
  }
  window.Notification = Recorded
})()`

export interface Shown {
  title: string
  body: string
  tag: string
  requireInteraction: boolean
  closed: boolean
}

/** What the page has shown so far, oldest first. */
export const notificationsOf = (page: Page) =>
  page.evaluate<Shown[]>(
    `(window.__notify?.shown ?? []).map((n) => ({ title: n.title, body: n.body, tag: n.tag, requireInteraction: n.requireInteraction, closed: n.__closed }))`,
  )

/** The page as if its window lost focus (another window in front). */
export const toBackground = (page: Page) =>
  page.evaluate(`document.hasFocus = () => false; window.dispatchEvent(new Event('blur'))`)

/** The page's window in front again. */
export const toForeground = (page: Page) =>
  page.evaluate(`delete document.hasFocus; window.dispatchEvent(new Event('focus'))`)
