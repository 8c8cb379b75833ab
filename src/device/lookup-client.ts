/**
 * A device's directory lookup: its supernodes asked in the order
 * lookup-order.ts decides, hedged, on real streams; every record verified
 * against the network key before it counts.
 */
import type { Libp2p } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { Lookup, type ReplicaAnswer } from '../directory/lookup.js'
import type { SlowPeers } from '../directory/slow-peers.js'
import { request } from '../net/rpc.js'
import { driveLookup } from '../supernode/drive-lookup.js'
import { Deadlines, Protocols } from '../supernode/protocols.js'
import { verifyPresence, type Presence } from '../trust/presence.js'
import { OverlayLimits } from '../wire/limits.js'
import { decodeDirectoryResponse, DirectoryKind, DirectoryRequest, DirectoryResult } from '../wire/overlay.js'
import { LookupError } from './connector.js'
import type { HedgeDelay } from '../directory/hedge-delay.js'
import { deviceLookupOptions, supernodeOrder } from './lookup-order.js'

export interface LookupClientInit {
  node: Libp2p
  /** The device's attachments now. */
  links: ReadonlyArray<{ peerId: string; addrs: Multiaddr[] }>
  anchor: { networkPublicKey: Uint8Array; networkId: string }
  isRevoked: (deviceId: string) => boolean
  slow: SlowPeers
  /** When to ask the next supernode too; fed with every supernode answer's time. */
  hedge: HedgeDelay
  random: () => number
}

/** The user's online devices; [] when a supernode says nobody is; LookupError when none could say. */
export async function lookupUser(init: LookupClientInit, username: string): Promise<Presence[]> {
  const links = new Map(init.links.map((l) => [l.peerId, l.addrs]))
  if (links.size === 0)
    throw new LookupError('not_attached', 'not attached to any supernode yet; try again in a moment')
  let lastError = 'no supernode answered'
  const req = DirectoryRequest.encode({ kind: DirectoryKind.Lookup, username, records: [] })
  const started = Date.now()
  const since = (): number => Date.now() - started
  const attempts: Array<{ peerId: string; askedMs: number; answer?: string }> = []
  const ask = async (peerId: string): Promise<ReplicaAnswer<Presence>> => {
    const attempt: { peerId: string; askedMs: number; answer?: string } = { peerId, askedMs: since() }
    attempts.push(attempt)
    const answered = (what: string): void => {
      attempt.answer = `${what} @${since()} ms`
      init.hedge.record(since() - attempt.askedMs)
    }
    try {
      const answer = decodeDirectoryResponse(
        await request(init.node, links.get(peerId) ?? [], Protocols.directory, req, {
          timeoutMs: Deadlines.lookupMs,
          maxResponseBytes: OverlayLimits.directoryBytes,
        }),
      )
      if (answer.result === DirectoryResult.NotFound) {
        answered('nobody')
        return { kind: 'not-found' }
      }
      if (answer.result !== DirectoryResult.Ok) {
        lastError = `${answer.message} [${answer.code}]`
        answered(lastError)
        return { kind: 'error' }
      }
      const now = Date.now()
      const records = answer.records.flatMap((bytes) => {
        try {
          const p = verifyPresence(bytes, { ...init.anchor, now })
          // A supernode may still hold a record from before a revocation: never list that device.
          return p.username !== username || init.isRevoked(p.deviceId) ? [] : [p]
        } catch {
          return []
        }
      })
      answered(`${records.length} records`)
      return { kind: 'found', records }
    } catch (err) {
      lastError = (err as Error).message
      attempt.answer = `${lastError} @${since()} ms`
      throw err
    }
  }
  const order = supernodeOrder([...links.keys()], (p) => init.slow.isSlow(p), init.random)
  const core = new Lookup<Presence>(
    deviceLookupOptions(order, username, Deadlines.lookupMs, init.hedge.delayMs()),
    Date.now(),
  )
  const result = await driveLookup(core, ask, init.slow)
  if (result.kind === 'not-found') return []
  if (result.kind === 'failed') {
    const trace = attempts.map(
      (a) => `${a.peerId} @${a.askedMs} ms: ${a.answer ?? `no answer by ${since()} ms`}`,
    )
    throw new LookupError('unavailable', `lookup failed: ${lastError}`, trace)
  }
  return result.records
}
