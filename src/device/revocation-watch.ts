/**
 * What a device knows of revocations: the signed list, fetched from the
 * supernodes it is attached to (never by polling the authority, whose load
 * must stay flat when a whole network restarts), cached in the profile, the
 * higher sequence winning. The device checks it on every event, history
 * request, push and seal, and learns from it that it was itself revoked.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Libp2p } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Logger } from '../log/logger.js'
import { request } from '../net/rpc.js'
import { Deadlines, Protocols } from '../supernode/protocols.js'
import { newerList, verifyRevocationList, type RevocationList } from '../trust/revocations.js'
import {
  decodeRevocationsResponse,
  REVOCATIONS_RESPONSE_BYTES,
  RevocationsRequest,
} from '../wire/revocations.js'

/** How often the attached supernodes are asked (with jitter): with their own 20 s refresh, within the minute. */
export const REVOCATION_POLL_MS = 20_000
const FILE = 'revocations.bin'

export interface RevocationWatchInit {
  node: Libp2p
  dir: string
  anchor: () => { networkPublicKey: Uint8Array; networkId: string }
  supernodes: () => Multiaddr[][]
  log: Logger
  /** A newer list was taken (the device may find itself in it). */
  onChange: (list: RevocationList) => void
  pollMs?: number
  random?: () => number
}

export class RevocationWatch {
  private held: RevocationList | undefined
  private timer: NodeJS.Timeout | undefined
  private stopped = false

  constructor(private readonly init: RevocationWatchInit) {
    const file = join(init.dir, FILE)
    if (!existsSync(file)) return
    try {
      this.held = verifyRevocationList(readFileSync(file), init.anchor())
    } catch (err) {
      init.log.warn(
        { err: (err as Error).message },
        'cached revocation list refused; waiting for a fresh one',
      )
    }
  }

  get list(): RevocationList | undefined {
    return this.held
  }

  isRevoked(deviceId: string): boolean {
    return this.held?.has(deviceId) === true
  }

  start(): void {
    const every = this.init.pollMs ?? REVOCATION_POLL_MS
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

  /** Asks each attached supernode in turn until one answers; never throws. */
  async refresh(signal?: AbortSignal): Promise<void> {
    for (const addrs of this.init.supernodes()) {
      try {
        const answer = decodeRevocationsResponse(
          await request(
            this.init.node,
            addrs,
            Protocols.revocations,
            RevocationsRequest.encode({ sequence: BigInt(this.held?.sequence ?? 0) }),
            { timeoutMs: Deadlines.revocationsMs, maxResponseBytes: REVOCATIONS_RESPONSE_BYTES, signal },
          ),
        )
        if (answer.byteLength > 0) this.take(answer)
        return
      } catch (err) {
        this.init.log.debug({ err: (err as Error).message }, 'revocation list not fetched from a supernode')
      }
    }
  }

  /** Verifies and keeps a list when it is newer; anything else is ignored (with a log line). */
  take(bytes: Uint8Array): boolean {
    let list: RevocationList
    try {
      list = verifyRevocationList(bytes, this.init.anchor())
    } catch (err) {
      this.init.log.warn({ err: (err as Error).message }, 'revocation list refused')
      return false
    }
    if (!newerList(this.held, list)) return false
    this.held = list
    const tmp = join(this.init.dir, `.${FILE}.tmp`)
    writeFileSync(tmp, list.bytes, { mode: 0o600 })
    renameSync(tmp, join(this.init.dir, FILE))
    this.init.onChange(list)
    return true
  }
}
