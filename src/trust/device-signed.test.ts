/**
 * Documents a device signs and carries its certificate in: presence records
 * and supernode announcements, verified offline by any node.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { PayloadType, seal } from '../crypto/envelope.js'
import { deviceIdOf, generateKey, keyId, signerOf, type Signer } from '../crypto/keys.js'
import { plain } from '../wire/bytes.js'
import { decodeEnvelope, SignedEnvelope } from '../wire/codec.js'
import type { ErrorCode } from '../wire/error-codes.js'
import { OverlayLimits } from '../wire/limits.js'
import { Announcement, PresenceRecord } from '../wire/overlay.js'
import { signAnnouncement, verifyAnnouncement, type AnnouncementInput } from './announcement.js'
import { issueCertificate, type CertificateInput, type VerifyCertificateOptions } from './certificate.js'
import { TrustError } from './errors.js'
import {
  MAX_PRESENCE_TTL_MS,
  PresenceStatus,
  signPresence,
  verifyPresence,
  type PresenceInput,
} from './presence.js'

const NETWORK = 'parley-test'
const T0 = 1_700_000_000_000
const HOUR = 3_600_000
const DAY = 24 * HOUR
const NOW = T0 + HOUR
/** How far ahead a record may say it expires: the longest life plus a minute of clock skew. */
const LATEST_EXPIRY = NOW + MAX_PRESENCE_TTL_MS + 60_000

let networkKey: Signer
let otherNetworkKey: Signer
let alice: Signer
let mallory: Signer
let supernode: Signer

beforeAll(async () => {
  const newSigner = async () => signerOf(await generateKey())
  networkKey = await newSigner()
  otherNetworkKey = await newSigner()
  alice = await newSigner()
  mallory = await newSigner()
  supernode = await newSigner()
})

function certificateOf(device: Signer, over: Partial<CertificateInput> = {}): Uint8Array {
  const fields: CertificateInput = {
    networkId: NETWORK,
    serial: 11n,
    username: 'alice',
    devicePublicKey: device.publicKey,
    deviceName: 'Alice phone',
    policy: { maySupernode: false, mayRelay: true, maySendFiles: true },
    organisation: '',
    notBefore: T0,
    notAfter: T0 + DAY,
    ...over,
  }
  return issueCertificate(fields, networkKey)
}

const supernodePolicy = { maySupernode: true, mayRelay: true, maySendFiles: false }

function options(over: Partial<VerifyCertificateOptions> = {}): VerifyCertificateOptions {
  return { networkPublicKey: networkKey.publicKey, networkId: NETWORK, now: NOW, ...over }
}

function presenceOf(over: Partial<PresenceInput> = {}): PresenceInput {
  return {
    certificate: certificateOf(alice),
    addrs: ['/ip4/192.0.2.7/tcp/4001'],
    status: PresenceStatus.ONLINE,
    sequence: 3,
    expiresAt: NOW + 30 * 60_000,
    ...over,
  }
}

function announcementOf(over: Partial<AnnouncementInput> = {}): AnnouncementInput {
  return {
    certificate: certificateOf(supernode, { username: 'sn-one', deviceName: 'sn', policy: supernodePolicy }),
    addrs: ['/ip4/192.0.2.1/tcp/4001'],
    capacity: 500,
    load: 7,
    version: '1.4.2',
    incarnation: T0,
    metricsUrl: 'http://192.0.2.1:9100/metrics',
    ...over,
  }
}

const announcementOptions = (bannedVersions: string[] = [], minClientVersion?: string) => ({
  ...options(),
  bannedVersions,
  ...(minClientVersion === undefined ? {} : { minClientVersion }),
})

function refusalCode(verify: () => unknown): ErrorCode {
  try {
    verify()
  } catch (err) {
    if (err instanceof TrustError) return err.code
    throw new Error(`expected a TrustError, got ${String(err)}`, { cause: err })
  }
  throw new Error('expected the document to be refused, but it verified')
}

/** An envelope of `signer`'s signature over `body` that claims to be by `claimed`. */
function resignedClaiming(bytes: Uint8Array, signer: Signer, claimed: Signer): Uint8Array {
  const env = decodeEnvelope(bytes)
  const forged = decodeEnvelope(seal(env.payloadType as PayloadType, env.payload, signer))
  return SignedEnvelope.encode({ ...forged, keyId: plain(keyId(claimed.publicKey)) })
}

/** Where the signed payload sits inside an envelope's bytes. */
function payloadRange(envelope: Uint8Array): { start: number; end: number } {
  const payload = decodeEnvelope(Uint8Array.from(envelope)).payload
  return { start: payload.byteOffset, end: payload.byteOffset + payload.byteLength }
}

/** A copy of `bytes` with one bit changed at `at`. */
function flipped(bytes: Uint8Array, at: number): Uint8Array {
  const out = Uint8Array.from(bytes)
  out[at] = out[at]! ^ 0x01
  return out
}

describe('presence records', () => {
  it('accepts a valid record and says whose device it is', () => {
    const input = presenceOf()
    const bytes = signPresence(input, alice)
    expect(verifyPresence(bytes, options())).toEqual({
      username: 'alice',
      deviceId: deviceIdOf(alice.publicKey),
      deviceName: 'Alice phone',
      devicePublicKey: alice.publicKey,
      addrs: input.addrs,
      status: PresenceStatus.ONLINE,
      sequence: 3,
      expiresAt: input.expiresAt,
      bytes,
    })
  })

  it('accepts a record from its last millisecond back to the longest life it may claim', () => {
    for (const expiresAt of [NOW + 1, LATEST_EXPIRY]) {
      expect(verifyPresence(signPresence(presenceOf({ expiresAt }), alice), options()).expiresAt).toBe(
        expiresAt,
      )
    }
  })

  it('checks time, revocation and network on every call, not only the first (verified records are remembered)', () => {
    const bytes = signPresence(presenceOf({ expiresAt: NOW + 60_000 }), alice)
    expect(verifyPresence(bytes, options()).username).toBe('alice')
    // The same bytes again, verified a moment ago: later they have expired, the device was revoked,
    // its certificate ran out, or another network asks.
    expect(refusalCode(() => verifyPresence(bytes, options({ now: NOW + 60_000 })))).toBe('record_expired')
    const revoked = options({ isRevoked: (id) => id === deviceIdOf(alice.publicKey) })
    expect(refusalCode(() => verifyPresence(bytes, revoked))).toBe('certificate_revoked')
    expect(refusalCode(() => verifyPresence(bytes, options({ now: T0 - 1 })))).toBe(
      'certificate_not_yet_valid',
    )
    const elsewhere = options({ networkPublicKey: otherNetworkKey.publicKey })
    expect(refusalCode(() => verifyPresence(bytes, elsewhere))).toBe('unknown_signer')
    // And a copy with one bit of its signature changed is not the record that verified.
    expect(refusalCode(() => verifyPresence(flipped(bytes, bytes.length - 1), options()))).toBe(
      'bad_signature',
    )
    expect(verifyPresence(bytes, options()).deviceId).toBe(deviceIdOf(alice.publicKey))
  })

  it('refuses a record as expired from the moment it expires on', () => {
    for (const expiresAt of [NOW, NOW - 1, T0]) {
      const bytes = signPresence(presenceOf({ expiresAt }), alice)
      expect(refusalCode(() => verifyPresence(bytes, options()))).toBe('record_expired')
    }
  })

  it('refuses a record claiming to live longer than a record may as invalid_field', () => {
    const bytes = signPresence(presenceOf({ expiresAt: LATEST_EXPIRY + 1 }), alice)
    expect(refusalCode(() => verifyPresence(bytes, options()))).toBe('invalid_field')
  })

  it('refuses a record carrying alice’s certificate but signed by another device key', () => {
    const forged = signPresence(presenceOf(), mallory)
    // The key id names mallory's key, not the certificate's: refused before any signature check.
    expect(refusalCode(() => verifyPresence(forged, options()))).toBe('unknown_signer')
    const claimingAlice = resignedClaiming(forged, mallory, alice)
    expect(refusalCode(() => verifyPresence(claimingAlice, options()))).toBe('bad_signature')
  })

  it('refuses a record whose sequence or signature was changed as bad_signature', () => {
    const input = presenceOf({ sequence: 2 })
    const bytes = signPresence(input, alice)
    // The sequence's one-byte value comes last but for the expiry field after it.
    const after = PresenceRecord.encode({ expiresAt: BigInt(input.expiresAt) }).byteLength
    const sequenceAt = payloadRange(bytes).end - after - 1
    expect(bytes[sequenceAt]).toBe(2)
    expect(refusalCode(() => verifyPresence(flipped(bytes, sequenceAt), options()))).toBe('bad_signature')
    expect(refusalCode(() => verifyPresence(flipped(bytes, bytes.byteLength - 1), options()))).toBe(
      'bad_signature',
    )
  })

  it('never accepts a record with any single bit of its payload changed', () => {
    const bytes = signPresence(presenceOf(), alice)
    const { start, end } = payloadRange(bytes)
    const codes = new Set<ErrorCode>()
    for (let at = start; at < end; at++) {
      codes.add(refusalCode(() => verifyPresence(flipped(bytes, at), options())))
    }
    // A changed certificate fails its own envelope's checks (key id, payload type, network signature);
    // a changed field fails the device's signature or, read before it, the canonical encoding.
    expect([...codes].sort()).toEqual(['bad_signature', 'malformed', 'unknown_signer', 'wrong_payload_type'])
  })

  it.each<[string, () => Uint8Array, Partial<VerifyCertificateOptions>, ErrorCode]>([
    [
      'an expired certificate',
      () => signPresence(presenceOf({ certificate: certificateOf(alice, { notAfter: NOW }) }), alice),
      {},
      'certificate_expired',
    ],
    [
      'a revoked device',
      () => signPresence(presenceOf(), alice),
      { isRevoked: () => true },
      'certificate_revoked',
    ],
    [
      'a certificate for another network',
      () =>
        signPresence(presenceOf({ certificate: certificateOf(alice, { networkId: 'elsewhere' }) }), alice),
      {},
      'wrong_network',
    ],
  ])('refuses a record with %s', (_what, record, over, code) => {
    expect(refusalCode(() => verifyPresence(record(), options(over)))).toBe(code)
  })

  it('refuses a certificate issued by a key that is not the network key as unknown_signer', () => {
    const fields: CertificateInput = {
      networkId: NETWORK,
      serial: 1n,
      username: 'alice',
      devicePublicKey: alice.publicKey,
      deviceName: 'Alice phone',
      policy: supernodePolicy,
      organisation: '',
      notBefore: T0,
      notAfter: T0 + DAY,
    }
    const selfIssued = issueCertificate(fields, otherNetworkKey)
    const bytes = signPresence(presenceOf({ certificate: selfIssued }), alice)
    expect(refusalCode(() => verifyPresence(bytes, options()))).toBe('unknown_signer')
  })

  it('refuses an announcement, a certificate or any other document as a presence record', () => {
    const announcement = signAnnouncement(announcementOf(), supernode)
    expect(refusalCode(() => verifyPresence(announcement, options()))).toBe('wrong_payload_type')
    expect(refusalCode(() => verifyPresence(certificateOf(alice), options()))).toBe('wrong_payload_type')
    const sealed = seal(
      PayloadType.Announcement,
      decodeEnvelope(signPresence(presenceOf(), alice)).payload,
      alice,
    )
    expect(refusalCode(() => verifyPresence(sealed, options()))).toBe('wrong_payload_type')
  })

  it('refuses a record over its caps as too_large, and a signed record that breaks a rule as invalid_field', () => {
    const long = (n: number) => Array.from({ length: n }, (_, i) => `/dns/${String(i).padStart(505, 'x')}`)
    // 16 long addresses: the envelope fits its 12 KiB cap, the body not its 8 KiB one.
    const bigBody = signPresence(presenceOf({ addrs: long(OverlayLimits.addrs) }), alice)
    expect(bigBody.byteLength).toBeLessThanOrEqual(OverlayLimits.recordEnvelopeBytes)
    expect(refusalCode(() => verifyPresence(bigBody, options()))).toBe('too_large')
    const bigEnvelope = signPresence(presenceOf({ addrs: long(24) }), alice)
    expect(bigEnvelope.byteLength).toBeGreaterThan(OverlayLimits.recordEnvelopeBytes)
    expect(refusalCode(() => verifyPresence(bigEnvelope, options()))).toBe('too_large')
    const emptyAddr = signPresence(presenceOf({ addrs: [''] }), alice)
    expect(refusalCode(() => verifyPresence(emptyAddr, options()))).toBe('invalid_field')
  })
})

describe('supernode announcements', () => {
  it('accepts a valid announcement from a device allowed the supernode role', () => {
    const input = announcementOf()
    const bytes = signAnnouncement(input, supernode)
    const { certificate: _certificate, ...fields } = input
    expect(verifyAnnouncement(bytes, announcementOptions())).toEqual({
      ...fields,
      peerId: deviceIdOf(supernode.publicKey),
      username: 'sn-one',
      bytes,
    })
  })

  it('refuses an announcement from a device whose certificate does not allow the role as policy_forbids', () => {
    const certificate = certificateOf(supernode, { policy: { ...supernodePolicy, maySupernode: false } })
    const bytes = signAnnouncement(announcementOf({ certificate }), supernode)
    expect(refusalCode(() => verifyAnnouncement(bytes, announcementOptions()))).toBe('policy_forbids')
  })

  it('refuses a banned version and one below the minimum as version_banned, and accepts the minimum', () => {
    const bytes = signAnnouncement(announcementOf({ version: '1.4.2' }), supernode)
    expect(refusalCode(() => verifyAnnouncement(bytes, announcementOptions(['1.0.0', '1.4.2'])))).toBe(
      'version_banned',
    )
    expect(refusalCode(() => verifyAnnouncement(bytes, announcementOptions([], '1.4.10')))).toBe(
      'version_banned',
    )
    expect(verifyAnnouncement(bytes, announcementOptions(['1.4.1', '1.4.20'], '1.4.2')).version).toBe('1.4.2')
  })

  it('refuses an announcement carrying a supernode’s certificate but signed by another device key', () => {
    const forged = signAnnouncement(announcementOf(), mallory)
    expect(refusalCode(() => verifyAnnouncement(forged, announcementOptions()))).toBe('unknown_signer')
    const claiming = resignedClaiming(forged, mallory, supernode)
    expect(refusalCode(() => verifyAnnouncement(claiming, announcementOptions()))).toBe('bad_signature')
  })

  it('refuses an announcement whose load was changed as bad_signature', () => {
    const input = announcementOf({ load: 7 })
    const bytes = signAnnouncement(input, supernode)
    // The load's one-byte value comes just before the fields after it.
    const { version, metricsUrl } = input
    const after = Announcement.encode({
      version,
      incarnation: BigInt(input.incarnation),
      metricsUrl,
    }).byteLength
    const loadAt = payloadRange(bytes).end - after - 1
    expect(bytes[loadAt]).toBe(7)
    expect(refusalCode(() => verifyAnnouncement(flipped(bytes, loadAt), announcementOptions()))).toBe(
      'bad_signature',
    )
  })

  it('refuses a presence record as an announcement as wrong_payload_type', () => {
    const record = signPresence(presenceOf({ certificate: announcementOf().certificate }), supernode)
    expect(refusalCode(() => verifyAnnouncement(record, announcementOptions()))).toBe('wrong_payload_type')
  })

  it('refuses an announcement with an expired or revoked certificate', () => {
    const bytes = signAnnouncement(announcementOf(), supernode)
    const expired = { ...announcementOptions(), now: T0 + DAY }
    expect(refusalCode(() => verifyAnnouncement(bytes, expired))).toBe('certificate_expired')
    const revoked = { ...announcementOptions(), isRevoked: () => true }
    expect(refusalCode(() => verifyAnnouncement(bytes, revoked))).toBe('certificate_revoked')
  })
})
