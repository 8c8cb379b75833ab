/**
 * A devnet of two builds on 127.0.0.1: today's `parley` and the release
 * before issue 10 (test/fixtures/release-e6cbff4, see
 * scripts/build-release-fixture.mjs), each role its own process run from the
 * build the test names, so that a process can be upgraded by stopping it and
 * starting the other build on the same profile, as an operator or a user
 * would. The network is made by the old release (its authority's data folder,
 * its accounts), the way a network that predates the upgrade was.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { signerOf, deviceIdOf } from '../../src/crypto/keys.js'
import { Profile } from '../../src/device/profile.js'
import { AuthorityRefusedError } from '../../src/device/authority-client.js'
import { register, signIn } from '../../src/device/session.js'
import { DEMO_PASSWORD, grantSupernode } from '../../src/devnet/devnet.js'
import { spawnParley, type Child } from '../../src/devnet/children.js'
import { api } from './chat.js'
import { eventually } from './devnet.js'
import { ErrorCode } from '../../src/wire/error-codes.js'
import { freePort, PARLEY, run, tempDir, type RunResult } from './process.js'

/** The last release before issue 10, bundled: `node RELEASE_E6CBFF4 …` is its `parley`. */
export const RELEASE_E6CBFF4 = join(
  import.meta.dirname,
  '..',
  'fixtures',
  'release-e6cbff4',
  'bin',
  'parley.js',
)

export type Build = 'old' | 'new'
const binOf = (build: Build): string => (build === 'old' ? RELEASE_E6CBFF4 : PARLEY)

/** The authority's limits, lifted: a test signs many devices in from one address. */
const FAST_AUTHORITY = [
  '--password-cost',
  '10',
  '--rate-user',
  '100000/1s',
  '--rate-address',
  '100000/1s',
  '--rate-register',
  '100000/1s',
]

export interface Running {
  build: Build
  child: Child
  peerId: string
  httpUrl?: string
}

export interface SupernodeStatus {
  members: Array<{ peerId: string; state: string }>
  /** Offline items it holds. */
  offlineItems: number
}

export class MixedNet {
  readonly dir = tempDir('parley-mixed-')
  readonly home = join(this.dir.path, 'home')
  readonly authorityDir = join(this.dir.path, 'authority')
  readonly logDir = join(this.dir.path, 'logs')
  readonly passwordFile = join(this.dir.path, 'password')
  authorityUrl = ''
  private authority: Child | undefined
  private authorityPort = 0
  readonly supernodes = new Map<string, Running>()
  readonly devices = new Map<string, Running>()
  private readonly ports = new Map<string, number>()

  constructor() {
    writeFileSync(this.passwordFile, `${DEMO_PASSWORD}\n`)
  }

  private get env(): NodeJS.ProcessEnv {
    return { PARLEY_HOME: this.home, PARLEY_LOG_DIR: this.logDir, PARLEY_AUTHORITY: this.authorityUrl }
  }

  /** `parley <args>` of one build, as an operator or a user types it. */
  async parley(build: Build, ...args: string[]): Promise<RunResult> {
    const res = await run(args, { bin: binOf(build), env: this.env, timeoutMs: 20_000 })
    if (res.code !== 0) throw new Error(`${build} parley ${args.join(' ')}: exit ${res.code}\n${res.stderr}`)
    return res
  }

  /**
   * The old network's authority folder, made by the old release, with `megas`
   * as the seeds. Their device keys are made first (the key file is the same in
   * both builds), so the signed config names them before anyone signs in.
   */
  async initAuthority(build: Build, megas: string[]): Promise<void> {
    await this.parley(
      build,
      'authority',
      'init',
      '--data-dir',
      this.authorityDir,
      '--network-id',
      'parley-mixed',
    )
    const seeds: string[] = []
    for (const name of megas) {
      const key = await new Profile(this.home, name).deviceKey()
      const port = await freePort()
      this.ports.set(name, port)
      seeds.push('--seed', `${deviceIdOf(signerOf(key).publicKey)}=/ip4/127.0.0.1/tcp/${port}`)
    }
    await this.parley(build, 'authority', 'config', '--data-dir', this.authorityDir, ...seeds)
    this.authorityPort = await freePort()
  }

  /** Starts the authority (on the same port each time) from `build`. */
  async startAuthority(build: Build): Promise<void> {
    this.authority = await spawnParley(
      `authority-${build}`,
      [
        'authority',
        '--data-dir',
        this.authorityDir,
        '--listen',
        `127.0.0.1:${this.authorityPort}`,
        ...FAST_AUTHORITY,
      ],
      /listening at (http:\/\/\S+)/,
      { logDir: this.logDir, env: this.env, bin: binOf(build) },
    )
    this.authorityUrl = this.authority.ready[1] ?? ''
  }

  async stopAuthority(): Promise<void> {
    await this.authority?.stop()
    this.authority = undefined
  }

  /**
   * Registers `username` (or signs in to it when taken) on profile `profile`:
   * the old release's CLI, or today's code in this process (what today's
   * `parley register` runs, without a process start).
   */
  async signIn(build: Build, profile: string, username: string): Promise<void> {
    if (build === 'new') {
      const opts = {
        profile: new Profile(this.home, profile),
        authority: this.authorityUrl,
        username,
        password: DEMO_PASSWORD,
        deviceName: profile,
      }
      try {
        await register(opts)
      } catch (err) {
        if (!(err instanceof AuthorityRefusedError && err.code === ErrorCode.UsernameTaken)) throw err
        await signIn(opts)
      }
      return
    }
    const common = ['--profile', profile, '--password-file', this.passwordFile, '--device-name', profile]
    const reg = await run(['register', username, ...common], { bin: binOf(build), env: this.env })
    if (reg.code === 0) return
    if (!reg.stderr.includes('username_taken')) throw new Error(reg.stderr)
    await this.parley(build, 'login', username, ...common)
  }

  /** `parley authority grant-supernode`, over the running authority's admin API. */
  grantSupernode(username: string): Promise<void> {
    return grantSupernode(this.authorityUrl, this.authorityDir, username)
  }

  /** `parley supernode` on a signed-in profile; a seed listens on the port its config names. */
  async startSupernode(name: string, build: Build): Promise<Running> {
    const port = this.ports.get(name)
    const child = await spawnParley(
      `${name}-${build}`,
      [
        'supernode',
        '--profile',
        name,
        '--listen',
        `127.0.0.1:${port ?? 0}`,
        ...(port === undefined ? [] : ['--mega', '--ws-port', '0']),
      ],
      /supernode (\S+).* listening at .* http (\S+)/,
      { logDir: this.logDir, env: this.env, bin: binOf(build) },
    )
    const running = { build, child, peerId: child.ready[1] ?? '', httpUrl: child.ready[2] }
    this.supernodes.set(name, running)
    return running
  }

  async stopSupernode(name: string): Promise<void> {
    await this.supernodes.get(name)?.child.stop()
    this.supernodes.delete(name)
  }

  /** A supernode's /v1/status, as both builds serve it. */
  async status(name: string): Promise<SupernodeStatus> {
    const url = this.supernodes.get(name)?.httpUrl
    const res = await fetch(`${url}/v1/status`, { signal: AbortSignal.timeout(5000) })
    return (await res.json()) as SupernodeStatus
  }

  /** Waits until every running supernode lists every other one alive; returns each one's view. */
  async wholeMesh(timeoutMs: number): Promise<Map<string, string[]>> {
    return eventually(async () => {
      const views = new Map<string, string[]>()
      for (const name of this.supernodes.keys()) {
        const { members } = await this.status(name)
        const alive = new Set(members.filter((m) => m.state === 'alive').map((m) => m.peerId))
        const others = [...this.supernodes].filter(([n]) => n !== name)
        if (!others.every(([, s]) => alive.has(s.peerId))) return undefined
        views.set(name, others.map(([n]) => n).sort())
      }
      return views
    }, timeoutMs)
  }

  /** `parley up` of `build` on a signed-in profile, until it is attached to a supernode. */
  async up(profile: string, build: Build): Promise<void> {
    const child = await spawnParley(
      `${profile}-${build}`,
      ['up', '--profile', profile, '--fast-reattach', '--away-after', '0'],
      /device (\S+) up/,
      { logDir: this.logDir, env: this.env, bin: binOf(build) },
    )
    this.devices.set(profile, { build, child, peerId: child.ready[1] ?? '' })
    await eventually(async () => {
      const s = await api<{ attachments: unknown[] }>(this.home, profile, '/v1/status')
      return s.attachments.length >= 1 || undefined
    }, 30_000)
  }

  async down(profile: string): Promise<void> {
    await this.devices.get(profile)?.child.stop()
    this.devices.delete(profile)
  }

  async stop(): Promise<void> {
    for (const d of this.devices.values()) await d.child.stop('SIGKILL')
    for (const s of this.supernodes.values()) await s.child.stop('SIGKILL')
    await this.authority?.stop()
    // PARLEY_KEEP=1 keeps the folder (profiles, logs) to look into a failure.
    if (process.env.PARLEY_KEEP === undefined) this.dir.remove()
    else console.log(`kept ${this.dir.path}`)
  }
}
