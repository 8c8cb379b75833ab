import type { ErrorCode } from '../wire/error-codes.js'

/** A refusal the authority answers with: an HTTP status and a stable code. */
export class AuthorityError extends Error {
  override name = 'AuthorityError'
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 429 | 503,
    readonly code: ErrorCode,
    message: string,
    /** For 429: when to try again, ms. */
    readonly retryAfterMs?: number,
  ) {
    super(message)
  }
}
