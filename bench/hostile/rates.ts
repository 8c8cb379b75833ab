/**
 * "Normal message rate": what an honest supernode receives per second from
 * one peer, read from the supernodes' own Prometheus counters over a quiet
 * window in which the honest workload runs and no attacker or probe does.
 *
 * - from a device: directory, offline and attach requests answered by every
 *   supernode, divided by the seconds and by the devices attached;
 * - from a fellow supernode: the counters give membership bytes sent, not
 *   messages, so the message rate comes from SWIM's schedule (each member
 *   sends one ping per probe interval and answers each ping it gets with an
 *   ack: 2 messages per interval, spread over the N − 1 others), and the
 *   measured bytes per second and ordered pair are printed beside it.
 */
import type { DevnetNode } from '../../src/devnet/devnet.js'
import { DEFAULTS } from '../../src/membership/constants.js'

const SCRAPE_TIMEOUT_MS = 5_000
const DEVICE_REQUESTS = [
  'parley_supernode_directory_requests_total',
  'parley_supernode_offline_requests_total',
  'parley_supernode_attach_total',
]

export interface Sample {
  at: number
  requests: number
  attached: number
  membershipBytes: number
}

/** The sum of every series of `name` in a Prometheus text page. */
export function sumOf(page: string, name: string): number {
  let sum = 0
  for (const line of page.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== '{' && line[name.length] !== ' ')) continue
    const value = Number(line.slice(line.lastIndexOf(' ') + 1))
    if (Number.isFinite(value)) sum += value
  }
  return sum
}

export async function sample(supernodes: readonly DevnetNode[]): Promise<Sample> {
  const pages = await Promise.all(
    supernodes.map(async (s) => {
      const res = await fetch(`${s.httpUrl}/metrics`, { signal: AbortSignal.timeout(SCRAPE_TIMEOUT_MS) })
      return res.text()
    }),
  )
  const total = (name: string) => pages.reduce((sum, p) => sum + sumOf(p, name), 0)
  return {
    at: Date.now(),
    requests: DEVICE_REQUESTS.reduce((sum, n) => sum + total(n), 0),
    attached: total('parley_supernode_attached_devices'),
    membershipBytes: total('parley_supernode_membership_bytes_sent_total'),
  }
}

export interface NormalRate {
  /** Requests per second one supernode receives from one attached device. */
  perDevice: number
  /** Membership bytes per second from one supernode to one other (measured). */
  membershipBytesPerPair: number
  /** Membership messages per second from one supernode to one other (SWIM's schedule). */
  membershipPerPair: number
  /** The larger of the two message rates: the busiest honest peer's. */
  perPeer: number
}

export function normalRate(a: Sample, b: Sample, supernodes: number): NormalRate {
  const s = (b.at - a.at) / 1000
  const pairs = supernodes * (supernodes - 1)
  const perDevice = (b.requests - a.requests) / s / Math.max(1, b.attached)
  const membershipPerPair = 2 / (DEFAULTS.probeIntervalMs / 1000) / (supernodes - 1)
  return {
    perDevice,
    membershipBytesPerPair: (b.membershipBytes - a.membershipBytes) / s / pairs,
    membershipPerPair,
    perPeer: Math.max(perDevice, membershipPerPair),
  }
}

const ANSWERS = [
  'parley_supernode_refused_total',
  'parley_supernode_offline_requests_total',
  'parley_supernode_directory_requests_total',
]

/** Every labelled series of the supernodes' answer counters, summed over the supernodes. */
export async function answers(supernodes: readonly DevnetNode[]): Promise<Map<string, number>> {
  const out = new Map<string, number>()
  for (const s of supernodes) {
    const res = await fetch(`${s.httpUrl}/metrics`, { signal: AbortSignal.timeout(SCRAPE_TIMEOUT_MS) })
    for (const line of (await res.text()).split('\n')) {
      if (!ANSWERS.some((n) => line.startsWith(`${n}{`))) continue
      const at = line.lastIndexOf(' ')
      const key = line.slice('parley_supernode_'.length, at)
      out.set(key, (out.get(key) ?? 0) + Number(line.slice(at + 1)))
    }
  }
  return out
}

/** The series that grew between two readings, largest first: "refused_total{…} +1234". */
export function grown(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): string[] {
  return [...b]
    .map(([key, v]) => [key, v - (a.get(key) ?? 0)] as const)
    .filter(([, d]) => d > 0)
    .sort((x, y) => y[1] - x[1])
    .map(([key, d]) => `${key} +${d}`)
}
