/**
 * File transfer on a running device. Offering copies the file into the
 * profile while hashing it and records a FILE_OFFER in the conversation;
 * accepting records a FILE_ANSWER and pulls the bytes from the offering
 * device over /parley/file/1.0.0 (direct or through its relay), resuming
 * from the .part file after any break, across restarts of either side.
 */
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import { EventEmitter } from 'node:events'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { Stream } from '@libp2p/interface'
import { hex, type ChatNotice } from '../chat/chat.js'
import type { ChatService } from '../chat/service.js'
import type { MessageRow } from '../chat/store.js'
import { pathOf, type DeviceNode, type Path } from '../device/node.js'
import type { Profile } from '../device/profile.js'
import type { Logger } from '../log/logger.js'
import { bestConnection } from '../net/rpc.js'
import { ChatKind } from '../wire/chat.js'
import { FILE_PROTOCOL } from '../wire/files.js'
import { copyHashed } from './copy.js'
import { pullOnce, sha256Of } from './pull.js'
import { serveFiles } from './serve.js'
import { TransferTable } from './table.js'
import {
  OFFER_KEEP_MS,
  cancellable,
  expired,
  FileError,
  mayServe,
  offerText,
  parseOffer,
  permanent,
  ProgressGate,
  retryDelay,
  sanitizeName,
  type FileNotice,
  type OfferInfo,
  type TransferRecord,
  type TransferState,
} from './transfer.js'

/** How often unfinished transfers are checked for expiry (also at start). */
const SWEEP_EVERY_MS = 3600_000

export interface FileServiceOptions {
  device: DeviceNode
  chat: ChatService
  profile: Profile
  log: Logger
  /** Serve at most this many bytes per second (tests that need a transfer to last). */
  rateBytesPerS?: number
  /** Pull only through the sender's relay circuits (tests of the relayed path). */
  viaRelay?: boolean
  random?: () => number
}

export class FileService {
  readonly events = new EventEmitter<{ notice: [FileNotice] }>()
  private readonly table: TransferTable
  private readonly pulls = new Map<string, AbortController>()
  private readonly dir: string
  private readonly onChat = (n: ChatNotice): void => this.chatNotice(n)
  private readonly sweeper: NodeJS.Timeout

  private constructor(private readonly opts: FileServiceOptions) {
    this.dir = join(opts.profile.dir, 'files')
    mkdirSync(join(this.dir, 'in'), { recursive: true, mode: 0o700 })
    mkdirSync(join(this.dir, 'out'), { recursive: true, mode: 0o700 })
    this.table = new TransferTable(join(this.dir, 'transfers.json'))
    this.sweeper = setInterval(() => this.sweep(), SWEEP_EVERY_MS)
    this.sweeper.unref()
  }

  static async start(opts: FileServiceOptions): Promise<FileService> {
    const s = new FileService(opts)
    await serveFiles(opts.device.node, {
      decide: (t, remote, offset) => s.decide(t, remote, offset),
      path: (t) => join(s.dir, 'out', t),
      served: (t, offset) => s.table.served(t, offset),
      progress: (t, upTo) => s.served(t, upTo),
      live: (t) => {
        const state = s.table.get(t)?.state
        return state === 'accepted' || state === 'done'
      },
      rateBytesPerS: opts.rateBytesPerS,
      log: opts.log,
    })
    opts.chat.events.on('notice', s.onChat)
    // Offers that came while this service was not listening (a crash between commit and notice).
    for (const c of opts.chat.store.contacts(['accepted']))
      for (const m of opts.chat.store.conversation(c.username, 200)) if (m.kind === 'file') s.fromOffer(m)
    s.sweep()
    for (const r of s.table.all()) if (r.direction === 'in' && r.state === 'accepted') s.startPull(r)
    return s
  }

  list(): TransferRecord[] {
    return this.table.all()
  }

  /** The file to hand to the user: what we offered, or what we received in full. */
  content(id: string): { path: string; name: string; size: number } | undefined {
    const r = this.table.get(id)
    if (r === undefined) return undefined
    const path = join(this.dir, r.direction, r.transfer)
    const held = r.direction === 'out' ? cancellable(r.state) || r.state === 'done' : r.state === 'done'
    return held && existsSync(path) ? { path, name: r.name, size: r.size } : undefined
  }

  /** Copies the bytes into the profile while hashing them, then offers them in the conversation. */
  async offer(
    to: string,
    rawName: string,
    source: AsyncIterable<Uint8Array> | string,
    signal?: AbortSignal,
  ): Promise<TransferRecord> {
    const chat = this.opts.chat
    if (chat.store.contact(to)?.state !== 'accepted')
      throw new FileError('not_contact', `${to} is not a contact`)
    const name = sanitizeName(rawName)
    const transfer = randomBytes(16).toString('hex')
    const path = join(this.dir, 'out', transfer)
    const { size, sha256 } = await copyHashed(source, path, signal)
    const info = { transfer, name, size, sha256 }
    const id = chat.chat.record(ChatKind.FILE_OFFER, to, offerText(info))
    chat.delivery.kick()
    return this.put(info, 'out', to, hex(id), this.opts.device.peerId)
  }

  /** A new transfer, offered: ours to a contact, or a contact's to us. */
  private put(o: OfferInfo, direction: 'in' | 'out', peer: string, offer: string, device: string) {
    const fresh = { state: 'offered' as const, received: 0, acceptedBy: [], servedFrom: [], at: Date.now() }
    return this.table.put({ ...o, direction, peer, offer, device, ...fresh })
  }

  accept(id: string): TransferRecord {
    const r = this.incoming(id)
    if (r.state === 'offered') {
      this.answer(r, 'accept')
      this.setState(r, 'accepted')
    }
    if (r.state === 'accepted') this.startPull(r)
    return r
  }

  decline(id: string): TransferRecord {
    const r = this.incoming(id)
    if (r.state === 'offered' || r.state === 'accepted') {
      this.pulls.get(r.transfer)?.abort()
      this.answer(r, 'decline')
      this.removeCopy(r)
      this.setState(r, 'declined')
    }
    return r
  }

  /**
   * Stops a transfer from either side, while it is offered or crossing: the
   * other side hears it (a receiver's cancel is a decline), the pull stops,
   * and the bytes held for it (the sender's copy, the receiver's .part) go.
   */
  cancel(id: string): TransferRecord {
    const r = this.table.get(id) ?? this.table.byOffer(id)
    if (r === undefined) throw new FileError('not_found', 'no such transfer')
    if (!cancellable(r.state))
      throw new FileError(
        'not_cancellable',
        `this transfer is ${r.state}; only one under way can be cancelled`,
      )
    // Not accepted yet: for the receiver that is a decline.
    if (r.direction === 'in' && r.state === 'offered') return this.decline(r.transfer)
    this.pulls.get(r.transfer)?.abort()
    this.answer(r, r.direction === 'out' ? 'cancel' : 'decline')
    this.removeCopy(r)
    this.setState(r, 'cancelled')
    return this.table.get(r.transfer)!
  }

  async stop(): Promise<void> {
    clearInterval(this.sweeper)
    this.opts.chat.events.off('notice', this.onChat)
    for (const c of this.pulls.values()) c.abort()
    await this.opts.device.node.unhandle(FILE_PROTOCOL).catch(() => undefined)
    this.table.save()
  }

  // ---- offers and answers from the conversation ---------------------------------

  private chatNotice(n: ChatNotice): void {
    if (n.type === 'message' && n.message.kind === 'file') this.fromOffer(n.message)
    if (n.type !== 'file-answer') return
    const r = this.table.byOffer(n.offer)
    if (r === undefined) return
    if (r.direction === 'in' && n.username === r.peer && n.answer === 'cancel' && cancellable(r.state)) {
      // The sender took the offer back.
      this.pulls.get(r.transfer)?.abort()
      this.removeCopy(r)
      this.setState(r, 'cancelled')
      return
    }
    if (n.answer !== 'accept' && n.answer !== 'decline') return
    const state: TransferState = n.answer === 'accept' ? 'accepted' : 'declined'
    if (r.direction === 'out' && n.username === r.peer) {
      if (state === 'accepted' && !r.acceptedBy.includes(n.deviceId))
        this.table.update(r.transfer, { acceptedBy: [...r.acceptedBy, n.deviceId] })
      if (r.state === 'offered' || (r.state === 'accepted' && state === 'declined')) {
        if (state === 'declined') this.removeCopy(r)
        this.setState(r, state)
      }
    }
  }

  /** Unfinished transfers past their keep expire, and their bytes go. */
  private sweep(now = Date.now()): void {
    for (const r of this.table.all()) {
      if (expired(r, now)) {
        this.pulls.get(r.transfer)?.abort()
        this.removeCopy(r)
        this.setState(r, 'expired')
      } else if (r.direction === 'out' && r.state === 'done' && now - r.at > OFFER_KEEP_MS) {
        // Received, and kept as long as an offer for the receiver's other devices: now it goes.
        this.removeCopy(r)
      }
    }
  }

  /** Bytes served up to `upTo`; served to the end, the transfer is done on this side too. */
  private served(transfer: string, upTo: number): void {
    this.table.progress(transfer, upTo)
    const r = this.table.get(transfer)
    if (r?.direction === 'out' && r.state === 'accepted' && upTo >= r.size) this.setState(r, 'done')
  }

  /**
   * The sender's copy, or the receiver's partial file: not needed once a
   * transfer is over. Removed before the new state is shown (one unlink, done
   * in line), so whoever sees "declined" or "cancelled" finds the bytes gone.
   */
  private removeCopy(r: TransferRecord): void {
    const path =
      r.direction === 'out' ? join(this.dir, 'out', r.transfer) : join(this.dir, 'in', `${r.transfer}.part`)
    try {
      rmSync(path, { force: true })
    } catch (err) {
      this.opts.log.warn(
        { transfer: r.transfer, err: (err as Error).message },
        'could not remove a file copy',
      )
    }
  }

  private fromOffer(m: MessageRow): TransferRecord | undefined {
    if (m.sender === this.opts.chat.username) return undefined
    const o = parseOffer(m.text)
    if (o === undefined) return undefined
    const known = this.table.get(o.transfer)
    if (known !== undefined) return known.direction === 'in' && known.peer === m.sender ? known : undefined
    return this.put(o, 'in', m.sender, m.id, m.senderDevice)
  }

  /** An incoming transfer by its id or its offer message's id. */
  private incoming(id: string): TransferRecord {
    let r = this.table.get(id) ?? this.table.byOffer(id)
    if (r === undefined && /^[0-9a-f]{32}$/.test(id)) {
      const m = this.opts.chat.store.message(Buffer.from(id, 'hex'))
      if (m?.kind === 'file') r = this.fromOffer(m)
    }
    if (r?.direction !== 'in') throw new FileError('not_found', 'no such incoming file')
    return r
  }

  private answer(r: TransferRecord, answer: 'accept' | 'decline' | 'cancel'): void {
    this.opts.chat.chat.record(ChatKind.FILE_ANSWER, r.peer, answer, [Buffer.from(r.offer, 'hex')])
    this.opts.chat.delivery.kick()
  }

  private setState(r: TransferRecord, state: TransferState, error?: string): void {
    this.table.update(r.transfer, { state, error })
    this.events.emit('notice', { type: 'file-state', transfer: r.transfer, state })
  }

  // ---- serving --------------------------------------------------------------------

  private async decide(transfer: string, remote: string, offset: number) {
    const r = this.table.get(transfer)
    const quick = mayServe(r, remote, [], offset)
    if (quick.ok || r === undefined || quick.code !== 'not_accepted' || r.acceptedBy.length === 0)
      return quick
    // Another device of the user who accepted (their devices by the directory).
    const devices = await this.opts.chat.devicesOf(r.peer).catch(() => [])
    return mayServe(
      r,
      remote,
      devices.map((d) => d.deviceId),
      offset,
    )
  }

  // ---- pulling --------------------------------------------------------------------

  private startPull(r: TransferRecord): void {
    if (this.pulls.has(r.transfer)) return
    const controller = new AbortController()
    this.pulls.set(r.transfer, controller)
    void this.pullLoop(r, controller.signal).finally(() => this.pulls.delete(r.transfer))
  }

  private async pullLoop(r: TransferRecord, signal: AbortSignal): Promise<void> {
    const part = join(this.dir, 'in', `${r.transfer}.part`)
    const gate = new ProgressGate(100)
    const random = this.opts.random ?? Math.random
    for (let attempt = 0; !signal.aborted; attempt++) {
      try {
        await pullOnce(
          (s) => this.openStream(r, s),
          { transfer: r.transfer, size: r.size, part },
          (received, offset) => {
            if (received > offset) attempt = 0
            this.table.progress(r.transfer, received)
            if (gate.due(Date.now(), received, r.size)) this.progressed(r, received)
          },
          signal,
        )
        await this.finish(r, part)
        return
      } catch (err) {
        if (signal.aborted) return
        const code = err instanceof FileError ? err.code : 'unreachable'
        if (permanent(code)) return this.fail(r, code, (err as Error).message)
        this.opts.log.debug(
          { transfer: r.transfer, err: (err as Error).message },
          'file pull broke; retrying',
        )
        await sleep(retryDelay(attempt, random()), undefined, { signal }).catch(() => undefined)
      }
    }
  }

  /**
   * A stream to the offering device: over an open direct connection, else
   * over the best connection `connect` gets from its presence (direct to a
   * contact when it can be, through its relay otherwise). The path taken is
   * recorded on the transfer.
   */
  private async openStream(r: TransferRecord, signal: AbortSignal): Promise<Stream> {
    const { device } = this.opts
    const peer = peerIdFromString(r.device)
    const options = { signal, runOnLimitedConnection: true }
    if (!this.opts.viaRelay) {
      let conn = bestConnection(device.node, peer)
      if (conn?.direct !== true) {
        // A relayed connection open already serves when the directory cannot answer.
        const open = conn
        const listed = await this.opts.chat.devicesOf(r.peer).catch((err: unknown) => {
          if (open === undefined) throw err
          return []
        })
        const presence = listed.find((d) => d.deviceId === r.device)
        if (presence !== undefined) conn = await device.connect(presence, { waitForDirect: true })
        else if (conn === undefined)
          throw new FileError('offline', `${r.peer}'s device that offered the file is offline`)
      }
      this.notePath(r, pathOf(conn))
      return conn.newStream(FILE_PROTOCOL, options)
    }
    const presence = (await this.opts.chat.devicesOf(r.peer)).find((d) => d.deviceId === r.device)
    if (presence === undefined)
      throw new FileError('offline', `${r.peer}'s device that offered the file is offline`)
    const circuit = presence.addrs.find((a) => a.includes('/p2p-circuit'))
    if (circuit === undefined) throw new FileError('offline', 'the offering device has no relay address')
    const target = multiaddr(circuit.includes(`/p2p/${r.device}`) ? circuit : `${circuit}/p2p/${r.device}`)
    const conn = await device.node.dial(target, { signal, force: true })
    const relayed = conn.remoteAddr.toString().includes('/p2p-circuit')
    this.notePath(r, relayed ? 'relayed' : 'direct')
    // libp2p joins a dial already under way to the same peer (a chat push dialling it directly at
    // that moment): this mode wants the circuit, so that attempt is retried rather than used.
    if (!relayed) throw new FileError('unreachable', 'the dial joined a direct one; trying the circuit again')
    return conn.newStream(FILE_PROTOCOL, options)
  }

  private notePath(r: TransferRecord, path: Path): void {
    if (this.table.get(r.transfer)?.path !== path) this.table.update(r.transfer, { path })
  }

  private async finish(r: TransferRecord, part: string): Promise<void> {
    if ((await sha256Of(part)) !== r.sha256) {
      await rm(part, { force: true })
      return this.fail(r, 'checksum_mismatch', 'the received file does not match the offered SHA-256')
    }
    await rename(part, join(this.dir, 'in', r.transfer))
    this.table.update(r.transfer, { state: 'done', received: r.size })
    this.progressed(r, r.size)
    this.events.emit('notice', { type: 'file-done', transfer: r.transfer, name: r.name, size: r.size })
  }

  private progressed(r: TransferRecord, received: number): void {
    this.events.emit('notice', { type: 'file-progress', transfer: r.transfer, received, size: r.size })
  }

  private fail(r: TransferRecord, code: string, message: string): void {
    this.table.update(r.transfer, { state: 'failed', error: code })
    this.events.emit('notice', { type: 'file-failed', transfer: r.transfer, code, message })
  }
}
