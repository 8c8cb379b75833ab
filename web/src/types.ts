/**
 * What the device's local API says, as the browser sees it: the server's own
 * types (its route answers through api.ts, its rows and notices), imported
 * as types only, so that nothing of Node reaches the bundle and the two
 * cannot drift.
 */
import type { MessageRow, MessageState } from '../../src/chat/rows.js'
import type { ContactRow, ContactState } from '../../src/chat/store.js'
import type { LiveNotice } from '../../src/device/local-api.js'
import type { ContactRequest, ListedContact, Session, Status } from './answers.js'

export type { ContactRequest, ContactState, ListedContact, MessageState, Session, Status }
export type SessionState = Session['state']

/** When this device was revoked, and by whom (older authorities do not say). */
export type SignedOut = NonNullable<Session['signedOut']>

export interface Credentials {
  username: string
  password: string
  deviceName?: string
}

/** What the user can choose; contacts see `invisible` as `offline`. */
export const STATUSES: readonly Status[] = ['online', 'away', 'dnd', 'invisible']

export type Contact = ContactRow

/** A message as the device's local API sends it: the server's own type (src/chat/rows.ts), never a copy. */
export type Message = MessageRow

/** What the live socket brings (the file transfers' notices go to files.ts's own socket). */
export type Notice = LiveNotice

export const USERNAME = /^[a-z0-9._-]{3,32}$/
export const MIN_PASSWORD = 10
