/**
 * Fuzzing the supernode network's decoders and the verifiers of the documents
 * devices sign (presence records, announcements): whatever the bytes, only the
 * typed refusal escapes, nothing hangs, and a changed document never verifies
 * as something other than what was signed.
 */
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { PayloadType, seal } from '../crypto/envelope.js'
import { generateKey, signerOf, type Signer } from '../crypto/keys.js'
import { signAnnouncement, verifyAnnouncement, type AnnouncementInput } from '../trust/announcement.js'
import { issueCertificate, verifyCertificate, type CertificateInput } from '../trust/certificate.js'
import { TrustError } from '../trust/errors.js'
import { PresenceStatus, signPresence, verifyPresence, type PresenceInput } from '../trust/presence.js'
import { plain } from './bytes.js'
import { decodeEnvelope } from './codec.js'
import {
  assertSameContent,
  decoderInputs,
  decodesOrRefuses,
  mutated,
  verifiesOrRefuses,
} from './fuzz-support.js'
import { OverlayLimits } from './limits.js'
import {
  AttachAnswer,
  AttachRequest,
  AttachResponse,
  AttachResult,
  decodeAnnouncementBody,
  decodeAttachAnswer,
  decodeAttachRequest,
  decodeAttachResponse,
  decodeDirectoryRequest,
  decodeDirectoryResponse,
  decodeMembershipMessage,
  decodePresenceBody,
  DirectoryKind,
  DirectoryRequest,
  DirectoryResponse,
  DirectoryResult,
  MembershipKind,
  MembershipMessage,
} from './overlay.js'

const DECODER_RUNS = 100_000
const VERIFY_RUNS = 5_000
const RESIGN_RUNS = 1_000

// ---- Valid documents --------------------------------------------------------

const T0 = 1_700_000_000_000
const NOW = T0 + 60_000
const NETWORK = 'parley-fuzz'
const MINUTE = 60_000

let networkKey: Signer
let devices: Signer[] = []
let supernodes: Signer[] = []
const verifyOptions = () => ({ networkPublicKey: networkKey.publicKey, networkId: NETWORK, now: NOW })
const announcementOptions = () => ({ ...verifyOptions(), bannedVersions: ['0.9.0'], minClientVersion: '1.0' })

function certificateFields(device: Signer, i: number, maySupernode: boolean): CertificateInput {
  return {
    networkId: NETWORK,
    serial: BigInt(i + 1),
    username: ['alice', 'bob.b', 'carol_c-1'][i % 3]!,
    devicePublicKey: device.publicKey,
    deviceName: ['Phone', 'Laptop at work', 'x'][i % 3]!,
    policy: { maySupernode, mayRelay: true, maySendFiles: i % 2 === 0 },
    organisation: i % 2 === 0 ? '' : 'Acme Ltd',
    notBefore: T0,
    notAfter: T0 + (i + 1) * 86_400_000,
  }
}

function presenceInputs(certificates: Uint8Array[]): PresenceInput[] {
  const statuses = [
    PresenceStatus.ONLINE,
    PresenceStatus.OFFLINE,
    PresenceStatus.AWAY,
    PresenceStatus.DO_NOT_DISTURB,
  ]
  return certificates.map((certificate, i) => ({
    certificate,
    addrs: Array.from({ length: i * 2 }, (_, j) => `/ip4/10.0.${i}.${j}/tcp/4001`),
    status: statuses[i % statuses.length]!,
    sequence: i * 1000,
    expiresAt: NOW + (i + 1) * 10 * MINUTE,
  }))
}

function announcementInputs(certificates: Uint8Array[]): AnnouncementInput[] {
  return certificates.map((certificate, i) => ({
    certificate,
    addrs: Array.from({ length: i + 1 }, (_, j) => `/ip4/192.0.2.${j}/tcp/4001`),
    capacity: 100 * (i + 1),
    load: i * 7,
    version: ['1.0', '1.4.2', '2.0.0.1'][i % 3]!,
    incarnation: T0 + i,
    metricsUrl: i === 0 ? '' : `http://192.0.2.${i}:9100/metrics`,
  }))
}

const signed = { presence: [] as Uint8Array[], announcements: [] as Uint8Array[] }
const signers = new Map<Uint8Array, Signer>()
const bodies = {
  presence: [] as Uint8Array[],
  announcement: [] as Uint8Array[],
  membership: [] as Uint8Array[],
  attachRequest: [] as Uint8Array[],
  attachResponse: [] as Uint8Array[],
  attachAnswer: [] as Uint8Array[],
  directoryRequest: [] as Uint8Array[],
  directoryResponse: [] as Uint8Array[],
}

beforeAll(async () => {
  const newSigner = async () => signerOf(await generateKey())
  networkKey = await newSigner()
  devices = await Promise.all([0, 1, 2].map(newSigner))
  supernodes = await Promise.all([0, 1, 2].map(newSigner))
  const deviceCerts = devices.map((d, i) => issueCertificate(certificateFields(d, i, false), networkKey))
  const supernodeCerts = supernodes.map((d, i) => issueCertificate(certificateFields(d, i, true), networkKey))

  signed.presence = presenceInputs(deviceCerts).map((input, i) => signPresence(input, devices[i]!))
  signed.announcements = announcementInputs(supernodeCerts).map((input, i) =>
    signAnnouncement(input, supernodes[i]!),
  )
  signed.presence.forEach((bytes, i) => signers.set(bytes, devices[i]!))
  signed.announcements.forEach((bytes, i) => signers.set(bytes, supernodes[i]!))

  const payloadOf = (bytes: Uint8Array) => decodeEnvelope(bytes).payload
  bodies.presence = signed.presence.map(payloadOf)
  bodies.announcement = signed.announcements.map(payloadOf)
  bodies.membership = [
    { kind: MembershipKind.Ping, seq: 1n, target: '', updates: [] },
    { kind: MembershipKind.PingReq, seq: 2n, target: '12D3KooWtarget', updates: [] },
    {
      kind: MembershipKind.Sync,
      seq: 3n,
      target: '',
      updates: signed.announcements.map((a, i) => ({
        peerId: `12D3KooWpeer${i}`,
        incarnation: BigInt(T0 + i),
        state: i % 3,
        announcement: plain(i === 2 ? new Uint8Array(0) : a),
      })),
    },
  ].map((m) => MembershipMessage.encode(m))
  bodies.attachRequest = deviceCerts.map((c, i) =>
    AttachRequest.encode({ certificate: plain(c), version: ['1.0', '1.4.2', '10.20.30.40'][i]! }),
  )
  const hint = (i: number) => ({
    peerId: `12D3KooWhint${i}`,
    addrs: Array.from({ length: i }, (_, j) => `/ip4/10.1.${i}.${j}/tcp/4001`),
    load: i,
    capacity: 100,
    mega: i === 0,
  })
  bodies.attachResponse = [
    {
      result: AttachResult.Attached,
      code: '',
      message: '',
      hints: [],
      load: 1,
      capacity: 100,
      configSequence: 3n,
    },
    {
      result: AttachResult.Busy,
      code: '',
      message: 'full',
      hints: [0, 1, 4].map(hint),
      load: 100,
      capacity: 100,
      configSequence: 3n,
    },
    {
      result: AttachResult.Refused,
      code: 'version_banned',
      message: 'upgrade',
      hints: [],
      load: 0,
      capacity: 0,
      configSequence: 0n,
    },
  ].map((r) => AttachResponse.encode(r))
  const signedHints = signed.announcements.map((a) => plain(a))
  bodies.attachAnswer = [
    {
      result: AttachResult.Attached,
      code: '',
      message: '',
      load: 1,
      capacity: 100,
      configSequence: 3n,
      announcement: signedHints[0]!,
      hints: signedHints.slice(1),
    },
    {
      result: AttachResult.Busy,
      code: 'unavailable',
      message: 'busy',
      load: 100,
      capacity: 100,
      configSequence: 3n,
      announcement: plain(new Uint8Array()),
      hints: signedHints,
    },
    {
      result: AttachResult.Refused,
      code: 'version_banned',
      message: 'upgrade',
      load: 0,
      capacity: 0,
      configSequence: 0n,
      announcement: signedHints[2]!,
      hints: [],
    },
  ].map((r) => AttachAnswer.encode(r))
  const records = signed.presence.map((r) => plain(r))
  bodies.directoryRequest = [
    { kind: DirectoryKind.Publish, records: records.slice(0, 1), username: '' },
    { kind: DirectoryKind.Store, records, username: '' },
    { kind: DirectoryKind.Lookup, records: [], username: 'alice' },
    { kind: DirectoryKind.Fetch, records: [], username: 'carol_c-1' },
  ].map((r) => DirectoryRequest.encode(r))
  bodies.directoryResponse = [
    { result: DirectoryResult.Ok, code: '', message: '', records },
    { result: DirectoryResult.NotFound, code: 'not_found', message: '', records: [] },
    {
      result: DirectoryResult.Refused,
      code: 'bad_signature',
      message: 'the record was altered',
      records: [],
    },
  ].map((r) => DirectoryResponse.encode(r))
})

// ---- Properties -----------------------------------------------------------------

describe('fuzz corpus', () => {
  // Mutations of documents that were never valid would prove little.
  it('starts from documents that decode and verify', () => {
    expect(() => {
      bodies.presence.forEach((b) => decodePresenceBody(b))
      bodies.announcement.forEach((b) => decodeAnnouncementBody(b))
      bodies.membership.forEach((b) => decodeMembershipMessage(b))
      bodies.attachRequest.forEach((b) => decodeAttachRequest(b))
      bodies.attachResponse.forEach((b) => decodeAttachResponse(b))
      bodies.attachAnswer.forEach((b) => decodeAttachAnswer(b))
      bodies.directoryRequest.forEach((b) => decodeDirectoryRequest(b))
      bodies.directoryResponse.forEach((b) => decodeDirectoryResponse(b))
      signed.presence.forEach((b) => verifyPresence(b, verifyOptions()))
      signed.announcements.forEach((b) => verifyAnnouncement(b, announcementOptions()))
    }).not.toThrow()
  })
})

describe('decoders take any bytes', () => {
  const decoders = [
    ['decodePresenceBody', decodePresenceBody, OverlayLimits.presenceBytes, () => bodies.presence],
    [
      'decodeAnnouncementBody',
      decodeAnnouncementBody,
      OverlayLimits.announcementBytes,
      () => bodies.announcement,
    ],
    [
      'decodeMembershipMessage',
      decodeMembershipMessage,
      OverlayLimits.membershipBytes,
      () => bodies.membership,
    ],
    ['decodeAttachRequest', decodeAttachRequest, OverlayLimits.attachBytes, () => bodies.attachRequest],
    ['decodeAttachResponse', decodeAttachResponse, OverlayLimits.attachBytes, () => bodies.attachResponse],
    ['decodeAttachAnswer', decodeAttachAnswer, OverlayLimits.attachAnswerBytes, () => bodies.attachAnswer],
    [
      'decodeDirectoryRequest',
      decodeDirectoryRequest,
      OverlayLimits.directoryBytes,
      () => bodies.directoryRequest,
    ],
    [
      'decodeDirectoryResponse',
      decodeDirectoryResponse,
      OverlayLimits.directoryBytes,
      () => bodies.directoryResponse,
    ],
  ] as const

  it.each(decoders)(
    '%s returns a value or a WireDecodeError for random and mutated input',
    (_name, decode, cap, corpus) => {
      fc.assert(
        fc.property(decoderInputs(cap, corpus()), (bytes) => decodesOrRefuses(decode, bytes)),
        { numRuns: DECODER_RUNS },
      )
    },
    30_000,
  )
})

describe('verifiers refuse altered documents with typed errors', () => {
  it('verifyPresence throws only TrustError and never accepts altered content', () => {
    fc.assert(
      fc.property(mutated(signed.presence, 2), ({ original, bytes }) => {
        const record = verifiesOrRefuses([TrustError], bytes, () => verifyPresence(bytes, verifyOptions()))
        if (record !== undefined)
          assertSameContent('presence record', record, verifyPresence(original, verifyOptions()))
      }),
      { numRuns: VERIFY_RUNS },
    )
  })

  it('verifyAnnouncement throws only TrustError and never accepts altered content', () => {
    fc.assert(
      fc.property(mutated(signed.announcements, 2), ({ original, bytes }) => {
        const opts = announcementOptions()
        const announcement = verifiesOrRefuses([TrustError], bytes, () => verifyAnnouncement(bytes, opts))
        if (announcement !== undefined)
          assertSameContent('announcement', announcement, verifyAnnouncement(original, opts))
      }),
      { numRuns: VERIFY_RUNS },
    )
  })
})

describe('verifiers take any body the device signs', () => {
  // What a buggy or hostile device could sign with its own key: the signature
  // checks out, so the decoding, the certificate inside and the rules after it
  // must still refuse with a TrustError and accept only what decodes.
  function resigned(type: PayloadType, docs: Uint8Array[]) {
    const keyOf = new Map<Uint8Array, Signer>(docs.map((d) => [decodeEnvelope(d).payload, signers.get(d)!]))
    return mutated([...keyOf.keys()], 2).map(({ original, bytes: body }) => ({
      body,
      bytes: seal(type, body, keyOf.get(original)!),
    }))
  }

  it('verifyPresence refuses signed garbage with TrustError only', () => {
    fc.assert(
      fc.property(resigned(PayloadType.Presence, signed.presence), ({ body, bytes }) => {
        const record = verifiesOrRefuses([TrustError], bytes, () => verifyPresence(bytes, verifyOptions()))
        if (record === undefined) return
        const fields = decodePresenceBody(body)
        const cert = verifyCertificate(fields.certificate, verifyOptions())
        const { certificate: _certificate, ...rest } = fields
        assertSameContent('presence record', record, {
          username: cert.username,
          deviceId: cert.deviceId,
          deviceName: cert.deviceName,
          devicePublicKey: cert.devicePublicKey,
          ...rest,
        })
      }),
      { numRuns: RESIGN_RUNS },
    )
  })

  it('verifyAnnouncement refuses signed garbage with TrustError only', () => {
    fc.assert(
      fc.property(resigned(PayloadType.Announcement, signed.announcements), ({ body, bytes }) => {
        const opts = announcementOptions()
        const announcement = verifiesOrRefuses([TrustError], bytes, () => verifyAnnouncement(bytes, opts))
        if (announcement === undefined) return
        const { certificate, ...rest } = decodeAnnouncementBody(body)
        const cert = verifyCertificate(certificate, opts)
        assertSameContent('announcement', announcement, {
          peerId: cert.deviceId,
          username: cert.username,
          ...rest,
        })
      }),
      { numRuns: RESIGN_RUNS },
    )
  })
})
