/**
 * An incoming call's ringtone and notification (ringing.ts decides): an
 * <audio> element, always in the page, that loops the ringtone made in the
 * page (ringtone.ts) while a call rings and is paused as soon as it stops
 * ringing (answered, declined, taken on another device, hung up, timed out);
 * and, while the page is not in view, a system notification that stays up
 * until the ringing ends. A click on it brings the window forward, on the
 * ringing screen and the caller's conversation.
 *
 * A browser may refuse to play sound in a page the user never interacted
 * with (its autoplay policy): the call then rings silently, on screen and in
 * the notification.
 */
import { useEffect, useRef } from 'react'
import type { CallView } from './call-view.js'
import { showNotification } from './notifications.js'
import { ringing } from './ringing.js'
import { ringtoneUrl } from './ringtone.js'
import type { Status } from './types.js'

export interface RingerProps {
  view: CallView | undefined
  status: Status | undefined
  focused: boolean
  onOpen: (username: string) => void
}

export function Ringer({ view, status, focused, onOpen }: RingerProps) {
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

  const key = notification === undefined ? undefined : JSON.stringify(notification)
  useEffect(() => {
    if (key === undefined) return
    return showNotification(JSON.parse(key) as NonNullable<typeof notification>, onOpen, {
      requireInteraction: true,
    })
  }, [key, onOpen])

  return <audio ref={audio} data-testid="ringtone" data-ringing={sound} loop preload="none" hidden />
}
