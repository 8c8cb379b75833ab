/**
 * Every failure of the local API answers a JSON error with a stable code
 * (src/wire/error-codes.ts), never an empty body: a failure the routes did not
 * foresee is `internal` with its message, so the CLI and the web client show
 * one clear line instead of a JSON parse error (issue 10, H1's second defect).
 */
import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { ErrorCode } from '../wire/error-codes.js'

/** Codes the local API answers with besides the wire's own. */
const LOCAL_CODES = new Set<string>(['starting', 'forbidden_host', 'forbidden_origin', 'already_signed_in'])
const KNOWN = new Set<string>([...Object.values(ErrorCode), ...LOCAL_CODES])

export interface ApiErrorBody {
  error: { code: string; message: string }
}

/** The status and body for an error thrown by a route (a ChatError, a FileError, a bug). */
export function apiError(err: unknown): { status: ContentfulStatusCode; body: ApiErrorBody } {
  const message = err instanceof Error ? err.message : String(err)
  if (err instanceof HTTPException) {
    const code =
      err.status === 413
        ? ErrorCode.BodyTooLarge
        : err.status < 500
          ? ErrorCode.InvalidField
          : ErrorCode.Internal
    return { status: err.status, body: { error: { code, message } } }
  }
  const code = (err as { code?: unknown } | null)?.code
  if (typeof code === 'string' && KNOWN.has(code)) {
    const status = code === ErrorCode.NotFound ? 404 : code === 'starting' ? 503 : 409
    return { status, body: { error: { code, message } } }
  }
  return { status: 500, body: { error: { code: ErrorCode.Internal, message: message || 'internal error' } } }
}

/** Hono's onError handler for the whole local API. */
export const onApiError = (err: Error, c: Context): Response => {
  const { status, body } = apiError(err)
  return c.json(body, status)
}

/** Hono's notFound handler: an unknown path is a JSON error too. */
export const onApiNotFound = (c: Context): Response =>
  c.json({ error: { code: ErrorCode.NotFound, message: `no such API: ${c.req.method} ${c.req.path}` } }, 404)
