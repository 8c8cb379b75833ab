/**
 * Why the offline store refused a request on a device's behalf (issue 10,
 * H3). `.code` is the stable wire code the answer carries; `.trustCode` keeps the
 * certificate check's own code (certificate_revoked, bad_signature, …) for
 * the log.
 */
import type { ErrorCode } from '../wire/error-codes.js'

export type OfflineAuthCode =
  | typeof ErrorCode.AccessRequired
  | typeof ErrorCode.AccessDenied
  | typeof ErrorCode.DepositUnsigned
  | typeof ErrorCode.DepositInvalid
  | typeof ErrorCode.NotReplica

export class OfflineAuthError extends Error {
  override name = 'OfflineAuthError'
  constructor(
    readonly code: OfflineAuthCode,
    message: string,
    readonly trustCode?: string,
  ) {
    super(message)
  }
}
