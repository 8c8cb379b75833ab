/**
 * The supernode's grant list in TrustState, with a fake authority: no list
 * leaves the certificate flag to decide; a list is kept on disk, a higher
 * sequence wins and a "none" answer never drops it; a miss by a certificate
 * issued after the list fetches it again at once, at most every 5 s.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { generateKey, signerOf, type Signer } from '../crypto/keys.js'
import type { AuthorityClient } from '../device/authority-client.js'
import type { Certificate } from '../trust/certificate.js'
import { signSupernodeGrantList, signSupernodeGrantListV2 } from '../trust/grants.js'
import { signNetworkConfig, verifyNetworkConfig, type NetworkConfig } from '../trust/network-config.js'
import { signRevocationList } from '../trust/revocations.js'
import { TrustState } from './trust-state.js'

const NETWORK = 'parley-trust'
const T0 = 1_700_000_000_000
const WEEK = 7 * 86_400_000

let key: Signer
let config: NetworkConfig
let dir: string
let served: Uint8Array | undefined
let fetches: number

const grantList = (sequence: number, usernames: string[], issuedAt = T0) =>
  signSupernodeGrantList(
    {
      networkId: NETWORK,
      sequence,
      issuedAt,
      grants: usernames.map((username) => ({ username, grantedAt: T0 })),
    },
    key,
  )

const grantListV2 = (
  sequence: number,
  grants: Array<{ username: string; seat: Uint8Array; places: number }>,
  issuedAt = T0,
) =>
  signSupernodeGrantListV2(
    { networkId: NETWORK, sequence, issuedAt, grants: grants.map((g) => ({ ...g, grantedAt: T0 })) },
    key,
  )

const authority = () =>
  ({
    networkConfig: () => Promise.resolve(config.bytes),
    revocations: () =>
      Promise.resolve(
        signRevocationList({ networkId: NETWORK, sequence: 1, issuedAt: T0, revocations: [] }, key),
      ),
    // An authority without the newer revocation list: callers fall back to the first.
    revocationsV2: () => Promise.reject(new Error('not served')),
    supernodeGrantsV2: () => {
      fetches++
      return Promise.resolve(served)
    },
  }) as unknown as AuthorityClient

const newState = () => new TrustState(config, dir, authority(), pino({ level: 'silent' }))

/** A certificate of `username` that allows the role, issued at `issuedAt` (a week's lifetime). */
const cert = (username: string, issuedAt: number) =>
  ({ username, notAfter: issuedAt + WEEK, policy: { maySupernode: true } }) as Certificate

beforeAll(async () => {
  key = signerOf(await generateKey())
  config = verifyNetworkConfig(
    signNetworkConfig(
      {
        networkId: NETWORK,
        networkPublicKey: key.publicKey,
        sequence: 1,
        issuedAt: T0,
        seeds: [],
        minClientVersion: '0.1.0',
        policies: {
          certificateValiditySeconds: WEEK / 1000,
          defaultDevicePolicy: { maySupernode: false, mayRelay: true, maySendFiles: true },
          supernodeBannedVersions: [],
        },
      },
      key,
    ),
  )
})

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'parley-trust-'))
  served = undefined
  fetches = 0
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(T0 + 60_000)
})

afterEach(() => {
  vi.useRealTimers()
  rmSync(dir, { recursive: true, force: true })
})

describe('the supernode grant list in TrustState', () => {
  it('leaves the certificate flag to decide while the authority signs no list', async () => {
    const trust = newState()
    await trust.refresh()
    expect(trust.grants).toBeUndefined()
    expect(trust.verifyOptions(Date.now()).isGranted).toBeUndefined()
  })

  it('checks accounts against the list, and keeps it on disk for the next start', async () => {
    served = grantList(3, ['carol', 'operator'])
    await newState().refresh()
    const restarted = newState()
    const isGranted = restarted.verifyOptions(Date.now()).isGranted!
    expect(isGranted(cert('carol', T0 - 1000))).toBe(true)
    expect(isGranted(cert('mallory', T0 - 1000))).toBe(false)
  })

  it('keeps the revocation list it holds when a refresh brings the same one again', async () => {
    // The revocation sweep cuts revoked devices off once per new list object: a copy of the same
    // list each refresh made it hang up a revoked device between a refusal and its next request.
    const trust = newState()
    await trust.refresh()
    const held = trust.revocations
    expect(held?.sequence).toBe(1)
    await trust.refresh()
    expect(trust.revocations).toBe(held)
  })

  it('takes a higher sequence only, and keeps its list when the authority later answers none', async () => {
    const trust = newState()
    served = grantList(5, ['carol'])
    await trust.refresh()
    served = grantList(4, ['carol', 'mallory'])
    await trust.refresh()
    expect(trust.grants?.has('mallory')).toBe(false)
    served = undefined
    await trust.refresh()
    expect(trust.grants?.sequence).toBe(5)
    served = grantList(6, [])
    await trust.refresh()
    expect(trust.grants?.has('carol')).toBe(false)
  })

  it('takes v2 over v1 at the same sequence, never v1 over v2, and tells its listeners of each new list', async () => {
    const trust = newState()
    let told = 0
    trust.onGrants(() => told++)
    served = grantList(3, ['carol'])
    await trust.refresh()
    expect([trust.grants?.version, trust.grants?.seatOf('carol'), told]).toEqual([1, undefined, 1])
    const seat = new Uint8Array(16).fill(7)
    served = grantListV2(3, [{ username: 'carol', seat, places: 2 }])
    await trust.refresh()
    expect([trust.grants?.version, trust.grants?.seatOf('carol'), told]).toEqual([2, { seat, places: 2 }, 2])
    served = grantList(3, ['carol'], T0 + 1)
    await trust.refresh()
    expect([trust.grants?.version, told]).toEqual([2, 2])
    // The same bytes again change nothing; a restart reads the v2 list from disk.
    served = grantListV2(3, [{ username: 'carol', seat, places: 2 }])
    await trust.refresh()
    expect(told).toBe(2)
    expect(newState().grants?.seatOf('carol')).toEqual({ seat, places: 2 })
    served = grantList(4, ['carol'])
    await trust.refresh()
    expect([trust.grants?.version, told]).toEqual([1, 3])
  })

  it('fetches the list at once when a certificate issued after it is not on it, at most every 5 s', async () => {
    const trust = newState()
    served = grantList(1, ['operator'], T0)
    await trust.refresh()
    vi.setSystemTime(T0 + 120_000)
    const before = fetches
    const isGranted = trust.verifyOptions(Date.now()).isGranted!

    // A withdrawn account's certificate is older than the list: no fetch, however often it tries.
    expect(isGranted(cert('mallory', T0 - 1000))).toBe(false)
    expect(fetches).toBe(before)

    // Granted since: its new certificate is newer than the list.
    served = grantList(2, ['carol', 'operator'], T0 + 120_000)
    expect(isGranted(cert('carol', T0 + 100_000))).toBe(false)
    expect(fetches).toBe(before + 1)
    await vi.waitFor(() => expect(trust.grants?.sequence).toBe(2))
    expect(trust.verifyOptions(Date.now()).isGranted!(cert('carol', T0 + 100_000))).toBe(true)

    // A miss right after a fetch waits for the next 5 s.
    const again = trust.verifyOptions(Date.now()).isGranted!
    expect(again(cert('dave', T0 + 130_000))).toBe(false)
    expect(fetches).toBe(before + 1)
    vi.setSystemTime(T0 + 126_000)
    expect(again(cert('dave', T0 + 130_000))).toBe(false)
    expect(fetches).toBe(before + 2)
  })
})
