import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { deviceIdOf, generateKey, signerOf, type Signer } from '../crypto/keys.js'
import { decodeEnvelope, SignedEnvelope } from '../wire/codec.js'
import type { ErrorCode } from '../wire/error-codes.js'
import { Limits } from '../wire/limits.js'
import {
  issueCertificate,
  verifyCertificate,
  type CertificateInput,
  type VerifyCertificateOptions,
} from './certificate.js'
import { TrustError } from './errors.js'
import { signNetworkConfig, verifyNetworkConfig, type NetworkConfigInput } from './network-config.js'
import { renewalState, renewalTime } from './renewal.js'
import { signRevocationList, verifyRevocationList } from './revocations.js'

const NETWORK = 'parley-test'
const T0 = 1_700_000_000_000
const HOUR = 3_600_000
const DAY = 24 * HOUR

let networkKey: Signer
let otherKey: Signer
let device: Signer
let otherDevice: Signer

beforeAll(async () => {
  const newSigner = async () => signerOf(await generateKey())
  networkKey = await newSigner()
  otherKey = await newSigner()
  device = await newSigner()
  otherDevice = await newSigner()
})

function certificateFields(over: Partial<CertificateInput> = {}): CertificateInput {
  return {
    networkId: NETWORK,
    serial: 7n,
    username: 'alice',
    devicePublicKey: device.publicKey,
    deviceName: 'Alice phone',
    policy: { maySupernode: false, mayRelay: true, maySendFiles: true },
    organisation: 'Acme',
    notBefore: T0,
    notAfter: T0 + DAY,
    ...over,
  }
}

function verifyOptions(over: Partial<VerifyCertificateOptions> = {}): VerifyCertificateOptions {
  return { networkPublicKey: networkKey.publicKey, networkId: NETWORK, now: T0 + HOUR, ...over }
}

function configFields(
  networkPublicKey: Uint8Array,
  over: Partial<NetworkConfigInput> = {},
): NetworkConfigInput {
  return {
    networkId: NETWORK,
    networkPublicKey,
    sequence: 1,
    issuedAt: T0,
    seeds: [{ peerId: '12D3KooWseed', addrs: ['/ip4/127.0.0.1/tcp/4001'] }],
    minClientVersion: '1.0.0',
    policies: {
      certificateValiditySeconds: 86_400,
      defaultDevicePolicy: { maySupernode: false, mayRelay: true, maySendFiles: true },
      supernodeBannedVersions: [],
    },
    ...over,
  }
}

function revocationsOf(deviceIds: string[], networkId = NETWORK) {
  return {
    networkId,
    sequence: 1,
    issuedAt: T0,
    revocations: deviceIds.map((deviceId) => ({ deviceId, revokedAt: T0 })),
  }
}

function refusalCode(verify: () => unknown): ErrorCode {
  try {
    verify()
  } catch (err) {
    if (err instanceof TrustError) return err.code
    throw new Error(`expected a TrustError, got ${String(err)}`, { cause: err })
  }
  throw new Error('expected the document to be refused, but it verified')
}

/** A copy of `bytes` with one bit changed at `at`. */
function flipped(bytes: Uint8Array, at: number): Uint8Array {
  const out = Uint8Array.from(bytes)
  out[at] = out[at]! ^ 0x01
  return out
}

/** Where the signed payload sits inside an envelope's bytes. */
function payloadRange(envelope: Uint8Array): { start: number; end: number } {
  const copy = Uint8Array.from(envelope)
  const payload = decodeEnvelope(copy).payload
  return { start: payload.byteOffset, end: payload.byteOffset + payload.byteLength }
}

describe('certificate verification', () => {
  it('accepts a valid certificate and returns its fields and device id', () => {
    const bytes = issueCertificate(certificateFields(), networkKey)
    const cert = verifyCertificate(bytes, verifyOptions())
    expect(cert).toMatchObject({ ...certificateFields(), serial: 7n, bytes })
    expect(cert.deviceId).toBe(deviceIdOf(device.publicKey))
  })

  it('accepts a certificate from its first millisecond to its last', () => {
    const bytes = issueCertificate(certificateFields(), networkKey)
    expect(verifyCertificate(bytes, verifyOptions({ now: T0 })).serial).toBe(7n)
    expect(verifyCertificate(bytes, verifyOptions({ now: T0 + DAY - 1 })).serial).toBe(7n)
  })

  it('refuses a certificate as expired from the moment of not-after on', () => {
    const bytes = issueCertificate(certificateFields(), networkKey)
    expect(refusalCode(() => verifyCertificate(bytes, verifyOptions({ now: T0 + DAY })))).toBe(
      'certificate_expired',
    )
    expect(refusalCode(() => verifyCertificate(bytes, verifyOptions({ now: T0 + 30 * DAY })))).toBe(
      'certificate_expired',
    )
  })

  it('refuses a certificate before its not-before as not yet valid', () => {
    const bytes = issueCertificate(certificateFields(), networkKey)
    expect(refusalCode(() => verifyCertificate(bytes, verifyOptions({ now: T0 - 1 })))).toBe(
      'certificate_not_yet_valid',
    )
  })

  it('refuses a certificate when the clock reading is not a number, rather than accepting any window', () => {
    const bytes = issueCertificate(certificateFields({ notAfter: T0 + 1 }), networkKey)
    expect(() => verifyCertificate(bytes, verifyOptions({ now: Number.NaN }))).toThrow(RangeError)
  })

  it('refuses a certificate the caller reports revoked, asking by device id and serial', () => {
    const bytes = issueCertificate(certificateFields(), networkKey)
    const asked: Array<[string, bigint]> = []
    const isRevoked = (deviceId: string, serial: bigint) => (asked.push([deviceId, serial]), true)
    expect(refusalCode(() => verifyCertificate(bytes, verifyOptions({ isRevoked })))).toBe(
      'certificate_revoked',
    )
    expect(asked).toEqual([[deviceIdOf(device.publicKey), 7n]])
  })

  it('refuses a device on a signed revocation list and still accepts other devices', () => {
    const list = verifyRevocationList(
      signRevocationList(revocationsOf([deviceIdOf(device.publicKey)]), networkKey),
      { networkPublicKey: networkKey.publicKey, networkId: NETWORK },
    )
    const isRevoked = (deviceId: string) => list.has(deviceId)
    const revoked = issueCertificate(certificateFields(), networkKey)
    const other = issueCertificate(certificateFields({ devicePublicKey: otherDevice.publicKey }), networkKey)
    expect(refusalCode(() => verifyCertificate(revoked, verifyOptions({ isRevoked })))).toBe(
      'certificate_revoked',
    )
    expect(verifyCertificate(other, verifyOptions({ isRevoked })).deviceId).toBe(
      deviceIdOf(otherDevice.publicKey),
    )
  })

  it('refuses a certificate with any single bit of its signed payload changed as bad_signature', () => {
    const bytes = issueCertificate(certificateFields(), networkKey)
    const { start, end } = payloadRange(bytes)
    const codes = new Set<ErrorCode>()
    for (let at = start; at < end; at++)
      codes.add(refusalCode(() => verifyCertificate(flipped(bytes, at), verifyOptions())))
    expect([...codes]).toEqual(['bad_signature'])
  })

  it('refuses a certificate with any single bit of its signature changed as bad_signature', () => {
    const bytes = issueCertificate(certificateFields(), networkKey)
    const codes = new Set<ErrorCode>()
    for (let at = bytes.byteLength - 64; at < bytes.byteLength; at++) {
      codes.add(refusalCode(() => verifyCertificate(flipped(bytes, at), verifyOptions())))
    }
    expect([...codes]).toEqual(['bad_signature'])
  })

  it('refuses a signature re-encoded as S + L (no signature malleability) as bad_signature', () => {
    const bytes = issueCertificate(certificateFields(), networkKey)
    const env = decodeEnvelope(bytes)
    const L = 2n ** 252n + 27742317777372353535851937790883648493n
    const sLittleEndian = env.signature.subarray(32)
    const s = BigInt('0x' + Buffer.from(sLittleEndian).reverse().toString('hex'))
    const malleated = Buffer.from((s + L).toString(16).padStart(64, '0'), 'hex').reverse()
    const signature = new Uint8Array([...env.signature.subarray(0, 32), ...malleated])
    const resealed = SignedEnvelope.encode({ ...env, signature })
    expect(refusalCode(() => verifyCertificate(resealed, verifyOptions()))).toBe('bad_signature')
  })

  it('refuses a certificate signed by another key as unknown_signer', () => {
    const bytes = issueCertificate(certificateFields(), otherKey)
    expect(refusalCode(() => verifyCertificate(bytes, verifyOptions()))).toBe('unknown_signer')
  })

  it('refuses a certificate for another network as wrong_network', () => {
    const bytes = issueCertificate(certificateFields({ networkId: 'another-network' }), networkKey)
    expect(refusalCode(() => verifyCertificate(bytes, verifyOptions()))).toBe('wrong_network')
  })

  it('refuses a network config passed as a certificate as wrong_payload_type', () => {
    const config = signNetworkConfig(configFields(networkKey.publicKey), networkKey)
    expect(refusalCode(() => verifyCertificate(config, verifyOptions()))).toBe('wrong_payload_type')
  })

  it('refuses truncated and garbage bytes as malformed', () => {
    const bytes = issueCertificate(certificateFields(), networkKey)
    expect(
      refusalCode(() => verifyCertificate(bytes.subarray(0, bytes.byteLength - 10), verifyOptions())),
    ).toBe('malformed')
    const garbage = new TextEncoder().encode('not a certificate')
    expect(refusalCode(() => verifyCertificate(garbage, verifyOptions()))).toBe('malformed')
  })

  it('refuses a certificate larger than the cap as too_large', () => {
    const bytes = issueCertificate(
      certificateFields({ organisation: 'o'.repeat(Limits.certificateBytes) }),
      networkKey,
    )
    expect(refusalCode(() => verifyCertificate(bytes, verifyOptions()))).toBe('too_large')
  })

  it('refuses a signed certificate whose fields break the rules as invalid_field', () => {
    const bytes = issueCertificate(certificateFields({ username: 'Not A Username' }), networkKey)
    expect(refusalCode(() => verifyCertificate(bytes, verifyOptions()))).toBe('invalid_field')
  })
})

describe('network config verification', () => {
  it('accepts a self-signed config on first contact', () => {
    const bytes = signNetworkConfig(configFields(networkKey.publicKey), networkKey)
    const config = verifyNetworkConfig(bytes)
    expect(config).toMatchObject({ ...configFields(networkKey.publicKey), bytes })
  })

  it('accepts a config signed by the pinned key for the expected network', () => {
    const bytes = signNetworkConfig(configFields(networkKey.publicKey), networkKey)
    expect(
      verifyNetworkConfig(bytes, { networkPublicKey: networkKey.publicKey, networkId: NETWORK }).sequence,
    ).toBe(1)
  })

  it('refuses a config signed by a key other than the one it names as unknown_signer', () => {
    const bytes = signNetworkConfig(configFields(networkKey.publicKey), otherKey)
    expect(refusalCode(() => verifyNetworkConfig(bytes))).toBe('unknown_signer')
    expect(refusalCode(() => verifyNetworkConfig(bytes, { networkPublicKey: otherKey.publicKey }))).toBe(
      'unknown_signer',
    )
  })

  it('refuses a self-signed config when a different key is pinned as unknown_signer', () => {
    const bytes = signNetworkConfig(configFields(otherKey.publicKey), otherKey)
    expect(refusalCode(() => verifyNetworkConfig(bytes, { networkPublicKey: networkKey.publicKey }))).toBe(
      'unknown_signer',
    )
  })

  it('refuses a config for another network as wrong_network', () => {
    const bytes = signNetworkConfig(configFields(networkKey.publicKey), networkKey)
    expect(refusalCode(() => verifyNetworkConfig(bytes, { networkId: 'another-network' }))).toBe(
      'wrong_network',
    )
  })

  it('refuses an altered config as bad_signature', () => {
    const bytes = signNetworkConfig(configFields(networkKey.publicKey), networkKey)
    const { end } = payloadRange(bytes)
    const altered = flipped(bytes, end - 1)
    expect(refusalCode(() => verifyNetworkConfig(altered, { networkPublicKey: networkKey.publicKey }))).toBe(
      'bad_signature',
    )
  })
})

describe('revocation list verification', () => {
  const options = () => ({ networkPublicKey: networkKey.publicKey, networkId: NETWORK })

  it('accepts a signed list and answers which devices are on it', () => {
    const revoked = deviceIdOf(device.publicKey)
    const list = verifyRevocationList(signRevocationList(revocationsOf([revoked]), networkKey), options())
    expect(list.revocations).toEqual([{ deviceId: revoked, revokedAt: T0 }])
    expect([list.has(revoked), list.has(deviceIdOf(otherDevice.publicKey))]).toEqual([true, false])
  })

  it('refuses a list for another network as wrong_network', () => {
    const bytes = signRevocationList(revocationsOf([], 'another-network'), networkKey)
    expect(refusalCode(() => verifyRevocationList(bytes, options()))).toBe('wrong_network')
  })

  it('refuses an altered list as bad_signature', () => {
    const bytes = signRevocationList(revocationsOf([deviceIdOf(device.publicKey)]), networkKey)
    const { start } = payloadRange(bytes)
    expect(refusalCode(() => verifyRevocationList(flipped(bytes, start + 3), options()))).toBe(
      'bad_signature',
    )
  })

  it('refuses a list signed by another key as unknown_signer', () => {
    const bytes = signRevocationList(revocationsOf([]), otherKey)
    expect(refusalCode(() => verifyRevocationList(bytes, options()))).toBe('unknown_signer')
  })
})

describe('renewal timing', () => {
  const validity = fc
    .tuple(fc.nat({ max: 4_000_000_000_000 }), fc.integer({ min: 1, max: 400 * DAY }))
    .map(([notBefore, lifetime]) => ({ notBefore, notAfter: notBefore + lifetime }))
  const random = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })

  it('renews between half and three quarters of the lifetime, to the millisecond', () => {
    fc.assert(
      fc.property(validity, random, (cert, r) => {
        const lifetime = cert.notAfter - cert.notBefore
        const offset = renewalTime(cert, r) - cert.notBefore
        expect(Number.isInteger(offset)).toBe(true)
        expect(offset).toBeGreaterThan(lifetime / 2 - 1)
        expect(offset).toBeLessThanOrEqual(lifetime * 0.75)
      }),
    )
  })

  it('spreads devices with different random values across the window', () => {
    const cert = { notBefore: T0, notAfter: T0 + 100 * DAY }
    expect(renewalTime(cert, 0)).toBe(T0 + 50 * DAY)
    expect(renewalTime(cert, 0.5)).toBe(T0 + 62.5 * DAY)
    expect(renewalTime(cert, 0.999)).toBeGreaterThan(T0 + 74.9 * DAY)
  })

  it('is fresh before the renewal time, renew from it, expired from not-after', () => {
    const cert = { notBefore: T0, notAfter: T0 + 100 * DAY }
    const at = renewalTime(cert, 0.5)
    expect(renewalState(cert, T0, 0.5)).toBe('fresh')
    expect(renewalState(cert, at - 1, 0.5)).toBe('fresh')
    expect(renewalState(cert, at, 0.5)).toBe('renew')
    expect(renewalState(cert, cert.notAfter - 1, 0.5)).toBe('renew')
    expect(renewalState(cert, cert.notAfter, 0.5)).toBe('expired')
    expect(renewalState(cert, cert.notAfter + DAY, 0.5)).toBe('expired')
  })

  it('only ever moves forward from fresh to renew to expired as time passes', () => {
    const order = { fresh: 0, renew: 1, expired: 2 }
    fc.assert(
      fc.property(validity, random, fc.integer(), fc.nat(), (cert, r, offset, step) => {
        const t = cert.notBefore + (offset % (2 * (cert.notAfter - cert.notBefore)))
        expect(order[renewalState(cert, t + step, r)]).toBeGreaterThanOrEqual(order[renewalState(cert, t, r)])
      }),
    )
  })
})
