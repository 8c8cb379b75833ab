/**
 * The authority's data directory: the network key (mode 0600), the admin
 * token (0600), network.json (the config the authority signs and serves), and
 * the SQLite database when no DATABASE_URL is set. `parley authority init`
 * makes the first three; the authority refuses to start without them.
 */
import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Ed25519PrivateKey } from '@libp2p/interface'
import { decodeKey, encodeKey, generateKey } from '../crypto/keys.js'
import { SEATS_SINCE } from '../directory/seats.js'
import { VERSION_PATTERN } from '../wire/fields.js'
import type { DevicePolicyFlags } from './store/types.js'

export const KEY_FILE = 'network.key'
export const CONFIG_FILE = 'network.json'
export const ADMIN_TOKEN_FILE = 'admin-token'
export const SQLITE_FILE = 'authority.db'

export interface NetworkSettings {
  networkId: string
  sequence: number
  seeds: Array<{ peerId: string; addrs: string[] }>
  minClientVersion: string
  policies: {
    certificateValiditySeconds: number
    defaultDevicePolicy: DevicePolicyFlags
    supernodeBannedVersions: string[]
  }
}

export class AuthorityFilesError extends Error {
  override name = 'AuthorityFilesError'
}

export const DEFAULT_VALIDITY_SECONDS = 7 * 24 * 3600

export function defaultSettings(networkId: string): NetworkSettings {
  return {
    networkId,
    sequence: 1,
    seeds: [],
    // Supernodes older than placement by seats are refused from the start, so no granted account can
    // announce an old version to hold the network on peer-id placement (docs/directory.md, "Seats").
    minClientVersion: SEATS_SINCE,
    policies: {
      certificateValiditySeconds: DEFAULT_VALIDITY_SECONDS,
      // The supernode role is the operator's to grant (parley authority grant-supernode), never assumed.
      defaultDevicePolicy: { maySupernode: false, mayRelay: true, maySendFiles: true },
      supernodeBannedVersions: [],
    },
  }
}

function writePrivate(path: string, data: Uint8Array | string): void {
  writeFileSync(path, data, { mode: 0o600, flag: 'wx' })
  chmodSync(path, 0o600)
}

export interface InitResult {
  dataDir: string
  networkId: string
}

export async function initAuthority(dataDir: string, networkId?: string): Promise<InitResult> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const keyPath = join(dataDir, KEY_FILE)
  if (existsSync(keyPath)) {
    throw new AuthorityFilesError(
      `${keyPath} already exists; this authority is initialised (remove the folder to start a new network)`,
    )
  }
  const id = networkId ?? `parley-${randomBytes(4).toString('hex')}`
  if (!/^[a-z0-9._-]{1,64}$/.test(id))
    throw new AuthorityFilesError(`network id "${id}" must be 1–64 of a-z 0-9 . _ -`)
  writePrivate(keyPath, encodeKey(await generateKey()))
  writePrivate(join(dataDir, ADMIN_TOKEN_FILE), randomBytes(32).toString('base64url') + '\n')
  writeFileSync(join(dataDir, CONFIG_FILE), JSON.stringify(defaultSettings(id), null, 2) + '\n', {
    flag: 'wx',
  })
  return { dataDir, networkId: id }
}

export function isInitialised(dataDir: string): boolean {
  return existsSync(join(dataDir, KEY_FILE))
}

export interface AuthorityFiles {
  networkKey: Ed25519PrivateKey
  settings: NetworkSettings
  adminToken: string
}

export function loadAuthorityFiles(dataDir: string): AuthorityFiles {
  const keyPath = join(dataDir, KEY_FILE)
  if (!existsSync(keyPath)) {
    throw new AuthorityFilesError(
      `no network key in ${dataDir}; create one with: parley authority init --data-dir ${dataDir}`,
    )
  }
  return {
    networkKey: decodeKey(readFileSync(keyPath)),
    settings: loadSettings(dataDir),
    adminToken: readFileSync(join(dataDir, ADMIN_TOKEN_FILE), 'utf8').trim(),
  }
}

export function loadSettings(dataDir: string): NetworkSettings {
  const path = join(dataDir, CONFIG_FILE)
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    throw new AuthorityFilesError(`cannot read ${path}: ${(err as Error).message}`)
  }
  return checkSettings(raw, path)
}

export function saveSettings(dataDir: string, settings: NetworkSettings): void {
  checkSettings(settings, CONFIG_FILE)
  writeFileSync(join(dataDir, CONFIG_FILE), JSON.stringify(settings, null, 2) + '\n')
}

function checkSettings(raw: unknown, path: string): NetworkSettings {
  const fail = (what: string): never => {
    throw new AuthorityFilesError(`${path}: ${what}`)
  }
  const s = raw as Partial<NetworkSettings>
  if (typeof s !== 'object' || s === null) fail('not a JSON object')
  if (typeof s.networkId !== 'string' || !/^[a-z0-9._-]{1,64}$/.test(s.networkId))
    fail('networkId is missing or invalid')
  if (!Number.isSafeInteger(s.sequence) || (s.sequence ?? 0) < 1) fail('sequence must be a positive integer')
  if (!Array.isArray(s.seeds)) fail('seeds must be a list')
  if (typeof s.minClientVersion !== 'string' || !VERSION_PATTERN.test(s.minClientVersion))
    fail('minClientVersion must be like 1.2.3')
  const p = s.policies
  if (typeof p !== 'object' || p === null) return fail('policies are missing')
  if (!Number.isSafeInteger(p.certificateValiditySeconds) || p.certificateValiditySeconds < 1) {
    fail('policies.certificateValiditySeconds must be a positive integer')
  }
  const d = p.defaultDevicePolicy as Partial<DevicePolicyFlags> | undefined
  if (
    d === undefined ||
    typeof d.maySupernode !== 'boolean' ||
    typeof d.mayRelay !== 'boolean' ||
    typeof d.maySendFiles !== 'boolean'
  ) {
    fail('policies.defaultDevicePolicy needs maySupernode, mayRelay and maySendFiles booleans')
  }
  if (
    !Array.isArray(p.supernodeBannedVersions) ||
    !p.supernodeBannedVersions.every((v) => VERSION_PATTERN.test(v))
  ) {
    fail('policies.supernodeBannedVersions must be a list of versions')
  }
  return s as NetworkSettings
}
