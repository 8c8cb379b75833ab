/**
 * What a device does with chat events, without any network: the user's
 * actions become signed events applied to the local store and queued for
 * delivery; received events are verified and applied once (duplicates are
 * harmless). The network side (src/chat/service.ts) feeds and drains it.
 *
 * Sans-IO in time: the clock is the one events are verified against
 * (`verifyOptions().now`, verify-options.ts), Date in the service and
 * virtual time in tests. Nothing here reads the wall clock, nor draws its
 * own randomness: event ids come from the random source it is given
 * (node:crypto's randomBytes in the service, a seeded one in tests).
 */
import type { Signer } from '../crypto/keys.js'
import { verifyCertificate, type Certificate, type VerifyCertificateOptions } from '../trust/certificate.js'
import {
  chatEventBody,
  chatEventBodyOf,
  ownChatEvent,
  signChatEvent,
  verifyChatEvent,
  type ChatEventInput,
  type VerifiedChatEvent,
} from '../trust/chat-event.js'
import { TrustError } from '../trust/errors.js'
import { ChatKind, ChatLimits, decodeChatEventBody } from '../wire/chat.js'
import { WireDecodeError } from '../wire/decode.js'
import { ErrorCode } from '../wire/error-codes.js'
import { PresenceStatus } from '../wire/generated/parley.js'
import { applyEvent, applySignal } from './apply.js'
import { PendingBatch } from './batch.js'
import type { ChatNotice } from './kinds.js'
import { LIVE_KINDS, LiveReplays } from './live.js'
import { encodeProfile, profileProblem, type Profile } from './profile.js'
import { reactionProblem } from './reactions.js'
import { refusalOf, type Refusal } from './refusals.js'
import { strangerRefusalIn } from './strangers.js'
import type { ChatStore, ContactRow, MessageRow } from './store.js'

export { hex, STATUS_NAMES, STORED, statusName, type ChatNotice } from './kinds.js'

export class ChatError extends Error {
  override name = 'ChatError'
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

/** `length` random bytes: event ids are drawn from it. */
export type RandomBytes = (length: number) => Uint8Array

export interface ChatIdentity {
  username: string
  deviceId: string
  certificate: () => Uint8Array
  signer: Signer
}

/** Our own certificate is verified again at least this often (its expiry must still stop a send). */
const OWN_CERT_RECHECK_MS = 60_000

export class Chat {
  constructor(
    readonly store: ChatStore,
    readonly me: ChatIdentity,
    private readonly verifyOptions: () => VerifyCertificateOptions,
    private readonly random: RandomBytes,
    private readonly notify: (n: ChatNotice) => void = () => undefined,
    /** An event refused for good (refusals.ts): the service logs it, once per sender. */
    private readonly onRefused: (r: Refusal) => void = () => undefined,
  ) {
    this.batch = new PendingBatch(store, me.signer)
  }

  /** Our own events, signed a batch per group commit (batch.ts). */
  private readonly batch: PendingBatch
  private own: { bytes: Uint8Array; certificate: Certificate; at: number } | undefined
  private readonly replays = new LiveReplays()

  // ---- the user's actions ---------------------------------------------------

  /** A message to a contact; `replyTo` quotes one of the conversation's messages. */
  send(to: string, text: string, replyTo?: Uint8Array): MessageRow {
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
    if (replyTo !== undefined) this.conversationMessage(replyTo, to)
    const out = this.create(ChatKind.TEXT, to, { text, refs: replyTo === undefined ? [] : [replyTo] })
    return out.message ?? this.store.message(out.id)!
  }

  /** Our reaction on a message of a conversation (one emoji; "" takes it back). */
  react(id: Uint8Array, emoji: string): MessageRow {
    const problem = reactionProblem(emoji)
    if (problem !== undefined) throw new ChatError(ErrorCode.InvalidField, problem)
    const m = this.store.message(id)
    if (m === undefined || m.held) throw new ChatError(ErrorCode.NotFound, 'no such message')
    if (m.kind !== 'text' || m.deleted)
      throw new ChatError(ErrorCode.InvalidField, 'only a message that is still there takes a reaction')
    if (this.store.contact(m.conversation)?.state !== 'accepted')
      throw new ChatError(ErrorCode.NotContact, `${m.conversation} is not a contact`)
    this.create(ChatKind.REACTION, m.conversation, { text: emoji, refs: [id] })
    return this.store.messageWithReactions(id)!
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
    // Their held messages did not move our clock (strangers never do): they do now, so that
    // our answer sorts after them. Each was within the ceiling when it came.
    this.store.clock.observe(this.store.highestLamport(Number.MAX_SAFE_INTEGER, username), this.now())
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

  /** Our profile: kept here and on our other devices, and sent to every accepted contact. */
  setProfile(p: Profile): void {
    const problem = profileProblem(p)
    if (problem !== undefined) throw new ChatError(ErrorCode.InvalidField, problem)
    const text = encodeProfile(p)
    this.create(ChatKind.PROFILE, this.me.username, { text })
    for (const c of this.store.contacts(['accepted'])) this.create(ChatKind.PROFILE, c.username, { text })
  }

  /** Our profile to one contact (a new one), if we have one. */
  profileTo(username: string): void {
    const p = this.store.profiles.get(this.me.username)
    if (p !== undefined && this.store.contact(username)?.state === 'accepted')
      this.create(ChatKind.PROFILE, username, { text: encodeProfile(p) })
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

  /** A call event or a file offer in the conversation, or an answer to an offer: stored and delivered like a message. */
  record(
    kind: typeof ChatKind.CALL_EVENT | typeof ChatKind.FILE_OFFER | typeof ChatKind.FILE_ANSWER,
    to: string,
    text: string,
    refs: Uint8Array[] = [],
  ): Uint8Array {
    this.checkPeer(to)
    if (this.store.contact(to)?.state !== 'accepted')
      throw new ChatError(ErrorCode.NotContact, `${to} is not a contact`)
    return this.create(kind, to, { text, refs }).id
  }

  /**
   * A live-only signal to a contact (WebRTC offer, answer, candidate). It
   * carries the clock as it is, unticked: a tick is a write, and a signal is
   * never stored, so nothing sorts by its time (issue 12 §4).
   */
  signal(to: string, payload: string): Uint8Array {
    if (new TextEncoder().encode(payload).byteLength > ChatLimits.textBytes)
      throw new ChatError(ErrorCode.InvalidField, 'a signal holds at most 64 KiB')
    return this.sign(ChatKind.CALL_SIGNAL, to, { text: payload }, this.store.clock.value(), this.now())
  }

  /** A live-only event (presence, typing): signed, never stored or queued. */
  live(
    kind: typeof ChatKind.PRESENCE | typeof ChatKind.TYPING,
    to: string,
    status?: PresenceStatus,
    text?: string,
  ): Uint8Array {
    return this.sign(kind, to, { status, text }, this.store.clock.tick(), this.now())
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
   * tell the user. Nothing here throws for bad input. A push of call signals
   * only touches no table, so it is applied outside any transaction: it never
   * waits on a commit, nor on the open group's (issue 12 §4).
   */
  receive(events: Uint8Array[]): {
    committed: Uint8Array[]
    refused: Uint8Array[]
    applied: VerifiedChatEvent[]
    refusals: Refusal[]
  } {
    const committed: Uint8Array[] = []
    const refused: Uint8Array[] = []
    const applied: VerifiedChatEvent[] = []
    const notices: ChatNotice[] = []
    const opts = this.verifyOptions()
    const refusals: Refusal[] = []
    const verified: VerifiedChatEvent[] = []
    for (const bytes of events) {
      try {
        verified.push(verifyChatEvent(bytes, opts))
      } catch (err) {
        if (err instanceof TrustError || err instanceof WireDecodeError) continue
        throw err
      }
    }
    const signalsOnly = verified.every((e) => e.kind === ChatKind.CALL_SIGNAL)
    const admit = () => {
      for (const e of verified) {
        if (e.from !== this.me.username && e.to !== this.me.username) {
          refused.push(e.id)
          continue
        }
        // Refused for good, before it touches the store; the sender is told not to retry.
        const code =
          refusalOf(e, opts.now) ??
          this.liveReplay(e, opts.now) ??
          strangerRefusalIn(this.store, this.me.username, e)
        if (code !== undefined) {
          refused.push(e.id)
          refusals.push({ code, from: e.from, deviceId: e.deviceId })
          continue
        }
        const took = signalsOnly
          ? applySignal(this.store, this.me.username, e, notices)
          : applyEvent(this.store, this.me.username, this.me.deviceId, e, notices, opts.now)
        if (took) applied.push(e)
        committed.push(e.id)
      }
    }
    if (signalsOnly) admit()
    else this.store.transaction(() => this.store.clock.once(admit))
    for (const r of refusals) this.onRefused(r)
    for (const n of notices) this.notify(n)
    return { committed, refused, applied, refusals }
  }

  verifyOptionsNow(): VerifyCertificateOptions {
    return this.verifyOptions()
  }

  /** An event's id, read without verifying (paging only). */
  idOf(bytes: Uint8Array): Uint8Array {
    return decodeChatEventBody(chatEventBodyOf(bytes)).id
  }

  /** The delivery worker moved one of our messages forward. */
  notifyUpdate(message: MessageRow): void {
    this.notify({ type: 'message-updated', message })
  }

  // ---- internals ------------------------------------------------------------

  /** The time to decide at: the verify options' clock (Date in the service, virtual in tests). */
  private now(): number {
    return this.verifyOptions().now
  }

  /** Live events are never stored, so their duplicates are caught here (live.ts). */
  private liveReplay(e: VerifiedChatEvent, now: number): ErrorCode | undefined {
    return LIVE_KINDS.has(e.kind) ? this.replays.check(e.id, e.sentAt, now) : undefined
  }

  private create(
    kind: ChatKind,
    to: string,
    body: { text?: string; refs?: Uint8Array[] },
  ): { id: Uint8Array; message?: MessageRow } {
    const notices: ChatNotice[] = []
    const now = this.now()
    // Committed with the group (commit.ts), and always before the outbox pushes or seals it;
    // signed with the group's other events just before (batch.ts).
    const out = this.store.group(() => {
      const fields = this.fields(kind, to, body, this.store.clock.tick(), now)
      const unsigned = chatEventBody(fields)
      const e = ownChatEvent(fields, unsigned, this.ownCertificate(now))
      applyEvent(this.store, this.me.username, this.me.deviceId, e, notices, now)
      if (kind !== ChatKind.CONTACT_BLOCK) this.store.outbox.enqueue(e.id, to, now)
      this.store.outbox.enqueue(e.id, this.me.username, now)
      this.batch.add(e.id, unsigned)
      return { id: e.id }
    })
    for (const n of notices) this.notify(n)
    // The new message as the store holds it, without reading it back.
    const made = notices.find((n) => n.type === 'message')
    return made?.type === 'message' ? { ...out, message: made.message } : out
  }

  /**
   * Our certificate, verified as any other (so an expired one still stops a
   * send), at most once a minute and again whenever it was renewed.
   */
  private ownCertificate(now: number): Certificate {
    const bytes = this.me.certificate()
    const c = this.own
    if (c !== undefined && Buffer.compare(c.bytes, bytes) === 0 && now - c.at < OWN_CERT_RECHECK_MS)
      return c.certificate
    const certificate = verifyCertificate(bytes, this.verifyOptions())
    this.own = { bytes, certificate, at: now }
    return certificate
  }

  /** A live event, signed alone: it is pushed at once, outside any group. */
  private sign(
    kind: ChatKind,
    to: string,
    body: { text?: string; refs?: Uint8Array[]; status?: PresenceStatus },
    lamport: number,
    now: number,
  ): Uint8Array {
    return signChatEvent(this.fields(kind, to, body, lamport, now), this.me.signer)
  }

  private fields(
    kind: ChatKind,
    to: string,
    body: { text?: string; refs?: Uint8Array[]; status?: PresenceStatus },
    lamport: number,
    now: number,
  ): ChatEventInput {
    return {
      certificate: this.me.certificate(),
      id: this.eventId(),
      kind,
      to,
      lamport,
      sentAt: now,
      text: body.text ?? '',
      refs: body.refs ?? [],
      status: body.status ?? PresenceStatus.OFFLINE,
    }
  }

  /** A fresh event id, copied out of the source's buffer (a Buffer may share a pool). */
  private eventId(): Uint8Array {
    return Uint8Array.from(this.random(ChatLimits.idBytes))
  }

  /** A message of the conversation with `peer`, or a ChatError saying there is none. */
  private conversationMessage(id: Uint8Array, peer: string): MessageRow {
    const m = this.store.message(id)
    if (m === undefined || m.held || m.conversation !== peer)
      throw new ChatError(ErrorCode.NotFound, 'no such message in this conversation')
    return m
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
