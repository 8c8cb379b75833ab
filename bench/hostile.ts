/**
 * Parley under attack: a devnet of real processes on 127.0.0.1 under a
 * sustained flood from hostile peers, against the same devnet in the same run
 * with the same attacker processes sending to a discard sink, phases
 * alternating, so that both carry the attackers' CPU.
 *
 *   npm run bench:hostile [-- --supernodes 10 --devices 100 --seconds 30 --rounds 2
 *     --factor 10 --rate R --keep]
 *
 * The devnet: 1 mega-supernode and N − 1 supernodes, the devices in pools of
 * 50 per process, and in this process 2 lookup clients and 4 chat devices.
 * The attackers, each its own `node` process (bench/hostile/attacker.ts): a
 * throwaway key forging membership pings, a throwaway unattached key making
 * junk offline deposits, and a signed-in, attached device flooding lookups.
 * Each has its own victims (the lookup attacker its supernode, the other two
 * half of the rest each), so each victim's extra CPU is its attacker's doing.
 * Their rate: `--factor` times the normal per-peer rate measured first (see
 * bench/hostile/rates.ts), or `--rate` sends per second per victim.
 *
 * Every phase runs the same honest work: paced lookups (latency, verified
 * answers) and chat messages round a ring of devices; a message not delivered
 * by the end of the run is lost. Every process is stopped and the temporary
 * folder removed, also on failure and Ctrl-C (--keep keeps the folder).
 */
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os'
import { parseArgs } from 'node:util'
import { createLogger } from '../src/log/logger.js'
import { runBench, UsageError, type Cleanup } from './support/cleanup.js'
import { tempDir } from './support/process.js'
import { figure } from './support/report.js'
import { signInAll } from './directory/accounts.js'
import { startParleyNet, type ParleyNet } from './directory/parley-net.js'
import { Children, cpuSeconds, Freezer, waitFor } from './directory/procs.js'
import { startChatPeer, type ChatPeer } from './chat/peer.js'
import { aimAll, countAll, startAttacker, startSink, stopChild, type Attacker } from './hostile/attackers.js'
import { answers, grown, normalRate, sample } from './hostile/rates.js'
import { compare, comparisonLines, costTable, phaseTable, type PhaseFigures } from './hostile/report.js'
import { Chatter, LOOKUPS_PER_S, MESSAGES_PER_S, probeLookups } from './hostile/workload.js'

const CHAT_PEERS = 4
const PER_POOL = 50
const CALIBRATE_MS = 15_000
const GRACE_MS = 5_000
const LOST_AFTER_MS = 60_000
const LOOKUP_ATTACKER = 'mallory'

interface Plan {
  supernodes: number
  devices: number
  seconds: number
  rounds: number
  factor: number
  rate: number | undefined
  keep: boolean
}

function parsePlan(argv: string[]): Plan {
  let values
  try {
    ;({ values } = parseArgs({
      args: argv,
      options: {
        supernodes: { type: 'string', default: '10' },
        devices: { type: 'string', default: '100' },
        seconds: { type: 'string', default: '30' },
        rounds: { type: 'string', default: '2' },
        factor: { type: 'string', default: '10' },
        rate: { type: 'string' },
        keep: { type: 'boolean', default: false },
      },
    }))
  } catch (err) {
    throw new UsageError(
      `${(err as Error).message}; options: --supernodes N --devices N --seconds S --rounds N --factor F --rate R --keep`,
    )
  }
  const num = (name: string, text: string, min: number): number => {
    const n = Number(text)
    if (!Number.isFinite(n) || n < min) throw new UsageError(`--${name} "${text}" must be a number ≥ ${min}`)
    return n
  }
  return {
    supernodes: num('supernodes', values.supernodes, 3),
    devices: num('devices', values.devices, 1),
    seconds: num('seconds', values.seconds, 1),
    rounds: num('rounds', values.rounds, 1),
    factor: num('factor', values.factor, 0),
    rate: values.rate === undefined ? undefined : num('rate', values.rate, 0.01),
    keep: values.keep,
  }
}

async function main(signal: AbortSignal, cleanup: Cleanup): Promise<void> {
  const plan = parsePlan(process.argv.slice(2))
  const started = Date.now()
  const say = (line: string): void =>
    console.log(`[${`${((Date.now() - started) / 1000).toFixed(0)} s`.padStart(5)}] ${line}`)
  const cpu = cpus()
  console.log('Parley hostile benchmark: attacked against quiet, same run, same attacker processes')
  console.log(
    `machine: ${cpu.length} CPUs (${cpu[0]?.model.trim() ?? 'unknown'}), available parallelism ` +
      `${availableParallelism()}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB; node ${process.version}; load ` +
      `average at start ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
  )
  const root = tempDir('parley-bench-hostile-')
  cleanup.add('remove the temporary folder', () => {
    if (plan.keep) console.log(`bench: kept ${root.path}`)
    else root.remove()
  })
  const children = new Children()
  cleanup.onExit(() => children.killAll())
  const ctx = { cleanup, children, freezer: new Freezer(), signal, say }
  const net = await startParleyNet(
    {
      dir: join(root.path, 'devnet'),
      megas: 1,
      supernodes: plan.supernodes - 1,
      users: plan.devices,
      perPool: PER_POOL,
      clients: 2,
    },
    ctx,
  )
  const chatNames = Array.from({ length: CHAT_PEERS }, (_, i) => `chat-${i + 1}`)
  await signInAll(net.devnet.authorityUrl, net.devnet.home, [...chatNames, LOOKUP_ATTACKER], signal)
  say(`starting ${CHAT_PEERS} chat devices`)
  const peers = await startChatPeers(net, chatNames, cleanup, signal)
  say('waiting until every device is findable')
  await findable(net, signal)

  const chatter = new Chatter(peers)
  say(`measuring the normal rate over ${CALIBRATE_MS / 1000} s of honest chat, no attacker, no lookup probe`)
  const before = await sample(net.supernodes)
  await chatter.run(CALIBRATE_MS, signal)
  await chatter.settle(GRACE_MS, signal)
  const normal = normalRate(before, await sample(net.supernodes), net.supernodes.length)
  const rate = plan.rate ?? plan.factor * normal.perPeer
  say(`normal: ${figure(normal.perPeer)} messages/s per peer; attackers at ${figure(rate)}/s per victim`)

  const sink = await startSink()
  children.add(sink.process)
  cleanup.add('stop the discard sink', () => stopChild(sink.process))
  const attackers = await startAttackers(net, sink.addrs, rate, ctx)

  const phases: PhaseFigures[] = []
  const answered0 = await answers(net.supernodes)
  for (let round = 1; round <= plan.rounds; round++) {
    for (const aim of ['sink', 'victims'] as const) {
      aimAll(attackers, aim)
      say(`round ${round}: attackers → ${aim === 'sink' ? 'discard sink (quiet)' : 'victims (attacked)'}`)
      phases.push(
        await measurePhase(net, chatter, attackers, sink.process.pid ?? -1, aim, round, plan, signal),
      )
    }
  }
  aimAll(attackers, 'idle')
  const answered = grown(answered0, await answers(net.supernodes))
  say('waiting for undelivered messages')
  const lost = await chatter.lost(LOST_AFTER_MS, signal)
  const exited = net.supernodes.filter(
    (s) => s.child.process.exitCode !== null || s.child.process.signalCode !== null,
  )
  await Promise.all(attackers.map((a) => stopChild(a.process)))
  await Promise.all(peers.map((p) => p.stop()))
  await net.stop()
  say('done; every process stopped')

  console.log()
  console.log(
    `Normal rate (quiet window of ${CALIBRATE_MS / 1000} s, honest chat only): ${figure(normal.perDevice)} requests/s ` +
      `per attached device (supernode counters); ${figure(normal.membershipPerPair)} membership messages/s per ` +
      `fellow supernode (SWIM schedule; measured ${figure(normal.membershipBytesPerPair)} bytes/s per pair). ` +
      `Attackers: ${plan.rate === undefined ? `${plan.factor}× ${figure(normal.perPeer)}` : '--rate'} = ${figure(rate)} sends/s per victim.`,
  )
  console.log(
    `Honest work per phase: ${LOOKUPS_PER_S} lookups/s from each of 2 clients, ${MESSAGES_PER_S} messages/s from each of ` +
      `${CHAT_PEERS} chat devices; ${plan.seconds} s per phase, ${plan.rounds} rounds of quiet then attacked; ` +
      `${plan.supernodes} supernodes (1 mega), ${plan.devices} devices in pools of ${PER_POOL}.`,
  )
  console.log()
  console.log(phaseTable(phases))
  console.log()
  const c = compare(phases)
  console.log('Quiet (attackers → sink) against attacked, all rounds pooled:')
  for (const line of comparisonLines(c)) console.log(line)
  console.log()
  console.log(
    "Each attacker's cost against its victims' (cores = CPU seconds per second; extra = attacked − quiet):",
  )
  console.log(costTable(phases, attackers))
  console.log()
  console.log('What the supernodes answered over all phases (their counters, every supernode summed):')
  for (const line of answered) console.log(`  ${line}`)
  console.log()
  const sent = chatter.sentTotal
  const failedLookups = phases.reduce((s, p) => s + p.lookups.failures, 0)
  console.log('Goals (from the issue):')
  const goal = (pass: boolean, text: string) => console.log(`  ${pass ? 'PASS' : 'FAIL'}  ${text}`)
  goal(c.p50[1] <= 2 * c.p50[0], `lookup p50 attacked within 2× quiet (×${figure(c.p50[1] / c.p50[0])})`)
  goal(c.p99[1] <= 2 * c.p99[0], `lookup p99 attacked within 2× quiet (×${figure(c.p99[1] / c.p99[0])})`)
  goal(
    lost === 0,
    `nothing lost: ${lost} of ${sent} messages undelivered ${LOST_AFTER_MS / 1000} s after the last phase`,
  )
  goal(failedLookups === 0, `every lookup answered right: ${failedLookups} failed`)
  goal(
    exited.length === 0,
    `no supernode exited${exited.length > 0 ? `: ${exited.map((s) => s.name).join(', ')}` : ''}`,
  )
  for (const p of phases.filter((x) => x.lookups.failures > 0))
    console.log(`  lookup failures (${p.aim} #${p.round}): ${p.lookups.topErrors().join('; ')}`)
}

async function startChatPeers(
  net: ParleyNet,
  names: string[],
  cleanup: Cleanup,
  signal: AbortSignal,
): Promise<ChatPeer[]> {
  const log = createLogger('bench', { file: join(net.devnet.logDir, 'bench-chat.log'), level: 'warn' })
  const peers: ChatPeer[] = []
  // One after the other, each retried once: on a loaded machine a first publish can miss its deadline.
  for (const name of names) {
    const start = () =>
      startChatPeer({
        home: net.devnet.home,
        name,
        log: log.child({ device: name }),
        relayedOnly: false,
        signal,
      })
    const peer = await start().catch(start)
    cleanup.add(`stop ${name}`, () => peer.stop())
    peers.push(peer)
  }
  // A ring: each asks the next, who accepts on its own (startChatPeer).
  peers.forEach((p, i) => p.service.chat.addContact(peers[(i + 1) % peers.length]!.name, 'hostile bench'))
  for (const p of peers) p.service.delivery.kick()
  await waitFor(
    'chat contacts accepted',
    () =>
      peers.every(
        (p, i) => p.service.store.contact(peers[(i + 1) % peers.length]!.name)?.state === 'accepted',
      ) || undefined,
    { timeoutMs: 60_000, everyMs: 200, signal },
  )
  return peers
}

/** Every pool device is found, verified, by the first lookup client. */
async function findable(net: ParleyNet, signal: AbortSignal): Promise<void> {
  const missing = new Set(net.users)
  const client = net.clients[0]!
  await waitFor(
    'directory populated',
    async () => {
      for (const user of [...missing]) {
        const found = await client.lookup(user).catch(() => [])
        if (found.some((p) => p.deviceId === net.deviceIds.get(user))) missing.delete(user)
      }
      return missing.size === 0 || undefined
    },
    { timeoutMs: 180_000, everyMs: 1000, signal, state: () => `${missing.size} missing` },
  )
}

async function startAttackers(
  net: ParleyNet,
  sink: string[],
  rate: number,
  ctx: { cleanup: Cleanup; children: Children; say: (s: string) => void },
): Promise<Attacker[]> {
  const base = { ratePerVictim: rate, sink, home: net.devnet.home, victims: [], victimIds: [] }
  const logFile = join(net.devnet.logDir, 'attackers.log')
  const started: Attacker[] = []
  const keep = (a: Attacker): Attacker => {
    ctx.children.add(a.process)
    ctx.cleanup.add(`stop the ${a.kind} attacker`, () => stopChild(a.process))
    started.push(a)
    return a
  }
  const lookup = keep(await startAttacker({ ...base, kind: 'lookup', profile: LOOKUP_ATTACKER, logFile }))
  const rest = net.supernodes.filter((s) => !lookup.victimIds.includes(s.peerId))
  const half = Math.ceil(rest.length / 2)
  const groups = { membership: rest.slice(0, half), offline: rest.slice(half) }
  for (const kind of ['membership', 'offline'] as const) {
    const victims = groups[kind]
    const status = await Promise.all(victims.map((v) => net.status(v)))
    const addrs = status.map((s) => (s as { addrs?: string[] } | undefined)?.addrs ?? [])
    keep(
      await startAttacker({
        ...base,
        kind,
        victims: addrs,
        victimIds: victims.map((v) => v.peerId),
        logFile,
      }),
    )
  }
  const name = (id: string) => net.supernodes.find((s) => s.peerId === id)?.name ?? id
  for (const a of started)
    ctx.say(`${a.kind} attacker (pid ${a.process.pid}) → ${a.victimIds.map(name).join(', ')}`)
  return started
}

async function measurePhase(
  net: ParleyNet,
  chatter: Chatter,
  attackers: readonly Attacker[],
  sinkPid: number,
  aim: 'sink' | 'victims',
  round: number,
  plan: Plan,
  signal: AbortSignal,
): Promise<PhaseFigures> {
  const pid = (c: { process: { pid?: number } }) => c.process.pid ?? -1
  const snapshot = () => ({
    sn: new Map(net.supernodes.map((s) => [s.peerId, cpuSeconds(pid(s.child))])),
    attackers: attackers.map((a) => cpuSeconds(pid(a))),
    sink: cpuSeconds(sinkPid),
    pools: net.pools.reduce((sum, p) => sum + cpuSeconds(pid(p)), 0),
    bench: process.cpuUsage(),
  })
  await countAll(attackers)
  const a = snapshot()
  const t0 = performance.now()
  const ms = plan.seconds * 1000
  const [lookups, delivery] = await Promise.all([
    probeLookups(net.clients, net.users, net.deviceIds, `${aim} ${round}`, ms, signal),
    chatter.run(ms, signal),
  ])
  const seconds = (performance.now() - t0) / 1000
  const b = snapshot()
  const counts = await countAll(attackers)
  const bench = process.cpuUsage(a.bench)
  // Deliveries finishing after the phase still count for it, but they do not stretch its CPU window.
  await chatter.settle(GRACE_MS, signal)
  return {
    aim,
    round,
    lookups,
    delivery,
    seconds,
    supernodeCpuS: new Map([...b.sn].map(([id, s]) => [id, s - (a.sn.get(id) ?? 0)])),
    attackerCpuS: b.attackers.map((s, i) => s - (a.attackers[i] ?? 0)),
    sinkCpuS: b.sink - a.sink,
    poolsCpuS: b.pools - a.pools,
    benchCpuS: (bench.user + bench.system) / 1e6,
    counts,
  }
}

await runBench(main)
