/**
 * How a verified chat event changes a device's store: contact steps, held
 * messages from strangers, edits, receipts, presence, call and file events.
 * Pure store logic; the caller verifies, batches in a transaction and
 * announces the notices afterwards.
 */
import type { VerifiedChatEvent } from '../trust/chat-event.js'
import { ChatKind } from '../wire/chat.js'
import { hex, STORED, statusName, type ChatNotice } from './kinds.js'
import { decodeProfile } from './profile.js'
import { reactionProblem } from './reactions.js'
import type { ChatStore } from './store.js'

/**
 * A call signal in a push of signals only (chat.ts): it only reads, so it
 * needs no transaction. Our own other devices hear our signals too (to stop
 * ringing when one answers). False when its sender is blocked.
 */
export function applySignal(
  s: Pick<ChatStore, 'contact'>,
  self: string,
  e: VerifiedChatEvent,
  notices: ChatNotice[],
): boolean {
  const mine = e.from === self
  const contact = s.contact(mine ? e.to : e.from)
  if (!mine && contact?.state === 'blocked') return false
  if (mine || contact?.state === 'accepted')
    notices.push({ type: 'call-signal', username: e.from, deviceId: e.deviceId, payload: e.text })
  return true
}

/** Applies one verified, admitted (refusals.ts) event to the store at `now`; false when it was a duplicate (or not for the store). */
export function applyEvent(
  s: ChatStore,
  self: string,
  selfDevice: string,
  e: VerifiedChatEvent,
  notices: ChatNotice[],
  now: number,
): boolean {
  const mine = e.from === self
  const peer = mine ? e.to : e.from
  s.rememberDevice({ username: e.from, deviceId: e.deviceId, publicKey: e.devicePublicKey }, now)
  const contact = s.contact(peer)
  if (!mine && contact?.state === 'blocked') return false
  // Only our own devices and people we accepted or asked move our clock (within its
  // ceiling, clock.ts): a stranger's or a blocked user's Lamport time is never observed.
  if (mine || contact?.state === 'accepted' || contact?.state === 'requested') s.clock.observe(e.lamport, now)
  if (STORED.has(e.kind) && !s.addEvent(e.id, peer, e.sentAt, e.bytes)) return false
  const at = e.sentAt
  const contactNotice = () => notices.push({ type: 'contact', contact: s.contact(peer)! })
  switch (e.kind) {
    case ChatKind.TEXT: {
      const held = !mine && contact?.state !== 'accepted'
      // A stranger's first message is a contact request in all but name.
      if (held && contact === undefined) {
        s.setContact(peer, 'pending', at, '')
        contactNotice()
      }
      const added = s.addMessage({
        id: e.id,
        conversation: peer,
        sender: e.from,
        senderDevice: e.deviceId,
        lamport: e.lamport,
        sentAt: e.sentAt,
        text: e.text,
        state: mine ? (e.deviceId === selfDevice ? 'sending' : 'sent') : 'received',
        held,
        replyTo: e.refs[0],
      })
      notices.push({ type: 'message', message: added ?? s.message(e.id)! })
      return true
    }
    case ChatKind.EDIT:
    case ChatKind.DELETE: {
      const ref = e.refs[0]
      if (ref === undefined) return true
      const changed =
        e.kind === ChatKind.EDIT ? s.editMessage(ref, e.from, e.text) : s.deleteMessage(ref, e.from)
      if (changed) notices.push({ type: 'message-updated', message: s.message(ref)! })
      return true
    }
    case ChatKind.DELIVERED:
    case ChatKind.READ: {
      if (mine) {
        if (e.kind === ChatKind.READ) s.markRead(e.refs)
        return true
      }
      for (const ref of e.refs) {
        const m = s.message(ref)
        if (m?.sender !== self || m.conversation !== peer) continue
        if (s.advance(ref, e.kind === ChatKind.READ ? 'read' : 'delivered'))
          notices.push({ type: 'message-updated', message: s.message(ref)! })
      }
      return true
    }
    case ChatKind.CONTACT_REQUEST:
      if (mine) s.setContact(peer, contact?.state === 'pending' ? 'accepted' : 'requested', at)
      else if (contact?.state === 'requested' || contact?.state === 'accepted')
        s.setContact(peer, 'accepted', at)
      else s.setContact(peer, 'pending', at, e.text)
      contactNotice()
      return true
    case ChatKind.CONTACT_ACCEPT:
      if (mine || contact?.state === 'requested') s.setContact(peer, 'accepted', at)
      contactNotice()
      return true
    case ChatKind.CONTACT_DECLINE:
      if (mine || contact?.state === 'requested') s.setContact(peer, 'declined', at)
      contactNotice()
      return true
    case ChatKind.CONTACT_REMOVE:
      if (contact !== undefined) s.setContact(peer, 'removed', at)
      contactNotice()
      return true
    case ChatKind.CONTACT_BLOCK:
      if (mine) s.setContact(peer, 'blocked', at)
      if (mine) contactNotice()
      return true
    case ChatKind.PRESENCE:
      if (mine || contact?.state !== 'accepted') return false
      // Never later than our clock: a sentAt ahead of it (within the live window) must not
      // make every later update look older and freeze the contact's presence.
      if (s.setPresence(peer, statusName(e.status), Math.min(e.sentAt, now)))
        notices.push({ type: 'presence', username: peer, status: statusName(e.status) })
      return true
    case ChatKind.REACTION: {
      // Only on a message of this very conversation, from a contact or ourselves; anything else is dropped.
      const ref = e.refs[0]
      if (ref === undefined || reactionProblem(e.text) !== undefined) return true
      if (!mine && contact?.state !== 'accepted') return true
      const target = s.message(ref)
      if (target === undefined || target.conversation !== peer || target.held) return true
      if (s.reactions.set(ref, e.from, e.deviceId, e.text, e.lamport))
        notices.push({ type: 'message-updated', message: s.messageWithReactions(ref)! })
      return true
    }
    case ChatKind.PROFILE: {
      // Ours (from another of our devices) or an accepted contact's; a bad one is dropped.
      if (!mine && contact?.state !== 'accepted') return true
      const p = decodeProfile(e.text)
      if (p !== undefined && s.profiles.set(e.from, p, e.lamport, e.deviceId))
        notices.push({ type: 'profile', username: e.from })
      return true
    }
    case ChatKind.TYPING:
      if (!mine && contact?.state === 'accepted') notices.push({ type: 'typing', username: peer })
      return true
    case ChatKind.CALL_SIGNAL:
      // Our own other devices hear our signals too (to stop ringing when one answers).
      if (mine || contact?.state === 'accepted')
        notices.push({ type: 'call-signal', username: e.from, deviceId: e.deviceId, payload: e.text })
      return true
    case ChatKind.CALL_EVENT:
    case ChatKind.FILE_OFFER: {
      if (!mine && contact?.state !== 'accepted') return true
      const added = s.addMessage({
        id: e.id,
        conversation: peer,
        sender: e.from,
        senderDevice: e.deviceId,
        lamport: e.lamport,
        sentAt: e.sentAt,
        text: e.text,
        // A call the callee answered, declined or ended took part in is not unread; a missed one is.
        state: mine ? 'sent' : e.kind === ChatKind.CALL_EVENT && !isMissedCall(e.text) ? 'read' : 'received',
        held: false,
        kind: e.kind === ChatKind.CALL_EVENT ? 'call' : 'file',
      })
      notices.push({ type: 'message', message: added ?? s.message(e.id)! })
      return true
    }
    case ChatKind.FILE_ANSWER:
      if (e.refs[0] !== undefined)
        notices.push({
          type: 'file-answer',
          username: e.from,
          deviceId: e.deviceId,
          offer: hex(e.refs[0]),
          answer: e.text,
        })
      return true
    default:
      return false
  }
}

/** Whether a call event's text (src/calls/api.ts CallEventBody) says the call was missed; unreadable counts as missed. */
function isMissedCall(text: string): boolean {
  try {
    const what = (JSON.parse(text) as { what?: unknown } | null)?.what
    return what !== 'answered' && what !== 'declined' && what !== 'ended' && what !== 'started'
  } catch {
    return true
  }
}
