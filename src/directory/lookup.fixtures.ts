/** A Lookup driven on virtual time, and the records and answers its tests use. */
import { Lookup, type LookupOptions, type LookupResult, type ReplicaAnswer } from './lookup.js'
import type { StoredRecord } from './records.js'

export const rec = (deviceId: string, sequence = 1, expiresAt = 1e9, username = 'alice'): StoredRecord => ({
  username,
  deviceId,
  sequence,
  expiresAt,
  bytes: new Uint8Array(0),
})
export const found = (...records: StoredRecord[]): ReplicaAnswer => ({ kind: 'found', records })
export const NOT_FOUND: ReplicaAnswer = { kind: 'not-found' }
export const ERROR: ReplicaAnswer = { kind: 'error' }

/** How a replica behaves: answers after `after` ms, or never (frozen, e.g. SIGSTOP). */
export type Behaviour = { after: number; answer: ReplicaAnswer } | 'frozen'

export interface Run {
  result: LookupResult | undefined
  decidedAt: number
  asks: Array<{ peer: string; at: number }>
  lookup: Lookup
  /** Answers still travelling when the lookup decided. */
  late: Array<{ at: number; peer: string; answer: ReplicaAnswer }>
}

/** Drives a Lookup on virtual time: the simulated network of these tests. */
export function run(opts: LookupOptions, behaviours: Record<string, Behaviour>, start = 0): Run {
  const lookup = new Lookup(opts, start)
  const asks: Run['asks'] = []
  let inbox: Run['late'] = []
  let now = start
  for (let steps = 0; steps < 1_000; steps++) {
    for (let peer = lookup.pollAsk(); peer !== undefined; peer = lookup.pollAsk()) {
      asks.push({ peer, at: now })
      const b = behaviours[peer] ?? 'frozen'
      if (b !== 'frozen') inbox.push({ at: now + b.after, peer, answer: b.answer })
    }
    if (lookup.result() !== undefined) break
    inbox.sort((a, b) => a.at - b.at)
    const timeout = lookup.pollTimeout()!
    const next = inbox[0]
    // An answer arriving at the same instant as a timer is delivered first.
    if (next !== undefined && next.at <= timeout) {
      inbox = inbox.slice(1)
      now = next.at
      lookup.onAnswer(next.peer, next.answer, now)
    } else {
      now = timeout
      lookup.handleTimeout(now)
    }
  }
  return { result: lookup.result(), decidedAt: now, asks, lookup, late: inbox }
}

export const replicas = ['r0', 'r1', 'r2']
