/** `parley authority`: run the login authority, initialise it, edit its network config. */
import { createPrivateKey, X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Command, Option } from 'commander'
import { initAuthority, loadSettings, saveSettings, type NetworkSettings } from '../../authority/data-dir.js'
import type { ScryptCost } from '../../authority/password.js'
import { DEFAULT_PORT, DEFAULT_RATES, startAuthority } from '../../authority/server.js'
import { parleyHome } from '../../device/profile.js'
import { networkKeyFingerprint } from '../../trust/network-key.js'
import { createLogger } from '../../log/logger.js'
import { UsageError } from '../errors.js'
import { addGrantCommands } from './authority-grants.js'
import { onShutdown } from '../shutdown.js'

export function defaultAuthorityDir(): string {
  return join(parleyHome(), 'authority')
}

export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[?([^\]]*?)\]?:)?(\d{1,5})$/.exec(text)
  const port = Number(m?.[2])
  if (m === null || port > 65535) throw new UsageError(`--listen "${text}" must be HOST:PORT or PORT`)
  return { host: m[1] ?? '127.0.0.1', port }
}

function parseCost(text: string): ScryptCost {
  const log2 = Number(text)
  if (!Number.isInteger(log2) || log2 < 10 || log2 > 20)
    throw new UsageError('--password-cost is log2(N) for scrypt, 10–20')
  return { N: 2 ** log2, r: 8, p: 1 }
}

function parseCount(flag: string, text: string): number {
  const n = Number(text)
  if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`${flag} must be a whole number`)
  return n
}

const dataDirOption = (): Option =>
  new Option('--data-dir <dir>', 'the authority data folder (default $PARLEY_HOME/authority)').env(
    'PARLEY_AUTHORITY_DIR',
  )

interface RunOptions {
  dataDir?: string
  listen: string
  databaseUrl?: string
  rateUser: string
  rateAddress: string
  rateRegister: string
  rateChallenge: string
  rateRenew: string
  trustedProxy: string[]
  tlsCert?: string
  tlsKey?: string
  passwordCost?: string
  maxHashQueue?: string
  logFile?: string
}

export function authorityCommand(): Command {
  const cmd = new Command('authority')
    .description('run the login authority: accounts, device certificates, the signed network config')
    .addOption(dataDirOption())
    .option('--listen <host:port>', 'address to serve the HTTP API on', `127.0.0.1:${DEFAULT_PORT}`)
    .addOption(
      new Option('--database-url <url>', 'PostgreSQL URL; without it, SQLite in the data folder').env(
        'DATABASE_URL',
      ),
    )
    .option(
      '--rate-user <rate>',
      'wrong passwords per username from one address (IPv4 /32, IPv6 /64), count/duration',
      DEFAULT_RATES.perUser,
    )
    .option(
      '--rate-address <rate>',
      'wrong passwords per address, across usernames',
      DEFAULT_RATES.perAddress,
    )
    .option('--rate-register <rate>', 'registrations per address', DEFAULT_RATES.registrations)
    .option('--rate-challenge <rate>', 'sign-in challenges per address', DEFAULT_RATES.challenges)
    .option('--rate-renew <rate>', 'certificate renewals per device', DEFAULT_RATES.renewals)
    .option(
      '--trusted-proxy <address>',
      'a reverse proxy (ADDRESS or ADDRESS/BITS) whose X-Forwarded-For names the client (repeatable)',
      collect,
      [],
    )
    .option('--tls-cert <file>', 'serve https with this PEM certificate chain (with --tls-key)')
    .option('--tls-key <file>', 'the PEM private key of --tls-cert')
    .option('--password-cost <log2N>', 'scrypt cost as log2(N) (default 15)')
    .option('--max-hash-queue <n>', 'password checks allowed to wait before answering 503 busy', '64')
    .option('--log-file <file>', 'append logs to a file instead of standard error')
    .action(async (opts: RunOptions) => {
      const dataDir = opts.dataDir ?? defaultAuthorityDir()
      const { host, port } = parseListen(opts.listen)
      const log = createLogger('authority', { file: opts.logFile })
      const running = await startAuthority({
        dataDir,
        host,
        port,
        databaseUrl: opts.databaseUrl === '' ? undefined : opts.databaseUrl,
        rates: {
          perUser: opts.rateUser,
          perAddress: opts.rateAddress,
          registrations: opts.rateRegister,
          challenges: opts.rateChallenge,
          renewals: opts.rateRenew,
        },
        trustedProxies: opts.trustedProxy,
        tls: tlsOf(opts),
        passwordCost: opts.passwordCost === undefined ? undefined : parseCost(opts.passwordCost),
        maxHashQueue: parseCount('--max-hash-queue', opts.maxHashQueue ?? '64'),
        log,
      })
      console.log(
        `authority for network ${running.networkId} listening at ${running.url} (store: ${running.store})`,
      )
      console.log(
        `network key ${networkKeyFingerprint(running.networkPublicKey)} (users can check it: parley login --network-key)`,
      )
      onShutdown(async () => {
        await running.close()
        log.flush()
      })
    })

  cmd
    .command('init')
    .description('create the network key (mode 0600), the admin token and the network config')
    .addOption(dataDirOption())
    .option('--network-id <id>', 'name of the network (default: parley-<random>)')
    .action(async (_opts: unknown, self: Command) => {
      // --data-dir is also the parent's option: commander may have parsed it there.
      const opts = self.optsWithGlobals<{ dataDir?: string; networkId?: string }>()
      const dataDir = opts.dataDir ?? defaultAuthorityDir()
      const res = await initAuthority(dataDir, opts.networkId)
      console.log(`created network ${res.networkId} in ${dataDir}`)
      console.log(`start it with: parley authority --data-dir ${dataDir}`)
    })

  cmd
    .command('config')
    .description(
      'show the network config, or change it (the sequence number goes up; restart the authority to serve it)',
    )
    .addOption(dataDirOption())
    .option('--min-client-version <version>', 'oldest client version allowed on the network')
    .option('--certificate-validity <days>', 'lifetime of new device certificates, in days')
    .option('--seed <peerId=multiaddr>', 'add a seed mega-supernode (repeatable)', collect, [])
    .option(
      '--ban-supernode-version <version>',
      'keep a client version out of the supernode role (repeatable)',
      collect,
      [],
    )
    .action((_opts: unknown, self: Command) => {
      const opts = self.optsWithGlobals<{
        dataDir?: string
        minClientVersion?: string
        certificateValidity?: string
        seed: string[]
        banSupernodeVersion: string[]
      }>()
      const dataDir = opts.dataDir ?? defaultAuthorityDir()
      const s = loadSettings(dataDir)
      const next: NetworkSettings = structuredClone(s)
      if (opts.minClientVersion !== undefined) next.minClientVersion = opts.minClientVersion
      if (opts.certificateValidity !== undefined) {
        const days = Number(opts.certificateValidity)
        if (!(days > 0)) throw new UsageError('--certificate-validity must be a positive number of days')
        next.policies.certificateValiditySeconds = Math.round(days * 86400)
      }
      for (const seed of opts.seed) {
        const [peerId, addr] = seed.split('=', 2)
        if (peerId === undefined || addr === undefined)
          throw new UsageError(`--seed "${seed}" must be PEERID=MULTIADDR`)
        const existing = next.seeds.find((x) => x.peerId === peerId)
        if (existing === undefined) next.seeds.push({ peerId, addrs: [addr] })
        else if (!existing.addrs.includes(addr)) existing.addrs.push(addr)
      }
      next.policies.supernodeBannedVersions.push(...opts.banSupernodeVersion)
      if (JSON.stringify(next) !== JSON.stringify(s)) {
        next.sequence = s.sequence + 1
        saveSettings(dataDir, next)
      }
      console.log(JSON.stringify(next, null, 2))
    })

  addGrantCommands(cmd, dataDirOption, defaultAuthorityDir)
  return cmd
}

function tlsOf(opts: RunOptions): { cert: string; key: string } | undefined {
  if (opts.tlsCert === undefined && opts.tlsKey === undefined) return undefined
  if (opts.tlsCert === undefined || opts.tlsKey === undefined)
    throw new UsageError('--tls-cert and --tls-key go together')
  const read = (flag: string, file: string): string => {
    try {
      return readFileSync(file, 'utf8')
    } catch (err) {
      throw new UsageError(`${flag} ${file}: ${(err as Error).message}`)
    }
  }
  const tls = { cert: read('--tls-cert', opts.tlsCert), key: read('--tls-key', opts.tlsKey) }
  let matches: boolean
  try {
    matches = new X509Certificate(tls.cert).checkPrivateKey(createPrivateKey(tls.key))
  } catch (err) {
    throw new UsageError(`--tls-cert and --tls-key must be PEM files: ${(err as Error).message}`)
  }
  if (!matches) throw new UsageError('--tls-key is not the private key of --tls-cert')
  return tls
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value]
}
