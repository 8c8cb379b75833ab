/** The chat benchmark's printout: latency beside its floor, throughput, offline writes, and the goals. */
import { percentile } from '../support/load.js'
import { figure, formatTable } from '../support/report.js'
import type { LatencyResult } from './latency.js'
import { ChatLimits } from '../../src/wire/chat.js'
import type { ColdResult } from './cold.js'
import type { DepositResult } from './offline.js'
import type { PacedResult } from './paced.js'
import { COST_BATCH, type SendCost } from './send-cost.js'
import { targetLabel } from './target.js'
import type { ThroughputResult } from './throughput.js'

/** The goals from the issue. */
export const GOALS = {
  p50OverFloor: 3,
  p99Ms: 20,
  messagesPerSecond: 5_000,
  /** Offline items per second of supernode CPU (all replicas together), in batches; and sealing, ms an item. */
  offlineItemsPerCoreSecond: 5_000,
  sealMs: 0.3,
} as const

export interface Summary {
  p50: number
  p99: number
  max: number
}

export function summary(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b)
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN }
}

function ratio(a: number, b: number): string {
  return b > 0 && Number.isFinite(a) ? `${figure(a / b)}×` : '-'
}

export function latencyTable(rows: readonly LatencyResult[]): string {
  const columns = [
    { title: 'recipient', align: 'left' as const },
    { title: 'n' },
    { title: 'stream p50' },
    { title: 'stream p99' },
    { title: 'rpc p50' },
    { title: 'rpc p99' },
    { title: 'chat p50' },
    { title: 'chat p99' },
    { title: 'chat max' },
    { title: 'p50/stream' },
    { title: 'p50/rpc' },
    { title: 'new conns' },
  ]
  const cells = rows.map((r) => {
    const f = summary(r.streamMs)
    const q = summary(r.rpcMs)
    const c = summary(r.chatMs)
    return [
      targetLabel(r.target),
      String(r.chatMs.length),
      figure(f.p50),
      figure(f.p99),
      figure(q.p50),
      figure(q.p99),
      figure(c.p50),
      figure(c.p99),
      figure(c.max),
      ratio(c.p50, f.p50),
      ratio(c.p50, q.p50),
      String(r.connectionsOpened),
    ]
  })
  return formatTable(columns, cells)
}

export function coldTable(rows: readonly ColdResult[]): string {
  const columns = [
    { title: 'recipient', align: 'left' as const },
    { title: 'n' },
    { title: 'chat p50' },
    { title: 'chat max' },
    { title: 'each, ms', align: 'left' as const },
    { title: 'new conns' },
  ]
  const cells = rows.map((r) => {
    const c = summary(r.chatMs)
    return [
      targetLabel(r.target, r.reuse),
      String(r.chatMs.length),
      figure(c.p50),
      figure(c.max),
      r.chatMs.map(figure).join(' '),
      String(r.connectionsOpened),
    ]
  })
  return formatTable(columns, cells)
}

/** Delivered messages per second; for a run cut off by its time bound, over that bound. */
export function messagesPerSecond(r: ThroughputResult): number {
  return (r.delivered * 1000) / r.totalMs
}

export function throughputTable(rows: readonly ThroughputResult[]): string {
  const columns = [
    { title: 'recipient', align: 'left' as const },
    { title: 'delivered' },
    { title: 'msgs/s' },
    { title: 'sent in s' },
    { title: 'delivered in s' },
    { title: 'send µs/msg' },
    { title: 'pushes' },
    { title: 'events/push' },
    { title: 'push p50 ms' },
    { title: 'push p99 ms' },
    { title: 'lookups' },
    { title: 'bench CPU s' },
    { title: 'recipient CPU s' },
    { title: 'sender CPU µs/msg' },
    { title: 'recipient CPU µs/msg' },
  ]
  const cells = rows.map((r) => {
    const push = summary(r.probe.pushMs)
    const own = r.target.where === 'own process'
    return [
      targetLabel(r.target),
      r.delivered === r.messages ? String(r.messages) : `${r.delivered} of ${r.messages}!`,
      figure(messagesPerSecond(r)),
      figure(r.sendMs / 1000),
      figure(r.totalMs / 1000),
      figure((r.sendCallMs * 1000) / r.messages),
      String(r.probe.pushes),
      figure(r.probe.events / Math.max(1, r.probe.pushes)),
      figure(push.p50),
      figure(push.p99),
      String(r.probe.lookups),
      figure(r.benchCpuS),
      own ? figure(r.recipientCpuS) : '(in bench)',
      own ? figure((r.benchCpuS * 1e6) / r.messages) : '-',
      own ? figure((r.recipientCpuS * 1e6) / r.messages) : '-',
    ]
  })
  return formatTable(columns, cells)
}

export function pacedTable(rows: readonly PacedResult[]): string {
  const columns = [
    { title: 'recipient', align: 'left' as const },
    { title: 'msgs/s asked' },
    { title: 'msgs/s sent' },
    { title: 'delivered' },
    { title: 'p50 ms' },
    { title: 'p99 ms' },
    { title: 'max ms' },
    { title: 'sender CPU µs/msg' },
    { title: 'recipient CPU µs/msg' },
  ]
  const cells = rows.map((r) => {
    const l = summary(r.latenciesMs)
    const own = r.target.where === 'own process'
    return [
      targetLabel(r.target),
      String(r.rate),
      figure(r.sentRate),
      r.delivered === r.messages ? String(r.messages) : `${r.delivered} of ${r.messages}!`,
      figure(l.p50),
      figure(l.p99),
      figure(l.max),
      own ? figure((r.benchCpuS * 1e6) / r.messages) : '-',
      own ? figure((r.recipientCpuS * 1e6) / r.messages) : '-',
    ]
  })
  return formatTable(columns, cells)
}

export function depositTable(rows: readonly DepositResult[], held: number | undefined): string {
  const columns = [
    { title: 'deposits', align: 'left' as const },
    { title: 'items' },
    { title: 'requests' },
    { title: 'in flight' },
    { title: 'writes/s' },
    { title: 'request p50 ms' },
    { title: 'request p99 ms' },
    { title: 'busy' },
    { title: 'B/item' },
    { title: 'supernode CPU µs/item' },
    { title: 'deposited through' },
    { title: 'idle share' },
    { title: 'items/s per core' },
    { title: 'net of idle' },
    { title: 'seal CPU ms/item' },
  ]
  const cells = rows.map((r) => {
    const items = r.deposits === 0 ? 0 : r.plan.items
    return [
      r.plan.label,
      String(items),
      String(r.deposits),
      String(r.plan.inFlight),
      figure((items * 1000) / r.elapsedMs),
      figure(percentile(r.latenciesMs, 50)),
      figure(percentile(r.latenciesMs, 99)),
      String(r.busy),
      figure(r.bytesPerItem),
      figure(supernodeUsPerItem(r)),
      figure((r.targetCpuS * 1e6) / Math.max(1, items)),
      figure((r.idleCpuS * 1e6) / Math.max(1, items)),
      figure(1e6 / supernodeUsPerItem(r)),
      figure(1e6 / Math.max(1, supernodeUsPerItem(r) - (r.idleCpuS * 1e6) / Math.max(1, items))),
      figure(r.sealMs),
    ]
  })
  const table = formatTable(columns, cells)
  const items = rows.reduce((sum, r) => sum + r.plan.items, 0)
  return held === undefined
    ? table
    : `${table}\n(held by the supernodes afterwards: ${held} copies of ${items} items, ` +
        `${figure(held / Math.max(1, items))} each; R = 3, and a deposit is answered once one replica holds it)\n` +
        'supernode CPU: process CPU time (not wall time) of all the supernodes over the phase, per item: the one ' +
        "deposited through and the recipient's 3 replicas together, and their idle work (gossip, directory " +
        'upkeep), which "idle share" estimates from a sample taken just before; "deposited through" is that ' +
        'supernode alone. items/s per core = 10⁶ / supernode CPU µs an item (the goal); "net of idle" leaves ' +
        'the idle share out.'
}

/** CPU of all the supernodes (the one deposited through and the replicas) per item deposited. */
export function supernodeUsPerItem(r: DepositResult): number {
  return (r.supernodesCpuS * 1e6) / Math.max(1, r.plan.items)
}

export function sendCostLines(c: SendCost): string[] {
  const rest = c.sendUs - c.batchSignUs
  const both = c.sendUs + (Number.isFinite(c.receiveUs) ? c.receiveUs : 0)
  return [
    `What one message costs (CPU µs in this process, ${c.messages} messages, no network):`,
    `  chat.send ${figure(c.sendUs)} = its share of a batch signature ${figure(c.batchSignUs)} + SQLite and ` +
      `the rest ${figure(rest)} (${figure(c.preparesPerSend)} statements prepared per send)`,
    `  signing one event: alone ${figure(c.signUs)}, in batches of ${COST_BATCH} ${figure(c.batchSignUs)} ` +
      `(Merkle tree and one Ed25519 signature a batch)`,
    `  verifying one event (certificate, signature; a recipient's work, the sender skips its own): ` +
      `signed alone ${figure(c.verifyUs)}, batch-signed ${figure(c.batchVerifyUs)} (path, one root a batch)`,
    `  chat.receive on the recipient, per batch-signed event in pushes of ${ChatLimits.pushEvents}: ` +
      figure(c.receiveUs),
    `  so one core does at most ${figure(1e6 / both)} messages/s for sending and receiving together ` +
      `(${GOALS.messagesPerSecond}/s needs ${figure(1e6 / GOALS.messagesPerSecond)} µs a message for both, and ` +
      `the network besides)`,
  ]
}

export interface GoalCheck {
  text: string
  pass: boolean
}

export function goalChecks(
  latency: readonly LatencyResult[],
  throughput: readonly ThroughputResult[],
  paced: readonly PacedResult[] = [],
  deposits: readonly DepositResult[] = [],
): GoalCheck[] {
  const checks: GoalCheck[] = []
  for (const r of latency) {
    const c = summary(r.chatMs)
    const label = targetLabel(r.target)
    for (const [name, floor] of [
      ['fresh-stream floor', summary(r.streamMs).p50],
      ['rpc floor', summary(r.rpcMs).p50],
    ] as const) {
      checks.push({
        text: `${label}: p50 ${figure(c.p50)} ms ≤ ${GOALS.p50OverFloor} × ${name} ${figure(floor)} ms (${ratio(c.p50, floor)})`,
        pass: c.p50 <= GOALS.p50OverFloor * floor,
      })
    }
    checks.push({ text: `${label}: p99 ${figure(c.p99)} ms ≤ ${GOALS.p99Ms} ms`, pass: c.p99 <= GOALS.p99Ms })
  }
  for (const r of throughput) {
    const rate = messagesPerSecond(r)
    const cut = r.delivered < r.messages ? ` (only ${r.delivered} of ${r.messages} delivered in time)` : ''
    checks.push({
      text: `${targetLabel(r.target)}: ${figure(rate)} messages/s ≥ ${GOALS.messagesPerSecond} in one conversation${cut}`,
      pass: rate >= GOALS.messagesPerSecond && cut === '',
    })
  }
  for (const r of paced) {
    const l = summary(r.latenciesMs)
    const cut = r.delivered < r.messages ? ` (only ${r.delivered} of ${r.messages} delivered)` : ''
    checks.push({
      text: `${targetLabel(r.target)}: p99 ${figure(l.p99)} ms < ${GOALS.p99Ms} ms at ${r.rate} messages/s${cut}`,
      pass: l.p99 < GOALS.p99Ms && cut === '',
    })
  }
  for (const r of deposits) {
    const perCore = 1e6 / supernodeUsPerItem(r)
    if (r.plan.batch > 1)
      checks.push({
        text: `offline, ${r.plan.label}: ${figure(perCore)} items/s per supernode core ≥ ${GOALS.offlineItemsPerCoreSecond}`,
        pass: perCore >= GOALS.offlineItemsPerCoreSecond,
      })
    checks.push({
      text: `offline, ${r.plan.label}: sealing ${figure(r.sealMs)} ms of CPU an item ≤ ${GOALS.sealMs}`,
      pass: r.sealMs <= GOALS.sealMs,
    })
  }
  return checks
}
