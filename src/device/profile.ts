/**
 * A device profile on disk: $PARLEY_HOME/profiles/<name>/ holds the device key
 * (mode 0600), the current certificate, the network config it trusts (the
 * network key is pinned at first sign-in), profile.json, and the private CA
 * it trusts for its authority when it was given one.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import type { Ed25519PrivateKey } from '@libp2p/interface'
import { decodeKey, encodeKey, generateKey } from '../crypto/keys.js'

export const DEFAULT_PROFILE = 'default'

export function parleyHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PARLEY_HOME !== undefined && env.PARLEY_HOME !== '') return env.PARLEY_HOME
  const data =
    env.XDG_DATA_HOME !== undefined && env.XDG_DATA_HOME !== ''
      ? env.XDG_DATA_HOME
      : join(homedir(), '.local', 'share')
  return join(data, 'parley')
}

export interface ProfileSettings {
  authority: string
  username: string
  deviceName: string
}

export class ProfileError extends Error {
  override name = 'ProfileError'
}

export class Profile {
  readonly dir: string

  constructor(
    readonly home: string,
    readonly name: string = DEFAULT_PROFILE,
  ) {
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(name))
      throw new ProfileError(`profile name "${name}" must be 1–64 of A-Z a-z 0-9 . _ -`)
    this.dir = join(home, 'profiles', name)
  }

  private path(file: string): string {
    return join(this.dir, file)
  }

  /** Loads the device key, creating it (mode 0600) on first use. */
  async deviceKey(): Promise<Ed25519PrivateKey> {
    const file = this.path('device.key')
    if (existsSync(file)) return decodeKey(readFileSync(file))
    mkdirSync(this.dir, { recursive: true, mode: 0o700 })
    const key = await generateKey()
    writeFileSync(file, encodeKey(key), { mode: 0o600, flag: 'wx' })
    chmodSync(file, 0o600)
    return key
  }

  hasDeviceKey(): boolean {
    return existsSync(this.path('device.key'))
  }

  settings(): ProfileSettings | undefined {
    const file = this.path('profile.json')
    if (!existsSync(file)) return undefined
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as ProfileSettings
    } catch (err) {
      throw new ProfileError(`${file} is unreadable: ${(err as Error).message}`)
    }
  }

  saveSettings(settings: ProfileSettings): void {
    this.write('profile.json', JSON.stringify(settings, null, 2) + '\n')
  }

  certificate(): Uint8Array | undefined {
    return this.read('certificate.bin')
  }

  saveCertificate(bytes: Uint8Array): void {
    this.write('certificate.bin', bytes)
  }

  networkConfig(): Uint8Array | undefined {
    return this.read('network-config.bin')
  }

  saveNetworkConfig(bytes: Uint8Array): void {
    this.write('network-config.bin', bytes)
  }

  /** PEM certificates this profile trusts for its authority (`--authority-ca`), when it has any. */
  authorityCa(): string | undefined {
    const bytes = this.read('authority-ca.pem')
    return bytes === undefined ? undefined : Buffer.from(bytes).toString('utf8')
  }

  saveAuthorityCa(pem: string): void {
    this.write('authority-ca.pem', pem)
  }

  private read(file: string): Uint8Array | undefined {
    const path = this.path(file)
    return existsSync(path) ? new Uint8Array(readFileSync(path)) : undefined
  }

  /** Write-then-rename, so a crash never leaves half a certificate behind. */
  private write(file: string, data: Uint8Array | string): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 })
    const tmp = this.path(`.${file}.tmp`)
    writeFileSync(tmp, data, { mode: 0o600 })
    renameSync(tmp, this.path(file))
  }
}
