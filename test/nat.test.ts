/**
 * A device behind a real NAT (Linux network namespaces, masquerading with
 * nftables or iptables) is found through the directory and reached through a
 * supernode's relay circuit, Noise end-to-end; it publishes no other address
 * (M6), and its private one is not reachable from the internet anyway. Then a
 * contact on the internet link reaches it: the two trade direct addresses
 * over /parley/direct, the contact's dial to the private address fails, and
 * the NATed device dials back (connection reversal), so the two end up
 * connected directly through the NAT (docs/nat.md).
 * Needs root; fails, never skips, when it cannot build the namespaces.
 * Logs are kept (and their folder printed) when something fails.
 */
import { readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { AuthorityClient } from '../src/device/authority-client.js'
import type { ApiInfo } from '../src/device/control-api.js'
import { Profile } from '../src/device/profile.js'
import { loadIdentity, signIn } from '../src/device/session.js'
import { spawnParley, PARLEY_BIN, type Child } from '../src/devnet/children.js'
import { DEMO_PASSWORD, startDevnet, type Devnet } from '../src/devnet/devnet.js'
import {
  checkNetnsSupport,
  createNatLab,
  ensureFirewall,
  removeStaleNamespaces,
  sh,
  spawnInNamespace,
  type NatLab,
} from './support/netns.js'
import { run, tempDir } from './support/process.js'
import { eventually } from './support/devnet.js'

const DEVICE_UP = /device (\S+) up/
/** How long the reversal gets: the NATed device dials back 2 s after it answered, 3 s per address. */
const UPGRADE_WINDOW_MS = 8_000

const say = (line: string): void => console.log(`[nat] ${line}`)
const dir = tempDir('parley-nat-')
let lab: NatLab | undefined
let devnet: Devnet | undefined
let peer: Child | undefined
const started: Child[] = []
let failed = false
/** A setup failure fails every test with its reason: this test never skips. */
let setupError: Error | undefined

interface Reached {
  deviceId: string
  path?: 'direct' | 'relayed'
  addr?: string
  rttMs?: number | null
  error?: string
}
interface LookupAnswer {
  devices: Array<{ deviceId: string; addrs: string[]; reached?: Reached }>
}

beforeAll(async () => {
  try {
    await checkNetnsSupport()
    const stale = await removeStaleNamespaces()
    if (stale.length > 0) say(`removed namespaces of dead runs: ${stale.join(', ')}`)
    // PARLEY_NAT_WAN_PREFIX (e.g. 11.77, on a machine without internet only) gives the internet
    // link public-looking addresses (docs/nat.md has what that changed for DCUtR, no longer run).
    lab = await createNatLab(await ensureFirewall(say), {
      wanPrefix: process.env.PARLEY_NAT_WAN_PREFIX || undefined,
    })
    say(
      `NAT built with ${lab.firewall}: internet ${lab.wanHost} | router ${lab.routerWan} masquerading ${lab.lanHost} (namespace ${lab.lan})`,
    )
    devnet = await startDevnet({
      dir: dir.path,
      host: lab.wanHost,
      megas: 1,
      supernodes: 2,
      namedDevices: ['alice'],
      onProgress: say,
    })
    const env = { PARLEY_HOME: devnet.home, PARLEY_LOG_DIR: devnet.logDir }
    // The devnet signs in only its own devices: natdev and peer are signed in here, in the root namespace.
    const client = new AuthorityClient(devnet.authorityUrl)
    for (const name of ['natdev', 'peer']) {
      await client.register(name, DEMO_PASSWORD)
      await signIn({
        profile: new Profile(devnet.home, name),
        authority: devnet.authorityUrl,
        username: name,
        password: DEMO_PASSWORD,
        deviceName: name,
      })
    }
    // A device on the internet link itself, which the NATed device can dial: what a reversal needs.
    peer = await spawnParley('peer', ['up', '--profile', 'peer', '--listen', lab.wanHost], DEVICE_UP, {
      logDir: devnet.logDir,
      env,
    })
    started.push(peer)
    // natdev never talks to the authority: its certificate is fresh, its seeds come from the signed config.
    started.push(
      await spawnInNamespace(
        lab.lan,
        'natdev',
        process.execPath,
        [PARLEY_BIN, 'up', '--profile', 'natdev', '--listen', lab.lanHost],
        DEVICE_UP,
        { logDir: devnet.logDir, env },
      ),
    )
  } catch (err) {
    failed = true
    setupError = err instanceof Error ? err : new Error(String(err))
  }
})

afterEach((ctx) => {
  if (ctx.task.result?.state === 'fail') failed = true
})

afterAll(async () => {
  for (const child of started.reverse()) await child.stop().catch(() => undefined)
  await devnet?.stop().catch(() => undefined)
  await lab?.destroy()
  if (failed && devnet !== undefined) say(`logs kept in ${devnet.logDir}`)
  else dir.remove()
})

async function callApi<T>(profile: string, path: string): Promise<T> {
  const file = join(devnet?.home ?? '', 'profiles', profile, 'api.json')
  const info = JSON.parse(readFileSync(file, 'utf8')) as ApiInfo
  const res = await fetch(info.url + path, {
    headers: { authorization: `Bearer ${info.token}` },
    signal: AbortSignal.timeout(15_000),
  })
  return (await res.json()) as T
}

function ready(): { lab: NatLab; devnet: Devnet; peer: Child } {
  if (setupError !== undefined) throw setupError
  if (lab === undefined || devnet === undefined || peer === undefined) throw new Error('setup did not finish')
  return { lab, devnet, peer }
}

/** Whether a TCP connection to host:port opens from the test's (root) namespace within the time. */
function tcpOpens(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs })
    const done = (ok: boolean): void => {
      socket.destroy()
      resolve(ok)
    }
    socket.once('connect', () => done(true))
    socket.once('timeout', () => done(false))
    socket.once('error', () => done(false))
  })
}

/** Whether a TCP connection to host:port opens from inside a namespace. */
async function tcpOpensIn(ns: string, host: string, port: number): Promise<boolean> {
  if (lab === undefined) throw new Error('no NAT lab')
  const script = `require('net').connect(${port}, '${host}').on('connect', () => process.exit(0)).on('error', () => process.exit(1))`
  return lab.exec(ns, process.execPath, ['-e', script]).then(
    () => true,
    () => false,
  )
}

async function lookupReach(from: string): Promise<{ answer: LookupAnswer; ms: number }> {
  const t0 = Date.now()
  const res = await run(['lookup', 'natdev', '--reach', '--json', '--profile', from], {
    env: { PARLEY_HOME: devnet?.home },
  })
  expect(res.code, res.stderr).toBe(0)
  return { answer: JSON.parse(res.stdout) as LookupAnswer, ms: Date.now() - t0 }
}

/** Established TCP connections of a namespace ('' for the root one), as [local, remote]. */
async function established(ns: string, filter: string[] = []): Promise<Array<[string, string]>> {
  const args = ['-Htn', 'state', 'established', ...filter]
  if (lab === undefined) throw new Error('no NAT lab')
  const { stdout } = ns === '' ? await sh('ss', args) : await lab.exec(ns, 'ss', args)
  return stdout.split('\n').flatMap((line) => {
    const cols = line.trim().split(/\s+/)
    return cols.length >= 4 ? [[cols[2] ?? '', cols[3] ?? ''] as [string, string]] : []
  })
}

/** The TCP port a child process listens on at host (read from the kernel, whatever libp2p announces). */
async function listeningPort(child: Child, host: string): Promise<number> {
  const { stdout } = await sh('ss', ['-Htlnp'])
  const line = stdout
    .split('\n')
    .find((l) => l.includes(`pid=${child.process.pid},`) && l.includes(` ${host}:`))
  return Number(new RegExp(`${host.replaceAll('.', '\\.')}:(\\d+)`).exec(line ?? '')?.[1])
}

function tcpPort(addr: string): number {
  return Number(/\/tcp\/(\d+)/.exec(addr)?.[1])
}

it('finds natdev, cannot dial its private address, and reaches it through a relay circuit', async () => {
  const { lab, devnet } = ready()
  const { wanHost, routerWan, lanHost, router } = lab

  // natdev knows the network only from its signed config: the seed must be on the internet link.
  const seeds = loadIdentity(new Profile(devnet.home, 'natdev')).config.seeds
  expect(seeds.length).toBe(1)
  for (const a of seeds[0]?.addrs ?? []) expect(a).toContain(`/ip4/${wanHost}/tcp/`)

  const natdev = await eventually(
    async () => {
      const r = await callApi<LookupAnswer>('alice', '/v1/lookup/natdev')
      const d = r.devices?.[0]
      return d !== undefined && d.addrs.some((a) => a.includes('/p2p-circuit')) ? d : undefined
    },
    25_000,
    250,
    'natdev to publish its relay addresses',
  )
  say(`natdev ${natdev.deviceId} published:\n  ${natdev.addrs.join('\n  ')}`)
  // Relay circuits only (M6): its own address, private or not, is for its contacts.
  expect(natdev.addrs.filter((a) => !a.includes('/p2p-circuit'))).toEqual([])
  const directAddr = (await natStatus()).addrs.find((a) => a.startsWith(`/ip4/${lanHost}/tcp/`))
  expect(directAddr, 'natdev listens on its private address').toBeDefined()
  const port = tcpPort(directAddr ?? '')

  // natdev listens there (the router, inside the NAT, connects), but the internet cannot reach it.
  expect(await tcpOpensIn(router, lanHost, port)).toBe(true)
  const t0 = Date.now()
  expect(await tcpOpens(lanHost, port, 1500)).toBe(false)
  say(`a direct dial from the internet to ${lanHost}:${port} failed after ${Date.now() - t0} ms`)

  // natdev's attachments arrive at the supernodes from the router's WAN address: masquerading at work.
  const fromRouter = await established('', ['dst', routerWan])
  say(`connections from ${routerWan} (the NAT): ${fromRouter.map(([l, r]) => `${r} -> ${l}`).join(', ')}`)
  expect(fromRouter.length).toBeGreaterThan(0)
  for (const [local] of fromRouter) expect(local.startsWith(`${wanHost}:`)).toBe(true)

  const { answer, ms } = await lookupReach('alice')
  const reached = answer.devices.find((d) => d.deviceId === natdev.deviceId)?.reached
  say(`alice reached natdev in ${ms} ms (lookup and reach): ${JSON.stringify(reached)}`)
  expect(reached?.error).toBeUndefined()
  expect(reached?.path).toBe('relayed')
  // The circuit ends in natdev's peer id: the dial completed only if Noise, end to end through the relay,
  // proved natdev's key.
  const circuit = new RegExp(
    `^/ip4/${wanHost.replaceAll('.', '\\.')}/tcp/\\d+/p2p/(\\w+)/p2p-circuit/p2p/${natdev.deviceId}$`,
  )
  expect(reached?.addr).toMatch(circuit)
  const relay = circuit.exec(reached?.addr ?? '')?.[1]
  expect(devnet.supernodes.map((s) => s.peerId)).toContain(relay)
})

it('a contact on the internet reaches natdev, and natdev dials back: they connect directly through the NAT', async () => {
  const { lab, devnet, peer } = ready()
  const { wanHost, lan } = lab
  const peerPort = await listeningPort(peer, wanHost)
  expect(peerPort).toBeGreaterThan(0)
  // The NATed device can dial the peer: a connection reversal works on this topology.
  expect(await tcpOpensIn(lan, wanHost, peerPort)).toBe(true)

  // Contacts first: direct addresses go to contacts only.
  const cli = (...args: string[]) =>
    run([...args, '--profile', 'peer'], { env: { PARLEY_HOME: devnet.home } })
  const natCli = (...args: string[]) =>
    lab.exec(lan, process.execPath, [PARLEY_BIN, ...args, '--profile', 'natdev', '--home', devnet.home])
  expect((await cli('add', 'natdev', 'hello')).code).toBe(0)
  await eventually(
    async () => ((await natCli('requests', '--json')).stdout.includes('"peer"') ? true : undefined),
    20_000,
    250,
    "peer's contact request at natdev",
  )
  await natCli('accept', 'peer')
  await eventually(
    async () => ((await cli('contacts', '--json')).stdout.includes('"accepted"') ? true : undefined),
    20_000,
    250,
    'natdev to be a contact of peer',
  )

  const { answer } = await lookupReach('peer')
  const reached = answer.devices[0]?.reached
  say(`peer reached natdev: ${JSON.stringify(reached)}`)
  expect(reached?.error).toBeUndefined()

  // natdev's reversal shows as a TCP connection from natdev straight to the peer's listening port.
  const toPeer = `${wanHost}:${peerPort}`
  const deadline = Date.now() + UPGRADE_WINDOW_MS
  let direct: [string, string] | undefined
  while (direct === undefined && Date.now() < deadline) {
    direct = (await established(lan)).find(([, remote]) => remote === toPeer)
    if (direct === undefined) await sleep(250)
  }
  say(
    direct !== undefined
      ? `FINDING: natdev dialled its contact back: a direct connection (${direct.join(' -> ')})`
      : `FINDING: no direct connection within ${UPGRADE_WINDOW_MS / 1000} s, natdev stays relayed`,
  )
  expect(direct, 'natdev dials its contact back through the NAT').toBeDefined()

  const status = await natStatus()
  say(`natdev is attached to ${status.attachments.length} of ${status.knownSupernodes} known supernodes`)

  // The peer's next reach uses that connection.
  const again = (await lookupReach('peer')).answer.devices[0]?.reached
  say(`peer reached natdev again: path ${again?.path}, round trip ${again?.rttMs} ms`)
  expect(again?.error).toBeUndefined()
  expect(again?.path).toBe('direct')
})

/** natdev's own view, asked inside its namespace (its local API listens on the namespace's loopback). */
async function natStatus(): Promise<{ addrs: string[]; attachments: unknown[]; knownSupernodes: number }> {
  const { lab, devnet } = ready()
  const status = await lab.exec(lab.lan, process.execPath, [
    PARLEY_BIN,
    'status',
    '--json',
    '--profile',
    'natdev',
    '--home',
    devnet.home,
  ])
  return JSON.parse(status.stdout) as { addrs: string[]; attachments: unknown[]; knownSupernodes: number }
}
