/**
 * /parley/chat: how signed chat events travel from one device to another.
 * One request carries up to ChatLimits.pushEvents events; the answer names
 * the ids the receiver committed (acknowledged only after its commit) and
 * those it refused for good, so the sender stops retrying them.
 */
import type { Libp2p } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import type { Logger } from '../log/logger.js'
import { request, serve } from '../net/rpc.js'
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

/** The sending side. */
export class Pusher {
  constructor(private readonly c: PusherComponents) {}

  async push(device: Reachable, events: Uint8Array[]): Promise<PushResult> {
    await this.c.connect(device)
    return this.pushTo(device.deviceId, events)
  }

  /** Pushes over the open connection to a device (or dials it by peer id). */
  async pushTo(deviceId: string, events: Uint8Array[]): Promise<PushResult> {
    const batched = await this.c.peers.understands(deviceId)
    const sent = batched ? events : this.c.peers.alone(events)
    const answer = decodeChatAck(
      await request(
        this.c.node,
        peerIdFromString(deviceId),
        batched ? BatchProtocols.chat : ChatProtocols.chat,
        ChatPush.encode({ events: sent.map((e) => new Uint8Array(e)) }),
        { timeoutMs: PUSH_TIMEOUT_MS, maxResponseBytes: ChatLimits.ackBytes * 4 },
      ),
    )
    if (answer.result !== ChatResult.Ok) throw new Error(`push refused: ${answer.message} [${answer.code}]`)
    return { committed: answer.committed, refused: answer.refused }
  }
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
