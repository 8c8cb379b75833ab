/**
 * What one message costs in CPU, piece by piece, measured as CPU time of
 * this process (process.cpuUsage) over tight loops, so that other load on
 * the machine inflates it less than wall time: on the sender, chat.send and
 * the signing inside it, and how many SQL statements it still prepares (the
 * store prepares each once); verifying one event, as a recipient does (the
 * sender does not verify its own); on a recipient in this process,
 * chat.receive of pushes of 256 events (what a push does before its ack).
 */
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { signChatBatch } from '../../src/trust/chat-batch.js'
import { chatEventBody, signChatEvent, verifyChatEvent } from '../../src/trust/chat-event.js'
import { ChatKind, ChatLimits } from '../../src/wire/chat.js'
import { PresenceStatus } from '../../src/wire/generated/parley.js'
import { waitFor } from '../directory/procs.js'
import type { ChatPeer } from './peer.js'

const PUSH_EVENTS = ChatLimits.pushEvents
/** Events per signed batch in these loops: about what one group commit holds at 5,000 messages/s (5 ms). */
export const COST_BATCH = 32
const DRAIN_TIMEOUT_MS = 120_000

export interface SendCost {
  messages: number
  /** CPU µs per message. */
  sendUs: number
  signUs: number
  /** Verifying one event (certificate and signature), as a recipient does. */
  verifyUs: number
  /** The same two for events signed COST_BATCH at a time (issue 12 §2): per event. */
  batchSignUs: number
  batchVerifyUs: number
  /** db.prepare calls in one chat.send. */
  preparesPerSend: number
  /** chat.receive on the recipient, per event, in pushes of 256; NaN without an in-process recipient. */
  receiveUs: number
}

function cpuUs(work: () => void): number {
  const t0 = process.cpuUsage()
  work()
  const d = process.cpuUsage(t0)
  return d.user + d.system
}

export async function measureSendCost(
  sender: ChatPeer,
  recipient: ChatPeer | undefined,
  to: string,
  n: number,
  signal: AbortSignal,
): Promise<SendCost> {
  const chat = sender.service.chat
  const text = 'a short chat message, as people type them'
  const input = (kind: ChatKind, dest: string) => ({
    certificate: chat.me.certificate(),
    id: new Uint8Array(randomBytes(ChatLimits.idBytes)),
    kind,
    to: dest,
    lamport: 1,
    sentAt: Date.now(),
    text,
    refs: [],
    status: PresenceStatus.OFFLINE,
  })
  const signed = Array.from({ length: n }, () => signChatEvent(input(ChatKind.TEXT, to), chat.me.signer))
  const signUs = cpuUs(() => {
    for (let i = 0; i < n; i++) signChatEvent(input(ChatKind.TEXT, to), chat.me.signer)
  })
  const opts = chat.verifyOptionsNow()
  const verifyUs = cpuUs(() => {
    for (const bytes of signed) verifyChatEvent(bytes, opts)
  })
  const batched = (dest: string) => {
    const bodies = Array.from({ length: n }, () => chatEventBody(input(ChatKind.TEXT, dest)))
    const out: Uint8Array[] = []
    for (let i = 0; i < n; i += COST_BATCH)
      out.push(...signChatBatch(bodies.slice(i, i + COST_BATCH), chat.me.signer))
    return out
  }
  let inBatches: Uint8Array[] = []
  const batchSignUs = cpuUs(() => (inBatches = batched(to)))
  const batchVerifyUs = cpuUs(() => {
    for (const bytes of inBatches) verifyChatEvent(bytes, opts)
  })

  const db = sender.service.store.db
  const prepare = db.prepare.bind(db)
  let prepares = 0
  const sendUs = cpuUs(() => {
    db.prepare = (sql: string) => {
      prepares++
      return prepare(sql)
    }
    try {
      for (let i = 0; i < n; i++) chat.send(to, text)
    } finally {
      db.prepare = prepare
    }
  })
  await drain(sender, signal)

  let receiveUs = NaN
  if (recipient !== undefined) {
    // Events from the sender to this recipient, as its pushes carry them: batch-signed.
    const events = batched(recipient.service.username)
    receiveUs = cpuUs(() => {
      for (let i = 0; i < events.length; i += PUSH_EVENTS)
        recipient.service.chat.receive(events.slice(i, i + PUSH_EVENTS))
    })
  }
  return {
    messages: n,
    sendUs: sendUs / n,
    signUs: signUs / n,
    verifyUs: verifyUs / n,
    batchSignUs: batchSignUs / n,
    batchVerifyUs: batchVerifyUs / n,
    preparesPerSend: prepares / n,
    receiveUs: receiveUs / n,
  }
}

/** Lets the outbox deliver what the loops queued, so the next measurement starts from an empty queue. */
async function drain(sender: ChatPeer, signal: AbortSignal): Promise<void> {
  sender.service.delivery.kick()
  await sleep(0)
  await waitFor('the outbox emptied', () => sender.service.store.outbox.pending() === 0 || undefined, {
    timeoutMs: DRAIN_TIMEOUT_MS,
    everyMs: 100,
    signal,
    state: () => `${sender.service.store.outbox.pending()} queued`,
  })
}
