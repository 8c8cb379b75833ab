/**
 * The Parley side's network: startDevnet's authority and supernodes, then
 * (so that an idle supernode's memory can be read first) device pools started
 * the way startDevnet starts them, then the bench's own lookup clients: full
 * DeviceNodes in this process, signed in like any device.
 */
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { DeviceNode } from '../../src/device/node.js'
import { Profile } from '../../src/device/profile.js'
import { spawnParley, type Child } from '../../src/devnet/children.js'
import { startDevnet, type Devnet, type DevnetNode } from '../../src/devnet/devnet.js'
import { createLogger } from '../../src/log/logger.js'
import type { Cleanup } from '../support/cleanup.js'
import { signInAll } from './accounts.js'
import { type Children, cpuSeconds, type Freezer, rssKib, waitFor, WaitTimeoutError } from './procs.js'

const POOL_START_TIMEOUT_MS = 180_000
const STATUS_TIMEOUT_MS = 2_000
const MEMBERSHIP_TIMEOUT_MS = 180_000

export class BrokenDirectoryError extends Error {
  override name = 'BrokenDirectoryError'
}

export interface ParleyPlan {
  dir: string
  megas: number
  supernodes: number
  users: number
  perPool: number
  clients: number
}

export interface SupernodeStatus {
  load: number
  members: Array<{ peerId: string; state: string }>
}

export interface ParleyNet {
  devnet: Devnet
  supernodes: DevnetNode[]
  pools: Child[]
  clients: DeviceNode[]
  clientNames: string[]
  /** username → device id (peer id) of its one device. */
  deviceIds: Map<string, string>
  users: string[]
  perPool: number
  /** VmRSS (KiB) of each supernode, by peer id, before any device existed. */
  idleRssKib: Map<string, number>
  status(sn: DevnetNode): Promise<SupernodeStatus | undefined>
  /** Stops everything (idempotent); thaws frozen supernodes first. */
  stop(): Promise<void>
}

export async function startParleyNet(
  plan: ParleyPlan,
  ctx: {
    cleanup: Cleanup
    children: Children
    freezer: Freezer
    signal: AbortSignal
    say: (s: string) => void
  },
): Promise<ParleyNet> {
  const { cleanup, children, freezer, signal, say } = ctx
  const devnet = await startDevnet({
    dir: plan.dir,
    megas: plan.megas,
    supernodes: plan.supernodes,
    devices: 0,
    onProgress: (line) => say(`devnet: ${line}`),
  })
  const pools: Child[] = []
  const clients: DeviceNode[] = []
  let stopped: Promise<void> | undefined
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      freezer.thawAll()
      await Promise.all(clients.map((c) => c.stop().catch(() => undefined)))
      await Promise.all(pools.map((p) => p.stop()))
      await devnet.stop()
    })())
  for (const c of [devnet.authority, ...devnet.supernodes.map((s) => s.child)]) children.add(c.process)
  cleanup.add('stop the Parley devnet', stop)

  const status = async (sn: DevnetNode): Promise<SupernodeStatus | undefined> => {
    try {
      const res = await fetch(`${sn.httpUrl}/v1/status`, { signal: AbortSignal.timeout(STATUS_TIMEOUT_MS) })
      return (await res.json()) as SupernodeStatus
    } catch {
      return undefined
    }
  }

  say('waiting until every supernode sees all the others alive')
  const total = devnet.supernodes.length
  const pids = devnet.supernodes.map((s) => s.child.process.pid ?? -1)
  const cpuBefore = pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0)
  const waitStart = performance.now()
  let views: number[] = []
  await waitFor(
    'supernode membership',
    async () => {
      const all = await Promise.all(devnet.supernodes.map(status))
      views = all.map((s) => s?.members.filter((m) => m.state === 'alive').length ?? 0)
      return views.every((n) => n === total) || undefined
    },
    { timeoutMs: MEMBERSHIP_TIMEOUT_MS, everyMs: 500, signal },
  ).catch((err: unknown) => {
    if (!(err instanceof WaitTimeoutError)) throw err
    const cores =
      (pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0) - cpuBefore) /
      ((performance.now() - waitStart) / 1000)
    throw new BrokenDirectoryError(
      `the ${total} supernodes never agreed on who is alive: after ${MEMBERSHIP_TIMEOUT_MS / 1000} s they see ` +
        `${Math.min(...views)}–${Math.max(...views)} of ${total} alive, using ${cores.toFixed(2)} cores together ` +
        `with no device attached (logs in ${devnet.logDir}; --keep keeps them)`,
    )
  })
  const users = Array.from({ length: plan.users }, (_, i) => `user-${i + 1}`)
  const clientNames = Array.from({ length: plan.clients }, (_, i) => `bench-${String.fromCharCode(97 + i)}`)
  say(`signing in ${users.length} devices and ${clientNames.length} lookup clients`)
  const deviceIds = await signInAll(devnet.authorityUrl, devnet.home, [...users, ...clientNames], signal)

  const idleRssKib = new Map(devnet.supernodes.map((s) => [s.peerId, rssKib(s.child.process.pid ?? -1)]))

  const env = { PARLEY_HOME: devnet.home, PARLEY_LOG_DIR: devnet.logDir }
  for (let i = 0; i < users.length; i += plan.perPool) {
    signal.throwIfAborted()
    const batch = users.slice(i, i + plan.perPool)
    say(`starting devices ${i + 1}–${i + batch.length} (pool ${pools.length + 1})`)
    const pool = await spawnParley(
      `pool-${pools.length + 1}`,
      ['devnet-pool', '--profiles', batch.join(',')],
      /pool ready/,
      { logDir: devnet.logDir, env, timeoutMs: POOL_START_TIMEOUT_MS },
    )
    pools.push(pool)
    children.add(pool.process)
  }

  const log = createLogger('bench', {
    file: join(devnet.logDir, 'bench-clients.log'),
    level: process.env.PARLEY_BENCH_LOG_LEVEL === 'info' ? 'info' : 'warn',
  })
  for (const name of clientNames) {
    const device = await DeviceNode.start({
      profile: new Profile(devnet.home, name),
      host: '127.0.0.1',
      log: log.child({ device: name }),
    })
    clients.push(device)
  }
  return {
    devnet,
    supernodes: devnet.supernodes,
    pools,
    clients,
    clientNames,
    deviceIds,
    users,
    perPool: plan.perPool,
    idleRssKib,
    status,
    stop,
  }
}
