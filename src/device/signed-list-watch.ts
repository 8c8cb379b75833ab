/**
 * A signed list the device holds (revocations, supernode grants): fetched
 * from the supernodes it is attached to, never by polling the authority
 * (whose load must stay flat when a whole network restarts), cached in the
 * profile, the higher sequence winning. Every source is asked each round, so
 * one supernode that keeps answering "nothing newer" cannot hold a list back
 * while another has it.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Libp2p } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Logger } from '../log/logger.js'
import { request } from '../net/rpc.js'
import { Deadlines } from '../supernode/protocols.js'
import { decodeRevocationsResponse, RevocationsRequest } from '../wire/revocations.js'

/** How often the attached supernodes are asked (with jitter): with their own 20 s refresh, within the minute. */
export const LIST_POLL_MS = 20_000

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
  pollMs?: number
  random?: () => number
}

export class SignedListWatch<L extends SignedList> {
  private held: L | undefined
  private timer: NodeJS.Timeout | undefined
  private stopped = false

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

  start(): void {
    const every = this.init.pollMs ?? LIST_POLL_MS
    const random = this.init.random ?? Math.random
    const next = (delay: number) => {
      if (this.stopped) return
      this.timer = setTimeout(() => {
        void this.refresh().finally(() => next(every * (0.75 + 0.5 * random())))
      }, delay)
      this.timer.unref()
    }
    // Soon after start: attachments take a moment, and a stolen device must learn early.
    next(Math.min(every, 2_000) * (0.5 + random()))
  }

  stop(): void {
    this.stopped = true
    clearTimeout(this.timer)
  }

  /** Asks every source at once and keeps the newest list any of them has; never throws. */
  async refresh(signal?: AbortSignal): Promise<void> {
    const payload = RevocationsRequest.encode({ sequence: BigInt(this.held?.sequence ?? 0) })
    const answers = await Promise.all(
      this.init.supernodes().map(async (addrs) => {
        try {
          return decodeRevocationsResponse(
            await request(this.init.node, addrs, this.init.protocol, payload, {
              timeoutMs: Deadlines.revocationsMs,
              maxResponseBytes: this.init.maxResponseBytes,
              signal,
            }),
          )
        } catch (err) {
          this.init.log.debug(
            { err: (err as Error).message },
            `${this.init.label} not fetched from a supernode`,
          )
          return new Uint8Array()
        }
      }),
    )
    for (const answer of answers) if (answer.byteLength > 0) this.take(answer)
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
    const tmp = join(this.init.dir, `.${this.init.file}.tmp`)
    writeFileSync(tmp, list.bytes, { mode: 0o600 })
    renameSync(tmp, join(this.init.dir, this.init.file))
    this.init.onChange(list)
    return true
  }
}
