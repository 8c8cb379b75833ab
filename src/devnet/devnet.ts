/**
 * A whole Parley network on loopback, each role its own process: the
 * authority, K mega-supernodes (seeds in the signed config), N supernodes,
 * and M devices (several devices may share a pool process, each a full libp2p
 * host with its own key and certificate). Used by `npm start`, `parley
 * devnet`, the tests and the benchmarks. Data in one folder, reused on the
 * next run.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  ADMIN_TOKEN_FILE,
  initAuthority,
  isInitialised,
  loadSettings,
  saveSettings,
  SQLITE_FILE,
} from '../authority/data-dir.js'
import { migrateToGrants } from '../authority/grants-migrate.js'
import { openStore } from '../authority/store/index.js'
import { deviceIdOf, signerOf } from '../crypto/keys.js'
import { AuthorityClient, AuthorityRefusedError } from '../device/authority-client.js'
import { Profile } from '../device/profile.js'
import { signIn } from '../device/session.js'
import { ErrorCode } from '../wire/error-codes.js'
import { freePort } from './ports.js'
import { spawnParley, type Child } from './children.js'
import { haveTurnServer, startTurnServer, type TurnServer } from './turn.js'

export interface DevnetOptions {
  dir: string
  /** Address supernodes listen on (default 127.0.0.1); a namespace test uses a veth address. */
  host?: string
  megas: number
  supernodes: number
  /** Named devices, each `parley up` in its own process (npm start's alice and bob). */
  namedDevices?: string[]
  /** Numbered devices user-1…user-M, in pool processes. */
  devices?: number
  devicesPerPool?: number
  authorityPort?: number
  capacity?: number
  password?: string
  /** Tests: devices re-attach within seconds instead of spreading re-attachments over 30 s. */
  fastReattach?: boolean
  /** Start coturn beside the supernodes when it is installed (default true). */
  turn?: boolean
  /** Seconds between the supernodes' revocation list fetches (default 60). */
  revocationRefreshS?: number
  /** More `parley supernode` options for every supernode (tests make caps small, e.g. --offline-max-bytes). */
  supernodeArgs?: string[]
  /** How long the authority's certificates live (network.json; default 7 days). Tests of renewal make it short. */
  certificateValiditySeconds?: number
  onProgress?: (line: string) => void
}

export interface DevnetNode {
  name: string
  peerId: string
  child: Child
  httpUrl?: string
}

export interface Devnet {
  authorityUrl: string
  home: string
  logDir: string
  authority: Child
  supernodes: DevnetNode[]
  devices: DevnetNode[]
  pools: Child[]
  /** The TURN relay's URLs; empty when coturn is not installed. */
  turnUrls: string[]
  stop(): Promise<void>
}

interface Layout {
  authorityPort: number
  megaPorts: Record<string, number>
}

export const DEMO_PASSWORD = 'parley-demo-password'
/** The account every devnet supernode runs as. */
export const SUPERNODE_OPERATOR = 'operator'
const FAST_AUTHORITY = [
  '--password-cost',
  '10',
  '--rate-user',
  '100000/1s',
  '--rate-address',
  '100000/1s',
  '--rate-register',
  '100000/1s',
  '--rate-challenge',
  '100000/1s',
  '--rate-renew',
  '100000/1s',
]

export async function startDevnet(opts: DevnetOptions): Promise<Devnet> {
  const say = opts.onProgress ?? (() => undefined)
  const authorityDir = join(opts.dir, 'authority')
  const home = join(opts.dir, 'home')
  const logDir = join(opts.dir, 'logs')
  const env = { PARLEY_HOME: home, PARLEY_LOG_DIR: logDir }
  const password = opts.password ?? DEMO_PASSWORD
  const host = opts.host ?? '127.0.0.1'
  const spread = opts.fastReattach === true ? ['--fast-reattach'] : []
  if (!isInitialised(authorityDir)) await initAuthority(authorityDir, 'parley-devnet')
  const layout = await loadLayout(opts.dir, opts.authorityPort)

  // Mega-supernodes are seeds: their keys and ports go into the signed config before anyone fetches it.
  const megaNames = Array.from({ length: opts.megas }, (_, i) => `mega-${i + 1}`)
  const settings = loadSettings(authorityDir)
  const seeds = []
  for (const name of megaNames) {
    const key = await new Profile(home, name).deviceKey()
    layout.megaPorts[name] ??= await freePort()
    seeds.push({
      peerId: deviceIdOf(signerOf(key).publicKey),
      addrs: [`/ip4/${host}/tcp/${layout.megaPorts[name]}`],
    })
  }
  const validity = opts.certificateValiditySeconds ?? settings.policies.certificateValiditySeconds
  if (
    JSON.stringify(settings.seeds) !== JSON.stringify(seeds) ||
    validity !== settings.policies.certificateValiditySeconds
  ) {
    const policies = { ...settings.policies, certificateValiditySeconds: validity }
    saveSettings(authorityDir, { ...settings, seeds, policies, sequence: settings.sequence + 1 })
  }
  writeFileSync(join(opts.dir, 'devnet.json'), JSON.stringify(layout, null, 2))
  // A devnet made before supernode grants: its operator ran the supernodes, so it keeps the role.
  if (loadSettings(authorityDir).policies.defaultDevicePolicy.maySupernode) {
    say('switching the network to granted supernode roles')
    const store = openStore({ sqlitePath: join(authorityDir, SQLITE_FILE) })
    try {
      await store.migrate()
      await migrateToGrants({ dataDir: authorityDir, store, grant: [], now: Date.now() })
    } finally {
      await store.close()
    }
  }

  say('starting the authority')
  const authority = await spawnParley(
    'authority',
    [
      'authority',
      '--data-dir',
      authorityDir,
      '--listen',
      `127.0.0.1:${layout.authorityPort}`,
      '--log-file',
      join(logDir, 'authority.log'),
      ...FAST_AUTHORITY,
    ],
    /listening at (http:\/\/\S+)/,
    { logDir, env },
  )
  const authorityUrl = authority.ready[1] ?? ''
  const children: Child[] = [authority]
  let turn: TurnServer | undefined
  const stop = async (): Promise<void> => {
    for (const c of children.reverse()) await c.stop()
    await turn?.stop()
  }
  try {
    if (opts.turn !== false && haveTurnServer()) {
      say('starting the TURN relay (coturn)')
      turn = await startTurnServer(opts.dir, logDir)
    } else if (opts.turn !== false) say('no TURN relay: install coturn for calls through NAT')
    const turnArgs =
      turn === undefined ? [] : ['--turn-url', ...turn.urls, '--turn-secret-file', turn.secretFile]
    const client = new AuthorityClient(authorityUrl)
    const register = async (username: string): Promise<void> => {
      try {
        await client.register(username, password)
      } catch (err) {
        if (!(err instanceof AuthorityRefusedError && err.code === ErrorCode.UsernameTaken)) throw err
      }
    }
    const ensure = async (username: string, profileName: string): Promise<void> => {
      const profile = new Profile(home, profileName)
      if (profile.certificate() !== undefined) return
      await register(username)
      await signIn({ profile, authority: authorityUrl, username, password, deviceName: profileName })
    }

    const snNames = [...megaNames, ...Array.from({ length: opts.supernodes }, (_, i) => `sn-${i + 1}`)]
    say(`signing in ${snNames.length} supernodes`)
    // The operator's account runs every supernode here; the role is granted before its devices sign in,
    // with a place on the ring for each of them (docs/directory.md, "Seats").
    await register(SUPERNODE_OPERATOR)
    // A devnet of an authority alone (bench:directory's kad side) has no place to grant.
    if (snNames.length > 0)
      await grantSupernode(authorityUrl, authorityDir, SUPERNODE_OPERATOR, snNames.length)
    for (const name of snNames) await ensure(SUPERNODE_OPERATOR, name)
    const supernodes: DevnetNode[] = []
    const startSn = async (name: string): Promise<DevnetNode> => {
      const mega = name.startsWith('mega-')
      const port = mega ? layout.megaPorts[name] : 0
      const child = await spawnParley(
        name,
        [
          'supernode',
          '--profile',
          name,
          '--listen',
          `${host}:${port}`,
          '--capacity',
          String(opts.capacity ?? 800),
          // Seeds are dialled on TCP; WebSockets takes any free port (port + 1 may be taken).
          ...(mega ? ['--mega', '--ws-port', '0'] : []),
          ...turnArgs,
          ...(opts.revocationRefreshS === undefined
            ? []
            : ['--revocation-refresh', String(opts.revocationRefreshS)]),
          ...(opts.supernodeArgs ?? []),
        ],
        /supernode (\S+).* listening at .* http (\S+)/,
        // Started together: eighteen Node processes loading libp2p on two busy cores take more than 30 s.
        { logDir, env, timeoutMs: 120_000 },
      )
      children.push(child)
      return { name, peerId: child.ready[1] ?? '', child, httpUrl: child.ready[2] }
    }
    say('starting the mega-supernodes')
    for (const name of megaNames) supernodes.push(await startSn(name))
    say('starting the supernodes')
    supernodes.push(...(await Promise.all(snNames.filter((n) => !n.startsWith('mega-')).map(startSn))))

    const devices: DevnetNode[] = []
    for (const name of opts.namedDevices ?? []) {
      await ensure(name, name)
      const child = await spawnParley(name, ['up', '--profile', name, ...spread], /device (\S+) up/, {
        logDir,
        env,
      })
      children.push(child)
      devices.push({ name, peerId: child.ready[1] ?? '', child })
    }
    const pools: Child[] = []
    const numbered = Array.from({ length: opts.devices ?? 0 }, (_, i) => `user-${i + 1}`)
    if (numbered.length > 0) say(`signing in ${numbered.length} devices`)
    for (const name of numbered) await ensure(name, name)
    const perPool = opts.devicesPerPool ?? 50
    for (let i = 0; i < numbered.length; i += perPool) {
      const batch = numbered.slice(i, i + perPool)
      say(`starting devices ${i + 1}–${i + batch.length}`)
      const pool = await spawnParley(
        `pool-${i / perPool + 1}`,
        ['devnet-pool', '--profiles', batch.join(','), ...spread],
        /pool ready/,
        {
          logDir,
          env,
          timeoutMs: 120_000,
        },
      )
      children.push(pool)
      pools.push(pool)
      for (const name of batch) devices.push({ name, peerId: '', child: pool })
    }
    return {
      authorityUrl,
      home,
      logDir,
      authority,
      supernodes,
      devices,
      pools,
      turnUrls: turn?.urls ?? [],
      stop,
    }
  } catch (err) {
    await stop()
    throw err
  }
}

/** `parley authority grant-supernode`, over the admin API of the running authority. */
export async function grantSupernode(
  authorityUrl: string,
  authorityDir: string,
  username: string,
  /** Places on the directory ring (docs/directory.md, "Seats"); the authority's default (1) when undefined. */
  places?: number,
): Promise<void> {
  const token = readFileSync(join(authorityDir, ADMIN_TOKEN_FILE), 'utf8').trim()
  const res = await fetch(`${authorityUrl}/v1/admin/supernode-grants`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(places === undefined ? { username } : { username, places }),
    signal: AbortSignal.timeout(15_000),
  })
  if (!res.ok)
    throw new Error(`granting ${username} the supernode role failed: ${res.status} ${await res.text()}`)
}

async function loadLayout(dir: string, authorityPort?: number): Promise<Layout> {
  const file = join(dir, 'devnet.json')
  const saved = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Layout) : undefined
  return {
    authorityPort: authorityPort ?? saved?.authorityPort ?? (await freePort()),
    megaPorts: saved?.megaPorts ?? {},
  }
}
