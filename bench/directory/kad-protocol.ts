/**
 * The line protocol between the benchmark and its kad-dht processes: one JSON
 * object per line on the child's stdin (requests) and stdout (answers and the
 * ready line). Requests carry an id; answers echo it, so several may be in
 * flight at once. Closing stdin stops the process.
 */
import { MAX_PRESENCE_TTL_MS } from '../../src/trust/presence.js'

/**
 * A Parley device republishes every 4 minutes a record valid for 10; these
 * clients put once, and the bench puts again only when a phase could outlive
 * the records, so they are signed for the longest time a record may be valid.
 */
export const RECORD_TTL_MS = MAX_PRESENCE_TTL_MS

/** The record namespace: keys are /parley/<username>, validated and selected by the first segment. */
export const NAMESPACE = 'parley'

export function recordKey(username: string): Uint8Array {
  return new TextEncoder().encode(`/${NAMESPACE}/${username}`)
}

export interface ReadyLine {
  type: 'ready'
  nodes: Array<{ peerId: string; addrs: string[]; username?: string }>
}

export type KadRequest =
  /**
   * Every node (or one) dials these addresses; answers with routing table sizes. fresh: hang up
   * first, since a peer is added to the routing table only when a connection opens.
   */
  | { id: number; op: 'connect'; node?: number; addrs: string[]; fresh?: boolean }
  /** Routing table size and DHT mode of every node. */
  | { id: number; op: 'status' }
  /** The node signs its own presence record now and puts it under /parley/<its username>. */
  | { id: number; op: 'put'; node: number }
  /** The node gets /parley/<username> and verifies what it got. */
  | { id: number; op: 'get'; node: number; username: string }

export interface KadAnswer {
  id: number
  ok: boolean
  /** Time the operation took inside the node's process, ms. */
  ms?: number
  error?: string
  /** A get that ended without a valid record: kad answered nobody has it, or could not say. */
  outcome?: 'nobody' | 'unavailable'
  /** get: the verified record's username and device id. */
  username?: string
  deviceId?: string
  /** put: how many peers stored the record. */
  stored?: number
  /** connect and status: per node. */
  routingTable?: number[]
  modes?: string[]
}

export type KadLine = ReadyLine | KadAnswer

export function isReady(line: KadLine): line is ReadyLine {
  return 'type' in line && line.type === 'ready'
}
