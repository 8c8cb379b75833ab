/**
 * A real NAT on one Linux machine, for integration tests: a "router" and a
 * "lan" network namespace. The root namespace plays the internet
 * (10.77.X.1/24 by default); the router's WAN side is 10.77.X.2 and masquerades its LAN
 * (192.168.77.0/24), whose only host is 192.168.77.2. The root namespace has
 * no route into the LAN, and the router forwards nothing inward that the LAN
 * did not start: the lan host can dial out, nobody can dial in.
 *
 * Namespaces and links are named after the test process's pid and the
 * internet subnet is claimed atomically (see claimWanSubnet), so two runs
 * never collide; namespaces of a run killed before its cleanup are swept by
 * the next one. The NAT rules live in the router namespace and go with it.
 * Needs root.
 */
import { execFile, spawn } from 'node:child_process'
import { createWriteStream, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Child } from '../../src/devnet/children.js'

export const LAN_SUBNET = '192.168.77.0/24'
export const LAN_ROUTER = '192.168.77.1'
export const LAN_HOST = '192.168.77.2'
const NAMESPACE_PREFIX = 'parley-nat-'
/** The "internet" subnets tried: <prefix>.X.0/24 with X from these. */
const FIRST_WAN_OCTET = 20
const WAN_OCTETS = 200

export class NetnsError extends Error {
  override name = 'NetnsError'
}

export interface CommandResult {
  stdout: string
  stderr: string
}

/** Runs a command (no shell); rejects with its standard error when it fails. */
export function sh(
  cmd: string,
  args: string[],
  opts: { input?: string; timeoutMs?: number } = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { timeout: opts.timeoutMs ?? 30_000 }, (err, stdout, stderr) => {
      if (err !== null)
        reject(new NetnsError(`${cmd} ${args.join(' ')} failed: ${stderr.trim() || err.message}`))
      else resolve({ stdout, stderr })
    })
    // A command that reads no input may exit before we close its standard input.
    child.stdin?.on('error', () => undefined)
    child.stdin?.end(opts.input ?? '')
  })
}

export type Firewall = 'nft' | 'iptables'

/** nft or iptables, whichever exists; installs nftables with apt-get when neither does. */
export async function ensureFirewall(say: (line: string) => void): Promise<Firewall> {
  for (const tool of ['nft', 'iptables'] as const) {
    if (
      await sh('sh', ['-c', `command -v ${tool}`]).then(
        () => true,
        () => false,
      )
    )
      return tool
  }
  say('neither nft nor iptables is installed: installing nftables with apt-get')
  await sh('apt-get', ['install', '-y', '-q', 'nftables'], { timeoutMs: 120_000 }).catch(async () => {
    await sh('apt-get', ['update', '-q'], { timeoutMs: 120_000 })
    await sh('apt-get', ['install', '-y', '-q', 'nftables'], { timeoutMs: 120_000 })
  })
  return 'nft'
}

/** Fails with a clear reason unless this process may create namespaces. */
export async function checkNetnsSupport(): Promise<void> {
  if (process.getuid?.() !== 0)
    throw new NetnsError('the NAT test needs root (id -u = 0) to create network namespaces')
  const probe = `${NAMESPACE_PREFIX}probe-${process.pid}`
  try {
    await sh('ip', ['netns', 'add', probe])
    await sh('ip', ['netns', 'del', probe])
  } catch (err) {
    throw new NetnsError(`cannot create network namespaces here: ${(err as Error).message}`, { cause: err })
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Deletes the namespaces of earlier runs whose test process is gone. Their
 * veth pairs and NAT rules go with them (once no process is left inside; one
 * that is keeps only its own namespace alive, never an address we reuse).
 */
export async function removeStaleNamespaces(): Promise<string[]> {
  const { stdout } = await sh('ip', ['netns', 'list'])
  const stale = stdout
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => {
      const pid = new RegExp(`^${NAMESPACE_PREFIX}(\\d+)-`).exec(name)?.[1]
      return pid !== undefined && !alive(Number(pid))
    })
  for (const name of stale) await sh('ip', ['netns', 'del', name]).catch(() => undefined)
  return stale
}

export interface NatLab {
  /** The root namespace's address on the "internet" link: supernodes listen here. */
  wanHost: string
  /** The router's WAN address: what the internet sees of the lan host. */
  routerWan: string
  lanHost: string
  router: string
  lan: string
  firewall: Firewall
  /** Runs a command inside a namespace. */
  exec(ns: string, cmd: string, args: string[]): Promise<CommandResult>
  /** Removes the namespaces, links and rules; kills what still runs inside them. */
  destroy(): Promise<void>
}

export const DEFAULT_WAN_PREFIX = '10.77'

export interface NatLabOptions {
  /**
   * First two octets of the "internet" subnet. libp2p's DCUtR ignores
   * private addresses (10/8 among them), so seeing it try needs a
   * public-looking prefix; use one only on a machine with no internet.
   */
  wanPrefix?: string
}

/** Builds the NAT. On failure, removes whatever it had built before rethrowing. */
export async function createNatLab(firewall: Firewall, opts: NatLabOptions = {}): Promise<NatLab> {
  const prefix = opts.wanPrefix ?? DEFAULT_WAN_PREFIX
  if (!/^\d{1,3}\.\d{1,3}$/.test(prefix))
    throw new NetnsError(`wanPrefix must look like "10.77", not "${prefix}"`)
  const id = process.pid
  const router = `${NAMESPACE_PREFIX}${id}-router`
  const lan = `${NAMESPACE_PREFIX}${id}-lan`
  // Interface names are at most 15 bytes; the pid in base 36 keeps them short and unique per run.
  const tag = id.toString(36)
  let ifWanRoot: string | undefined
  const ifWanRouter = `pn${tag}w`
  const ifLanRouter = `pn${tag}l`
  const ifLanHost = `pn${tag}h`
  const inNs = (ns: string, cmd: string, args: string[], input?: string): Promise<CommandResult> =>
    sh('ip', ['netns', 'exec', ns, cmd, ...args], { input })

  const destroy = async (): Promise<void> => {
    for (const ns of [lan, router]) {
      const pids = await sh('ip', ['netns', 'pids', ns]).then(
        (r) => r.stdout.split('\n').filter(Boolean).map(Number),
        () => [],
      )
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL')
        } catch {
          // already gone
        }
      }
      await sh('ip', ['netns', 'del', ns]).catch(() => undefined)
    }
    // Normally gone with their peers in the namespaces; this covers a failure before the move.
    if (ifWanRoot !== undefined) await sh('ip', ['link', 'del', ifWanRoot]).catch(() => undefined)
    for (const link of [ifWanRouter, ifLanRouter])
      await sh('ip', ['link', 'del', link]).catch(() => undefined)
  }

  // Names with our pid can only be left over from a dead run that had the same pid.
  await destroy()
  try {
    await sh('ip', ['netns', 'add', router])
    await sh('ip', ['netns', 'add', lan])
    const claim = await claimWanSubnet(prefix, ifWanRouter)
    ifWanRoot = claim.ifWanRoot
    const octet = claim.octet
    const wanHost = `${prefix}.${octet}.1`
    const routerWan = `${prefix}.${octet}.2`
    await sh('ip', ['link', 'set', ifWanRouter, 'netns', router])
    await sh('ip', ['link', 'add', ifLanRouter, 'type', 'veth', 'peer', 'name', ifLanHost])
    await sh('ip', ['link', 'set', ifLanRouter, 'netns', router])
    await sh('ip', ['link', 'set', ifLanHost, 'netns', lan])

    await sh('ip', ['addr', 'add', `${wanHost}/24`, 'dev', ifWanRoot])
    await sh('ip', ['link', 'set', ifWanRoot, 'up'])
    for (const [ns, cmds] of [
      [
        router,
        [
          ['addr', 'add', `${routerWan}/24`, 'dev', ifWanRouter],
          ['addr', 'add', `${LAN_ROUTER}/24`, 'dev', ifLanRouter],
          ['link', 'set', 'lo', 'up'],
          ['link', 'set', ifWanRouter, 'up'],
          ['link', 'set', ifLanRouter, 'up'],
        ],
      ],
      [
        lan,
        [
          ['addr', 'add', `${LAN_HOST}/24`, 'dev', ifLanHost],
          ['link', 'set', 'lo', 'up'],
          ['link', 'set', ifLanHost, 'up'],
          ['route', 'add', 'default', 'via', LAN_ROUTER],
        ],
      ],
    ] as const) {
      for (const args of cmds) await sh('ip', ['-n', ns, ...args])
    }
    await inNs(router, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1'])
    if (firewall === 'nft') await inNs(router, 'nft', ['-f', '-'], nftRules(ifWanRouter, ifLanRouter))
    else for (const rule of iptablesRules(ifWanRouter, ifLanRouter)) await inNs(router, 'iptables', rule)

    return {
      wanHost,
      routerWan,
      lanHost: LAN_HOST,
      router,
      lan,
      firewall,
      exec: (ns, cmd, args) => inNs(ns, cmd, args),
      destroy,
    }
  } catch (err) {
    await destroy()
    throw err
  }
}

/**
 * Creates the internet veth pair on a free <prefix>.X.0/24. The root-side link
 * is named after X, so creating it claims X atomically: a concurrent run gets
 * "File exists" and tries the next X. Subnets some other interface holds are skipped.
 */
async function claimWanSubnet(
  prefix: string,
  ifWanRouter: string,
): Promise<{ octet: number; ifWanRoot: string }> {
  const { stdout } = await sh('ip', ['-4', '-o', 'addr', 'show'])
  const start = process.pid % WAN_OCTETS
  for (let i = 0; i < WAN_OCTETS; i++) {
    const octet = FIRST_WAN_OCTET + ((start + i) % WAN_OCTETS)
    const ifWanRoot = `pnat-x${octet}`
    if (stdout.includes(` ${prefix}.${octet}.`)) continue
    const claimed = await sh('ip', [
      'link',
      'add',
      ifWanRoot,
      'type',
      'veth',
      'peer',
      'name',
      ifWanRouter,
    ]).then(
      () => true,
      () => false,
    )
    if (claimed) return { octet, ifWanRoot }
  }
  throw new NetnsError(`no free ${prefix}.X.0/24 subnet for the NAT test`)
}

function nftRules(wan: string, lanIf: string): string {
  return `table ip parley_nat {
  chain forward {
    type filter hook forward priority filter; policy drop;
    ct state established,related accept
    iifname "${lanIf}" oifname "${wan}" accept
  }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    ip saddr ${LAN_SUBNET} oifname "${wan}" masquerade
  }
}
`
}

function iptablesRules(wan: string, lanIf: string): string[][] {
  return [
    ['-P', 'FORWARD', 'DROP'],
    ['-A', 'FORWARD', '-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'ACCEPT'],
    ['-A', 'FORWARD', '-i', lanIf, '-o', wan, '-j', 'ACCEPT'],
    ['-t', 'nat', '-A', 'POSTROUTING', '-s', LAN_SUBNET, '-o', wan, '-j', 'MASQUERADE'],
  ]
}

export interface NetnsSpawnOptions {
  logDir: string
  env?: NodeJS.ProcessEnv
  timeoutMs?: number
}

/**
 * Starts `ip netns exec <ns> <cmd> <args>` (which execs the command, so the
 * child's pid is the command's), output appended to <logDir>/<name>.out;
 * resolves when a line of standard output matches `ready`.
 */
export function spawnInNamespace(
  ns: string,
  name: string,
  cmd: string,
  args: string[],
  ready: RegExp,
  opts: NetnsSpawnOptions,
): Promise<Child> {
  mkdirSync(opts.logDir, { recursive: true })
  const out = createWriteStream(join(opts.logDir, `${name}.out`), { flags: 'a' })
  const child = spawn('ip', ['netns', 'exec', ns, cmd, ...args], {
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout.pipe(out)
  child.stderr.pipe(out)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill(signal)
    const hard = setTimeout(() => child.kill('SIGKILL'), 5000)
    await exited
    clearTimeout(hard)
  }
  return new Promise((resolve, reject) => {
    let seen = ''
    const timer = setTimeout(() => {
      void stop('SIGKILL')
      reject(new NetnsError(`${name} did not start in namespace ${ns}; see ${join(opts.logDir, name)}.out`))
    }, opts.timeoutMs ?? 30_000)
    child.stdout.on('data', (d: Buffer) => {
      seen += d.toString()
      const match = ready.exec(seen)
      if (match !== null) {
        clearTimeout(timer)
        resolve({ name, process: child, ready: match, stop })
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(
        new NetnsError(
          `${name} in namespace ${ns} exited with code ${code}; see ${join(opts.logDir, name)}.out`,
        ),
      )
    })
  })
}
