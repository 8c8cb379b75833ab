/**
 * The kad-dht yardstick: as many processes as Parley's side (servers, and
 * clients in pools), each client putting its own signed presence record under
 * /parley/<username>, then gets of random users' records, healthy and with
 * 30% of the servers frozen (SIGSTOP). Each get is timed to its first valid
 * value, as Parley's lookup is; a phase runs the same n gets as Parley's, as
 * many in flight (from different clients, each client's own gets one after
 * another), unless its time budget runs out first: then n is what finished.
 */
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Cleanup } from '../support/cleanup.js'
import { classifyGet, classifyMissingGet } from './kad-get.js'
import { KadProcess } from './kad-process.js'
import { RECORD_TTL_MS } from './kad-protocol.js'
import { type Children, cpuCores, cpuMeter, type Freezer, IDLE_SAMPLE_MS, rssKib, waitFor } from './procs.js'
import { Phase } from './stats.js'

const SYSTEM = 'kad-dht'
/** Addresses each client knows at start, like a device's seeds. */
const BOOTSTRAP_SERVERS = 2
/** Per converge step; 50 clients of one pool took more than 120 s at load average 20 (4 dials at a time per process). */
const CONVERGE_TIMEOUT_MS = 300_000
const REDIAL_EVERY_MS = 5_000
const REQUEST_TIMEOUT_MS = 200_000
export const PUT_CONCURRENCY = 16
/** Tries of a put that no peer stored. */
const PUT_ROUNDS = 3

export interface KadRun {
  servers: number
  /** Client usernames (their Parley profiles sign the records), in pools of perPool. */
  users: string[]
  deviceIds: Map<string, string>
  perPool: number
  home: string
  configFile: string
  logDir: string
  /** Gets per phase (healthy, frozen at once, frozen later), unless budgetMs runs out first. */
  gets: number
  /** Wall time a phase may take; no new get starts after it. */
  budgetMs: number
  /** Gets of usernames nobody has, after each phase, as Parley's "not found" phases. */
  notFound: number
  /** Wall time such a phase may take (a kad get of a missing key runs its whole query). */
  notFoundBudgetMs: number
  /**
   * Clients asking at once, spread over the client processes: gets in flight
   * in one process slow each other down once servers are frozen.
   */
  inFlight: number
  /** libp2p's connection monitor (a ping per connection every 10 s); off unless asked for. */
  connectionMonitor: boolean
  freezeFraction: number
  /** The last phase starts at least this long after the freeze (Parley's: when membership had noticed it). */
  laterAfterMs?: number
}

/** The puts of every client's record, and on how many peers each was stored. */
export type Puts = Phase & { storedOn: number[]; unstored: string[] }

export interface KadResult {
  phases: Phase[]
  puts: Puts
  serverRssKib: number[]
  perClientKib: number[]
  frozen: number
  /** CPU the kad-dht processes used while idle, in cores, measured over a few seconds after the puts. */
  idleCores: number
}

interface ClientRef {
  pool: KadProcess
  node: number
  username: string
}

export async function runKad(
  run: KadRun,
  ctx: {
    cleanup: Cleanup
    children: Children
    freezer: Freezer
    signal: AbortSignal
    say: (s: string) => void
  },
): Promise<KadResult> {
  const { signal, say } = ctx
  const started: KadProcess[] = []
  let stopped: Promise<void> | undefined
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      ctx.freezer.thawAll()
      await Promise.all(started.map((p) => p.stop()))
    })())
  ctx.cleanup.add('stop the kad-dht processes', stop)
  const launch = async (name: string, args: string[]): Promise<KadProcess> => {
    const p = await KadProcess.start(name, args, run.logDir)
    started.push(p)
    ctx.children.add(p.child)
    return p
  }

  const monitor = ['--connection-monitor', run.connectionMonitor ? 'on' : 'off']
  say(`starting ${run.servers} kad-dht servers`)
  const servers = await Promise.all(
    Array.from({ length: run.servers }, (_, i) =>
      launch(`kad-server-${i + 1}`, ['--role', 'server', '--config', run.configFile, ...monitor]),
    ),
  )
  const batches: string[][] = []
  for (let i = 0; i < run.users.length; i += run.perPool) batches.push(run.users.slice(i, i + run.perPool))
  say(`starting ${run.users.length} kad-dht clients in ${batches.length} processes`)
  const pools = await Promise.all(
    batches.map((batch, i) =>
      launch(`kad-clients-${i + 1}`, [
        '--role',
        'client',
        '--home',
        run.home,
        '--profiles',
        batch.join(','),
        ...monitor,
      ]),
    ),
  )
  const serverAddrs = servers.map((s) => {
    const node = s.ready.nodes[0]
    const addr = node?.addrs[0] ?? ''
    return addr.includes('/p2p/') ? addr : `${addr}/p2p/${node?.peerId ?? ''}`
  })

  say(`connecting the kad-dht servers to each other, and each client to ${BOOTSTRAP_SERVERS} of them`)
  const clients: ClientRef[] = pools.flatMap((pool) =>
    pool.ready.nodes.map((n, node) => ({ pool, node, username: n.username ?? '' })),
  )
  // Dials can time out on a loaded machine: whoever's table is still short is told to dial again.
  // A pool at a time: 200 clients' first self-queries all at once would each dial every server together.
  const tables = [
    ...(await converge(
      'kad-dht servers',
      servers.map((p) => ({
        p,
        node: 0,
        want: Math.ceil((run.servers - 1) * 0.8),
        addrs: () => serverAddrs,
      })),
      signal,
    )),
  ]
  for (const pool of pools) {
    const mine = clients.filter((c) => c.pool === pool)
    tables.push(
      ...(await converge(
        `kad-dht clients of ${pool.name}`,
        mine.map((c) => ({
          p: pool,
          node: c.node,
          want: 1,
          addrs: () => sample(serverAddrs, BOOTSTRAP_SERVERS),
        })),
        signal,
      )),
    )
  }
  say(
    `kad-dht routing tables: servers ${range(tables.slice(0, servers.length))}, ` +
      `clients ${range(tables.slice(servers.length))} peers`,
  )

  say(`putting ${clients.length} signed presence records`)
  const puts = await putAll(clients, signal)
  const stored = (): string[] => run.users.filter((u) => !puts.unstored.includes(u))
  let putAt = performance.now()

  const serverRssKib = servers.map((s) => rssKib(s.pid))
  const perClientKib = pools.map((p) => rssKib(p.pid) / p.ready.nodes.length)
  const idleCores = await cpuCores(
    [...servers, ...pools].map((p) => p.pid),
    IDLE_SAMPLE_MS,
    signal,
  )

  const phases: Phase[] = []
  const measure = async (name: string): Promise<void> => {
    // A phase may outlive the records (REQUEST_TIMEOUT_MS: the gets still in flight at its budget's end).
    if (performance.now() + run.budgetMs + REQUEST_TIMEOUT_MS > putAt + RECORD_TTL_MS - 60_000) {
      say('putting the records again: they would expire during the next phase')
      const again = await putAll(clients, signal)
      puts.unstored = again.unstored
      putAt = performance.now()
      say(`put again: ${again.count} puts, failures ${again.failureText()}`)
    }
    const cpu = cpuMeter([...servers, ...pools].map((p) => p.pid))
    const phase = await gets(name, run.gets, clients, { ...run, users: stored() }, signal)
    phase.cpuMs = cpu()
    phases.push(phase)
    say(`kad-dht ${name}: ${phase.count} gets in ${(phase.durationMs / 1000).toFixed(1)} s`)
    const missing = { ...run, users: stored(), budgetMs: run.notFoundBudgetMs }
    const cpuNobody = cpuMeter([...servers, ...pools].map((p) => p.pid))
    const nobody = await gets(`${name}, not found`, run.notFound, clients, missing, signal, true)
    nobody.cpuMs = cpuNobody()
    phases.push(nobody)
    say(`kad-dht ${nobody.name}: ${nobody.count} gets in ${(nobody.durationMs / 1000).toFixed(1)} s`)
  }
  await measure('healthy')
  const frozen = servers.slice(0, Math.round(run.servers * run.freezeFraction))
  say(`freezing ${frozen.length} kad-dht servers (SIGSTOP)`)
  const frozenAt = performance.now()
  ctx.freezer.freeze(frozen.map((s) => s.pid))
  await measure('frozen, immediately')
  // Never sooner after the freeze than Parley's last phase was: kad gets as long to notice.
  const wait = frozenAt + (run.laterAfterMs ?? 0) - performance.now()
  if (wait > 0) {
    say(
      `waiting ${(wait / 1000).toFixed(0)} s: the last phase starts as long after the freeze as Parley's did`,
    )
    await sleep(wait, undefined, { signal })
  }
  await measure(`frozen, after ${Math.round((performance.now() - frozenAt) / 1000)} s`)
  await stop()
  return { phases, puts, serverRssKib, perClientKib, frozen: frozen.length, idleCores }
}

/** Every client signs its record now and puts it, PUT_CONCURRENCY at a time. */
async function putAll(clients: ClientRef[], signal: AbortSignal): Promise<Puts> {
  const puts = Object.assign(new Phase(SYSTEM, 'put'), { storedOn: [] as number[], unstored: [] as string[] })
  // Interleaved over the client processes, so that no one process does all the puts in flight.
  let queue = [...clients].sort((a, b) => a.node - b.node)
  const t0 = performance.now()
  // A put that no peer stored is tried again, as a device retries its publish; a user whose record is
  // stored nowhere after PUT_ROUNDS has not published, and is not looked up (as Parley's offline users).
  for (let round = 0; round < PUT_ROUNDS && queue.length > 0; round++) {
    const failed: ClientRef[] = []
    await Promise.all(
      Array.from({ length: PUT_CONCURRENCY }, async () => {
        for (let c = queue.shift(); c !== undefined; c = queue.shift()) {
          signal.throwIfAborted()
          const started = performance.now()
          const a = await c.pool
            .request({ op: 'put', node: c.node }, REQUEST_TIMEOUT_MS)
            .catch((err: unknown) => ({ ok: false, ms: undefined, stored: 0, error: (err as Error).message }))
          puts.record(a.ms ?? performance.now() - started, a.ok ? 'ok' : 'error', a.error, c.username)
          if (a.ok) puts.storedOn.push(a.stored ?? 0)
          else failed.push(c)
        }
      }),
    )
    queue = failed
  }
  puts.unstored = queue.map((c) => c.username)
  puts.durationMs = performance.now() - t0
  return puts
}

/**
 * n gets of random other users' records (or, for notFound, of usernames nobody has), `run.inFlight`
 * clients at a time (a client per process first), each sequential.
 */
async function gets(
  name: string,
  n: number,
  clients: ClientRef[],
  run: KadRun,
  signal: AbortSignal,
  notFound = false,
): Promise<Phase> {
  const phase = new Phase(SYSTEM, name)
  // One client from each process in turn, then more from each.
  const byPool = [...new Set(clients.map((c) => c.pool))].map((p) =>
    sample(
      clients.filter((c) => c.pool === p),
      clients.length,
    ),
  )
  const askers: ClientRef[] = []
  for (let i = 0; askers.length < Math.min(run.inFlight, clients.length); i++) {
    const c = byPool[i % byPool.length]?.[Math.floor(i / byPool.length)]
    if (c !== undefined) askers.push(c)
  }
  let issued = 0
  const start = performance.now()
  await Promise.all(
    askers.map(async (c) => {
      while (issued < n) {
        if (performance.now() - start > run.budgetMs) {
          phase.capped = `time budget ${run.budgetMs / 60_000} min`
          break
        }
        const seq = issued++
        signal.throwIfAborted()
        let user = notFound ? `nobody-${seq}-${Math.floor(Math.random() * 1e9)}` : c.username
        while (user === c.username) user = run.users[Math.floor(Math.random() * run.users.length)] ?? ''
        const t0 = performance.now()
        const answer = await c.pool
          .request({ op: 'get', node: c.node, username: user }, REQUEST_TIMEOUT_MS)
          .catch((err: unknown) => ({ noAnswer: (err as Error).message }))
        // The client's own time when it answered; the bench's when it did not.
        const ms = ('ms' in answer ? answer.ms : undefined) ?? performance.now() - t0
        const { outcome, error } = notFound
          ? classifyMissingGet(answer)
          : classifyGet(answer, user, run.deviceIds.get(user))
        phase.record(ms, outcome, error, `${user} from ${c.username}`, seq)
      }
    }),
  )
  phase.durationMs = performance.now() - start
  return phase
}

function sample<T>(items: readonly T[], n: number): T[] {
  const copy = [...items]
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[copy[i], copy[j]] = [copy[j] as T, copy[i] as T]
  }
  return copy.slice(0, n)
}

interface Target {
  p: KadProcess
  node: number
  want: number
  addrs: () => string[]
}

/** Dials until every node's routing table holds `want` peers; returns the sizes. */
async function converge(what: string, targets: Target[], signal: AbortSignal): Promise<number[]> {
  const processes = [...new Set(targets.map((t) => t.p))]
  const dialing = new Map<Target, number>()
  // One connect at a time per node: on a loaded machine a round of dials outlasts REDIAL_EVERY_MS, and a
  // fresh round hanging up the connections the last one just opened kept 17 of 20 servers short for 120 s.
  const busy = new Set<Target>()
  let sizes: number[] = []
  await waitFor(
    what,
    async () => {
      const answers = new Map(
        await Promise.all(
          processes.map(async (p) => [p, await p.request({ op: 'status' }, REQUEST_TIMEOUT_MS)] as const),
        ),
      )
      sizes = targets.map((t) => answers.get(t.p)?.routingTable?.[t.node] ?? 0)
      const now = Date.now()
      targets.forEach((t, i) => {
        if ((sizes[i] ?? 0) >= t.want || busy.has(t)) return
        if (now - (dialing.get(t) ?? -Infinity) < REDIAL_EVERY_MS) return
        const fresh = dialing.has(t)
        dialing.set(t, now)
        busy.add(t)
        void t.p
          .request({ op: 'connect', node: t.node, addrs: t.addrs(), fresh }, REQUEST_TIMEOUT_MS)
          .catch(() => undefined)
          .finally(() => busy.delete(t))
      })
      return targets.every((t, i) => (sizes[i] ?? 0) >= t.want) || undefined
    },
    {
      timeoutMs: CONVERGE_TIMEOUT_MS,
      everyMs: 1000,
      signal,
      state: () => {
        const short = targets.flatMap((t, i) =>
          (sizes[i] ?? 0) < t.want ? [`${sizes[i] ?? 0}/${t.want}`] : [],
        )
        return `${short.length} nodes short: ${short.slice(0, 12).join(' ')}`
      },
    },
  )
  return sizes
}

function range(values: number[]): string {
  return values.length === 0 ? '-' : `${Math.min(...values)}–${Math.max(...values)}`
}
