/**
 * Chat: one-to-one delivery latency (send → delivered) beside the bare
 * libp2p stream round trip to the same device over the same connection,
 * direct and through a supernode's relay, warm and after an idle pause;
 * what one message costs in CPU; messages per second in one conversation,
 * and the CPU per message on both sides; delivery latency at a steady
 * 1,000 messages/s; offline-store writes per second through one supernode. Real processes on
 * 127.0.0.1, in one run.
 *
 *   npm run bench:chat [-- --samples 1000 --cold-rounds 8 --warmup 100 --messages 20000
 *     --paced-rate 1000 --paced-seconds 5 --deposits 8192 --single-deposits 2000 --in-flight 8
 *     --where in-process,own-process --phases latency,cold,send-cost,throughput,paced,offline
 *     --cost-messages 2000 --max-wait 10 --keep]
 *
 * The network: startDevnet's authority, 1 mega-supernode and 3 supernodes,
 * each its own process. The sender (alice) is a DeviceNode with a ChatService
 * in this process, started as `parley up` starts them. Recipients: bob
 * (direct) and carol (relayed) in this process; dave (direct) and erin
 * (relayed) the same code in their own processes, so that sender and
 * recipient do not share an event loop. A relayed recipient closes its TCP
 * listener once its relay reservations are up and publishes only its relay
 * circuits: nobody can dial it, as behind a NAT (see bench/chat/peer.ts). The
 * sender does the same, or the relayed recipient (which can dial out) would
 * open a direct connection to it and the sender would reuse it: relayed means
 * both behind NATs. A direct recipient is dialled by the sender.
 *
 * It prints figures and asserts none; but a message not delivered, an echo
 * that fails, a "relayed" figure that went direct (or the reverse), or a
 * deposit refused fails the run, so a broken system cannot produce a table.
 * Before each measurement it waits (up to --max-wait minutes in all) while
 * the 1-minute load average is above 3, and prints the load it measured under.
 */
import { availableParallelism, cpus, totalmem } from 'node:os'
import { join } from 'node:path'
import { ChatKind, ChatLimits } from '../src/wire/chat.js'
import { runBench, TimeoutError, withTimeout, type Cleanup } from './support/cleanup.js'
import { tempDir } from './support/process.js'
import { Children } from './directory/procs.js'
import { COLD_AFTER_MS, measureCold, type ColdResult } from './chat/cold.js'
import { measureLatency, WrongPathError, type LatencyResult } from './chat/latency.js'
import { BrokenNetworkError, startChatNet } from './chat/net.js'
import { OfflineStoreError } from '../src/chat/offline-client.js'
import { measureDeposits, sealItems, type DepositPlan, type DepositResult } from './chat/offline.js'
import { PeerSetupError, type ChatPeer } from './chat/peer.js'
import { LOAD_LIMIT, loadAverage, QuietWait } from './chat/quiet.js'
import { reuseOpenConnections } from './chat/reuse.js'
import {
  coldTable,
  depositTable,
  goalChecks,
  latencyTable,
  pacedTable,
  sendCostLines,
  throughputTable,
} from './chat/report.js'
import { notes, profileLines } from './chat/notes.js'
import { measureSendCost, type SendCost } from './chat/send-cost.js'
import { chatUsers, startDepositors, startPeers } from './chat/setup.js'
import { targetLabel } from './chat/target.js'
import { measureThroughput, type ThroughputResult } from './chat/throughput.js'
import { measurePaced, type PacedResult } from './chat/paced.js'
import { hopLines } from './chat/hops.js'
import { DeliveryWatch } from './chat/watch.js'
import { parsePlan } from './chat/plan.js'

/** A recipient fetches the offline store every minute: give what went there time to come back. */
const DRAIN_TIMEOUT_MS = 150_000
/** Items per deposit request: the wire's most (ChatLimits.offlineItems). */
const BATCH = ChatLimits.offlineItems
/** A store keeps at most 2,000 items of one sender: stay well under it. */
const ITEMS_PER_DEPOSITOR = 1_500

async function main(signal: AbortSignal, cleanup: Cleanup): Promise<void> {
  const plan = parsePlan(process.argv.slice(2))
  const started = Date.now()
  const say = (line: string): void =>
    console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(5)} s] ${line}`)
  const cores = cpus()
  console.log('Parley chat benchmark')
  console.log(
    `machine: ${cores.length} CPUs (${cores[0]?.model.trim() ?? 'unknown'}), available parallelism ` +
      `${availableParallelism()}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB; node ${process.version}; ` +
      `load average at start ${loadAverage()}`,
  )
  const quiet = new QuietWait(plan.maxWaitMin * 60_000)
  await quiet.before('setup', say, signal)

  const root = tempDir('parley-bench-chat-')
  cleanup.add('remove the temporary folder', () => {
    if (plan.keep) console.log(`bench: kept ${root.path}`)
    else root.remove()
  })
  const children = new Children()
  cleanup.onExit(() => children.killAll())
  const ctx = { cleanup, children, signal, say }

  const batchDepositors = depositorsFor(plan.deposits, BATCH, plan.inFlight)
  const singleDepositors = depositorsFor(plan.singleDeposits, 1, Math.min(4, plan.inFlight))
  const depositorNames = Array.from({ length: batchDepositors + singleDepositors }, (_, i) => `dep-${i + 1}`)
  const net = await startChatNet(
    {
      dir: join(root.path, 'devnet'),
      megas: 1,
      supernodes: 3,
      users: [...chatUsers(plan.where), ...(plan.phases.has('offline') ? depositorNames : [])],
    },
    ctx,
  )
  const peers = await startPeers(net, plan.where, ctx)
  const { sender, targets } = peers
  const watch = new DeliveryWatch(sender.service)
  cleanup.add('stop watching deliveries', () => watch.close())
  const loads = new Map<string, string>()

  const latency: LatencyResult[] = []
  if (plan.phases.has('latency')) {
    for (const t of targets) {
      const phase = `latency, ${targetLabel(t)}`
      loads.set(phase, await quiet.before(phase, say, signal))
      say(`${phase}: ${plan.warmup} warm-up + ${plan.samples} samples (fresh-stream echo, rpc echo, message)`)
      const r = await measureLatency(sender, watch, t, { samples: plan.samples, warmup: plan.warmup, signal })
      latency.push(r)
      say(
        `${phase}: done in ${(r.durationMs / 1000).toFixed(1)} s, ${r.connectionsOpened} connections opened`,
      )
    }
  }

  let cold: ColdResult[] = []
  if (plan.phases.has('cold')) {
    const phase = 'after idle'
    loads.set(phase, await quiet.before(phase, say, signal))
    say(
      `${phase}: ${plan.coldRounds} rounds of ${COLD_AFTER_MS / 1000} s idle, then a message to each recipient`,
    )
    cold = await measureCold(sender, watch, targets, { rounds: plan.coldRounds, signal, say })
  }

  let sendCost: SendCost | undefined
  if (plan.phases.has('send-cost')) {
    const to = targets.find((t) => t.path === 'direct') ?? targets[0]
    if (to !== undefined) {
      const phase = 'what one message costs'
      loads.set(phase, await quiet.before(phase, say, signal))
      say(`${phase}: ${plan.costMessages} messages to ${to.username}, CPU time piece by piece`)
      sendCost = await measureSendCost(
        sender,
        peers.local.get(to.username),
        to.username,
        plan.costMessages,
        signal,
      )
    }
  }

  const throughput: ThroughputResult[] = []
  const stuck: string[] = []
  if (plan.phases.has('throughput')) {
    for (const t of targets) {
      const phase = `throughput, ${targetLabel(t)}`
      loads.set(phase, await quiet.before(phase, say, signal))
      say(`${phase}: ${plan.messages} messages`)
      const r = await measureThroughput(sender, watch, t, { messages: plan.messages, signal })
      throughput.push(r)
      if (r.delivered === r.messages) {
        say(`${phase}: delivered in ${(r.totalMs / 1000).toFixed(1)} s`)
        continue
      }
      const left = [...r.leftOver].map(([state, n]) => `${n} ${state}`).join(', ')
      stuck.push(
        `${phase}: ${r.delivered} of ${r.messages} delivered in ${(r.totalMs / 1000).toFixed(0)} s (left: ${left}; ` +
          `${r.viaOffline} went through the offline store after a failed push)`,
      )
      say(
        `${phase}: only ${r.delivered} of ${r.messages} delivered in ${(r.totalMs / 1000).toFixed(0)} s (${left}); draining the rest`,
      )
      const drained = await drain(sender, r.rest, signal)
      if (!drained) {
        stuck.push(
          `${phase}: still not all delivered ${DRAIN_TIMEOUT_MS / 1000} s later; no further throughput runs`,
        )
        break
      }
    }
  }

  const paced: PacedResult[] = []
  if (plan.phases.has('paced') && stuck.length === 0) {
    for (const t of targets) {
      const phase = `paced, ${targetLabel(t)}`
      loads.set(phase, await quiet.before(phase, say, signal))
      say(`${phase}: ${plan.pacedRate} messages/s for ${plan.pacedSeconds} s`)
      const r = await measurePaced(sender, watch, t, {
        rate: plan.pacedRate,
        seconds: plan.pacedSeconds,
        signal,
      })
      paced.push(r)
      if (r.delivered < r.messages) {
        stuck.push(`${phase}: ${r.delivered} of ${r.messages} delivered within 30 s of the last send`)
        break
      }
    }
  }

  const deposits: DepositResult[] = []
  let held: number | undefined
  let failedDeposits: string | undefined
  if (plan.phases.has('offline')) {
    const supernode = net.devnet.supernodes.find((s) => !s.name.startsWith('mega-'))
    if (supernode === undefined) throw new BrokenNetworkError('no ordinary supernode to deposit through')
    say(`starting ${depositorNames.length} depositing devices, attached to ${supernode.name}`)
    const depositors = await startDepositors(net, depositorNames, supernode, ctx, peers.log)
    // What is sealed is a signed event of a short message's size.
    const plaintext = sender.service.chat.live(ChatKind.TYPING, targets[0]?.username ?? 'bob')
    const plans: Array<{ plan: DepositPlan; from: typeof depositors }> = [
      {
        plan: { label: `batches of ${BATCH}`, batch: BATCH, items: plan.deposits, inFlight: plan.inFlight },
        from: depositors.slice(0, batchDepositors),
      },
      {
        plan: { label: 'one item each', batch: 1, items: plan.singleDeposits, inFlight: plan.inFlight },
        from: depositors.slice(batchDepositors),
      },
    ]
    for (const p of plans) {
      say(`offline, ${p.plan.label}: sealing ${p.plan.items} items`)
      const { items, sealMs } = await sealItems(p.plan.items, plaintext)
      const phase = `offline, ${p.plan.label}`
      loads.set(phase, await quiet.before(phase, say, signal))
      say(`${phase}: ${p.plan.items} items through ${supernode.name}, ${p.plan.inFlight} requests in flight`)
      const pids = {
        target: supernode.child.process.pid ?? -1,
        all: net.devnet.supernodes.map((s) => s.child.process.pid ?? -1),
      }
      // A failed deposit fails the run, but what the earlier phases measured is still printed.
      const r = await measureDeposits(p.plan, p.from, items, sealMs, pids, signal).catch((err: unknown) => {
        if (!(err instanceof OfflineStoreError)) throw err
        failedDeposits = `${phase}: ${err.name} ${err.code}: ${err.message}`
        return undefined
      })
      if (r === undefined) break
      deposits.push(r)
      say(`${phase}: done in ${(r.elapsedMs / 1000).toFixed(1)} s`)
    }
    const statuses = await Promise.all(net.devnet.supernodes.map((s) => net.status(s)))
    held = statuses.reduce((sum, s) => sum + (s?.offlineItems ?? 0), 0)
    const wanted = plan.deposits + plan.singleDeposits
    if (held < wanted && failedDeposits === undefined)
      throw new BrokenNetworkError(`the supernodes hold ${held} copies of ${wanted} deposited items`)
  }
  say('done; stopping every device and process')
  console.log()
  print({ latency, cold, sendCost, throughput, paced, deposits, held, loads, quiet })
  if (stuck.length > 0) {
    console.log()
    console.log(`BROKEN: messages not delivered in time: ${stuck.join('; ')}`)
    process.exitCode = 1
  }
  if (failedDeposits !== undefined) {
    console.log()
    console.log(`BROKEN: a deposit failed, so the offline rows stop there: ${failedDeposits}`)
    process.exitCode = 1
  }
}

/**
 * What a cut-off phase left in the outbox, sent now over the open connections
 * (reuse.ts) and without waiting out the backoff, so the next phase starts clean.
 */
async function drain(sender: ChatPeer, rest: Promise<void>, signal: AbortSignal): Promise<boolean> {
  const unpatch = reuseOpenConnections(sender.device.node)
  try {
    sender.service.store.outbox.retryAllNow(Date.now())
    sender.service.delivery.kick()
    const drained = await withTimeout(rest, DRAIN_TIMEOUT_MS, 'draining the outbox').then(
      () => true,
      (err: unknown) => {
        if (err instanceof TimeoutError) return false
        throw err
      },
    )
    signal.throwIfAborted()
    return drained
  } finally {
    unpatch()
  }
}

/** Enough depositing users to stay under the per-sender quota, and one per request in flight (up to `most`). */
function depositorsFor(items: number, batch: number, most: number): number {
  return Math.max(Math.min(most, Math.ceil(items / batch)), Math.ceil(items / ITEMS_PER_DEPOSITOR))
}

function print(r: {
  latency: LatencyResult[]
  cold: ColdResult[]
  sendCost: SendCost | undefined
  throughput: ThroughputResult[]
  paced: PacedResult[]
  deposits: DepositResult[]
  held: number | undefined
  loads: Map<string, string>
  quiet: QuietWait
}): void {
  if (r.latency.length > 0) {
    console.log(
      'Delivery latency, ms (send → delivered; floors: an echo on a fresh stream, and through rpc.ts request):',
    )
    console.log(latencyTable(r.latency))
    console.log()
  }
  if (r.cold.length > 0) {
    console.log(`The first message after ${COLD_AFTER_MS / 1000} s idle (pooled streams closed), ms:`)
    console.log(coldTable(r.cold))
    console.log()
  }
  if (r.sendCost !== undefined) {
    for (const line of sendCostLines(r.sendCost)) console.log(line)
    console.log()
  }
  if (r.throughput.length > 0) {
    console.log('Messages per second in one conversation:')
    console.log(throughputTable(r.throughput))
    console.log()
  }
  if (r.paced.length > 0) {
    console.log('Delivery latency at a steady rate, ms (send → delivered):')
    console.log(pacedTable(r.paced))
    console.log('Where that time went, on the sender:')
    for (const p of r.paced) for (const line of hopLines(targetLabel(p.target), p.hops)) console.log(line)
    console.log()
  }
  if (r.deposits.length > 0) {
    console.log('Offline-store writes through one supernode:')
    console.log(depositTable(r.deposits, r.held))
    console.log()
  }
  for (const line of profileLines(r.latency, r.throughput, r.deposits)) console.log(line)
  console.log()
  console.log('Load average (1, 5, 15 min) at the start of each measurement:')
  for (const [phase, load] of r.loads) console.log(`  ${phase.padEnd(40)} ${load}`)
  if (r.quiet.loaded.length > 0)
    console.log(
      `  ${r.quiet.loaded.length} of ${r.loads.size + 1} measurements (setup included) started above ` +
        `${LOAD_LIMIT}: the machine was busy with something else, so read the figures as upper bounds`,
    )
  console.log(`  at the end                               ${loadAverage()}`)
  console.log()
  console.log('Goals (from the issue):')
  for (const g of goalChecks(r.latency, r.throughput, r.paced, r.deposits))
    console.log(`  ${g.pass ? 'PASS' : 'FAIL'}  ${g.text}`)
  console.log()
  console.log(notes())
}

await runBench(main, [BrokenNetworkError, PeerSetupError, WrongPathError])
