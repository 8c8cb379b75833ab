/**
 * A device's presence record, published through every attached supernode:
 * soon after each attachment change (several in a burst make one record),
 * and every 4 minutes so the record, valid 10, never lapses while the device
 * is up. The record carries the device's relay circuits only, never its own
 * address. What the last publish that a supernode took says goes into
 * `/v1/status` as `published`.
 */
import type { Multiaddr } from '@multiformats/multiaddr'
import { signerOf } from '../crypto/keys.js'
import type { Logger } from '../log/logger.js'
import type { DeviceHost } from '../net/host.js'
import { request } from '../net/rpc.js'
import { Deadlines, Protocols } from '../supernode/protocols.js'
import { PresenceStatus, signPresence } from '../trust/presence.js'
import { plain } from '../wire/bytes.js'
import { OverlayLimits } from '../wire/limits.js'
import { decodeDirectoryResponse, DirectoryKind, DirectoryRequest, DirectoryResult } from '../wire/overlay.js'
import type { Profile } from './profile.js'

export const PRESENCE_TTL_MS = 10 * 60_000
const REPUBLISH_MS = 4 * 60_000
/** Attachment changes this close together make one record. */
const DEBOUNCE_MS = 150
/**
 * After a lost link, a random share of this more. Every device attached to a
 * supernode that froze or died notices within the same second or two (two
 * missed 2 s keepalives) and publishes through the supernode it kept; spread,
 * the live supernodes take that burst over a few seconds instead of all at
 * once, while it already fills their CPU with the repair that follows the
 * death (docs/directory.md, "The surge made smaller"). Its record meanwhile still
 * lists the lost relay beside the one it kept.
 */
export const LOST_LINK_SPREAD_MS = 3_000

/** Why the device's attachments changed: one came, or one was lost (dead, refused, left). */
export type AttachmentChange = 'attached' | 'lost'

/** How long after an attachment change the device publishes. Sans-IO: randomness goes in. */
export function publishDelayMs(change: AttachmentChange, random: () => number): number {
  return DEBOUNCE_MS + (change === 'lost' ? Math.floor(random() * LOST_LINK_SPREAD_MS) : 0)
}

export interface PublisherInit {
  node: DeviceHost
  profile: Profile
  /** The current certificate (renewed in place). */
  certificate: () => Uint8Array
  /** The attached supernodes' addresses. */
  links: () => Multiaddr[][]
  /** This device's relay circuits. */
  circuits: () => string[]
  log: Logger
  random: () => number
}

export class Publisher {
  private sequence = 0
  private timer: NodeJS.Timeout | undefined
  private debounce: NodeJS.Timeout | undefined
  /** When the pending publish is due (Date.now() ms), while one is. */
  private dueAt: number | undefined
  /** The last publish that a supernode took: when, and through how many. */
  published: { at: number; supernodes: number } | undefined

  constructor(private readonly init: PublisherInit) {}

  start(): void {
    this.timer = setInterval(() => this.soon(), REPUBLISH_MS)
  }

  /**
   * Publishes soon, once: several attachment changes in a burst make one record, published when the
   * soonest of their delays is due (publishDelayMs).
   */
  soon(change: AttachmentChange = 'attached'): void {
    const at = Date.now() + publishDelayMs(change, this.init.random)
    if (this.debounce !== undefined && this.dueAt !== undefined && this.dueAt <= at) return
    clearTimeout(this.debounce)
    this.dueAt = at
    this.debounce = setTimeout(
      () => {
        this.debounce = undefined
        this.dueAt = undefined
        void this.publish()
      },
      Math.max(0, at - Date.now()),
    )
  }

  /** Publishes now; resolves to how many supernodes took the record. Never throws. */
  async publish(status: PresenceStatus = PresenceStatus.ONLINE): Promise<number> {
    const links = this.init.links()
    if (links.length === 0) return 0
    const { log } = this.init
    this.sequence = Math.max(this.sequence + 1, Date.now())
    const record = signPresence(
      {
        certificate: this.init.certificate(),
        // Circuits only: a lookup tells anyone which supernodes relay for us, never our own address.
        addrs: this.init.circuits().slice(0, OverlayLimits.addrs),
        status,
        sequence: this.sequence,
        expiresAt: Date.now() + PRESENCE_TTL_MS,
      },
      signerOf(await this.init.profile.deviceKey()),
    )
    const req = DirectoryRequest.encode({
      kind: DirectoryKind.Publish,
      records: [plain(record)],
      username: '',
    })
    const results = await Promise.all(
      links.map(async (addrs) => {
        try {
          const answer = decodeDirectoryResponse(
            await request(this.init.node, addrs, Protocols.directory, req, {
              timeoutMs: Deadlines.directoryMs,
              maxResponseBytes: OverlayLimits.directoryBytes,
            }),
          )
          if (answer.result !== DirectoryResult.Ok)
            log.warn({ code: answer.code, message: answer.message }, 'publish refused')
          return answer.result === DirectoryResult.Ok
        } catch (err) {
          log.debug({ err: (err as Error).message }, 'publish failed')
          return false
        }
      }),
    )
    const ok = results.filter(Boolean).length
    if (ok > 0) this.published = { at: Date.now(), supernodes: ok }
    log.info({ supernodes: ok, sequence: this.sequence }, 'presence published')
    return ok
  }

  stop(): void {
    clearInterval(this.timer)
    clearTimeout(this.debounce)
  }
}
