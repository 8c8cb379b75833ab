/**
 * A signed list the device holds (revocations, supernode grants): fetched
 * from the supernodes it is attached to, never by polling the authority
 * (whose load must stay flat when a whole network restarts), cached in the
 * profile, the higher sequence winning. The poll (list-poller.ts) asks every
 * source each round, so one supernode that keeps answering "nothing newer"
 * cannot hold a list back while another has it.
 */
import { existsSync, readFileSync } from 'node:fs'
import { rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Libp2p } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Logger } from '../log/logger.js'
import { request } from '../net/rpc.js'
import { Deadlines, PollIdle } from '../supernode/protocols.js'
import { decodeRevocationsResponse, RevocationsRequest } from '../wire/revocations.js'

export interface SignedList {
  sequence: number
  bytes: Uint8Array
}

export interface SignedListWatchInit<L extends SignedList> {
  node: Libp2p
  dir: string
  /** What the list is, for log lines: "revocation list", "supernode grant list". */
  label: string
  file: string
  protocol: string
  maxResponseBytes: number
  /** Verifies the bytes against the network key; throws when they do not. */
  verify: (bytes: Uint8Array) => L
  /** Whether `heard` replaces `held`. */
  newer: (held: L | undefined, heard: L) => boolean
  supernodes: () => Multiaddr[][]
  log: Logger
  /** A newer list was taken. */
  onChange: (list: L) => void
}

export class SignedListWatch<L extends SignedList> {
  private held: L | undefined
  private saving: Promise<void> = Promise.resolve()

  constructor(private readonly init: SignedListWatchInit<L>) {
    const file = join(init.dir, init.file)
    if (!existsSync(file)) return
    try {
      this.held = init.verify(readFileSync(file))
    } catch (err) {
      init.log.warn({ err: (err as Error).message }, `cached ${init.label} refused; waiting for a fresh one`)
    }
  }

  get list(): L | undefined {
    return this.held
  }

  /** The sequence of the list held, 0 for none: what a request asks "anything newer than?" with. */
  get sequence(): number {
    return this.held?.sequence ?? 0
  }

  /**
   * Asks every source at once, on this list's own protocol, and keeps the newest list any of them
   * has; never throws. The periodic poll asks for both lists at once (list-poller.ts); this is for
   * a list wanted now.
   */
  async refresh(signal?: AbortSignal): Promise<void> {
    await Promise.all(this.init.supernodes().map((addrs) => this.fetchFrom(addrs, signal)))
  }

  /** Asks one supernode on this list's own protocol and takes a newer list; never throws. */
  async fetchFrom(addrs: Multiaddr[], signal?: AbortSignal): Promise<void> {
    const payload = RevocationsRequest.encode({ sequence: BigInt(this.sequence) })
    let answer: Uint8Array
    try {
      answer = decodeRevocationsResponse(
        await request(this.init.node, addrs, this.init.protocol, payload, {
          timeoutMs: Deadlines.revocationsMs,
          maxResponseBytes: this.init.maxResponseBytes,
          signal,
          idleMs: PollIdle.listsMs,
        }),
      )
    } catch (err) {
      this.notFetched(err)
      return
    }
    if (answer.byteLength > 0) this.take(answer)
  }

  /** A source that did not answer: routine (it may be frozen or gone), so at debug. */
  notFetched(err: unknown): void {
    this.init.log.debug({ err: (err as Error).message }, `${this.init.label} not fetched from a supernode`)
  }

  /** Verifies and keeps a list when it is newer; anything else is ignored (with a log line). */
  take(bytes: Uint8Array): boolean {
    let list: L
    try {
      list = this.init.verify(bytes)
    } catch (err) {
      this.init.log.warn({ err: (err as Error).message }, `${this.init.label} refused`)
      return false
    }
    if (!this.init.newer(this.held, list)) return false
    this.held = list
    this.init.onChange(list)
    void this.save(list.bytes)
    return true
  }

  /** The newest list held, on disk for the next start: off the event loop, one write at a time, never throws. */
  private save(bytes: Uint8Array): Promise<void> {
    const tmp = join(this.init.dir, `.${this.init.file}.tmp`)
    this.saving = this.saving
      .then(async () => {
        await writeFile(tmp, bytes, { mode: 0o600 })
        await rename(tmp, join(this.init.dir, this.init.file))
      })
      .catch((err: unknown) =>
        this.init.log.warn({ err: String(err) }, `could not keep the ${this.init.label} on disk`),
      )
    return this.saving
  }
}
