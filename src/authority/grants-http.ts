/**
 * The supernode grant routes of the authority's HTTP API: the signed list
 * every supernode fetches, and the operator's grant, withdraw and list under
 * the admin token. Mounted by createAuthorityApp (http.ts).
 */
import type { Context, Hono } from 'hono'
import type { Logger } from '../log/logger.js'
import { toBase64 } from '../wire/bytes.js'
import { ErrorCode } from '../wire/error-codes.js'
import { adminAuthorised } from './admin-token.js'
import { AuthorityError } from './errors.js'
import { checkPlaces, grantJson } from './grants.js'
import type { AuthorityService } from './service.js'
import * as v from './validate.js'

export interface GrantRoutesInit {
  service: AuthorityService
  adminToken: string
  log: Logger
}

function placesOf(value: unknown): number {
  if (typeof value !== 'number')
    throw new AuthorityError(400, ErrorCode.InvalidField, 'places must be a whole number')
  return checkPlaces(value)
}

export function mountGrantRoutes(app: Hono, init: GrantRoutesInit): void {
  const grants = init.service.grants

  const admin = async (c: Context): Promise<Record<string, unknown>> => {
    // A 32-byte random token: guessing it is hopeless, so failures are refused, not rate-limited here.
    if (!adminAuthorised(c.req.header('authorization'), init.adminToken)) {
      throw new AuthorityError(
        401,
        ErrorCode.Unauthorized,
        'an administrator token is needed (Authorization: Bearer …)',
      )
    }
    if (c.req.method === 'GET') return {}
    try {
      return v.asObject(await c.req.json())
    } catch (err) {
      if (err instanceof AuthorityError) throw err
      throw new AuthorityError(400, ErrorCode.InvalidJson, 'the body is not valid JSON')
    }
  }

  app.get('/v1/supernode-grants', async (c) => c.json({ list: toBase64(await grants.signedList()) }))
  // v2: with each grant's seat and places, for supernodes that place by seats (docs/directory.md).
  app.get('/v2/supernode-grants', async (c) => c.json({ list: toBase64(await grants.signedListV2()) }))

  app.get('/v1/admin/supernode-grants', async (c) => {
    await admin(c)
    return c.json({
      open: grants.open,
      sequence: await grants.sequence(),
      grants: (await grants.list()).map(grantJson),
    })
  })

  app.post('/v1/admin/supernode-grants', async (c) => {
    const body = await admin(c)
    const username = v.username(body)
    const places = body.places === undefined ? undefined : placesOf(body.places)
    const grant = await grants.grant(username, places)
    init.log.info({ username, places: grant.places }, 'supernode role granted')
    return c.json(grantJson(grant))
  })

  app.post('/v1/admin/supernode-grants/revoke', async (c) => {
    const username = v.username(await admin(c))
    const revoked = await grants.revoke(username)
    init.log.info({ username, revoked }, 'supernode role withdrawn')
    return c.json({ username, revoked })
  })
}
