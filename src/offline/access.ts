/**
 * The recipient device's grant to read or delete its own offline copies
 * (`parley/offline-access/1`, issue 10 H3). Before it, any supernode could
 * Take (read the metadata of) or Drop (delete, for good: the tombstone stops
 * repair from bringing it back) anyone's items. Now a replica serves a take
 * or a drop only with a grant signed by the device whose copies they are:
 *
 * - its certificate verifies (network key, network id, time, revocations);
 * - the grant's recipient is the certificate's username, and the request's;
 * - the request's device id is the certificate's device;
 * - the kind is the request's (a take grant never deletes);
 * - a drop names no id the device did not sign;
 * - it has not expired, and does not live longer than ACCESS_MAX_AHEAD_MS.
 *
 * A grant is a bearer token for a few minutes: the supernode the device gave
 * it to can replay it, to the same effect the device asked for (read its own
 * copies, drop ids it acknowledged), and nothing else. Sans-IO: `now` comes in.
 */
import { PayloadType } from '../crypto/envelope.js'
import type { Signer } from '../crypto/keys.js'
import type { VerifyCertificateOptions } from '../trust/certificate.js'
import { signByDevice, verifyDeviceSigned } from '../trust/device-signed.js'
import { TrustError } from '../trust/errors.js'
import { plain } from '../wire/bytes.js'
import { ErrorCode } from '../wire/error-codes.js'
import {
  ACCESS_ENVELOPE_BYTES,
  AccessKind,
  decodeOfflineAccessBody,
  OfflineAccessBody,
} from '../wire/offline-signed.js'
import { OfflineAuthError } from './errors.js'
import { hexId } from './types.js'

export { AccessKind }

/** How long a device's grant lives: one fetch or ack with its retries. */
export const ACCESS_TTL_MS = 2 * 60_000
/** The longest a replica accepts: the device's TTL plus clock skew between device and replica. */
export const ACCESS_MAX_AHEAD_MS = 5 * 60_000

export interface AccessInput {
  certificate: Uint8Array
  kind: AccessKind
  recipient: string
  /** Drop: exactly the ids acknowledged. Take: none. */
  ids?: readonly Uint8Array[]
  expiresAt: number
}

/** What a request asks to do with a device's copies. */
export interface AccessWanted {
  kind: AccessKind
  recipient: string
  deviceId: string
  /** Drop: the ids to delete, each of which the grant must name. */
  ids: readonly Uint8Array[]
}

export function signAccess(input: AccessInput, device: Signer): Uint8Array {
  const body = OfflineAccessBody.encode({
    certificate: plain(input.certificate),
    kind: input.kind,
    recipient: input.recipient,
    ids: (input.ids ?? []).map((id) => plain(id)),
    expiresAt: BigInt(input.expiresAt),
  })
  return signByDevice(PayloadType.OfflineAccess, body, device)
}

/** Throws OfflineAuthError: access_required (no grant) or access_denied (see the rules above). */
export function verifyAccess(grant: Uint8Array, wanted: AccessWanted, opts: VerifyCertificateOptions): void {
  if (grant.byteLength === 0)
    throw new OfflineAuthError(ErrorCode.AccessRequired, 'the recipient device’s signed grant is required')
  let signed
  try {
    signed = verifyDeviceSigned(
      'offline access',
      grant,
      PayloadType.OfflineAccess,
      decodeOfflineAccessBody,
      opts,
      ACCESS_ENVELOPE_BYTES,
    )
  } catch (err) {
    if (err instanceof TrustError) throw new OfflineAuthError(ErrorCode.AccessDenied, err.message, err.code)
    throw err
  }
  const { body, certificate } = signed
  const deny = (why: string): never => {
    throw new OfflineAuthError(ErrorCode.AccessDenied, `offline access: ${why}`)
  }
  if (body.recipient !== certificate.username) deny('the grant names another user than its certificate')
  if (body.recipient !== wanted.recipient) deny('the grant is for another recipient')
  if (certificate.deviceId !== wanted.deviceId) deny('the grant is for another device’s copies')
  if (body.kind !== wanted.kind)
    deny(body.kind === AccessKind.Take ? 'a take grant cannot drop' : 'a drop grant cannot take')
  if (body.expiresAt <= opts.now) deny('the grant has expired')
  if (body.expiresAt > opts.now + ACCESS_MAX_AHEAD_MS) deny('the grant claims to live too long')
  if (wanted.kind === AccessKind.Drop) {
    const covered = new Set(body.ids.map(hexId))
    for (const id of wanted.ids) if (!covered.has(hexId(id))) deny('an id to drop is not in the grant')
  }
}
