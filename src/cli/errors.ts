/** Turns known failures into one clear line; only unknown ones (bugs) show a stack, and only with PARLEY_DEBUG. */
import { AuthorityRefusedError, AuthorityUnreachableError } from '../device/authority-client.js'
import { portHolder, portInUseMessage } from '../net/port-holder.js'
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
  'InsecureAuthorityError',
  'SupernodeForbiddenError',
  'LookupError',
  'ChildStartError',
  'StoreVersionError',
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
  const { address, port } = err as { address?: unknown; port?: unknown }
  if (code === 'EADDRINUSE' && typeof address === 'string' && typeof port === 'number')
    return { message: portInUseMessage(address, port, portHolder(port)), exitCode: 1 }
  if (code === 'EACCES' || code === 'ENOENT' || code === 'EADDRINUSE' || code === 'EEXIST') {
    return { message: (err as Error).message, exitCode: 1 }
  }
  const detail = process.env.PARLEY_DEBUG
    ? `\n${(err as Error).stack ?? String(err)}`
    : ' (set PARLEY_DEBUG=1 for details)'
  return { message: `unexpected failure: ${(err as Error).message ?? String(err)}${detail}`, exitCode: 70 }
}

/**
 * The body of a local API answer, or a CliError with its message and stable
 * code: a body that is not JSON (an older device, a bug) is one clear line
 * too, never "Unexpected end of JSON input".
 */
export async function apiAnswer(res: Response, who: string): Promise<Record<string, unknown>> {
  const text = await res.text()
  let body: (Record<string, unknown> & { error?: { code?: string; message?: string } }) | undefined
  try {
    const parsed: unknown = JSON.parse(text)
    if (typeof parsed === 'object' && parsed !== null) body = parsed as typeof body
  } catch {
    body = undefined
  }
  if (res.ok && body !== undefined) return body
  if (body?.error !== undefined)
    throw new CliError(`${body.error.message ?? res.statusText} [${body.error.code ?? res.status}]`)
  const said = text.trim().split('\n')[0]?.slice(0, 200) || 'an empty answer'
  throw new CliError(`${who} answered HTTP ${res.status} with ${said}, not JSON [${res.status}]`)
}
