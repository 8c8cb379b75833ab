import type { ErrorCode } from '../wire/error-codes.js'

export type TrustErrorCode =
  | typeof ErrorCode.TooLarge
  | typeof ErrorCode.Malformed
  | typeof ErrorCode.InvalidField
  | typeof ErrorCode.UnknownSigner
  | typeof ErrorCode.BadSignature
  | typeof ErrorCode.WrongPayloadType
  | typeof ErrorCode.WrongNetwork
  | typeof ErrorCode.CertificateExpired
  | typeof ErrorCode.CertificateNotYetValid
  | typeof ErrorCode.CertificateRevoked
  | typeof ErrorCode.PolicyForbids
  | typeof ErrorCode.NotGranted
  | typeof ErrorCode.VersionBanned
  | typeof ErrorCode.RecordExpired
  | typeof ErrorCode.BatchProofInvalid

/** A signed document (certificate, network config, revocation list) was refused. `.code` says why. */
export class TrustError extends Error {
  override name = 'TrustError'
  constructor(
    readonly code: TrustErrorCode,
    message: string,
  ) {
    super(message)
  }
}
