/** Turns known failures into one clear line; only unknown ones (bugs) show a stack, and only with PARLEY_DEBUG. */
import { AuthorityRefusedError, AuthorityUnreachableError } from '../device/authority-client.js'
import { TrustError } from '../trust/errors.js'

/** The user asked for something the command cannot do as asked. Exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError'
}

/** A failure already explained to the user. Exit code 1. */
export class CliError extends Error {
  override name = 'CliError'
}

const KNOWN = new Set([
  'UsageError',
  'CliError',
  'ProfileError',
  'NotSignedInError',
  'CertificateExpiredError',
  'AuthorityFilesError',
  'KeyFormatError',
  'RateFormatError',
  'TrustedProxyFormatError',
  'AuthorityUnreachableError',
  'SupernodeForbiddenError',
  'LookupError',
])

export function describeError(err: unknown): { message: string; exitCode: number } {
  if (err instanceof AuthorityRefusedError) {
    const retry = err.retryAfterSeconds === undefined ? '' : ` (try again in ${err.retryAfterSeconds} s)`
    return { message: `the authority refused: ${err.message} [${err.code}]${retry}`, exitCode: 1 }
  }
  if (err instanceof TrustError) return { message: `${err.message} [${err.code}]`, exitCode: 1 }
  if (err instanceof AuthorityUnreachableError) return { message: err.message, exitCode: 1 }
  if (err instanceof Error && KNOWN.has(err.name)) {
    return { message: err.message, exitCode: err.name === 'UsageError' ? 2 : 1 }
  }
  const code = (err as { code?: string }).code
  if (code === 'EACCES' || code === 'ENOENT' || code === 'EADDRINUSE' || code === 'EEXIST') {
    return { message: (err as Error).message, exitCode: 1 }
  }
  const detail = process.env.PARLEY_DEBUG
    ? `\n${(err as Error).stack ?? String(err)}`
    : ' (set PARLEY_DEBUG=1 for details)'
  return { message: `unexpected failure: ${(err as Error).message ?? String(err)}${detail}`, exitCode: 70 }
}
