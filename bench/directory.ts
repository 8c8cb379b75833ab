/**
 * Directory lookups: Parley's one-hop directory against libp2p's kad-dht on
 * the same machine, in one run, as real processes on 127.0.0.1.
 *
 *   npm run bench:directory [-- --megas 2 --supernodes 18 --users 200 --lookups 1000 --not-found 200
 *     --in-flight 4 --kad-budget-min 10 --kad-connection-monitor --systems parley,kad --keep]
 *
 * Parley: a devnet of 2 mega-supernodes and 18 supernodes, 200 devices in
 * pools of 50 per process, and the bench's own lookup clients (DeviceNodes in
 * this process). Lookups of random online users, 4 in flight, healthy; then
 * with 30% of the supernodes frozen (SIGSTOP), at once and again once
 * membership has declared them dead. kad-dht: as many servers as Parley has
 * supernodes and 200 clients in pools of 50 (as many processes), the same
 * signed presence records under /parley/<username>, the same n gets per phase
 * with as many in flight, each timed to its first valid value as Parley's
 * lookups are; a kad phase stops starting gets after --kad-budget-min, and
 * the ratio then compares it with Parley's first n lookups of that phase.
 *
 * A quick look at one side, e.g. on a busy machine:
 *   npm run bench:directory -- --systems kad --lookups 40 --kad-budget-min 2
 *
 * A miss (a lookup for an online user that ends without the user's verified
 * record: "nobody" or "unavailable") fails its goal, and the failures are
 * listed under the goals; the run exits 1 when a Parley goal fails. Each failed
 * Parley lookup names its client's supernodes and whom it asked, when, and what
 * each answered; PARLEY_BENCH_TRACE=1 prints every one to stderr as it fails. A Parley
 * lookup that fails while the network is healthy stops the run at once. Every process is thawed and stopped and
 * the temporary folder removed, also on failure and Ctrl-C (--keep keeps the
 * folder and its logs).
 */
import { join } from 'node:path'
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os'
import { parseArgs } from 'node:util'
import { startDevnet } from '../src/devnet/devnet.js'
import { runBench, UsageError, type Cleanup } from './support/cleanup.js'
import { percentile } from './support/load.js'
import { tempDir } from './support/process.js'
import { signInAll } from './directory/accounts.js'
import { PUT_CONCURRENCY, runKad, type KadResult } from './directory/kad.js'
import { BrokenDirectoryError, runParley, type ParleyResult } from './directory/parley.js'
import { Children, Freezer } from './directory/procs.js'
import { goalLines, latencyTable, memoryLines, ratioLines } from './directory/report.js'
import type { Phase } from './directory/stats.js'

/** What the ratio does not say; docs/directory.md has them too. */
const CAVEATS = [
  'kad runs at its defaults (k 20, alpha 10, a 180 s query timeout); Parley gives up after 1 s ("unavailable"),',
  '  so a slow kad get still counts as found where a slow Parley lookup counts as a miss.',
  'every kad server holds every record (k 20, 20 servers), so 14 hold each one after the freeze; Parley has 3 replicas.',
  '"frozen, later": kad\'s starts when its "immediately" phase ends, and no sooner after the freeze than Parley\'s,',
  '  which waited until membership had declared the frozen dead; kad has no such notice, only its routing tables.',
  'Parley looks up users attached to a live supernode only; each kad get comes from another client process,',
  "  Parley's from 2 lookup clients in the bench's process. One system runs at a time, on the same 2 cores.",
]

const PER_POOL = 50
/** A kad get of a missing key runs its whole query: its "not found" phases get this many minutes at most. */
const KAD_NOT_FOUND_BUDGET_MIN = 3
const CLIENTS = 2
const FREEZE = 0.3

interface Plan {
  megas: number
  supernodes: number
  users: number
  lookups: number
  notFound: number
  inFlight: number
  kadBudgetMin: number
  kadConnectionMonitor: boolean
  systems: Set<string>
  keep: boolean
}

function parsePlan(argv: string[]): Plan {
  let values
  try {
    ;({ values } = parseArgs({
      args: argv,
      options: {
        megas: { type: 'string', default: '2' },
        supernodes: { type: 'string', default: '18' },
        users: { type: 'string', default: '200' },
        lookups: { type: 'string', default: '1000' },
        'not-found': { type: 'string', default: '200' },
        'in-flight': { type: 'string', default: '4' },
        'kad-budget-min': { type: 'string', default: '10' },
        'kad-connection-monitor': { type: 'boolean', default: false },
        systems: { type: 'string', default: 'parley,kad' },
        keep: { type: 'boolean', default: false },
      },
    }))
  } catch (err) {
    throw new UsageError(
      `${(err as Error).message}; options: --megas N --supernodes N --users N --lookups N --not-found N --in-flight N --kad-budget-min N --kad-connection-monitor ` +
        '--systems parley,kad --keep',
    )
  }
  const count = (name: string, text: string): number => {
    const n = Number(text)
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} "${text}" must be a whole number ≥ 1`)
    return n
  }
  const systems = new Set(values.systems.split(','))
  if ([...systems].some((s) => s !== 'parley' && s !== 'kad') || systems.size === 0)
    throw new UsageError('--systems takes parley, kad or both')
  return {
    megas: count('megas', values.megas),
    supernodes: count('supernodes', values.supernodes),
    users: count('users', values.users),
    lookups: count('lookups', values.lookups),
    notFound: count('not-found', values['not-found']),
    inFlight: count('in-flight', values['in-flight']),
    kadBudgetMin: count('kad-budget-min', values['kad-budget-min']),
    kadConnectionMonitor: values['kad-connection-monitor'],
    systems,
    keep: values.keep,
  }
}

const USAGE = `npm run bench:directory [-- options]

Parley's one-hop directory against libp2p's kad-dht, on the same machine, in one run.
  --megas N                 mega-supernodes (default 2)
  --supernodes N            ordinary supernodes (default 18); kad runs as many servers as both together
  --users N                 users, one device each, in pools of ${PER_POOL} per process (default 200)
  --lookups N               lookups of online users per phase (default 1000)
  --not-found N             lookups of names nobody has per phase (default 200)
  --in-flight N             lookups at once, for both systems (default 4)
  --kad-budget-min N        a kad phase starts no get after N minutes (default 10; its "not found"
                            phases, whose gets run kad's whole query, at most ${KAD_NOT_FOUND_BUDGET_MIN})
  --kad-connection-monitor  libp2p's connection monitor on the kad side (off by default)
  --systems parley,kad      which systems to run (default both)
  --keep                    keep the temporary folder and its logs
The table prints p50, p99 and max per phase with n, the misses, and the CPU per lookup
across the system's processes (idle upkeep included).`

async function main(signal: AbortSignal, cleanup: Cleanup): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(USAGE)
    return
  }
  const plan = parsePlan(process.argv.slice(2))
  const started = Date.now()
  const elapsed = (): string => `${((Date.now() - started) / 1000).toFixed(0)} s`
  const say = (line: string): void => console.log(`[${elapsed().padStart(5)}] ${line}`)
  const cores = cpus()
  console.log('Parley directory benchmark: one-hop directory vs kad-dht')
  console.log(
    `machine: ${cores.length} CPUs (${cores[0]?.model.trim() ?? 'unknown'}), available parallelism ` +
      `${availableParallelism()}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB; node ${process.version}; ` +
      `load average at start ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
  )

  const root = tempDir('parley-bench-directory-')
  cleanup.add('remove the temporary folder', () => {
    if (plan.keep) console.log(`bench: kept ${root.path}`)
    else root.remove()
  })
  const children = new Children()
  cleanup.onExit(() => children.killAll())
  const freezer = new Freezer()
  cleanup.onExit(() => freezer.thawAll())
  const ctx = { cleanup, children, freezer, signal, say }
  const dir = join(root.path, 'devnet')
  const users = Array.from({ length: plan.users }, (_, i) => `user-${i + 1}`)

  let parley: ParleyResult | undefined
  let home: string
  let deviceIds: Map<string, string>
  if (plan.systems.has('parley')) {
    parley = await runParley(
      {
        dir,
        megas: plan.megas,
        supernodes: plan.supernodes,
        users: plan.users,
        perPool: PER_POOL,
        clients: CLIENTS,
        lookups: plan.lookups,
        notFoundLookups: plan.notFound,
        inFlight: plan.inFlight,
        freezeFraction: FREEZE,
      },
      ctx,
    )
    home = parley.home
    deviceIds = parley.deviceIds
  } else {
    // kad-dht alone still signs Parley records: an authority and signed-in profiles, nothing else.
    const net = await startDevnet({ dir, megas: 0, supernodes: 0, devices: 0 })
    cleanup.add('stop the authority', () => net.stop())
    children.add(net.authority.process)
    deviceIds = await signInAll(net.authorityUrl, net.home, users, signal)
    home = net.home
    await net.stop()
  }

  let kad: KadResult | undefined
  if (plan.systems.has('kad')) {
    kad = await runKad(
      {
        servers: plan.megas + plan.supernodes,
        users,
        deviceIds,
        perPool: PER_POOL,
        home,
        configFile: join(home, 'profiles', 'user-1', 'network-config.bin'),
        logDir: join(dir, 'logs'),
        gets: plan.lookups,
        budgetMs: plan.kadBudgetMin * 60_000,
        notFound: plan.notFound,
        notFoundBudgetMs: Math.min(plan.kadBudgetMin, KAD_NOT_FOUND_BUDGET_MIN) * 60_000,
        inFlight: plan.inFlight,
        connectionMonitor: plan.kadConnectionMonitor,
        freezeFraction: FREEZE,
        laterAfterMs: parley?.freeze.noticedAfterMs,
      },
      ctx,
    )
  }
  say('done; every process stopped')
  print(plan, parley, kad)
}

function storedRange(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted.length === 0 ? '-' : `${sorted[0]}–${sorted.at(-1)} (median ${percentile(sorted, 50)})`
}

function print(plan: Plan, parley: ParleyResult | undefined, kad: KadResult | undefined): void {
  const phases: Phase[] = [...(parley?.phases ?? []), ...(kad?.phases ?? [])]
  console.log()
  console.log(latencyTable(phases))
  console.log()
  if (parley !== undefined) {
    const f = parley.freeze
    console.log(
      `Parley: directory populated ${(parley.populatedAfterMs / 1000).toFixed(1)} s after the last pool was up. ` +
        `Frozen (SIGSTOP): ${f.frozen.join(', ')}.`,
    )
    for (const c of f.clientLinks) {
      const hit = c.links.filter((l) => f.frozen.includes(l))
      console.log(
        `  lookup client ${c.client} attached to ${c.links.join(', ')}` +
          (hit.length > 0 ? ` — ${hit.join(', ')} frozen (its lookups go there first)` : ' — none frozen'),
      )
    }
    console.log(
      `  ${f.offline.length} users were attached only to frozen supernodes at the freeze: not online by ` +
        `the miss definition, so not looked up in the frozen phases${f.offline.length > 0 ? ` (${f.offline.join(', ')})` : ''}`,
    )
    console.log(
      `  every live supernode had declared them dead, and no client was still attached to one, ` +
        `${(f.noticedAfterMs / 1000).toFixed(1)} s after the freeze; the clients' supernodes then: ` +
        f.linksAtNotice.map((c) => `${c.client} ${c.links.join(', ') || 'none'}`).join('; '),
    )
  }
  if (kad !== undefined) {
    const s = kad.puts.summary()
    console.log(
      `kad-dht: ${kad.puts.count} puts (${PUT_CONCURRENCY} at a time), p50 ${s.p50.toFixed(0)} ms, ` +
        `p99 ${s.p99.toFixed(0)} ms, failures ${kad.puts.failureText()} (a record no peer stored), stored on ` +
        `${storedRange(kad.puts.storedOn)} peers each (a put no peer stored is tried again, 3 tries); ` +
        `${kad.puts.unstored.length} users stored nowhere, not looked up${kad.puts.unstored.length > 0 ? ` (${kad.puts.unstored.join(', ')})` : ''}; ${kad.frozen} of ` +
        `${plan.megas + plan.supernodes} servers frozen. ${plan.lookups} gets a phase as for Parley, unless a phase ` +
        `passes ${plan.kadBudgetMin} min (then n is what finished); ${plan.inFlight} clients asking at a time, one per ` +
        `client process, each one's gets sequential (Parley: ${plan.inFlight} lookups in flight too).`,
    )
    console.log(
      `  kad-dht at its defaults (k 20, alpha 10, default timeouts); libp2p's connection monitor ` +
        `${plan.kadConnectionMonitor ? 'on' : 'off (--kad-connection-monitor turns it on)'}: each client ends ` +
        'up connected to every server, and pinging those 4,000 connections every 10 s kept both cores busy ' +
        'with the network idle, so that every kad figure measured the co-location rather than kad.',
    )
  }
  if (parley !== undefined && kad !== undefined) {
    const find = (system: string, prefix: string, notFound = false) =>
      phases.find(
        (p) =>
          p.system === system &&
          p.name.startsWith(prefix) &&
          p.name.endsWith(', not found') === notFound &&
          !p.name.includes('·'),
      )
    console.log()
    console.log(
      'The fair ratio, kad-dht / Parley (both timed to their first verified answer, 4 in flight, same n):',
    )
    for (const line of ratioLines([
      { label: 'healthy', parley: find('parley', 'healthy'), kad: find('kad-dht', 'healthy') },
      {
        label: 'frozen, immediately',
        parley: find('parley', 'frozen, immediately'),
        kad: find('kad-dht', 'frozen, immediately'),
      },
      {
        label: 'frozen, later',
        parley: find('parley', 'frozen, membership noticed'),
        kad: find('kad-dht', 'frozen, after'),
      },
      {
        label: 'healthy, not found',
        parley: find('parley', 'healthy', true),
        kad: find('kad-dht', 'healthy', true),
      },
      {
        label: 'frozen, immediately, not found',
        parley: find('parley', 'frozen, immediately', true),
        kad: find('kad-dht', 'frozen, immediately', true),
      },
      {
        label: 'frozen, later, not found',
        parley: find('parley', 'frozen, membership noticed', true),
        kad: find('kad-dht', 'frozen, after', true),
      },
    ]))
      console.log(line)
    for (const line of CAVEATS) console.log(`  caveat: ${line}`)
  }
  console.log()
  console.log(
    'Memory (VmRSS from /proc/<pid>/status) and idle CPU (/proc/<pid>/stat, 5 s, no lookups running):',
  )
  for (const line of memoryLines(parley, kad)) console.log(line)
  console.log()
  console.log('Goals (from the issue):')
  const goals = goalLines(phases)
  for (const line of goals.lines) console.log(line)
  const parleyFailed = goals.failed.has('parley')
  if (parleyFailed) process.exitCode = 1
  console.log()
  console.log(
    [
      'Latency: client-side ms per lookup over every attempt, failed ones included; max is the slowest.',
      'Parley: DeviceNode.lookup from the bench process, n lookups a phase with --in-flight at a time over the',
      'clients in turn ("· bench-x" rows split a phase by client). A lookup is ok only when it returns the user\'s',
      'own device, verified; a miss is "nobody" (answered nobody for an online user) or "unavailable" (the',
      'directory could not say); "not found" phases look up usernames nobody has. kad-dht: time of dht.get',
      "inside the client's process until the first peer response whose record verifies (verifyPresence), the",
      'rest of the query aborted there (dht.get itself yields a VALUE only once the whole query has ended); n',
      'gets a phase with as many in flight, unless the phase budget ran out (then n is what finished). A kad',
      'miss is "nobody" (the query ended, peers answered, no valid record) or "unavailable" (no peer answered,',
      'the query failed, or its 180 s timeout). A miss fails its goal; only a Parley goal failing sets exit 1.',
    ].join('\n'),
  )
}

await runBench(main, [BrokenDirectoryError])
