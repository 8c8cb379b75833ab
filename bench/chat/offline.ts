/**
 * Offline-store writes through one supernode: devices attached to it deposit
 * sealed items (batches of 64, the wire's most, and one at a time) until N
 * are held. The supernode stores each on the recipient's R = 3 replicas
 * (itself perhaps among them) and answers once one holds it, so a write is
 * the whole deposit path, not one SQLite insert. Items are sealed before the
 * clock starts (sealing is the sender's cost, reported on its own).
 *
 * A store holds at most 2,000 items from one sender, so the items are spread
 * over several depositing users, each a DeviceNode in this process, and over
 * many recipients (whose devices need not exist: the store never sees inside).
 */
import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Multiaddr } from '@multiformats/multiaddr'
import { deposit, OfflineBusyError, type OfflineIdentity } from '../../src/chat/offline-client.js'
import { sealForDevices } from '../../src/chat/seal.js'
import { deviceIdOf, generateKey, signerOf } from '../../src/crypto/keys.js'
import type { DeviceNode } from '../../src/device/node.js'
import { SealedItem } from '../../src/wire/chat.js'
import { cpuSeconds } from '../directory/procs.js'

const RECIPIENTS = 16
/** A busy answer is retried after its retry-after; this many in one deposit fail the run. */
const MAX_BUSY_PER_DEPOSIT = 20

export interface DepositPlan {
  label: string
  /** Items per deposit request. */
  batch: number
  items: number
  /** Deposits in flight at once, spread over the depositors. */
  inFlight: number
}

export interface DepositResult {
  plan: DepositPlan
  depositors: number
  supernodes: number
  deposits: number
  /** ms per deposit request (busy retries included), ascending. */
  latenciesMs: number[]
  busy: number
  elapsedMs: number
  /** CPU ms to seal one item for one device, client side. */
  sealMs: number
  bytesPerItem: number
  /** CPU seconds over the phase: the chosen supernode, all supernodes together, this process (the depositors). */
  targetCpuS: number
  supernodesCpuS: number
  benchCpuS: number
  /** CPU seconds all supernodes spent idle (gossip, directory upkeep) over as long, measured just before. */
  idleCpuS: number
}

/** How long the supernodes' idle CPU is sampled before a phase. */
const IDLE_SAMPLE_MS = 3_000

export interface SupernodePids {
  target: number
  all: number[]
}

export interface Depositor {
  device: DeviceNode
  /** The chosen supernode's addresses, as this device is attached to it. */
  addrs: Multiaddr[]
  /** What the device signs its deposits with. */
  me: OfflineIdentity
}

/** Seals `count` items of `plaintext` for fresh recipient devices. */
export async function sealItems(
  count: number,
  plaintext: Uint8Array,
): Promise<{ items: SealedItem[]; sealMs: number }> {
  const devices = await Promise.all(
    Array.from({ length: RECIPIENTS }, async () => {
      const pub = signerOf(await generateKey()).publicKey
      return { deviceId: deviceIdOf(pub), publicKey: pub }
    }),
  )
  const items: SealedItem[] = []
  // CPU time, not wall time: on a busy machine the wall clock counts other processes' turns too.
  const t0 = process.cpuUsage()
  for (let i = 0; i < count; i++) {
    const r = i % RECIPIENTS
    items.push(
      sealForDevices({
        id: new Uint8Array(randomBytes(16)),
        recipient: `rcpt-${r + 1}`,
        plaintext,
        devices: [devices[r]!],
      }),
    )
  }
  const cpu = process.cpuUsage(t0)
  return { items, sealMs: (cpu.user + cpu.system) / 1000 / Math.max(1, count) }
}

export async function measureDeposits(
  plan: DepositPlan,
  depositors: Depositor[],
  items: SealedItem[],
  sealMs: number,
  pids: SupernodePids,
  signal: AbortSignal,
): Promise<DepositResult> {
  // Each depositor deposits its own share, so no sender passes its quota.
  const share = Math.ceil(items.length / depositors.length)
  const queues = depositors.map((d, i) => ({
    depositor: d,
    batches: chunk(items.slice(i * share, (i + 1) * share), plan.batch),
  }))
  const latencies: number[] = []
  let busy = 0
  let deposits = 0
  const worker = async (q: (typeof queues)[number]): Promise<void> => {
    for (let batch = q.batches.shift(); batch !== undefined; batch = q.batches.shift()) {
      signal.throwIfAborted()
      const t0 = performance.now()
      for (let attempt = 1; ; attempt++) {
        try {
          await deposit(q.depositor.device.node, [q.depositor.addrs], q.depositor.me, batch, { signal })
          break
        } catch (err) {
          if (!(err instanceof OfflineBusyError) || attempt >= MAX_BUSY_PER_DEPOSIT) throw err
          busy++
          await sleep(err.retryAfterMs, undefined, { signal })
        }
      }
      latencies.push(performance.now() - t0)
      deposits++
    }
  }
  const perDepositor = Math.max(1, Math.round(plan.inFlight / depositors.length))
  const allCpu = (): number => pids.all.reduce((sum, pid) => sum + cpuSeconds(pid), 0)
  // Their background work goes on during the phase too: sampled alone first, to print it apart.
  const idle0 = allCpu()
  await sleep(IDLE_SAMPLE_MS, undefined, { signal })
  const idleRate = (allCpu() - idle0) / (IDLE_SAMPLE_MS / 1000)
  const cpu0 = { target: cpuSeconds(pids.target), all: allCpu(), bench: process.cpuUsage() }
  const start = performance.now()
  await Promise.all(queues.flatMap((q) => Array.from({ length: perDepositor }, () => worker(q))))
  const elapsedMs = performance.now() - start
  const bench = process.cpuUsage(cpu0.bench)
  const bytes = items.reduce((sum, i) => sum + SealedItem.encode(i).byteLength, 0)
  return {
    plan,
    depositors: depositors.length,
    supernodes: pids.all.length,
    deposits,
    latenciesMs: latencies.sort((a, b) => a - b),
    busy,
    elapsedMs,
    sealMs,
    bytesPerItem: bytes / Math.max(1, items.length),
    targetCpuS: cpuSeconds(pids.target) - cpu0.target,
    supernodesCpuS: allCpu() - cpu0.all,
    benchCpuS: (bench.user + bench.system) / 1e6,
    idleCpuS: idleRate * (elapsedMs / 1000),
  }
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}
