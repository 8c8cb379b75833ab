/** The hostile benchmark's figures: per-phase rows, quiet against attacked, and each attacker's cost. */
import { percentile } from '../support/load.js'
import { figure, formatTable } from '../support/report.js'
import type { Phase } from '../directory/stats.js'
import type { AttackerReport, AttackKind } from './protocol.js'
import type { Delivery } from './workload.js'

export interface PhaseFigures {
  aim: 'sink' | 'victims'
  round: number
  lookups: Phase
  delivery: Delivery
  seconds: number
  /** CPU seconds over the phase, by supernode peer id. */
  supernodeCpuS: Map<string, number>
  attackerCpuS: number[]
  sinkCpuS: number
  benchCpuS: number
  poolsCpuS: number
  counts: AttackerReport[]
}

export interface AttackerInfo {
  kind: AttackKind
  victimIds: string[]
}

const label = (p: PhaseFigures) => `${p.aim === 'sink' ? 'quiet (attackers → sink)' : 'attacked'} #${p.round}`
const sum = (xs: Iterable<number>) => [...xs].reduce((a, b) => a + b, 0)
const cores = (cpuS: number, s: number) => figure(cpuS / s)

export function phaseTable(phases: readonly PhaseFigures[]): string {
  return formatTable(
    [
      { title: 'phase', align: 'left' },
      { title: 'lookups' },
      { title: 'p50 ms' },
      { title: 'p99 ms' },
      { title: 'max ms' },
      { title: 'failed' },
      { title: 'msgs' },
      { title: 'delivered' },
      { title: 'msg p99 ms' },
      { title: 'SN cores' },
      { title: 'attacker cores' },
      { title: 'sink cores' },
      { title: 'bench+pools cores' },
    ],
    phases.map((p) => {
      const s = p.lookups.summary()
      const d = [...p.delivery.latenciesMs].sort((a, b) => a - b)
      return [
        label(p),
        String(p.lookups.count),
        figure(s.p50),
        figure(s.p99),
        figure(s.max),
        p.lookups.failureText(),
        String(p.delivery.sent),
        String(p.delivery.delivered),
        figure(percentile(d, 99)),
        cores(sum(p.supernodeCpuS.values()), p.seconds),
        cores(sum(p.attackerCpuS), p.seconds),
        cores(p.sinkCpuS, p.seconds),
        cores(p.benchCpuS + p.poolsCpuS, p.seconds),
      ]
    }),
  )
}

export interface Comparison {
  p50: [number, number]
  p99: [number, number]
  supernodeCores: [number, number]
}

/** Every quiet phase's lookups pooled against every attacked phase's. */
export function compare(phases: readonly PhaseFigures[]): Comparison {
  const pool = (aim: PhaseFigures['aim']) => {
    const ps = phases.filter((p) => p.aim === aim)
    const lat = ps.flatMap((p) => p.lookups.latenciesMs).sort((a, b) => a - b)
    const cpu = sum(ps.map((p) => sum(p.supernodeCpuS.values()))) / sum(ps.map((p) => p.seconds))
    return { p50: percentile(lat, 50), p99: percentile(lat, 99), cpu }
  }
  const q = pool('sink')
  const a = pool('victims')
  return { p50: [q.p50, a.p50], p99: [q.p99, a.p99], supernodeCores: [q.cpu, a.cpu] }
}

export function comparisonLines(c: Comparison): string[] {
  const row = (name: string, [q, a]: [number, number], unit: string) =>
    `  ${name.padEnd(22)} quiet ${figure(q).padStart(6)} ${unit}  attacked ${figure(a).padStart(6)} ${unit}  ×${figure(a / q)}`
  return [
    row('lookup p50', c.p50, 'ms'),
    row('lookup p99', c.p99, 'ms'),
    row('supernode CPU (all)', c.supernodeCores, 'cores'),
  ]
}

/** Each attacker's CPU per second against its victims' extra CPU per second (attacked less quiet). */
export function costTable(phases: readonly PhaseFigures[], attackers: readonly AttackerInfo[]): string {
  const of = (aim: PhaseFigures['aim']) => phases.filter((p) => p.aim === aim)
  const secs = (aim: PhaseFigures['aim']) => sum(of(aim).map((p) => p.seconds))
  const victimsCores = (aim: PhaseFigures['aim'], ids: string[]) =>
    sum(of(aim).map((p) => sum(ids.map((id) => p.supernodeCpuS.get(id) ?? 0)))) / secs(aim)
  return formatTable(
    [
      { title: 'attacker', align: 'left' },
      { title: 'victims' },
      { title: 'sends/s' },
      { title: 'failed' },
      { title: 'skipped' },
      { title: 'attacker cores' },
      { title: 'victims quiet' },
      { title: 'victims attacked' },
      { title: 'victims extra' },
      { title: 'extra / attacker' },
    ],
    attackers.map((a, i) => {
      const attacked = of('victims')
      const sent = sum(attacked.map((p) => p.counts[i]?.sent ?? 0))
      const attackerCores = sum(attacked.map((p) => p.attackerCpuS[i] ?? 0)) / secs('victims')
      const quiet = victimsCores('sink', a.victimIds)
      const hit = victimsCores('victims', a.victimIds)
      return [
        a.kind,
        String(a.victimIds.length),
        figure(sent / secs('victims')),
        String(sum(attacked.map((p) => p.counts[i]?.failed ?? 0))),
        String(sum(attacked.map((p) => p.counts[i]?.skipped ?? 0))),
        figure(attackerCores),
        figure(quiet),
        figure(hit),
        figure(hit - quiet),
        figure((hit - quiet) / attackerCores),
      ]
    }),
  )
}
