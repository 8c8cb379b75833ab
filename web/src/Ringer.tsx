/**
 * An incoming call's ringtone and notification (ringing.ts decides): an
 * <audio> element, always in the page, that loops the ringtone made in the
 * page (ringtone.ts) while a call rings and is paused as soon as it stops
 * ringing (answered, declined, taken on another device, hung up, timed out);
 * and, while the page is not in view, a system notification with Accept and
 * Decline (call-notification.ts) that stays up until the ringing ends. Its
 * buttons answer or decline as the ringing screen's do; a click on the
 * notification itself brings the window forward, on the ringing screen and
 * the caller's conversation.
 *
 * A browser may refuse to play sound in a page the user never interacted
 * with (its autoplay policy): the call then rings silently, on screen and in
 * the notification.
 */
import { useEffect, useRef } from 'react'
import type { CallEngine } from './call-engine.js'
import { showCallNotification, useCallChoices } from './call-notification.js'
import type { CallView } from './call-view.js'
import { ringing } from './ringing.js'
import { ringtoneUrl } from './ringtone.js'
import type { Status } from './types.js'

export interface RingerProps {
  view: CallView | undefined
  engine: CallEngine
  status: Status | undefined
  focused: boolean
  onOpen: (username: string) => void
}

export function Ringer({ view, engine, status, focused, onOpen }: RingerProps) {
  const audio = useRef<HTMLAudioElement>(null)
  const { sound, notification } = ringing(view, status, focused)

  useEffect(() => {
    const el = audio.current
    if (el === null) return
    if (!sound) {
      el.pause()
      return
    }
    if (el.getAttribute('src') === null) el.src = ringtoneUrl()
    el.currentTime = 0
    el.play().catch(() => undefined)
    return () => el.pause()
  }, [sound])

  const call = view?.id ?? ''
  const key = notification === undefined ? undefined : JSON.stringify(notification)
  useEffect(() => {
    if (key === undefined) return
    return showCallNotification(JSON.parse(key) as NonNullable<typeof notification>, call, onOpen)
  }, [key, call, onOpen])

  // The notification's buttons, for the call that still rings here (another may have come since).
  useCallChoices((c) => {
    if (c.call !== view?.id) return
    if (c.choice === 'decline') return engine.decline()
    window.focus()
    onOpen(c.peer)
    if (c.choice === 'accept') void engine.accept()
  })

  return <audio ref={audio} data-testid="ringtone" data-ringing={sound} loop preload="none" hidden />
}
