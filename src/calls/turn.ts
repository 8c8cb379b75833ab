/**
 * TURN credentials for a call: short-lived ones from an attached supernode
 * (`/parley/turn/1.0.0`, docs/calls.md), which derives them from the secret
 * it shares with its TURN server. None when no supernode runs one.
 */
import type { Libp2p } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { request } from '../net/rpc.js'
import { Deadlines, Protocols } from '../supernode/protocols.js'
import { decodeTurnResponse, TurnLimits, TurnRequest } from '../wire/chat.js'
import { ErrorCode } from '../wire/error-codes.js'

export interface TurnCredentials {
  urls: string[]
  username: string
  credential: string
  ttlS: number
}

export class TurnUnavailableError extends Error {
  override name = 'TurnUnavailableError'
  readonly code = ErrorCode.Unavailable
}

/** Asks each attached supernode in turn; throws TurnUnavailableError with the last reason. */
export async function turnCredentials(node: Libp2p, supernodes: Multiaddr[][]): Promise<TurnCredentials> {
  let last = 'not attached to any supernode yet'
  for (const addrs of supernodes) {
    try {
      const answer = decodeTurnResponse(
        await request(node, addrs, Protocols.turn, TurnRequest.encode({ version: 1 }), {
          timeoutMs: Deadlines.directoryMs,
          maxResponseBytes: TurnLimits.responseBytes,
        }),
      )
      if (answer.result === 0)
        return {
          urls: answer.urls,
          username: answer.username,
          credential: answer.credential,
          ttlS: answer.ttlS,
        }
      last = `${answer.message} [${answer.code}]`
    } catch (err) {
      last = (err as Error).message
    }
  }
  throw new TurnUnavailableError(`no TURN credentials: ${last}`)
}
