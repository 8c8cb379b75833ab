/**
 * /parley/chat: how signed chat events travel from one device to another.
 * One request carries up to ChatLimits.pushEvents events; the answer names
 * the ids the receiver committed (acknowledged only after its commit) and
 * those it refused for good, so the sender stops retrying them.
 */
import type { Libp2p } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import type { Logger } from '../log/logger.js'
import { pipelined } from '../net/pipeline.js'
import { serve } from '../net/rpc.js'
import type { VerifiedChatEvent } from '../trust/chat-event.js'
import {
  ChatAck,
  ChatKind,
  ChatLimits,
  ChatPush,
  ChatResult,
  decodeChatAck,
  decodeChatPush,
} from '../wire/chat.js'
import { BatchProtocols, type BatchPeers } from './batch-peers.js'
import type { Chat } from './chat.js'
import type { Reachable } from './delivery.js'

export const ChatProtocols = {
  chat: '/parley/chat/1.0.0',
  history: '/parley/history/1.0.0',
} as const

export const PUSH_TIMEOUT_MS = 5_000

export interface PushResult {
  committed: Uint8Array[]
  refused: Uint8Array[]
}

export interface PusherComponents {
  node: Libp2p
  /** Opens a connection to the device: direct to a contact's or own device when it can be, else through its relay. */
  connect(device: Reachable): Promise<unknown>
  /** Who gets our events batch-signed; the others get them signed alone (batch-peers.ts). */
  peers: Pick<BatchPeers, 'understands' | 'alone'>
}

/** A push not written because an earlier one to the same device failed first: written, it could overtake it. */
export class PushOrderError extends Error {
  override name = 'PushOrderError'
}

/** The pushes to one device that are not answered yet. */
interface Lane {
  /** Settles once the last push asked for is written (or failed before it was). */
  tail: Promise<void>
  /** Moves on when a push fails: pushes asked for before that and not written yet fail too. */
  epoch: number
  open: number
}

const noop = (): void => undefined

/**
 * The sending side. A device handles our pushes in the order they were asked
 * for, whatever their number in flight: each is written on the device's one
 * push stream (src/net/pipeline.ts) after the one asked for before it, and
 * when one fails, every later one not answered yet fails too, so that the
 * outbox pushes them again in order rather than the device taking a later
 * one first.
 */
export class Pusher {
  private readonly lanes = new Map<string, Lane>()

  constructor(private readonly c: PusherComponents) {}

  async push(device: Reachable, events: Uint8Array[]): Promise<PushResult> {
    return this.inTurn(device.deviceId, async () => {
      await this.c.connect(device)
      return this.prepare(device.deviceId, events)
    })
  }

  /** Pushes over the open connection to a device (or dials it by peer id). */
  async pushTo(deviceId: string, events: Uint8Array[]): Promise<PushResult> {
    return this.inTurn(deviceId, () => this.prepare(deviceId, events))
  }

  private async inTurn(
    deviceId: string,
    ready: () => Promise<() => Promise<Uint8Array>>,
  ): Promise<PushResult> {
    let lane = this.lanes.get(deviceId)
    if (lane === undefined) this.lanes.set(deviceId, (lane = { tail: Promise.resolve(), epoch: 0, open: 0 }))
    const own = lane
    const epoch = own.epoch
    const failed = (): void => {
      if (own.epoch === epoch) own.epoch++
    }
    own.open++
    const written = own.tail.then(async () => {
      const send = await ready()
      if (own.epoch !== epoch) throw new PushOrderError('an earlier push to this device failed')
      return { answer: send() }
    })
    own.tail = written.then(noop, failed)
    try {
      const answer = await (await written).answer
      return decodeResult(answer)
    } catch (err) {
      failed()
      throw err
    } finally {
      if (--own.open === 0 && this.lanes.get(deviceId) === own) this.lanes.delete(deviceId)
    }
  }

  /** What to write for a device (its form of our events); the returned call writes it, in the lane's turn. */
  private async prepare(deviceId: string, events: Uint8Array[]): Promise<() => Promise<Uint8Array>> {
    const batched = await this.c.peers.understands(deviceId)
    const sent = batched ? events : this.c.peers.alone(events)
    const payload = ChatPush.encode({ events: sent.map((e) => new Uint8Array(e)) })
    return () =>
      pipelined(
        this.c.node,
        peerIdFromString(deviceId),
        batched ? BatchProtocols.chat : ChatProtocols.chat,
        payload,
        {
          timeoutMs: PUSH_TIMEOUT_MS,
          maxResponseBytes: ChatLimits.ackBytes * 4,
        },
      )
  }
}

function decodeResult(bytes: Uint8Array): PushResult {
  const answer = decodeChatAck(bytes)
  if (answer.result !== ChatResult.Ok) throw new Error(`push refused: ${answer.message} [${answer.code}]`)
  return { committed: answer.committed, refused: answer.refused }
}

export interface PushHandlerComponents {
  node: Libp2p
  /** Verifies, commits and applies received events (chat.ts). */
  chat: Pick<Chat, 'receive'>
  /** An event was applied (after the commit). */
  applied(e: VerifiedChatEvent): void
  /** Something was committed: the outbox may have receipts to send. */
  committed(): void
  log: Logger
}

/** The receiving side: answers each push after the commit. */
export class PushHandler {
  constructor(private readonly c: PushHandlerComponents) {}

  async serve(): Promise<void> {
    // 1.1.0 says "I understand batch-signed events" (batch-peers.ts); either takes both kinds.
    for (const protocol of [ChatProtocols.chat, BatchProtocols.chat])
      await serve(this.c.node, protocol, (payload) => Promise.resolve(this.handle(payload)), {
        maxRequestBytes: ChatLimits.pushBytes,
        timeoutMs: PUSH_TIMEOUT_MS,
        onError: (err) => this.c.log.debug({ err: (err as Error).message }, 'chat stream failed'),
      })
  }

  handle(payload: Uint8Array): Uint8Array {
    const push = decodeChatPush(payload)
    const { committed, refused, applied, refusals } = this.c.chat.receive(push.events)
    for (const e of applied) this.c.applied(e)
    // Call signals are never stored: a push of them only leaves the outbox nothing to send.
    const signals = applied.filter((e) => e.kind === ChatKind.CALL_SIGNAL).length
    if (committed.length > signals) this.c.committed()
    const none = committed.length === 0 && refused.length === 0
    return ChatAck.encode({
      result: none ? ChatResult.Refused : ChatResult.Ok,
      // Per-event codes are not on the wire: the first refusal's code says why `refused` is not empty.
      code: none ? 'bad_signature' : (refusals[0]?.code ?? ''),
      message: '',
      committed: committed.map((id) => new Uint8Array(id)),
      refused: refused.map((id) => new Uint8Array(id)),
    })
  }
}
