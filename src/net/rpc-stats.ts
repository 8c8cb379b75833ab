/**
 * Streams and exchanges per protocol in this process, counted by rpc.ts: a
 * fresh stream costs a multistream-select negotiation, a peer-store merge and
 * a close each way, a reused one none of these, so the two are told apart.
 * `bench:idle` reads them to say which protocols an idle network spends its
 * streams on: a process started with PARLEY_RPC_STATS=<folder> writes its
 * counts to <folder>/<pid>.json every few seconds.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export interface ProtocolCounts {
  /** Outbound streams opened (negotiated) for a request or a one-way message. */
  opened: number
  /** Outbound requests and one-way messages, on fresh or pooled streams. */
  sent: number
  /** Inbound streams accepted. */
  accepted: number
  /** Inbound requests and one-way messages handled. */
  served: number
}

export type Counter = keyof ProtocolCounts

const counts = new Map<string, ProtocolCounts>()

export function count(protocol: string, counter: Counter): void {
  let c = counts.get(protocol)
  if (c === undefined) counts.set(protocol, (c = { opened: 0, sent: 0, accepted: 0, served: 0 }))
  c[counter]++
}

/** A copy of the counts so far, by protocol. */
export function rpcCounts(): Record<string, ProtocolCounts> {
  return Object.fromEntries([...counts].map(([p, c]) => [p, { ...c }]))
}

/** How often the counts are written when PARLEY_RPC_STATS names a folder. */
export const STATS_EVERY_MS = 2_000

/** Writes the counts to `<dir>/<pid>.json` every STATS_EVERY_MS (an unref'd timer; a failed write is skipped). */
export function writeRpcStats(dir: string): void {
  mkdirSync(dir, { recursive: true })
  const file = join(dir, `${process.pid}.json`)
  const write = (): void => {
    try {
      writeFileSync(`${file}.tmp`, JSON.stringify({ argv: process.argv.slice(2), counts: rpcCounts() }))
      renameSync(`${file}.tmp`, file)
    } catch {
      // A debugging aid: a full disk must not matter to the node.
    }
  }
  setInterval(write, STATS_EVERY_MS).unref()
}
