/**
 * What a device does with chat events, without any network: the user's
 * actions become signed events applied to the local store and queued for
 * delivery; received events are verified and applied once (duplicates are
 * harmless). The network side (src/chat/service.ts) feeds and drains it.
 */
import { randomBytes } from 'node:crypto'
import type { Signer } from '../crypto/keys.js'
import type { VerifyCertificateOptions } from '../trust/certificate.js'
import { signChatEvent, verifyChatEvent, type VerifiedChatEvent } from '../trust/chat-event.js'
import { TrustError } from '../trust/errors.js'
import { ChatKind, ChatLimits, decodeChatEventBody } from '../wire/chat.js'
import { decodeEnvelope } from '../wire/codec.js'
import { WireDecodeError } from '../wire/decode.js'
import { ErrorCode } from '../wire/error-codes.js'
import { PresenceStatus } from '../wire/generated/parley.js'
import type { ChatStore, ContactRow, MessageRow } from './store.js'

export class ChatError extends Error {
  override name = 'ChatError'
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

export interface ChatIdentity {
  username: string
  deviceId: string
  certificate: () => Uint8Array
  signer: Signer
}

/** What the user's interfaces hear about (the CLI's `chat`, the web client's live events). */
export type ChatNotice =
  | { type: 'message'; message: MessageRow }
  | { type: 'message-updated'; message: MessageRow }
  | { type: 'contact'; contact: ContactRow }
  | { type: 'presence'; username: string; status: string }
  | { type: 'typing'; username: string }

/** Who must receive an event: the other user, our own other devices, or both. */
export interface Outgoing {
  id: Uint8Array
  bytes: Uint8Array
  toPeer: boolean
  toSelf: boolean
}

const STORED = new Set([
  ChatKind.TEXT,
  ChatKind.EDIT,
  ChatKind.DELETE,
  ChatKind.DELIVERED,
  ChatKind.READ,
  ChatKind.CONTACT_REQUEST,
  ChatKind.CONTACT_ACCEPT,
  ChatKind.CONTACT_DECLINE,
  ChatKind.CONTACT_REMOVE,
  ChatKind.CONTACT_BLOCK,
])

export const STATUS_NAMES: Record<string, PresenceStatus> = {
  online: PresenceStatus.ONLINE,
  away: PresenceStatus.AWAY,
  dnd: PresenceStatus.DO_NOT_DISTURB,
  offline: PresenceStatus.OFFLINE,
}

export function statusName(s: PresenceStatus): string {
  return Object.entries(STATUS_NAMES).find(([, v]) => v === s)?.[0] ?? 'offline'
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

export class Chat {
  constructor(
    readonly store: ChatStore,
    readonly me: ChatIdentity,
    private readonly verifyOptions: () => VerifyCertificateOptions,
    private readonly notify: (n: ChatNotice) => void = () => undefined,
  ) {}

  // ---- the user's actions ---------------------------------------------------

  send(to: string, text: string): MessageRow {
    this.checkPeer(to)
    if (new TextEncoder().encode(text).byteLength > ChatLimits.textBytes)
      throw new ChatError(ErrorCode.InvalidField, 'a message holds at most 64 KiB of text')
    if (text.trim() === '') throw new ChatError(ErrorCode.InvalidField, 'the message is empty')
    const c = this.store.contact(to)
    if (c?.state !== 'accepted')
      throw new ChatError(
        ErrorCode.NotContact,
        `${to} is not a contact yet; send a request: parley add ${to}`,
      )
    const out = this.create(ChatKind.TEXT, to, { text })
    return this.store.message(out.id)!
  }

  edit(id: Uint8Array, text: string): MessageRow {
    const m = this.ownMessage(id)
    if (text.trim() === '') throw new ChatError(ErrorCode.InvalidField, 'the new text is empty')
    this.create(ChatKind.EDIT, m.conversation, { text, refs: [id] })
    return this.store.message(id)!
  }

  delete(id: Uint8Array): MessageRow {
    const m = this.ownMessage(id)
    this.create(ChatKind.DELETE, m.conversation, { refs: [id] })
    return this.store.message(id)!
  }

  addContact(username: string, greeting: string): ContactRow {
    this.checkPeer(username)
    if (greeting.length > 500)
      throw new ChatError(ErrorCode.InvalidField, 'the greeting is over 500 characters')
    this.create(ChatKind.CONTACT_REQUEST, username, { text: greeting })
    return this.store.contact(username)!
  }

  accept(username: string): ContactRow {
    this.expectContact(username, ['pending', 'declined', 'removed', 'blocked'])
    this.create(ChatKind.CONTACT_ACCEPT, username, {})
    return this.store.contact(username)!
  }

  decline(username: string): ContactRow {
    this.expectContact(username, ['pending'])
    this.create(ChatKind.CONTACT_DECLINE, username, {})
    return this.store.contact(username)!
  }

  removeContact(username: string): ContactRow {
    this.expectContact(username, ['accepted', 'requested', 'pending'])
    this.create(ChatKind.CONTACT_REMOVE, username, {})
    return this.store.contact(username)!
  }

  block(username: string): ContactRow {
    this.checkPeer(username)
    this.create(ChatKind.CONTACT_BLOCK, username, {})
    return this.store.contact(username)!
  }

  /** Marks what is unread in a conversation as read and tells the sender (and our other devices). */
  markRead(username: string): number {
    const unread = this.store.unread(username, this.me.username)
    for (let i = 0; i < unread.length; i += ChatLimits.refs) {
      const refs = unread.slice(i, i + ChatLimits.refs).map((m) => Buffer.from(m.id, 'hex'))
      this.create(ChatKind.READ, username, { refs })
    }
    return unread.length
  }

  /** A live-only event (presence, typing): signed, never stored or queued. */
  live(
    kind: typeof ChatKind.PRESENCE | typeof ChatKind.TYPING,
    to: string,
    status?: PresenceStatus,
  ): Uint8Array {
    return this.sign(kind, to, { status }, this.store.tick())
  }

  /** DELIVERED receipts for messages that came through the offline store (a push's ack says it already). */
  receipts(refsByUser: Map<string, Uint8Array[]>): void {
    for (const [user, refs] of refsByUser)
      for (let i = 0; i < refs.length; i += ChatLimits.refs)
        this.create(ChatKind.DELIVERED, user, { refs: refs.slice(i, i + ChatLimits.refs) })
  }

  // ---- received events ------------------------------------------------------

  /**
   * Verifies and applies events in one transaction. Returns the ids now held
   * (new or already known), those refused for good, and what the node should
   * tell the user. Nothing here throws for bad input.
   */
  receive(events: Uint8Array[]): {
    committed: Uint8Array[]
    refused: Uint8Array[]
    applied: VerifiedChatEvent[]
  } {
    const committed: Uint8Array[] = []
    const refused: Uint8Array[] = []
    const applied: VerifiedChatEvent[] = []
    const notices: ChatNotice[] = []
    const opts = this.verifyOptions()
    this.store.transaction(() => {
      for (const bytes of events) {
        let e: VerifiedChatEvent
        try {
          e = verifyChatEvent(bytes, opts)
        } catch (err) {
          if (err instanceof TrustError || err instanceof WireDecodeError) continue
          throw err
        }
        if (e.from !== this.me.username && e.to !== this.me.username) {
          refused.push(e.id)
          continue
        }
        if (this.apply(e, notices)) applied.push(e)
        committed.push(e.id)
      }
    })
    for (const n of notices) this.notify(n)
    return { committed, refused, applied }
  }

  verifyOptionsNow(): VerifyCertificateOptions {
    return this.verifyOptions()
  }

  /** An event's id, read without verifying (paging only). */
  idOf(bytes: Uint8Array): Uint8Array {
    return decodeChatEventBody(decodeEnvelope(bytes, ChatLimits.eventBytes).payload).id
  }

  /** The delivery worker moved one of our messages forward. */
  notifyUpdate(message: MessageRow): void {
    this.notify({ type: 'message-updated', message })
  }

  // ---- internals ------------------------------------------------------------

  private create(kind: ChatKind, to: string, body: { text?: string; refs?: Uint8Array[] }): Outgoing {
    const notices: ChatNotice[] = []
    const out = this.store.transaction(() => {
      const lamport = this.store.tick()
      const bytes = this.sign(kind, to, body, lamport)
      const e = verifyChatEvent(bytes, this.verifyOptions())
      this.apply(e, notices)
      const toPeer = kind !== ChatKind.CONTACT_BLOCK
      const now = Date.now()
      if (toPeer) this.store.enqueue(e.id, to, now)
      this.store.enqueue(e.id, this.me.username, now)
      return { id: e.id, bytes, toPeer, toSelf: true }
    })
    for (const n of notices) this.notify(n)
    return out
  }

  private sign(
    kind: ChatKind,
    to: string,
    body: { text?: string; refs?: Uint8Array[]; status?: PresenceStatus },
    lamport: number,
  ): Uint8Array {
    return signChatEvent(
      {
        certificate: this.me.certificate(),
        id: new Uint8Array(randomBytes(ChatLimits.idBytes)),
        kind,
        to,
        lamport,
        sentAt: Date.now(),
        text: body.text ?? '',
        refs: body.refs ?? [],
        status: body.status ?? PresenceStatus.OFFLINE,
      },
      this.me.signer,
    )
  }

  /** Applies one verified event; false when it was a duplicate. */
  private apply(e: VerifiedChatEvent, notices: ChatNotice[]): boolean {
    const mine = e.from === this.me.username
    const peer = mine ? e.to : e.from
    const s = this.store
    s.observe(e.lamport)
    s.rememberDevice({ username: e.from, deviceId: e.deviceId, publicKey: e.devicePublicKey }, Date.now())
    const contact = s.contact(peer)
    if (!mine && contact?.state === 'blocked') return false
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
        s.addMessage({
          id: e.id,
          conversation: peer,
          sender: e.from,
          senderDevice: e.deviceId,
          lamport: e.lamport,
          sentAt: e.sentAt,
          text: e.text,
          state: mine ? (e.deviceId === this.me.deviceId ? 'sending' : 'sent') : 'received',
          held,
        })
        notices.push({ type: 'message', message: s.message(e.id)! })
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
          if (m?.sender !== this.me.username || m.conversation !== peer) continue
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
        if (s.setPresence(peer, statusName(e.status), e.sentAt))
          notices.push({ type: 'presence', username: peer, status: statusName(e.status) })
        return true
      case ChatKind.TYPING:
        if (!mine && contact?.state === 'accepted') notices.push({ type: 'typing', username: peer })
        return true
      default:
        return false
    }
  }

  private ownMessage(id: Uint8Array): MessageRow {
    const m = this.store.message(id)
    if (m === undefined) throw new ChatError(ErrorCode.NotFound, 'no such message')
    if (m.sender !== this.me.username) throw new ChatError(ErrorCode.Unauthorized, 'only your own messages')
    if (m.deleted) throw new ChatError(ErrorCode.InvalidField, 'the message was deleted')
    return m
  }

  private checkPeer(username: string): void {
    if (username === this.me.username) throw new ChatError(ErrorCode.InvalidField, 'that is you')
  }

  private expectContact(username: string, states: ContactRow['state'][]): void {
    const c = this.store.contact(username)
    if (c === undefined || !states.includes(c.state))
      throw new ChatError(ErrorCode.NotFound, `no ${states.join(' or ')} contact named ${username}`)
  }
}
