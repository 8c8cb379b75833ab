/**
 * What an incoming call does besides its ringing screen (issue 17): the
 * ringtone, and a system notification when the page is not in view. Pure,
 * tested without a browser; Ringer.tsx does the browser's part.
 *
 * The user's status decides, as it does for messages: in Do not disturb the
 * call still shows its ringing screen, but makes no sound and no
 * notification (Skype did not ring in Do not disturb either).
 */
import type { CallKind } from './call-signal.js'
import type { Shown } from './notify.js'
import type { Status } from './types.js'

export interface Ringing {
  /** the ringtone plays */
  sound: boolean
  /** a system notification, when the page is not in view */
  notification: Shown | undefined
}

/** The call on screen, as far as ringing needs it (call-view.ts's CallView, which needs DOM types). */
export interface RingingCall {
  id: string
  peer: string
  incoming: boolean
  kind: CallKind
  phase: string
}

const KIND = { audio: 'Audio call', video: 'Video call' } as const

const SILENT: Ringing = { sound: false, notification: undefined }

/** What the call on screen asks for now: only an incoming call that still rings rings. */
export function ringing(
  view: RingingCall | undefined,
  status: Status | undefined,
  focused: boolean,
): Ringing {
  if (view === undefined || !view.incoming || view.phase !== 'ringing') return SILENT
  if (status === 'dnd') return SILENT
  return {
    sound: true,
    notification: focused
      ? undefined
      : {
          title: `${KIND[view.kind]} from ${view.peer}`,
          body: 'Open Parley to answer or decline.',
          tag: `parley-call-${view.id}`,
          conversation: view.peer,
        },
  }
}
