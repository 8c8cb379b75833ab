/**
 * Attachment, supernode side: a device with a valid, unrevoked certificate
 * for its own key is admitted within capacity; past it, the answer is "busy,
 * try these". Devices already served are never dropped to make room (rule 4).
 *
 * Two protocol versions, one decision: 1.0.0 answers with plain hints (old
 * devices), 1.1.0 with proofs, the supernode's own signed announcement and
 * each hint as its author's signed announcement (docs/attachment.md).
 */
import type { Connection, Libp2p } from '@libp2p/interface'
import type { Admission } from '../attach/admission.js'
import type { HostHint } from '../attach/host-cache.js'
import type { Logger } from '../log/logger.js'
import { serve } from '../net/rpc.js'
import { verifyCertificate } from '../trust/certificate.js'
import { TrustError } from '../trust/errors.js'
import { plain } from '../wire/bytes.js'
import { compareVersions } from '../wire/fields.js'
import { ErrorCode } from '../wire/error-codes.js'
import { OverlayLimits } from '../wire/limits.js'
import { AttachAnswer, AttachResponse, AttachResult, decodeAttachRequest } from '../wire/overlay.js'
import type { SupernodeMetrics } from './metrics.js'
import { Deadlines, PollIdle, Protocols } from './protocols.js'
import type { TrustState } from './trust-state.js'

/** Another live supernode as membership knows it, with the announcement it signed. */
export interface SignedHint extends HostHint {
  announcement: Uint8Array
}

export interface AttachServiceInit {
  admission: Admission
  trust: TrustState
  metrics: SupernodeMetrics
  log: Logger
  /** Other live supernodes, for busy answers and host caches. */
  others: () => SignedHint[]
  /** This supernode's current signed announcement: its proof of the role in 1.1.0 answers. */
  announcement: () => Uint8Array | undefined
}

interface Decision {
  result: number
  code: string
  message: string
  load: number
  capacity: number
  configSequence: bigint
  hints: SignedHint[]
}

export class AttachService {
  /** The username of each attached device, from its verified certificate; kept in step with admission. */
  private readonly usernames = new Map<string, string>()

  constructor(private readonly init: AttachServiceInit) {}

  /** Serves 1.1.0 beside 1.0.0, so old and new devices attach side by side. */
  async serve(node: Libp2p, onError: (err: unknown) => void): Promise<void> {
    const opts = {
      maxRequestBytes: OverlayLimits.attachBytes,
      timeoutMs: Deadlines.handlerMs,
      // Devices refresh each attachment every 40–60 s on the same stream (PollIdle).
      idleMs: PollIdle.attachServeMs,
      onError,
    }
    await serve(node, Protocols.attach, (p, c) => Promise.resolve(this.handle(p, c)), opts)
    await serve(node, Protocols.attachSigned, (p, c) => Promise.resolve(this.handleSigned(p, c)), opts)
  }

  /** The username of an attached device, or undefined when it is not attached here. */
  usernameOf(deviceId: string): string | undefined {
    return this.init.admission.has(deviceId) ? this.usernames.get(deviceId) : undefined
  }

  /** 1.0.0: plain hints, as old devices expect them. */
  handle(payload: Uint8Array, connection: Connection): Uint8Array {
    const d = this.decide(payload, connection, OverlayLimits.hints)
    return AttachResponse.encode({
      ...d,
      hints: d.hints.map(({ peerId, addrs, load, capacity, mega }) => ({
        peerId,
        addrs,
        load,
        capacity,
        mega,
      })),
    })
  }

  /** 1.1.0: every hint is its author's signed announcement, and this supernode proves its own role. */
  handleSigned(payload: Uint8Array, connection: Connection): Uint8Array {
    const d = this.decide(payload, connection, OverlayLimits.signedHints, true)
    return AttachAnswer.encode({
      ...d,
      announcement: plain(this.init.announcement() ?? new Uint8Array()),
      hints: d.hints.map((h) => plain(h.announcement)),
    })
  }

  /** The device's last connection closed: its place is free. */
  released(deviceId: string): void {
    this.usernames.delete(deviceId)
    if (!this.init.admission.has(deviceId)) return
    this.init.admission.release(deviceId)
    this.init.metrics.attached.set(this.init.admission.load)
  }

  private decide(payload: Uint8Array, connection: Connection, maxHints: number, signed = false): Decision {
    const { admission, trust, metrics } = this.init
    const req = decodeAttachRequest(payload)
    const common = {
      load: admission.load,
      capacity: admission.capacity,
      configSequence: BigInt(trust.config.sequence),
    }
    let deviceId: string
    let username: string
    try {
      const cert = verifyCertificate(req.certificate, trust.verifyOptions(Date.now()))
      deviceId = cert.deviceId
      username = cert.username
      if (deviceId !== connection.remotePeer.toString()) {
        return this.refuse(ErrorCode.ProofFailed, 'the certificate is for another device key', common)
      }
    } catch (err) {
      if (err instanceof TrustError) return this.refuse(err.code, err.message, common)
      throw err
    }
    // After the certificate, so a revoked device learns that first. An old device attached here would
    // get no offline service (it cannot sign a Store or a Take): it is told why instead.
    const min = trust.config.minClientVersion
    if (min !== '' && compareVersions(req.version, min) < 0)
      return this.refuse(ErrorCode.VersionBanned, tooOld(req.version, min), common)
    // 1.1.0 hints are announcements that fit the answer's per-hint cap (membership caps them below it anyway).
    const fits = (h: SignedHint) =>
      !signed || (h.announcement.byteLength > 0 && h.announcement.byteLength <= OverlayLimits.signedHintBytes)
    const others = this.init.others().filter(fits)
    const verdict = admission.admit(deviceId, others, username)
    if (!verdict.ok && 'refused' in verdict)
      return this.refuse(verdict.refused, 'this account has as many devices attached here as it may', common)
    if (!verdict.ok) {
      metrics.attachments.inc({ result: 'busy' })
      const byId = new Map(others.map((h) => [h.peerId, h]))
      const hints = verdict.hints.flatMap((h) => byId.get(h.peerId) ?? []).slice(0, maxHints)
      return { ...common, result: AttachResult.Busy, code: ErrorCode.Unavailable, message: 'busy', hints }
    }
    this.usernames.set(deviceId, username)
    metrics.attachments.inc({ result: 'attached' })
    metrics.attached.set(admission.load)
    return {
      ...common,
      load: admission.load,
      result: AttachResult.Attached,
      code: '',
      message: '',
      hints: others.slice(0, maxHints),
    }
  }

  private refuse(
    code: string,
    message: string,
    common: { load: number; capacity: number; configSequence: bigint },
  ): Decision {
    this.init.metrics.attachments.inc({ result: code })
    this.init.log.info({ code }, 'attach refused')
    return { ...common, result: AttachResult.Refused, code, message, hints: [] }
  }
}

/** The refusal a device below the network's minimum shows its user (old releases log it as is). */
export function tooOld(version: string, min: string): string {
  return `Parley ${version} is older than this network's minimum, ${min}: upgrade Parley to attach`
}
