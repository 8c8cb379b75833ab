/**
 * The device's offline-store grants are made at the time it is given
 * (issue 12 §1), not the wall clock: a grant made at a virtual time a week
 * from Date.now() is good at that time, for ACCESS_TTL_MS, and no longer.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { ACCESS_TTL_MS, verifyAccess, type AccessWanted } from '../offline/access.js'
import { AccessKind, OfflineKeys, type TestDevice } from '../offline/auth.fixtures.js'
import { OfflineAuthError } from '../offline/errors.js'
import { accessGrant, type OfflineIdentity } from './offline-client.js'

const DAY = 86_400_000
/** A week before the wall clock: a grant stamped with Date.now() is good there for no moment at all. */
const T = Date.now() - 7 * DAY

let keys: OfflineKeys
let bob: TestDevice

beforeAll(async () => {
  keys = await OfflineKeys.create()
  bob = await keys.device('bob', { from: T - 60_000, days: 30 })
})

const take: () => AccessWanted = () => ({
  kind: AccessKind.Take,
  recipient: 'bob',
  deviceId: bob.deviceId,
  ids: [],
})

function refusal(grant: Uint8Array, now: number): string | undefined {
  try {
    verifyAccess(grant, take(), keys.verifyOptions(now))
    return undefined
  } catch (err) {
    if (err instanceof OfflineAuthError) return err.message
    throw err
  }
}

describe('an offline access grant on a virtual clock', () => {
  it('is good from the time it was made for ACCESS_TTL_MS, and expired after', () => {
    const me: OfflineIdentity = { username: 'bob', certificate: () => bob.certificate, signer: bob.signer }
    const grant = accessGrant(me, AccessKind.Take, [], T)
    expect(refusal(grant, T)).toBeUndefined()
    expect(refusal(grant, T + ACCESS_TTL_MS - 1)).toBeUndefined()
    expect(refusal(grant, T + ACCESS_TTL_MS)).toMatch(/expired/)
  })
})
