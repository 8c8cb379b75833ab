/** The directory benchmark's printout: latency table, ratios, memory, and the goals with pass/fail marks. */
import { figure, formatTable } from '../support/report.js'
import type { KadResult } from './kad.js'
import type { ParleyResult } from './parley.js'
import type { Phase } from './stats.js'

/** The goals from the issue (12, section 3), in ms; and no miss in any phase. */
export const GOALS = { healthyP50: 10, healthyP99: 20, frozenP99: 100, frozenMax: 1_000 } as const

export function latencyTable(phases: readonly Phase[]): string {
  const columns = [
    { title: 'system', align: 'left' as const },
    { title: 'phase', align: 'left' as const },
    { title: 'n' },
    { title: 'p50 ms' },
    { title: 'p99 ms' },
    { title: 'max ms' },
    { title: 'failures', align: 'left' as const },
    { title: 'took s' },
  ]
  const rows = phases.map((p) => {
    const s = p.summary()
    return [
      p.system,
      p.name,
      String(p.count),
      figure(s.p50),
      figure(s.p99),
      figure(s.max),
      p.failureText(),
      figure(p.durationMs / 1000),
    ]
  })
  return formatTable(columns, rows)
}

export function ratioLines(pairs: Array<{ label: string; parley?: Phase; kad?: Phase }>): string[] {
  return pairs.flatMap(({ label, parley, kad }) => {
    if (parley === undefined || kad === undefined) return []
    const a = parley.summary()
    const b = kad.summary()
    return [
      `  ${label.padEnd(44)} p50 ${figure(a.p50)} / ${figure(b.p50)} ms = ${ratio(a.p50, b.p50)}   ` +
        `p99 ${figure(a.p99)} (n ${parley.count}) / ${figure(b.p99)} ms (n ${kad.count}${kad.capped === undefined ? '' : `, capped by its ${kad.capped}`}) = ${ratio(a.p99, b.p99)}`,
    ]
  })
}

function ratio(a: number, b: number): string {
  if (!(b > 0) || !Number.isFinite(a)) return '-'
  const r = a / b
  return r >= 0.01 ? `${figure(r)}×` : `1/${figure(1 / r)}`
}

export function memoryLines(parley: ParleyResult | undefined, kad: KadResult | undefined): string[] {
  const lines: string[] = []
  const mib = (kib: number): string => `${figure(kib / 1024)} MiB`
  if (parley !== undefined) {
    const m = parley.memory
    lines.push(
      `  Parley device node: ${m.perDeviceKib.map((k) => mib(k)).join(', ')} per device ` +
        `(pool VmRSS ${m.poolRssKib.map((k) => mib(k)).join(', ')}, divided by its devices; Node's own ~40–50 MiB is shared)`,
    )
    const sn = m.supernodes
    const grown = sn.reduce((s, x) => s + (x.loadedKib - x.idleKib), 0)
    const attached = sn.reduce((s, x) => s + x.attached, 0)
    const mean = (f: (x: (typeof sn)[number]) => number): number =>
      sn.reduce((s, x) => s + f(x), 0) / sn.length
    lines.push(
      `  Parley supernode: idle ${mib(mean((x) => x.idleKib))} mean VmRSS before any device; with devices ` +
        `${mib(mean((x) => x.loadedKib))} mean, ${figure(mean((x) => x.attached))} attached on average ` +
        `(${attached} attachments in all)`,
    )
    lines.push(
      `  Parley supernode growth per attached device: ${figure(grown / Math.max(1, attached))} KiB ` +
        `(Σ(VmRSS with devices − idle) / Σ attached, over ${sn.length} supernodes; includes the directory records ` +
        `and heap warm-up)`,
    )
    lines.push(
      `  Parley idle CPU: ${figure(m.idleCores)} cores for the ${sn.length} supernodes and ${m.poolRssKib.length} ` +
        'device pools together',
    )
    const busiest = [...sn].sort((a, b) => b.attached - a.attached).slice(0, 3)
    lines.push(
      `  busiest supernodes: ${busiest
        .map((x) => `${x.name} ${x.attached} attached, ${mib(x.idleKib)} → ${mib(x.loadedKib)}`)
        .join('; ')}`,
    )
  }
  if (kad !== undefined) {
    const serverMean = kad.serverRssKib.reduce((s, x) => s + x, 0) / kad.serverRssKib.length
    lines.push(
      `  kad-dht client node: ${kad.perClientKib.map((k) => mib(k)).join(', ')} per client (pool VmRSS / clients); ` +
        `kad-dht server: ${mib(serverMean)} mean VmRSS`,
    )
    lines.push(`  kad-dht idle CPU: ${figure(kad.idleCores)} cores for its servers and client pools together`)
  }
  return lines
}

export interface GoalCheck {
  text: string
  pass: boolean
}

export function goalChecks(phases: readonly Phase[], system: string): GoalCheck[] {
  const find = (name: string) => phases.find((p) => p.system === system && p.name === name)
  const checks: GoalCheck[] = []
  const healthy = find('healthy')
  if (healthy !== undefined) {
    const s = healthy.summary()
    checks.push({
      text: `${system} healthy p50 ${figure(s.p50)} ms ≤ ${GOALS.healthyP50} ms (n ${healthy.count})`,
      pass: s.p50 <= GOALS.healthyP50,
    })
    checks.push({
      text: `${system} healthy p99 ${figure(s.p99)} ms ≤ ${GOALS.healthyP99} ms (n ${healthy.count})`,
      pass: s.p99 <= GOALS.healthyP99,
    })
  }
  for (const p of phases) {
    if (
      p.system !== system ||
      p.name.includes('·') ||
      !p.name.startsWith('frozen') ||
      p.name.includes('not found')
    )
      continue
    const s = p.summary()
    checks.push({
      text: `${system} ${p.name}: p99 ${figure(s.p99)} ms ≤ ${GOALS.frozenP99} ms (n ${p.count})`,
      pass: s.p99 <= GOALS.frozenP99,
    })
    checks.push({
      text: `${system} ${p.name}: max ${figure(s.max)} ms ≤ ${GOALS.frozenMax} ms (n ${p.count})`,
      pass: s.max <= GOALS.frozenMax,
    })
  }
  // A user who is online and cannot be found is the failure that matters most: any miss fails.
  for (const p of phases) {
    if (p.system !== system || p.name.includes('·')) continue
    const what = p.name.includes('not found') ? 'failed lookups' : 'misses (nobody, unavailable) and failures'
    checks.push({
      text: `${system} ${p.name}: ${p.failures} ${what} of ${p.count} = 0`,
      pass: p.failures === 0 && p.count > 0,
    })
  }
  return checks
}
