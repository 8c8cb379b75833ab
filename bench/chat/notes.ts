/** What the chat benchmark prints under its tables: where the time went, and how to read the figures. */
import { figure } from '../support/report.js'
import type { LatencyResult } from './latency.js'
import type { DepositResult } from './offline.js'
import { summary } from './report.js'
import { targetLabel } from './target.js'
import type { ThroughputResult } from './throughput.js'

export function profileLines(
  latency: readonly LatencyResult[],
  throughput: readonly ThroughputResult[],
  deposits: readonly DepositResult[],
): string[] {
  const lines = ['Where the time went:']
  for (const r of latency) {
    const push = summary(r.probe.pushMs)
    const lookup = summary(r.probe.lookupMs)
    const send = summary(r.sendMs)
    const chat = summary(r.chatMs)
    lines.push(
      `  latency, ${targetLabel(r.target)}: p50 ${figure(chat.p50)} ms = chat.send ${figure(send.p50)} + ` +
        `push ${figure(push.p50)} + the rest ${figure(chat.p50 - send.p50 - push.p50)} (outbox wake-up and ` +
        `queries, ack bookkeeping); ${r.probe.pushes} pushes (p50 ${figure(push.p50)} ms, ` +
        `p99 ${figure(push.p99)} ms, ${figure(r.probe.events / Math.max(1, r.probe.pushes))} events each), ` +
        `${r.probe.lookups} directory lookups (p50 ${figure(lookup.p50)} ms, max ${figure(lookup.max)} ms), ` +
        `${r.connectionsOpened} connections opened to the recipient, echo of ${r.echoBytes} B; ` +
        `${connectionsText(r.connections)} open at the end${failuresText(r.probe.failures)}`,
    )
  }
  for (const r of throughput) {
    const seconds = r.totalMs / 1000
    const peak = Math.max(0, ...r.deliveredPerSlot) * 10
    lines.push(
      `  throughput, ${targetLabel(r.target)}: chat.send ${figure((r.sendCallMs * 1000) / r.messages)} µs a ` +
        `message (${figure(r.sendCallMs / 1000)} s of ${figure(seconds)} s); bench process ` +
        `${figure(r.benchCpuS / seconds)} cores` +
        (r.target.where === 'own process'
          ? `, recipient process ${figure(r.recipientCpuS / seconds)} cores`
          : '') +
        `; ${r.probe.pushes} pushes of ${figure(r.probe.events / Math.max(1, r.probe.pushes))} events, ` +
        `${r.probe.lookups} lookups; best 100 ms: ${figure(peak)} messages/s` +
        (r.viaOffline > 0 ? `; ${r.viaOffline} went through the offline store (a push failed)` : '') +
        failuresText(r.probe.failures),
    )
  }
  for (const r of deposits) {
    lines.push(
      `  offline, ${r.plan.label}: ${r.depositors} depositing devices; CPU: the chosen supernode ` +
        `${figure(r.targetCpuS / (r.elapsedMs / 1000))} cores, all ${r.supernodes} supernodes together ` +
        `${figure(r.supernodesCpuS / (r.elapsedMs / 1000))}, the depositors ${figure(r.benchCpuS / (r.elapsedMs / 1000))}; ` +
        `${figure((r.supernodesCpuS * 1e6) / Math.max(1, r.plan.items))} µs of supernode CPU an item; sealing ` +
        `(client side, before the clock) ${figure(r.sealMs)} ms of CPU an item`,
    )
  }
  return lines
}

function failuresText(failures: Map<string, number>): string {
  if (failures.size === 0) return ''
  const all = [...failures].sort((a, b) => b[1] - a[1])
  return `; failed pushes: ${all.map(([what, n]) => `${n}× ${what.slice(0, 160)}`).join('; ')}`
}

/** "1 direct" or "3 relayed (through 2 relays)". */
function connectionsText(addrs: readonly string[]): string {
  const relayed = addrs.filter((a) => a.includes('/p2p-circuit'))
  const relays = new Set(relayed.map((a) => /\/p2p\/([^/]+)\/p2p-circuit/.exec(a)?.[1]))
  const parts = []
  if (addrs.length > relayed.length) parts.push(`${addrs.length - relayed.length} direct`)
  if (relayed.length > 0) parts.push(`${relayed.length} relayed (through ${relays.size} relays)`)
  return parts.join(' and ') || 'no connection'
}

export function notes(): string {
  return [
    'Latency: ms from chat.send (sign, verify, commit, queue) until the sender marks the message delivered,',
    "which needs the recipient device's ack, sent after its SQLite commit; one message at a time. Floors, in",
    'the same samples: "stream", an echo of as many bytes as a one-message push on a fresh stream over the',
    'connection the sender holds (the issue\'s floor); "rpc", the same echo through src/net/rpc.ts request,',
    'which reuses an idle stream (one round trip: what a push costs on the wire). new conns: connections the',
    'sender opened to the recipient while measuring (0 = everything over the one it had).',
    'in-process: sender and recipient share this process (one event loop for both); own process: the',
    'recipient is the same code in its own process (bench/chat/peer-process.ts). relayed: recipient and',
    'sender closed their TCP listeners and publish only relay circuits (both behind NATs), so the sender',
    "reaches the recipient through a supernode's relay.",
    'After idle: the first message after the stream pools closed their idle streams; "+ reuse": with the',
    "sender's streams opened on the open connection (bench/chat/reuse.ts), as a fix would.",
    'Throughput: N messages through chat.send, one per event-loop turn, until all are delivered. pushes:',
    'requests the outbox made to the recipient; lookups: directory lookups (cached 3 s by the ChatService).',
    "Offline: deposits through one supernode, which stores each item on the recipient's 3 replicas and answers",
    'once one holds it; writes/s = items / wall time; request latency includes busy retries.',
  ].join('\n')
}
