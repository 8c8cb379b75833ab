/**
 * What an idle network costs: a devnet of the shape `bench:directory` runs
 * (2 mega-supernodes, 18 supernodes, 200 devices in pools of 50), left alone;
 * after a settling time, each process's CPU time (utime + stime from
 * /proc/<pid>/stat, which a shared machine's load distorts less than wall
 * time) over the sample window, by role, and the streams and exchanges per
 * protocol per second the processes counted (src/net/rpc-stats.ts).
 *
 *   npm run bench:idle [-- --supernodes 18 --megas 2 --devices 200 --settle-s 130 --sample-s 60 --dir D]
 *
 * The network is started as bench:directory starts it (bench/directory/parley-net.ts), without its
 * lookup clients.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import type { ProtocolCounts } from '../src/net/rpc-stats.js'
import { runBench, UsageError } from './support/cleanup.js'
import { tempDir } from './support/process.js'
import { startParleyNet } from './directory/parley-net.js'
import { Children, cpuSeconds, Freezer } from './directory/procs.js'

interface Plan {
  megas: number
  supernodes: number
  devices: number
  settleS: number
  sampleS: number
  /** A folder to keep the devnet in (its sign-ins are reused by the next run); a temporary one by default. */
  dir: string | undefined
}

function plan(): Plan {
  const { values } = parseArgs({
    options: {
      megas: { type: 'string', default: '2' },
      supernodes: { type: 'string', default: '18' },
      devices: { type: 'string', default: '200' },
      'settle-s': { type: 'string', default: '130' },
      'sample-s': { type: 'string', default: '60' },
      dir: { type: 'string' },
    },
  })
  const n = (name: string, v: string | undefined): number => {
    const x = Number(v)
    if (!Number.isInteger(x) || x < 0) throw new UsageError(`--${name} must be a whole number, not ${v}`)
    return x
  }
  return {
    megas: n('megas', values.megas),
    supernodes: n('supernodes', values.supernodes),
    devices: n('devices', values.devices),
    settleS: n('settle-s', values['settle-s']),
    sampleS: n('sample-s', values['sample-s']),
    dir: values.dir,
  }
}

type Counts = Record<string, ProtocolCounts>

/** Each process's counts, by pid, from the files rpc-stats.ts writes. */
function readCounts(dir: string): Map<number, Counts> {
  const out = new Map<number, Counts>()
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.json'))) {
    try {
      const { counts } = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { counts: Counts }
      out.set(Number(f.slice(0, -5)), counts)
    } catch {
      // Being rewritten: the rename makes this rare, and one missing file only lowers a count.
    }
  }
  return out
}

const fmt = (x: number, digits = 1): string => x.toFixed(digits)

await runBench(async (signal, cleanup) => {
  const p = plan()
  const root = p.dir === undefined ? tempDir('parley-bench-idle-') : undefined
  if (root !== undefined) cleanup.add('remove the temporary folder', () => root.remove())
  const base = p.dir ?? root!.path
  const statsDir = join(base, `rpc-stats-${process.pid}`)
  process.env.PARLEY_RPC_STATS = statsDir
  const say = (s: string): void => console.log(`bench: ${s}`)
  const children = new Children()
  cleanup.onExit(() => children.killAll())
  const net = await startParleyNet(
    {
      dir: join(base, 'devnet'),
      megas: p.megas,
      supernodes: p.supernodes,
      users: p.devices,
      perPool: 50,
      clients: 0,
    },
    { cleanup, children, freezer: new Freezer(), signal, say },
  )
  const sns = net.supernodes
  const roles = [
    { role: 'authority', children: [net.devnet.authority] },
    { role: 'mega-supernode', children: sns.filter((s) => s.name.startsWith('mega-')).map((s) => s.child) },
    { role: 'supernode', children: sns.filter((s) => !s.name.startsWith('mega-')).map((s) => s.child) },
    { role: 'device pool', children: net.pools },
  ]
  say(`settling for ${p.settleS} s`)
  await sleep(p.settleS * 1000, undefined, { signal })
  const pids = roles.flatMap((r) => r.children.map((c) => c.process.pid ?? -1))
  const cpu0 = new Map(pids.map((pid) => [pid, cpuSeconds(pid)]))
  const counts0 = readCounts(statsDir)
  const load0 = loadavg()
  const t0 = performance.now()
  say(`sampling for ${p.sampleS} s`)
  await sleep(p.sampleS * 1000, undefined, { signal })
  const wallS = (performance.now() - t0) / 1000
  const counts1 = readCounts(statsDir)
  const load1 = loadavg()
  const msPerS = (pid: number): number => ((cpuSeconds(pid) - (cpu0.get(pid) ?? NaN)) * 1000) / wallS

  console.log(
    `\nidle CPU, ms of CPU per second of wall time, over ${fmt(wallS, 0)} s after ${p.settleS} s ` +
      `(load average ${load0.map((x) => fmt(x, 2)).join(' ')} before, ${load1.map((x) => fmt(x, 2)).join(' ')} after)`,
  )
  let all = 0
  for (const r of roles) {
    const each = r.children.map((c) => msPerS(c.process.pid ?? -1)).sort((a, b) => a - b)
    if (each.length === 0) continue
    const sum = each.reduce((a, b) => a + b, 0)
    all += sum
    const range = each.length > 1 ? ` (${fmt(each[0]!)}–${fmt(each.at(-1)!)})` : ''
    console.log(
      `  ${r.role.padEnd(15)} ×${String(each.length).padEnd(3)} ${fmt(sum / each.length)} each${range}, ${fmt(sum)} in all`,
    )
  }
  console.log(`  all              ${fmt(all)} (${fmt(all / 1000, 2)} cores)`)

  console.log(`\nrequests per second by protocol, all processes (fresh streams opened / exchanges sent)`)
  const rates = new Map<string, { opened: number; sent: number }>()
  for (const [pid, after] of counts1) {
    const before = counts0.get(pid) ?? {}
    for (const [protocol, c] of Object.entries(after)) {
      const b = before[protocol]
      const r = rates.get(protocol) ?? { opened: 0, sent: 0 }
      r.opened += (c.opened - (b?.opened ?? 0)) / wallS
      r.sent += (c.sent - (b?.sent ?? 0)) / wallS
      rates.set(protocol, r)
    }
  }
  const rows = [...rates].sort((a, b) => b[1].opened - a[1].opened)
  for (const [protocol, r] of rows)
    console.log(
      `  ${protocol.padEnd(34)} ${fmt(r.opened).padStart(7)} opened/s ${fmt(r.sent).padStart(7)} sent/s`,
    )
  const opened = rows.reduce((s, [, r]) => s + r.opened, 0)
  const sent = rows.reduce((s, [, r]) => s + r.sent, 0)
  console.log(`  ${'all'.padEnd(34)} ${fmt(opened).padStart(7)} opened/s ${fmt(sent).padStart(7)} sent/s`)
})
