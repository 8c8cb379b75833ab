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
    { title: 'CPU ms/lookup' },
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
      figure(p.cpuPerLookupMs),
    ]
  })
  return formatTable(columns, rows)
}

/**
 * The fair ratio per phase, kad-dht / Parley, at p50 and p99, each p99 with its n. When kad's phase
 * was cut short by its time budget, Parley's side is its first n lookups, the same span from the
 * phase's start, so that both sides count the same n.
 */
export function ratioLines(pairs: Array<{ label: string; parley?: Phase; kad?: Phase }>): string[] {
  return pairs.flatMap(({ label, parley, kad }) => {
    if (parley === undefined || kad === undefined) return []
    const same = kad.count < parley.count ? parley.first(kad.count) : parley
    const k = kad.summary()
    const p = same.summary()
    const n = kad.count === same.count ? `n ${kad.count} each` : `n ${kad.count} kad, ${same.count} Parley`
    const cut =
      same === parley
        ? ''
        : `; kad cut by its ${kad.capped ?? 'budget'}: Parley over its first ${same.count} of ${parley.count}`
    return [
      `  ${label.padEnd(28)} p50 ${figure(k.p50)} / ${figure(p.p50)} ms = ${ratio(k.p50, p.p50)}   ` +
        `p99 ${figure(k.p99)} / ${figure(p.p99)} ms = ${ratio(k.p99, p.p99)}   ` +
        `(${n}; misses ${kad.misses} / ${same.misses}${cut})`,
    ]
  })
}

/** a / b, e.g. "210×", or "1/3.2" when a is the smaller. */
export function ratio(a: number, b: number): string {
  if (!(a > 0) || !(b > 0) || !Number.isFinite(a) || !Number.isFinite(b)) return '-'
  const r = a / b
  return r >= 1 ? `${figure(r)}×` : `1/${figure(1 / r)}`
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

/**
 * The goal table: PASS or FAIL per goal of each system, then a "failures in …" line (kinds and
 * messages) and the first failed lookups of every phase that had any. `failed`: the systems that
 * failed a goal.
 */
export function goalLines(phases: readonly Phase[]): { lines: string[]; failed: Set<string> } {
  const lines: string[] = []
  const failed = new Set<string>()
  for (const system of ['parley', 'kad-dht']) {
    for (const g of goalChecks(phases, system)) {
      lines.push(`  ${g.pass ? 'PASS' : 'FAIL'}  ${g.text}`)
      if (!g.pass) failed.add(system)
    }
  }
  for (const p of phases.filter((x) => x.failures > 0 && !x.name.includes('·'))) {
    const [counts, examples] = p.failureLines()
    lines.push(`  failures in ${p.system} ${p.name}: ${counts}`, `    ${examples}`)
  }
  return { lines, failed }
}
