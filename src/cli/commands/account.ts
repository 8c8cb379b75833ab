/** Device-side account commands: register, login, whoami, renew, devices, revoke. */
import { readFileSync } from 'node:fs'
import { Command } from 'commander'
import { authorityClient, keepFresh, loadIdentity, register, renew, signIn } from '../../device/session.js'
import type { Certificate } from '../../trust/certificate.js'
import { networkKeyFingerprint } from '../../trust/network-key.js'
import { UsageError } from '../errors.js'
import { profileOf, withAuthority, withProfile, type DeviceOptions } from '../options.js'
import { getPassword } from '../password.js'

interface AccountOptions extends DeviceOptions {
  authority?: string
  authorityCa?: string
  networkKey?: string
  passwordFile?: string
  deviceName?: string
}

const CA_HELP =
  "trust this private CA's certificate (PEM file) for the authority's https; kept in the profile"
const NETWORK_KEY_HELP =
  "the network key's fingerprint (SHA256:…) as your operator published it; sign-in stops if the authority's differs"

/** The PEM named by --authority-ca, read now so a bad path fails before anything is sent. */
function caOf(opts: AccountOptions): string | undefined {
  if (opts.authorityCa === undefined) return undefined
  try {
    return readFileSync(opts.authorityCa, 'utf8')
  } catch (err) {
    throw new UsageError(`--authority-ca ${opts.authorityCa}: ${(err as Error).message}`)
  }
}

function clientOf(opts: AccountOptions) {
  return authorityClient(profileOf(opts), authorityOf(opts), caOf(opts))
}

const when = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z')

function authorityOf(opts: AccountOptions): string {
  const url = opts.authority ?? profileOf(opts).settings()?.authority
  if (url === undefined) throw new UsageError('which authority? pass --authority URL or set PARLEY_AUTHORITY')
  return url
}

function signedInLine(cert: Certificate): string {
  return `signed in as ${cert.username} on device "${cert.deviceName}" (${cert.deviceId}); certificate valid until ${when(cert.notAfter)}`
}

function networkKeyLine(opts: AccountOptions): string {
  const key = networkKeyFingerprint(loadIdentity(profileOf(opts)).config.networkPublicKey)
  return opts.networkKey === undefined
    ? `network key ${key} (compare it with the one your operator published)`
    : `network key ${key} (matches --network-key)`
}

function accountCommand(name: string, description: string): Command {
  return withAuthority(withProfile(new Command(name)))
    .description(description)
    .argument('<username>', '3–32 characters: a-z 0-9 . _ -')
    .option(
      '--password-file <file>',
      'read the password from the first line of a file (else a prompt, or standard input when piped)',
    )
    .option('--device-name <name>', 'how this device appears to you (default: the host name)')
    .option('--network-key <fingerprint>', NETWORK_KEY_HELP)
    .option('--authority-ca <file>', CA_HELP)
}

export function registerCommand(): Command {
  return accountCommand('register', 'create an account on the authority and sign this device in').action(
    async (username: string, opts: AccountOptions) => {
      const authority = authorityOf(opts)
      const authorityCa = caOf(opts)
      const password = await getPassword(opts, 'New password (10 characters or more): ', true)
      const cert = await register({
        profile: profileOf(opts),
        authority,
        username,
        password,
        deviceName: opts.deviceName,
        networkKey: opts.networkKey,
        authorityCa,
      })
      console.log(`registered ${username} at ${authority}`)
      console.log(signedInLine(cert))
      console.log(networkKeyLine(opts))
    },
  )
}

export function loginCommand(): Command {
  return accountCommand(
    'login',
    'sign this device in to an existing account (creates its device key on first use)',
  ).action(async (username: string, opts: AccountOptions) => {
    const authority = authorityOf(opts)
    const authorityCa = caOf(opts)
    const password = await getPassword(opts, `Password for ${username}: `)
    const cert = await signIn({
      profile: profileOf(opts),
      authority,
      username,
      password,
      deviceName: opts.deviceName,
      networkKey: opts.networkKey,
      authorityCa,
    })
    console.log(signedInLine(cert))
    console.log(networkKeyLine(opts))
  })
}

export function whoamiCommand(): Command {
  return withProfile(new Command('whoami'))
    .description('show the signed-in user, this device and its certificate (renews it when due)')
    .option('--json', 'print JSON')
    .action(async (opts: DeviceOptions & { json?: boolean }) => {
      const profile = profileOf(opts)
      const { config, authority } = loadIdentity(profile)
      const fresh = await keepFresh(profile)
      const c = fresh.certificate
      if (opts.json === true) {
        console.log(
          JSON.stringify({
            username: c.username,
            deviceId: c.deviceId,
            deviceName: c.deviceName,
            networkId: c.networkId,
            authority,
            serial: c.serial.toString(),
            notBefore: c.notBefore,
            notAfter: c.notAfter,
            policy: c.policy,
            renewed: fresh.renewed,
            renewalProblem: fresh.problem?.message ?? null,
          }),
        )
        return
      }
      const flags = Object.entries(c.policy)
        .filter(([, on]) => on)
        .map(([k]) => k)
      console.log(`user         ${c.username}`)
      console.log(`device       ${c.deviceId} ("${c.deviceName}")`)
      console.log(`network      ${config.networkId} (authority ${authority})`)
      console.log(
        `certificate  valid until ${when(c.notAfter)} (serial ${c.serial})${fresh.renewed ? ', just renewed' : ''}`,
      )
      console.log(`policy       ${flags.length > 0 ? flags.join(', ') : 'none'}`)
      if (fresh.problem !== undefined) {
        console.log(
          `note         renewal is due but failed (${fresh.problem.message}); the certificate stays valid until ${when(c.notAfter)}`,
        )
      }
    })
}

export function renewCommand(): Command {
  return withProfile(new Command('renew'))
    .description('renew this device certificate now')
    .action(async (opts: DeviceOptions) => {
      const cert = await renew(profileOf(opts))
      console.log(`renewed: certificate valid until ${when(cert.notAfter)} (serial ${cert.serial})`)
    })
}

export function devicesCommand(): Command {
  return withAuthority(withProfile(new Command('devices')))
    .description("list your account's devices")
    .option('--password-file <file>', 'read the password from a file')
    .option('--authority-ca <file>', CA_HELP)
    .action(async (opts: AccountOptions) => {
      const { certificate } = loadIdentity(profileOf(opts))
      const client = clientOf(opts)
      const password = await getPassword(opts, `Password for ${certificate.username}: `)
      const devices = await client.listDevices(certificate.username, password)
      for (const d of devices) {
        const me = d.deviceId === certificate.deviceId ? ' (this device)' : ''
        const state =
          d.revokedAt === null ? `last sign-in ${when(d.lastSignInAt)}` : `revoked ${when(d.revokedAt)}`
        console.log(`${d.deviceId}  "${d.name}"  ${state}${me}`)
      }
    })
}

export function revokeCommand(): Command {
  return withAuthority(withProfile(new Command('revoke')))
    .description('revoke a device: it can no longer sign in, and supernodes refuse its certificate')
    .argument('<device-id>', 'the device id (see `parley devices`)')
    .option('--password-file <file>', 'read your password from a file')
    .option(
      '--admin-token-file <file>',
      "revoke as the network's administrator (the authority's admin-token file)",
    )
    .option('--authority-ca <file>', CA_HELP)
    .action(async (deviceId: string, opts: AccountOptions & { adminTokenFile?: string }) => {
      const client = clientOf(opts)
      if (opts.adminTokenFile !== undefined) {
        await client.revokeAsAdmin(readFileSync(opts.adminTokenFile, 'utf8').trim(), deviceId)
      } else {
        const { certificate } = loadIdentity(profileOf(opts))
        const password = await getPassword(opts, `Password for ${certificate.username}: `)
        await client.revoke(certificate.username, password, deviceId)
      }
      console.log(`revoked ${deviceId}`)
    })
}
