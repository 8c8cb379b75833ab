/**
 * Attachment, supernode side: a device with a valid, unrevoked certificate
 * for its own key is admitted within capacity; past it, the answer is "busy,
 * try these". Devices already served are never dropped to make room (rule 4).
 */
import type { Connection } from '@libp2p/interface'
import type { Admission } from '../attach/admission.js'
import type { HostHint } from '../attach/host-cache.js'
import type { Logger } from '../log/logger.js'
import { verifyCertificate } from '../trust/certificate.js'
import { TrustError } from '../trust/errors.js'
import { ErrorCode } from '../wire/error-codes.js'
import { OverlayLimits } from '../wire/limits.js'
import { AttachResponse, AttachResult, decodeAttachRequest } from '../wire/overlay.js'
import type { SupernodeMetrics } from './metrics.js'
import type { TrustState } from './trust-state.js'

export interface AttachServiceInit {
  admission: Admission
  trust: TrustState
  metrics: SupernodeMetrics
  log: Logger
  /** Other live supernodes, for busy answers and host caches. */
  others: () => HostHint[]
}

export class AttachService {
  /** The username of each attached device, from its verified certificate; kept in step with admission. */
  private readonly usernames = new Map<string, string>()

  constructor(private readonly init: AttachServiceInit) {}

  /** The username of an attached device, or undefined when it is not attached here. */
  usernameOf(deviceId: string): string | undefined {
    return this.init.admission.has(deviceId) ? this.usernames.get(deviceId) : undefined
  }

  handle(payload: Uint8Array, connection: Connection): Uint8Array {
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
    const others = this.init.others()
    const verdict = admission.admit(deviceId, others)
    if (!verdict.ok) {
      metrics.attachments.inc({ result: 'busy' })
      return AttachResponse.encode({
        ...common,
        result: AttachResult.Busy,
        code: ErrorCode.Unavailable,
        message: 'busy',
        hints: verdict.hints,
      })
    }
    this.usernames.set(deviceId, username)
    metrics.attachments.inc({ result: 'attached' })
    metrics.attached.set(admission.load)
    const hints = others.slice(0, OverlayLimits.hints)
    return AttachResponse.encode({
      ...common,
      load: admission.load,
      result: AttachResult.Attached,
      code: '',
      message: '',
      hints,
    })
  }

  /** The device's last connection closed: its place is free. */
  released(deviceId: string): void {
    this.usernames.delete(deviceId)
    if (!this.init.admission.has(deviceId)) return
    this.init.admission.release(deviceId)
    this.init.metrics.attached.set(this.init.admission.load)
  }

  private refuse(
    code: string,
    message: string,
    common: { load: number; capacity: number; configSequence: bigint },
  ): Uint8Array {
    this.init.metrics.attachments.inc({ result: code })
    this.init.log.info({ code }, 'attach refused')
    return AttachResponse.encode({ ...common, result: AttachResult.Refused, code, message, hints: [] })
  }
}
