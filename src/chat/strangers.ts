/**
 * Caps on what strangers may leave on a device (issue 10, L2). Messages from
 * someone who is not an accepted contact are held as a request, and each new
 * stranger adds a pending contact; neither piled up against any limit, so
 * anyone with an account could fill a victim's disk and request list. Past
 * `heldPerStranger` held messages from one sender, or `strangers` pending
 * requests in all, the event is refused: it is named in the ack's refused
 * ids, so the sender's device stops retrying, and logged once per sender.
 * Contacts, our own devices and replies to our own requests are never capped.
 */
import type { VerifiedChatEvent } from '../trust/chat-event.js'
import { ChatKind } from '../wire/chat.js'
import { ErrorCode } from '../wire/error-codes.js'
import type { ContactState } from './rows.js'

export interface StrangerLimits {
  /** Held messages from one sender who is not an accepted contact. */
  heldPerStranger: number
  /** Pending contact requests, all strangers together. */
  strangers: number
}

export const DEFAULT_STRANGER_LIMITS: StrangerLimits = { heldPerStranger: 50, strangers: 500 }

export interface StrangerEvent {
  kind: ChatKind
  /** From one of our own devices. */
  mine: boolean
  /** Our contact state with the sender, undefined for someone we never heard of. */
  contact: ContactState | undefined
}

export interface StrangerCounts {
  /** Held messages from this sender now. */
  heldFrom: number
  /** Pending requests now. */
  strangers: number
}

/** Whether the event would add a pending request (apply.ts: a first TEXT, or a new CONTACT_REQUEST). */
function opensRequest(e: StrangerEvent): boolean {
  if (e.kind === ChatKind.TEXT) return e.contact === undefined
  if (e.kind === ChatKind.CONTACT_REQUEST)
    return e.contact !== 'pending' && e.contact !== 'requested' && e.contact !== 'accepted'
  return false
}

/** Why a stranger's event must be refused, or undefined when it may be applied. Pure. */
export function strangerRefusal(
  e: StrangerEvent,
  counts: StrangerCounts,
  limits: StrangerLimits,
): typeof ErrorCode.StrangerLimit | undefined {
  if (e.mine || e.contact === 'accepted' || e.contact === 'blocked') return undefined
  if (opensRequest(e) && counts.strangers >= limits.strangers) return ErrorCode.StrangerLimit
  if (e.kind === ChatKind.TEXT && counts.heldFrom >= limits.heldPerStranger) return ErrorCode.StrangerLimit
  return undefined
}

/** What the adapter reads: the chat store's counts and the limits it was opened with. */
export interface StrangerCountsSource {
  readonly strangerLimits: StrangerLimits
  contact(username: string): { state: ContactState } | undefined
  heldFrom(username: string): number
  pendingRequests(): number
}

/** The adapter: the counts from the store, the limits it was opened with. */
export function strangerRefusalIn(
  store: StrangerCountsSource,
  self: string,
  e: Pick<VerifiedChatEvent, 'from' | 'to' | 'kind'>,
): typeof ErrorCode.StrangerLimit | undefined {
  const mine = e.from === self
  if (mine) return undefined
  const contact = store.contact(e.from)?.state
  if (contact === 'accepted' || contact === 'blocked') return undefined
  const counts = { heldFrom: store.heldFrom(e.from), strangers: store.pendingRequests() }
  return strangerRefusal({ kind: e.kind, mine, contact }, counts, store.strangerLimits)
}
