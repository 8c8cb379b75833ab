/**
 * History backfill between a user's own devices: a newly signed-in device
 * asks one of its user's other online devices for the signed events of the
 * last 30 days, page by page, and applies them as if they had just arrived.
 * Only devices of the same user are served (their certificate says so, and
 * the connection proves the key).
 */
import type { Connection, Libp2p } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import type { Logger } from '../log/logger.js'
import type { Presence } from '../trust/presence.js'
import { request, serve } from '../net/rpc.js'
import { verifyCertificate } from '../trust/certificate.js'
import { TrustError } from '../trust/errors.js'
import {
  ChatLimits,
  ChatResult,
  decodeHistoryRequest,
  decodeHistoryResponse,
  HistoryRequest,
  HistoryResponse,
} from '../wire/chat.js'
import { ErrorCode } from '../wire/error-codes.js'
import { plain } from '../wire/bytes.js'
import { BatchProtocols, type BatchPeers } from './batch-peers.js'
import type { Chat } from './chat.js'

export const HISTORY_PROTOCOL = '/parley/history/1.0.0'
export const BACKFILL_MS = 30 * 24 * 3600_000
const PAGE = 200
const TIMEOUT_MS = 10_000
/** How long a history request may take to arrive and be answered. */
const SERVE_TIMEOUT_MS = 5_000

export interface BackfillComponents {
  node: Libp2p
  /** This device's id and certificate (shown to the device asked). */
  deviceId: string
  certificate(): Uint8Array
  /** The user's online devices (the directory). */
  lookup(username: string): Promise<Presence[]>
  /** Opens a connection to a device: direct when it can be, else through its relay. */
  connect(device: Presence): Promise<unknown>
  chat: Pick<Chat, 'me' | 'store' | 'receive' | 'idOf' | 'verifyOptionsNow'>
  log: Logger
  /** Milliseconds since the epoch; Date.now unless a test says. */
  now?: () => number
  /** Who understands batch-signed events; what an older device may be served (batch-peers.ts). */
  peers: Pick<BatchPeers, 'understands' | 'servable'>
}

export class Backfill {
  private readonly chat: BackfillComponents['chat']
  private readonly log: Logger
  private readonly now: () => number

  constructor(private readonly c: BackfillComponents) {
    this.chat = c.chat
    this.log = c.log
    this.now = c.now ?? Date.now
  }

  /** Serves /parley/history to the user's other devices. */
  async serve(): Promise<void> {
    // 1.1.0: the asking device understands batch-signed events (batch-peers.ts).
    for (const protocol of [HISTORY_PROTOCOL, BatchProtocols.history])
      await serve(
        this.c.node,
        protocol,
        (payload, conn) => Promise.resolve(this.handle(payload, conn, protocol === BatchProtocols.history)),
        {
          maxRequestBytes: ChatLimits.historyRequestBytes,
          timeoutMs: SERVE_TIMEOUT_MS,
          onError: (err) => this.log.debug({ err: (err as Error).message }, 'chat stream failed'),
        },
      )
  }

  /** `batched`: asked on the 1.1.0 protocol, by a device that understands batch-signed events. */
  handle(payload: Uint8Array, connection: Connection, batched: boolean): Uint8Array {
    const req = decodeHistoryRequest(payload)
    const refuse = (code: string, message: string) =>
      HistoryResponse.encode({ result: ChatResult.Refused, code, message, events: [], more: false })
    try {
      const cert = verifyCertificate(req.certificate, { ...this.verifyOptions() })
      if (cert.deviceId !== connection.remotePeer.toString())
        return refuse(ErrorCode.ProofFailed, 'the certificate is for another device key')
      if (cert.username !== this.chat.me.username)
        return refuse(ErrorCode.NotOwnDevice, 'history is served only to the same user')
      // A sibling we may not have known: what the outbox sends our own user now is meant for it too.
      this.chat.store.rememberDevice(
        { username: cert.username, deviceId: cert.deviceId, publicKey: cert.devicePublicKey },
        this.now(),
      )
    } catch (err) {
      if (err instanceof TrustError) return refuse(err.code, err.message)
      throw err
    }
    const after = req.after.byteLength > 0 ? req.after : undefined
    const page = this.chat.store.eventsSince(Number(req.since), after, req.limit + 1)
    const wanted = page.slice(0, req.limit).map((e) => e.bytes)
    // Keep a page under the wire cap whatever the event sizes.
    const events: Uint8Array<ArrayBuffer>[] = []
    let bytes = 0
    for (const e of batched ? wanted : this.c.peers.servable(wanted)) {
      if (bytes + e.byteLength + 8 > ChatLimits.historyBytes - 1024) break
      events.push(plain(e))
      bytes += e.byteLength + 8
    }
    return HistoryResponse.encode({
      result: ChatResult.Ok,
      code: '',
      message: '',
      events,
      more: page.length > events.length,
    })
  }

  /** Once per device: pulls history from another device of the user, if one is online. */
  async backfill(): Promise<number> {
    const store = this.chat.store
    if (store.getMeta('backfilled') !== undefined) return 0
    let others
    try {
      others = (await this.c.lookup(this.chat.me.username)).filter((p) => p.deviceId !== this.c.deviceId)
    } catch {
      return 0
    }
    for (const other of others) {
      try {
        const n = await this.pullFrom(other)
        store.setMeta('backfilled', String(this.now()))
        this.log.info({ from: other.deviceId, events: n }, 'history backfilled')
        return n
      } catch (err) {
        this.log.info(
          { from: other.deviceId, err: (err as Error).message },
          'history backfill failed; trying another',
        )
      }
    }
    // No other device: this one is the first; nothing to pull, ever.
    if (others.length === 0) store.setMeta('backfilled', String(this.now()))
    return 0
  }

  private async pullFrom(other: Presence): Promise<number> {
    const node = this.c.node
    const peer = peerIdFromString(other.deviceId)
    // Our own other device: direct when it can be (it gives us its addresses), else through its relay.
    await this.c.connect(other)
    // Asked on 1.1.0 first, whatever identify said so far: on 1.0.0 a device serves only what a
    // device before issue 12 can read, without our other devices' batch-signed events (batch-peers.ts).
    let protocol: string = BatchProtocols.history
    const since = this.now() - BACKFILL_MS
    let after = new Uint8Array()
    let total = 0
    for (;;) {
      const ask = (p: string) =>
        request(
          node,
          peer,
          p,
          HistoryRequest.encode({
            certificate: new Uint8Array(this.c.certificate()),
            since: BigInt(since),
            after,
            limit: PAGE,
          }),
          { timeoutMs: TIMEOUT_MS, maxResponseBytes: ChatLimits.historyBytes },
        )
      let bytes: Uint8Array
      try {
        bytes = await ask(protocol)
      } catch (err) {
        // A device before issue 12 does not speak 1.1.0: ask it on 1.0.0.
        if (protocol === HISTORY_PROTOCOL || (await this.c.peers.understands(other.deviceId))) throw err
        protocol = HISTORY_PROTOCOL
        bytes = await ask(protocol)
      }
      const answer = decodeHistoryResponse(bytes)
      if (answer.result !== ChatResult.Ok) throw new Error(`${answer.message} [${answer.code}]`)
      this.chat.receive(answer.events)
      total += answer.events.length
      const last = answer.events.at(-1)
      if (!answer.more || last === undefined) return total
      after = new Uint8Array(this.chat.idOf(last))
    }
  }

  private verifyOptions() {
    return this.chat.verifyOptionsNow()
  }
}
