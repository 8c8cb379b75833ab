import { beforeAll, describe, expect, it } from 'vitest'
import { deviceIdOf, generateKey, signerOf, type Signer } from '../crypto/keys.js'
import { signAnnouncement } from '../trust/announcement.js'
import { issueCertificate } from '../trust/certificate.js'
import { TrustError } from '../trust/errors.js'
import type { NetworkConfig } from '../trust/network-config.js'
import {
  checkAnnouncement,
  checkHints,
  checkPlainHints,
  refusePlain,
  type ProofOptions,
} from './hint-proofs.js'

const T0 = 1_700_000_000_000
const NOW = T0 + 60_000
const DAY = 86_400_000

let network: Signer
let config: NetworkConfig
const opts = (over: Partial<ProofOptions> = {}): ProofOptions => ({ config, now: NOW, ...over })

async function supernode(
  maySupernode: boolean,
  over: { issuer?: Signer; networkId?: string; version?: string; notAfter?: number } = {},
) {
  const key = signerOf(await generateKey())
  const cert = issueCertificate(
    {
      networkId: over.networkId ?? config.networkId,
      serial: 1n,
      username: 'operator',
      devicePublicKey: key.publicKey,
      deviceName: 'sn',
      policy: { maySupernode, mayRelay: true, maySendFiles: true },
      organisation: '',
      notBefore: T0,
      notAfter: over.notAfter ?? T0 + 7 * DAY,
    },
    over.issuer ?? network,
  )
  const bytes = signAnnouncement(
    {
      certificate: cert,
      addrs: ['/ip4/192.0.2.1/tcp/4001'],
      capacity: 800,
      load: 12,
      version: over.version ?? '1.2.0',
      incarnation: T0 + 5,
      metricsUrl: '',
    },
    key,
  )
  return { id: deviceIdOf(key.publicKey), key, cert, bytes }
}

const codeOf = (f: () => unknown): string => {
  try {
    f()
  } catch (err) {
    if (err instanceof TrustError) return err.code
    throw err
  }
  return 'accepted'
}

beforeAll(async () => {
  network = signerOf(await generateKey())
  config = {
    networkId: 'parley-test',
    networkPublicKey: network.publicKey,
    sequence: 1,
    issuedAt: T0,
    seeds: [],
    minClientVersion: '1.0.0',
    policies: {
      certificateValiditySeconds: 7 * 86_400,
      defaultDevicePolicy: { maySupernode: false, mayRelay: true, maySendFiles: true },
      supernodeBannedVersions: ['1.1.0'],
    },
    bytes: new Uint8Array(),
  }
})

describe('checkAnnouncement: what a device checks offline', () => {
  it('accepts a granted supernode and gives its hint: never mega, with its incarnation', async () => {
    const sn = await supernode(true)
    const { hints, refused } = checkHints([sn.bytes], opts())
    expect(refused.size).toBe(0)
    expect(hints).toEqual([
      {
        peerId: sn.id,
        addrs: ['/ip4/192.0.2.1/tcp/4001'],
        load: 12,
        capacity: 800,
        mega: false,
        incarnation: T0 + 5,
      },
    ])
  })

  it('refuses each forgery with its own code', async () => {
    const foreign = signerOf(await generateKey())
    const honest = await supernode(true)
    const thief = signerOf(await generateKey())
    const cases: Array<[string, Uint8Array]> = [
      ['policy_forbids', (await supernode(false)).bytes],
      ['unknown_signer', (await supernode(true, { issuer: foreign })).bytes],
      ['wrong_network', (await supernode(true, { networkId: 'elsewhere' })).bytes],
      ['certificate_expired', (await supernode(true, { notAfter: NOW - 1 })).bytes],
      ['version_banned', (await supernode(true, { version: '1.1.0' })).bytes],
      ['version_banned', (await supernode(true, { version: '0.9.0' })).bytes],
      // An honest supernode's certificate in an announcement another key signed.
      [
        'unknown_signer',
        signAnnouncement(
          {
            certificate: honest.cert,
            addrs: ['/ip4/198.51.100.1/tcp/1'],
            capacity: 800,
            load: 0,
            version: '1.2.0',
            incarnation: T0,
            metricsUrl: '',
          },
          thief,
        ),
      ],
      ['malformed', Uint8Array.from([1, 2, 3])],
    ]
    for (const [code, bytes] of cases)
      expect(
        codeOf(() => checkAnnouncement(bytes, opts())),
        code,
      ).toBe(code)
  })

  it('refuses a revoked supernode when the device holds revocations', async () => {
    const sn = await supernode(true)
    expect(codeOf(() => checkAnnouncement(sn.bytes, opts({ isRevoked: (id) => id === sn.id })))).toBe(
      'certificate_revoked',
    )
  })

  it('counts refusals by code and keeps the good hints', async () => {
    const good = await supernode(true)
    const bad = await supernode(false)
    const { hints, refused } = checkHints([bad.bytes, good.bytes, bad.bytes, new Uint8Array(1)], opts())
    expect(hints.map((h) => h.peerId)).toEqual([good.id])
    expect(Object.fromEntries(refused)).toEqual({ policy_forbids: 2, malformed: 1 })
  })

  it('counts every plain hint as unsigned', () => {
    expect(Object.fromEntries(refusePlain(3))).toEqual({ unsigned_hint: 3 })
    expect(refusePlain(0).size).toBe(0)
  })

  it('takes plain hints from a seed only, never as megas (a network whose supernodes are still old)', async () => {
    const seed = await supernode(true)
    const other = await supernode(true)
    const plain = [
      { peerId: other.id, addrs: ['/ip4/192.0.2.2/tcp/4001'], load: 3, capacity: 800, mega: true },
    ]
    const withSeed = { ...config, seeds: [{ peerId: seed.id, addrs: ['/ip4/192.0.2.1/tcp/4001'] }] }
    const fromSeed = checkPlainHints(seed.id, plain, withSeed)
    expect(fromSeed.hints).toEqual([
      { peerId: other.id, addrs: ['/ip4/192.0.2.2/tcp/4001'], load: 3, capacity: 800, mega: false },
    ])
    expect(fromSeed.refused.size).toBe(0)
    const fromOther = checkPlainHints(other.id, plain, withSeed)
    expect(fromOther.hints).toEqual([])
    expect(Object.fromEntries(fromOther.refused)).toEqual({ unsigned_hint: 1 })
  })
})
