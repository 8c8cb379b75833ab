/**
 * A route's JSON body, declared as `T` for the web client's typed client
 * (`hc`, web/src/api.ts) and handed to the route as unchecked fields: each
 * route checks its own and answers with a stable code. No body, or another
 * content type, reads as {}; a body that says it is JSON and is not is
 * `invalid_json`.
 */
import type { Next } from 'hono'
import { validator } from 'hono/validator'
import { ErrorCode } from '../wire/error-codes.js'

const JSON_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i

export const jsonBody = <T extends object>() => {
  const fields = validator('json', (value: T): Record<string, unknown> =>
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? { ...(value as Record<string, unknown>) }
      : {},
  )
  const checked = async (c: Parameters<typeof fields>[0], next: Next): Promise<Response | void> => {
    // Parsed once here (hono keeps it for the validator), so that bad JSON has its own code.
    if (JSON_TYPE.test(c.req.header('content-type') ?? '')) {
      const parsed = await c.req.json().then(
        () => true,
        () => false,
      )
      if (!parsed)
        return c.json({ error: { code: ErrorCode.InvalidJson, message: 'the body is not JSON' } }, 400)
    }
    return fields(c, next)
  }
  // The validator's type, which is what carries `T` to the client; the refusal above is untyped there.
  return checked as typeof fields
}
