/**
 * TURN credentials for calls (/parley/turn/1.0.0). A supernode shares a
 * secret with the TURN server beside it (coturn's `use-auth-secret`) and
 * issues short-lived credentials in the TURN REST scheme, only to devices
 * attached to it: the username is "<expiry in seconds>:<device id>", the
 * credential HMAC-SHA1(secret, username) in base64. The TURN server checks
 * both offline; nothing else is shared.
 */
import { createHmac } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { Connection } from '@libp2p/interface'
import type { Admission } from '../attach/admission.js'
import { decodeTurnRequest, TurnResponse } from '../wire/chat.js'
import { ErrorCode } from '../wire/error-codes.js'

export interface TurnConfig {
  urls: string[]
  secret: string
  /** How long credentials live (default 1 hour: longer than most calls need to set up). */
  ttlS?: number
}

export const DEFAULT_TURN_TTL_S = 3600

export function turnCredential(secret: string, deviceId: string, nowMs: number, ttlS: number) {
  const username = `${Math.floor(nowMs / 1000) + ttlS}:${deviceId}`
  const credential = createHmac('sha1', secret).update(username).digest('base64')
  return { username, credential }
}

/** Reads the TURN settings given on the command line (a secret file, so the secret is not in `ps`). */
export function turnConfigOf(
  urls: string[] | undefined,
  secretFile: string | undefined,
): TurnConfig | undefined {
  if (urls === undefined || urls.length === 0) return undefined
  if (secretFile === undefined) throw new Error('--turn-url needs --turn-secret-file')
  const secret = readFileSync(secretFile, 'utf8').trim()
  if (secret.length < 16) throw new Error('the TURN secret must be at least 16 characters')
  return { urls, secret }
}

export class TurnService {
  constructor(
    private readonly admission: Admission,
    private readonly config: TurnConfig | undefined,
  ) {}

  handle(payload: Uint8Array, connection: Connection): Uint8Array {
    decodeTurnRequest(payload)
    const deviceId = connection.remotePeer.toString()
    const base = { code: '', message: '', urls: [], username: '', credential: '', ttlS: 0 }
    if (!this.admission.has(deviceId))
      return TurnResponse.encode({
        ...base,
        result: 2,
        code: ErrorCode.Unauthorized,
        message: 'attach before asking for TURN credentials',
      })
    if (this.config === undefined) return TurnResponse.encode({ ...base, result: 0 })
    const ttlS = this.config.ttlS ?? DEFAULT_TURN_TTL_S
    return TurnResponse.encode({
      ...base,
      result: 0,
      urls: this.config.urls,
      ...turnCredential(this.config.secret, deviceId, Date.now(), ttlS),
      ttlS,
    })
  }
}
