/** Supernode announcements: signed by the supernode's device key, whose certificate must allow the supernode role. */
import { PayloadType } from '../crypto/envelope.js'
import type { Signer } from '../crypto/keys.js'
import { plain } from '../wire/bytes.js'
import { ErrorCode } from '../wire/error-codes.js'
import { compareVersions } from '../wire/fields.js'
import { Announcement, decodeAnnouncementBody } from '../wire/overlay.js'
import type { Certificate, VerifyCertificateOptions } from './certificate.js'
import { signByDevice, verifyDeviceSigned } from './device-signed.js'
import { TrustError } from './errors.js'

export interface SupernodeAnnouncement {
  peerId: string
  /** The account the certificate names: the grant whose seat places this supernode. */
  username: string
  addrs: string[]
  capacity: number
  load: number
  version: string
  incarnation: number
  metricsUrl: string
  bytes: Uint8Array
}

export interface AnnouncementInput {
  certificate: Uint8Array
  addrs: string[]
  capacity: number
  load: number
  version: string
  incarnation: number
  metricsUrl: string
}

export function signAnnouncement(input: AnnouncementInput, device: Signer): Uint8Array {
  const body = Announcement.encode({
    ...input,
    certificate: plain(input.certificate),
    incarnation: BigInt(input.incarnation),
  })
  return signByDevice(PayloadType.Announcement, body, device)
}

export interface VerifyAnnouncementOptions extends VerifyCertificateOptions {
  /** Client versions the signed network config keeps out of the supernode role (rule 6). */
  bannedVersions: readonly string[]
  minClientVersion?: string
  /**
   * Whether the authority's current grant list names the certificate's
   * account. Undefined when no list is known (an authority older than grants,
   * or one still open to every account): then the certificate's flag alone
   * decides.
   */
  isGranted?: (certificate: Certificate) => boolean
}

export function verifyAnnouncement(
  bytes: Uint8Array,
  opts: VerifyAnnouncementOptions,
): SupernodeAnnouncement {
  const { body, certificate } = verifyDeviceSigned(
    'announcement',
    bytes,
    PayloadType.Announcement,
    decodeAnnouncementBody,
    opts,
  )
  if (!certificate.policy.maySupernode) {
    throw new TrustError(ErrorCode.PolicyForbids, `device ${certificate.deviceId} may not act as a supernode`)
  }
  if (opts.isGranted !== undefined && !opts.isGranted(certificate)) {
    throw new TrustError(
      ErrorCode.NotGranted,
      `${certificate.username} is not granted the supernode role (parley authority grant-supernode)`,
    )
  }
  if (
    opts.bannedVersions.includes(body.version) ||
    (opts.minClientVersion && compareVersions(body.version, opts.minClientVersion) < 0)
  ) {
    throw new TrustError(
      ErrorCode.VersionBanned,
      `version ${body.version} may not act as a supernode on this network`,
    )
  }
  return {
    peerId: certificate.deviceId,
    username: certificate.username,
    addrs: body.addrs,
    capacity: body.capacity,
    load: body.load,
    version: body.version,
    incarnation: body.incarnation,
    metricsUrl: body.metricsUrl,
    bytes,
  }
}
