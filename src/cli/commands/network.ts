/** `parley supernode` and `parley up`: the roles on the network (`parley status` and `lookup`: status.ts). */
import { join } from 'node:path'
import { Command, Option } from 'commander'
import { AuthorityClient } from '../../device/authority-client.js'
import { LocalApi } from '../../device/local-api.js'
import { signIn } from '../../device/session.js'
import { PROJECT_ROOT } from '../../paths.js'
import { ChatService } from '../../chat/service.js'
import { DEFAULT_STRANGER_LIMITS } from '../../chat/strangers.js'
import { FileService } from '../../files/service.js'
import { DeviceNode } from '../../device/node.js'
import { createLogger } from '../../log/logger.js'
import { ADMISSION_DEFAULTS } from '../../attach/admission.js'
import { DEFAULT_RELAY_PER_PEER } from '../../net/relay-limits.js'
import { DEFAULT_QUOTAS } from '../../offline/quota.js'
import { DEFAULT_CAPACITY, DEFAULT_SUSPICION_TIMEOUT_MS, startSupernode } from '../../supernode/node.js'
import { REVOCATION_REFRESH_MS } from '../../supernode/trust-state.js'
import { turnConfigOf } from '../../supernode/turn-service.js'
import { CliError, UsageError } from '../errors.js'
import { profileOf, withAuthority, withProfile, type DeviceOptions } from '../options.js'
import { onShutdown } from '../shutdown.js'
import { parseListen } from './authority.js'
import { signedOutLine } from './device-lines.js'

/** Logs go to the profile folder, or to PARLEY_LOG_DIR/<profile>.log when a local network gathers them in one place. */
function logFile(dir: string, profile: string, file: string): string {
  const gathered = process.env.PARLEY_LOG_DIR
  return gathered === undefined || gathered === '' ? join(dir, file) : join(gathered, `${profile}.log`)
}

function port(text: string, flag: string): number {
  const n = Number(text)
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`${flag} must be a port number`)
  return n
}

export function supernodeCommand(): Command {
  return withProfile(new Command('supernode'))
    .description(
      'run a supernode: attachment, directory, relay; the profile must be signed in with a certificate that allows it',
    )
    .option('--listen <host:port>', 'libp2p TCP address (WebSockets on the next port)', '127.0.0.1:0')
    .option('--ws-port <port>', 'WebSockets port (default: TCP port + 1, or random)')
    .option('--http <host:port>', 'address of /health, /metrics and /v1/status', '127.0.0.1:0')
    .option('--capacity <n>', 'devices it accepts before answering busy', String(DEFAULT_CAPACITY))
    .addOption(new Option('--mega', 'an operator mega-supernode (it must be a seed in the network config)'))
    .option(
      '--revocation-refresh <seconds>',
      'how often to fetch the revocation and supernode grant lists',
      String(REVOCATION_REFRESH_MS / 1000),
    )
    .option(
      '--offline-max-bytes <bytes>',
      'bytes the offline store holds in all; past it deposits are answered store_full (try later), nothing held is evicted',
      String(DEFAULT_QUOTAS.storeBytes),
    )
    .option(
      '--account-devices <n>',
      'devices of one account it attaches at once; the next is refused account_limit',
      String(ADMISSION_DEFAULTS.perAccount),
    )
    .option(
      '--relay-per-peer <n>',
      'relayed connections one peer may have through it at once, as source and as destination',
      String(DEFAULT_RELAY_PER_PEER),
    )
    .option('--replica-timeout <ms>', 'how long a lookup waits on one replica before asking the next', '300')
    .option(
      '--suspicion-timeout <seconds>',
      'how long a silent supernode stays suspect before it is declared dead: longer rides out pauses of a loaded host, shorter notices deaths sooner',
      String(DEFAULT_SUSPICION_TIMEOUT_MS / 1000),
    )
    .option(
      '--turn-url <url...>',
      'the TURN server beside this supernode, e.g. turn:127.0.0.1:3478?transport=udp',
    )
    .option('--turn-secret-file <file>', "file holding the TURN server's static-auth-secret")
    .action(
      async (
        opts: DeviceOptions & {
          listen: string
          wsPort?: string
          http: string
          capacity: string
          mega?: boolean
          revocationRefresh: string
          replicaTimeout: string
          suspicionTimeout: string
          offlineMaxBytes: string
          accountDevices: string
          relayPerPeer: string
          turnUrl?: string[]
          turnSecretFile?: string
        },
      ) => {
        const profile = profileOf(opts)
        const { host, port: tcpPort } = parseListen(opts.listen)
        const http = parseListen(opts.http)
        const capacity = Number(opts.capacity)
        if (!Number.isInteger(capacity) || capacity < 1)
          throw new UsageError('--capacity must be a positive whole number')
        const wsPort =
          opts.wsPort !== undefined ? port(opts.wsPort, '--ws-port') : tcpPort === 0 ? 0 : tcpPort + 1
        const refresh = Number(opts.revocationRefresh)
        if (!(refresh >= 1)) throw new UsageError('--revocation-refresh must be at least 1 second')
        if (!(Number(opts.replicaTimeout) >= 10))
          throw new UsageError('--replica-timeout must be at least 10 ms')
        const suspicion = Number(opts.suspicionTimeout)
        if (!(suspicion >= 1 && suspicion <= 3600))
          throw new UsageError('--suspicion-timeout must be between 1 and 3600 seconds')
        const accountDevices = Number(opts.accountDevices)
        if (!Number.isInteger(accountDevices) || accountDevices < 1)
          throw new UsageError('--account-devices must be a positive whole number')
        const relayPerPeer = Number(opts.relayPerPeer)
        if (!Number.isInteger(relayPerPeer) || relayPerPeer < 1)
          throw new UsageError('--relay-per-peer must be a positive whole number')
        const offlineMaxBytes = Number(opts.offlineMaxBytes)
        if (!Number.isSafeInteger(offlineMaxBytes) || offlineMaxBytes < 1)
          throw new UsageError('--offline-max-bytes must be a positive whole number of bytes')
        let turn
        try {
          turn = turnConfigOf(opts.turnUrl, opts.turnSecretFile)
        } catch (err) {
          throw new UsageError((err as Error).message)
        }
        const log = createLogger('supernode', { file: logFile(profile.dir, profile.name, 'supernode.log') })
        const sn = await startSupernode({
          profile,
          host,
          tcpPort,
          wsPort,
          httpPort: http.port,
          capacity,
          log,
          revocationRefreshMs: refresh * 1000,
          replicaTimeoutMs: Number(opts.replicaTimeout),
          suspicionTimeoutMs: suspicion * 1000,
          offline: { quotas: { storeBytes: offlineMaxBytes } },
          accountDevices,
          relayPerPeer,
          turn,
        })
        if (opts.mega === true && !sn.mega) {
          await sn.stop()
          throw new CliError(
            `--mega: ${sn.peerId} is not a seed in the network config (parley authority config --seed ${sn.peerId}=ADDR)`,
          )
        }
        console.log(
          `supernode ${sn.peerId}${sn.mega ? ' (mega)' : ''} listening at ${sn.addrs.join(' ')} http ${sn.httpUrl}`,
        )
        onShutdown(async () => {
          await sn.stop()
          log.flush()
        })
      },
    )
}

interface UpOptions extends DeviceOptions {
  listen: string
  attachments: string
  awayAfter: string
  authority?: string
  fastReattach?: boolean
  fileRate?: string
  filesViaRelay?: boolean
  heldPerStranger: string
  maxStrangers: string
  callsRelayOnly?: boolean
}

export function upCommand(): Command {
  return withAuthority(withProfile(new Command('up')))
    .description(
      'bring this device onto the network and serve the web client: attach to supernodes, publish presence, ' +
        'chat; run until stopped. A profile with no account yet waits for sign-up in the browser.',
    )
    .option('--listen <host>', 'address to listen on', '127.0.0.1')
    .option('--attachments <n>', 'supernodes to stay attached to', '2')
    .option('--away-after <seconds>', 'idle time before your status turns to away (0: never)', '300')
    .option(
      '--calls-relay-only',
      "calls go through the TURN relay only, so the person you call never learns your IP address (needs TURN on the network's supernodes)",
    )
    .option(
      '--held-per-stranger <n>',
      'messages kept from one person who is not a contact; past it they are refused (stranger_limit)',
      String(DEFAULT_STRANGER_LIMITS.heldPerStranger),
    )
    .option(
      '--max-strangers <n>',
      'contact requests kept waiting for your answer; past it new ones are refused (stranger_limit)',
      String(DEFAULT_STRANGER_LIMITS.strangers),
    )
    .addOption(
      new Option(
        '--fast-reattach',
        're-attach within seconds (tests; production spreads re-attachments)',
      ).hideHelp(),
    )
    .addOption(new Option('--file-rate <bytes/s>', 'serve files at most this fast (tests)').hideHelp())
    .addOption(new Option('--files-via-relay', "pull files through the sender's relay (tests)").hideHelp())
    .action(async (opts: UpOptions) => {
      const profile = profileOf(opts)
      const heldPerStranger = Number(opts.heldPerStranger)
      const strangers = Number(opts.maxStrangers)
      if (![heldPerStranger, strangers].every((n) => Number.isInteger(n) && n >= 0))
        throw new UsageError('--held-per-stranger and --max-strangers must be whole numbers >= 0')
      const awayAfter = Number(opts.awayAfter)
      if (!Number.isFinite(awayAfter) || awayAfter < 0)
        throw new UsageError('--away-after takes a number of seconds ≥ 0')
      const log = createLogger('device', { file: logFile(profile.dir, profile.name, 'node.log') })
      const signedIn = profile.certificate() !== undefined
      let stopNode: (() => Promise<void>) | undefined
      const startNode = async (): Promise<void> => {
        const device = await DeviceNode.start({
          profile,
          host: opts.listen,
          log,
          attachments: Number(opts.attachments),
          fastReattach: opts.fastReattach === true,
        })
        // A chat store this code cannot open (StoreVersionError) stops the device it started.
        const chat = await ChatService.start({
          device,
          profile,
          log,
          awayAfterMs: awayAfter * 1000,
          strangers: { heldPerStranger, strangers },
        }).catch(async (err: unknown) => {
          await device.stop()
          throw err
        })
        const files = await FileService.start({
          device,
          chat,
          profile,
          log,
          rateBytesPerS: Number(opts.fileRate ?? 0),
          viaRelay: opts.filesViaRelay === true,
        })
        api.ready(device, chat, files)
        stopNode = async () => {
          await files.stop()
          await chat.stop()
          await device.stop()
        }
        console.log(
          `device ${device.peerId} up; local API ${api.info.url}; logs in ${logFile(profile.dir, profile.name, 'node.log')}`,
        )
        if (device.signedOut !== undefined) console.error(`parley: ${signedOutLine(device.signedOut)}`)
        else device.onSignedOut((s) => console.error(`parley: ${signedOutLine(s)}`))
      }
      const api = await LocalApi.start({
        profileDir: profile.dir,
        webRoot: join(PROJECT_ROOT, 'dist', 'web'),
        callsRelayOnly: opts.callsRelayOnly === true,
        state: signedIn ? 'starting' : 'setup',
        onAccount: async (req) => {
          const authority = opts.authority ?? profile.settings()?.authority
          if (authority === undefined)
            throw Object.assign(new Error('no authority: start parley up with --authority URL'), {
              code: 'no_authority',
            })
          if (req.mode === 'register')
            await new AuthorityClient(authority).register(req.username, req.password)
          await signIn({
            profile,
            authority,
            username: req.username,
            password: req.password,
            deviceName: req.deviceName,
          })
          await startNode()
        },
      })
      onShutdown(async () => {
        await api.close()
        await stopNode?.()
        log.flush()
      })
      console.log(`sign-in link: ${api.signInLink()}`)
      if (signedIn)
        await startNode().catch(async (err: unknown) => {
          await api.close()
          log.flush()
          throw err
        })
      else console.log(`no account on profile "${profile.name}" yet: open the link to sign up or sign in`)
    })
}
