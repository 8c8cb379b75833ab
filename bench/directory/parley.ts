/**
 * Parley's directory under measurement: DeviceNode.lookup calls from the
 * bench's clients, `inFlight` at a time, healthy, right after 30% of the
 * supernodes are frozen (SIGSTOP), and once membership has declared them dead.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { LookupError, type DeviceNode } from '../../src/device/node.js'
import type { DevnetNode } from '../../src/devnet/devnet.js'
import type { Cleanup } from '../support/cleanup.js'
import { BrokenDirectoryError, startParleyNet, type ParleyNet, type ParleyPlan } from './parley-net.js'
import {
  type Children,
  cpuCores,
  cpuByProcess,
  cpuMeter,
  type Freezer,
  IDLE_SAMPLE_MS,
  rssKib,
  waitFor,
  WaitTimeoutError,
} from './procs.js'
import { Phase, type Outcome } from './stats.js'
import { cpuWhere, directoryServed } from './phase-notes.js'

export { BrokenDirectoryError }

export interface ParleyRun extends ParleyPlan {
  lookups: number
  notFoundLookups: number
  inFlight: number
  freezeFraction: number
}

export interface Memory {
  perDeviceKib: number[]
  poolRssKib: number[]
  supernodes: Array<{ name: string; mega: boolean; idleKib: number; loadedKib: number; attached: number }>
  /** CPU the supernodes and device pools used together while no lookups ran, in cores. */
  idleCores: number
}

export interface FreezeInfo {
  frozen: string[]
  /** Users attached only to frozen supernodes at the freeze: not online by the miss definition, not looked up. */
  offline: string[]
  clientLinks: Array<{ client: string; links: string[] }>
  noticedAfterMs: number
  /** Each client's supernodes once membership had noticed (a lost one may not be replaced yet). */
  linksAtNotice: Array<{ client: string; links: string[] }>
}

export interface ParleyResult {
  phases: Phase[]
  memory: Memory
  freeze: FreezeInfo
  populatedAfterMs: number
  /** The devnet's PARLEY_HOME (its profiles outlive the devnet) and each user's device id. */
  home: string
  deviceIds: Map<string, string>
}

const SYSTEM = 'parley'
const POPULATE_TIMEOUT_MS = 180_000
const NOTICE_TIMEOUT_MS = 60_000

export async function runParley(
  run: ParleyRun,
  ctx: {
    cleanup: Cleanup
    children: Children
    freezer: Freezer
    signal: AbortSignal
    say: (s: string) => void
  },
): Promise<ParleyResult> {
  const net = await startParleyNet(run, ctx)
  const { signal, say } = ctx
  const nameOf = (peerId: string): string => supernodeName(net, peerId)

  say(`waiting until all ${net.users.length} devices are findable`)
  const t0 = performance.now()
  await populated(net, signal)
  const populatedAfterMs = performance.now() - t0
  // Second attachments come within the refill spread (0–30 s): the freeze picks from settled links.
  await waitFor(
    'bench clients attached twice',
    () => net.clients.every((c) => c.attachments.links.size >= 2) || undefined,
    { timeoutMs: 45_000, everyMs: 500, signal },
  )
  say(`directory populated after ${(populatedAfterMs / 1000).toFixed(1)} s; reading memory`)
  const memory = await readMemory(net, signal)

  const phases: Phase[] = []
  let targets = net.users
  const measure = async (name: string, notFound: boolean): Promise<Phase[]> => {
    const n = notFound ? run.notFoundLookups : run.lookups
    const {
      phases: measured,
      lone,
      cpuWhere,
    } = await lookups(net, name, { n, notFound, inFlight: run.inFlight, targets }, signal)
    phases.push(...measured)
    const [all] = measured
    const alone = lone
      .filter((l) => l.started > 0)
      .map((l) => `${l.client} ${l.started} (${l.missed} failed)`)
    if (all !== undefined)
      say(
        `${all.name}: ${all.count} lookups in ${(all.durationMs / 1000).toFixed(1)} s` +
          (alone.length > 0 ? `; started with one supernode: ${alone.join(', ')}` : '') +
          `; CPU ${cpuWhere}`,
      )
    return measured
  }
  const healthy = [...(await measure('healthy', false)), ...(await measure('healthy, not found', true))]
  const broken = healthy.filter((p) => p.failures > 0)
  if (broken.length > 0) {
    throw new BrokenDirectoryError(
      `healthy lookups failed: ${broken.map((p) => `${p.name}: ${p.failureLines().join(' ')}`).join(' | ')}`,
    )
  }

  const { frozen, clientLinks } = chooseFrozen(net, run.freezeFraction)
  const frozenIds = new Set(frozen.map((s) => s.peerId))
  const links = await Promise.all(net.users.map((u) => attachmentsOf(net.devnet.home, u)))
  // A miss is a lookup for a user attached to a live supernode: one attached only to frozen ones is not online.
  const offline = net.users.filter((_, i) => (links[i] ?? []).every((id) => frozenIds.has(id)))
  targets = net.users.filter((u) => !offline.includes(u))
  say(
    `freezing ${frozen.map((s) => s.name).join(', ')} (SIGSTOP); ${offline.length} users attached only to them`,
  )
  const frozenAt = performance.now()
  ctx.freezer.freeze(frozen.map((s) => s.child.process.pid ?? -1))
  await measure('frozen, immediately', false)
  await measure('frozen, immediately, not found', true)
  say('waiting until every live supernode has declared the frozen ones dead')
  await noticed(net, frozen, signal)
  const noticedAfterMs = performance.now() - frozenAt
  const linksAtNotice = net.clients.map((c, i) => ({
    client: net.clientNames[i] ?? String(i),
    links: [...c.attachments.links.keys()].map(nameOf),
    dialing: c.attachments.dialing(),
  }))
  say(
    `membership noticed; the clients' supernodes: ${linksAtNotice.map((c) => `${c.client} ${c.links.join(', ')}${dialingText(c.dialing, nameOf)}`).join('; ')}`,
  )
  await measure('frozen, membership noticed', false)
  await measure('frozen, membership noticed, not found', true)
  ctx.freezer.thawAll()
  await net.stop()
  return {
    phases,
    memory,
    populatedAfterMs,
    home: net.devnet.home,
    deviceIds: net.deviceIds,
    freeze: {
      frozen: frozen.map((s) => s.name),
      offline,
      clientLinks: clientLinks.map(({ client, links }) => ({ client, links: links.map(nameOf) })),
      noticedAfterMs,
      linksAtNotice,
    },
  }
}

/** ", dialling sn-3" / ", next dial in 1.2 s", or nothing when the client dials nothing. */
function dialingText(
  d: { peerIds: string[]; nextDialAt: number | undefined },
  nameOf: (id: string) => string,
): string {
  if (d.peerIds.length > 0) return ` (dialling ${d.peerIds.map(nameOf).join(', ')})`
  return d.nextDialAt === undefined
    ? ''
    : ` (next dial in ${((d.nextDialAt - Date.now()) / 1000).toFixed(1)} s)`
}

function supernodeName(net: ParleyNet, peerId: string): string {
  return net.supernodes.find((s) => s.peerId === peerId)?.name ?? peerId
}

/** Every user's own device is found (through the first client), or the wait times out. */
async function populated(net: ParleyNet, signal: AbortSignal): Promise<void> {
  const missing = new Set(net.users)
  const client = net.clients[0]
  if (client === undefined) throw new BrokenDirectoryError('no lookup client')
  let last = 'no lookup yet'
  await waitFor(
    'directory populated',
    async () => {
      if (client.attachments.links.size === 0) {
        last = 'the lookup client is not attached'
        return undefined
      }
      for (const user of [...missing]) {
        const found = await client.lookup(user).catch((err: unknown) => {
          last = (err as Error).message
          return []
        })
        if (found.some((p) => p.deviceId === net.deviceIds.get(user))) missing.delete(user)
        else if (found.length === 0 && !last.startsWith('lookup failed')) last = `${user}: nobody found`
      }
      return missing.size === 0 || undefined
    },
    { timeoutMs: POPULATE_TIMEOUT_MS, everyMs: 1000, signal },
  ).catch(async (err: unknown) => {
    if (!(err instanceof WaitTimeoutError)) throw err
    const views = (await Promise.all(net.supernodes.map((s) => net.status(s)))).map(
      (s) => s?.members.filter((m) => m.state === 'alive').length ?? 0,
    )
    throw new BrokenDirectoryError(
      `${missing.size} of ${net.users.length} devices never became findable in ${POPULATE_TIMEOUT_MS / 1000} s ` +
        `(e.g. ${[...missing].slice(0, 3).join(', ')}); last answer: ${last}; the supernodes see ` +
        `${Math.min(...views)}–${Math.max(...views)} of ${views.length} alive`,
    )
  })
}

/** The supernodes a pool device is attached to, from its control API (as `parley status` reads them). */
async function attachmentsOf(home: string, user: string): Promise<string[]> {
  try {
    const api = JSON.parse(readFileSync(join(home, 'profiles', user, 'api.json'), 'utf8')) as {
      url: string
      token: string
    }
    const res = await fetch(`${api.url}/v1/status`, {
      headers: { authorization: `Bearer ${api.token}` },
      signal: AbortSignal.timeout(5_000),
    })
    const body = (await res.json()) as { attachments?: Array<{ peerId: string }> }
    return (body.attachments ?? []).map((a) => a.peerId)
  } catch {
    return []
  }
}

interface LookupPlan {
  n: number
  /** Usernames nobody has instead of online users. */
  notFound: boolean
  /** Lookups running at once, each worker one after another, the workers spread over the clients. */
  inFlight: number
  /** The online users to draw from. */
  targets: readonly string[]
}

/**
 * n lookups, plan.inFlight at a time, over the clients in turn: random online
 * users (or, for notFound, usernames nobody has). Returns the phase over all
 * clients, then one per client, and how many lookups each client started with one supernode.
 */
async function lookups(
  net: ParleyNet,
  name: string,
  plan: LookupPlan,
  signal: AbortSignal,
): Promise<{
  phases: Phase[]
  lone: Array<{ client: string; started: number; missed: number }>
  cpuWhere: string
}> {
  const all = new Phase(SYSTEM, name)
  const per = net.clients.map((_, i) => new Phase(SYSTEM, `${name} · ${net.clientNames[i] ?? i}`))
  // Lookups a client started while it had one supernode (the other lost, not replaced yet): nothing to hedge to.
  const lone = net.clients.map((_, i) => ({ client: net.clientNames[i] ?? String(i), started: 0, missed: 0 }))
  const pids = [...net.supernodes.map((s) => s.child), ...net.pools].map((c) => c.process.pid ?? -1)
  const served = await directoryServed(net)
  const cpu = cpuMeter(pids)
  const byProcess = cpuByProcess([
    ...net.supernodes.map((s) => ({ name: s.name, pid: s.child.process.pid ?? -1 })),
    ...net.pools.map((p, i) => ({ name: `pool-${i + 1}`, pid: p.process.pid ?? -1 })),
  ])
  const start = performance.now()
  // The bench's own event loop (both lookup clients live in it): a stall here is not the network's.
  const loop = monitorEventLoopDelay({ resolution: 10 })
  loop.enable()
  let issued = 0
  const one = async (i: number): Promise<void> => {
    const c = i % net.clients.length
    const client = net.clients[c] as DeviceNode
    const user = plan.notFound
      ? `nobody-${i}-${Math.floor(Math.random() * 1e9)}`
      : (plan.targets[Math.floor(Math.random() * plan.targets.length)] ?? '')
    const t0 = performance.now()
    const links = [...client.attachments.links.keys()].map((id) => supernodeName(net, id))
    let outcome: Outcome
    let error: string | undefined
    let attempts: string[] = []
    try {
      const found = await client.lookup(user)
      if (plan.notFound) outcome = found.length === 0 ? 'ok' : 'wrong'
      else if (found.length === 0) outcome = 'nobody'
      else
        outcome = found.some((p) => p.username === user && p.deviceId === net.deviceIds.get(user))
          ? 'ok'
          : 'wrong'
    } catch (err) {
      outcome = err instanceof LookupError && err.code === 'unavailable' ? 'unavailable' : 'error'
      error = (err as Error).message
      if (err instanceof LookupError) attempts = err.attempts
    }
    const ms = performance.now() - t0
    // A failed lookup names the client's supernodes when it started, and whom it asked (what, when).
    const asked = attempts.map((a) => a.replace(/^\S+/, (id) => supernodeName(net, id))).join(', ')
    const what = `${user} via ${net.clientNames[c] ?? c} [${links.join(' ')}]${asked === '' ? '' : ` {${asked}}`}`
    // Traced: every failed lookup, and every one past the 100 ms goal (when the slow ones fall).
    if ((outcome !== 'ok' || ms > 100) && process.env.PARLEY_BENCH_TRACE === '1')
      console.error(
        `${name} +${((t0 - start) / 1000).toFixed(1)} s: ${outcome} ${what} after ${ms.toFixed(0)} ms`,
      )
    all.record(ms, outcome, error, what, i)
    per[c]?.record(ms, outcome, error, what, i)
    const alone = lone[c]
    if (alone !== undefined && links.length < 2) {
      alone.started++
      if (outcome !== 'ok') alone.missed++
    }
  }
  await Promise.all(
    Array.from({ length: Math.max(1, plan.inFlight) }, async () => {
      while (issued < plan.n) {
        signal.throwIfAborted()
        await one(issued++)
      }
    }),
  )
  all.durationMs = performance.now() - start
  all.cpuMs = cpu()
  for (const p of per) p.durationMs = all.durationMs
  loop.disable()
  const stall = `bench event loop delay p99 ${(loop.percentile(99) / 1e6).toFixed(0)} ms, max ${(loop.max / 1e6).toFixed(0)} ms`
  const cpuText = cpuWhere(byProcess())
  const after = await directoryServed(net)
  const counts = [...after]
    .map(([kind, n]) => [kind, n - (served.get(kind) ?? 0)] as const)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
  const kinds = counts.filter(([k]) => !k.startsWith('sent ')).map(([kind, n]) => `${kind} ${n}`)
  const sent = counts.filter(([k]) => k.startsWith('sent ')).map(([k, n]) => `${k.slice(5)} ${n}`)
  return {
    phases: [all, ...per],
    lone,
    cpuWhere: `${cpuText}; ${stall}; the supernodes served ${kinds.join(', ') || 'nothing'}; sent ${sent.join(', ') || 'nothing'}`,
  }
}

/**
 * 30% of the supernodes: the first attachment of the first client (the one its
 * lookups go to first), and ordinary supernodes to which no other client and
 * no other attachment of the first client is attached; so the first client
 * has lost one of its two supernodes and the others none.
 */
function chooseFrozen(
  net: ParleyNet,
  fraction: number,
): { frozen: DevnetNode[]; clientLinks: Array<{ client: string; links: string[] }> } {
  const clientLinks = net.clients.map((c, i) => ({
    client: net.clientNames[i] ?? String(i),
    links: [...c.attachments.links.keys()],
  }))
  const want = Math.round(net.supernodes.length * fraction)
  const first = clientLinks[0]?.links[0]
  const spared = new Set(clientLinks.flatMap((c, i) => (i === 0 ? c.links.slice(1) : c.links)))
  const byId = (id: string | undefined) => net.supernodes.find((s) => s.peerId === id)
  const frozen: DevnetNode[] = []
  const head = byId(first)
  if (head !== undefined) frozen.push(head)
  for (const sn of net.supernodes) {
    if (frozen.length >= want) break
    if (sn === head || spared.has(sn.peerId) || sn.name.startsWith('mega-')) continue
    frozen.push(sn)
  }
  return { frozen, clientLinks }
}

/** Every live supernode lists none of the frozen as a member, and no client is attached to one. */
async function noticed(net: ParleyNet, frozen: DevnetNode[], signal: AbortSignal): Promise<void> {
  const ids = new Set(frozen.map((s) => s.peerId))
  const live = net.supernodes.filter((s) => !ids.has(s.peerId))
  await waitFor(
    'membership noticing the frozen supernodes',
    async () => {
      const statuses = await Promise.all(live.map((s) => net.status(s)))
      const seen = statuses.every(
        (s) => s !== undefined && !s.members.some((m) => ids.has(m.peerId) && m.state !== 'dead'),
      )
      const detached = net.clients.every((c) => ![...c.attachments.links.keys()].some((id) => ids.has(id)))
      return (seen && detached) || undefined
    },
    { timeoutMs: NOTICE_TIMEOUT_MS, everyMs: 250, signal },
  )
}

async function readMemory(net: ParleyNet, signal: AbortSignal): Promise<Memory> {
  const poolRssKib = net.pools.map((p) => rssKib(p.process.pid ?? -1))
  const size = (i: number): number => Math.min(net.perPool, net.users.length - i * net.perPool)
  const supernodes = await Promise.all(
    net.supernodes.map(async (sn) => ({
      name: sn.name,
      mega: sn.name.startsWith('mega-'),
      idleKib: net.idleRssKib.get(sn.peerId) ?? NaN,
      loadedKib: rssKib(sn.child.process.pid ?? -1),
      attached: (await net.status(sn))?.load ?? NaN,
    })),
  )
  const pids = [...net.supernodes.map((s) => s.child), ...net.pools].map((c) => c.process.pid ?? -1)
  const idleCores = await cpuCores(pids, IDLE_SAMPLE_MS, signal)
  return { poolRssKib, perDeviceKib: poolRssKib.map((r, i) => r / size(i)), supernodes, idleCores }
}
