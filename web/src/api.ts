/**
 * The page's client of the device that served it (client.ts): same origin
 * only, with the session token from this page's storage (session.ts) as a
 * Bearer header.
 */
import { apiOf, deviceClient } from './client.js'
import { authHeaders } from './session.js'

export { ApiError, isSignedOut, messageOf, ok, within } from './client.js'
export type { Answer, ContactAction } from './client.js'

export const device = deviceClient('/', authHeaders)

export const api = apiOf(device)
