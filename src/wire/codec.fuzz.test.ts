/**
 * Fuzzing the decoders and the verifiers behind them: whatever the bytes, only
 * the typed refusal may escape, nothing hangs, and a document that was changed
 * never verifies as something other than what was signed.
 */
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { open, PayloadType, seal, SignatureError } from '../crypto/envelope.js'
import { deviceIdOf, generateKey, signerOf, type Signer } from '../crypto/keys.js'
import { issueCertificate, verifyCertificate, type CertificateInput } from '../trust/certificate.js'
import { TrustError } from '../trust/errors.js'
import { signNetworkConfig, verifyNetworkConfig, type NetworkConfigInput } from '../trust/network-config.js'
import { signRevocationList, verifyRevocationList } from '../trust/revocations.js'
import { equalBytes } from './bytes.js'
import {
  CertificateBody,
  decodeCertificateBody,
  decodeEnvelope,
  decodeNetworkConfigBody,
  decodeRevocationListBody,
  decodeSignInProof,
  NetworkConfigBody,
  RevocationListBody,
  SignInProof,
  WireDecodeError,
} from './codec.js'
import {
  assertSameContent,
  decoderInputs,
  decodesOrRefuses,
  mutated,
  verifiesOrRefuses,
} from './fuzz-support.js'
import { Limits } from './limits.js'

const DECODER_RUNS = 100_000
const VERIFY_RUNS = 5_000
const RESIGN_RUNS = 1_000

// ---- Valid documents --------------------------------------------------------

const policy = { maySupernode: true, mayRelay: false, maySendFiles: true }
const T0 = 1_700_000_000_000
const DAY = 86_400_000
const NETWORK = 'parley-fuzz'

function certificateFields(devicePublicKey: Uint8Array, i: number): CertificateInput {
  return {
    networkId: NETWORK,
    serial: BigInt(i + 1) * 1_000_003n,
    username: ['alice', 'bob.b', 'carol_c-1'][i % 3]!,
    devicePublicKey,
    deviceName: ['Phone', 'Laptop at work', 'x'][i % 3]!,
    policy,
    organisation: i % 2 === 0 ? '' : 'Acme Ltd',
    notBefore: T0,
    notAfter: T0 + (i + 1) * DAY,
  }
}

function networkConfigFields(networkPublicKey: Uint8Array, seeds: number): NetworkConfigInput {
  return {
    networkId: NETWORK,
    networkPublicKey,
    sequence: seeds + 1,
    issuedAt: T0,
    seeds: Array.from({ length: seeds }, (_, i) => ({
      peerId: `12D3KooWseed${i}`,
      addrs: Array.from({ length: i % 4 }, (_, j) => `/ip4/10.0.${i}.${j}/tcp/4001`),
    })),
    minClientVersion: seeds % 2 === 0 ? '' : '1.4.2',
    policies: {
      certificateValiditySeconds: 604_800,
      defaultDevicePolicy: policy,
      supernodeBannedVersions: seeds > 2 ? ['1.0.0', '1.2'] : [],
    },
  }
}

function revocationListFields(entries: number) {
  return {
    networkId: NETWORK,
    sequence: entries + 1,
    issuedAt: T0,
    revocations: Array.from({ length: entries }, (_, i) => ({
      deviceId: `12D3KooWdevice${i}`,
      revokedAt: T0 - i,
    })),
  }
}

const bodies = {
  certificate: [0, 1, 2].map((i) =>
    CertificateBody.encode({
      ...certificateFields(new Uint8Array(32).fill(i), i),
      devicePublicKey: new Uint8Array(32).fill(i),
      notBefore: BigInt(T0),
      notAfter: BigInt(T0 + DAY),
    }),
  ),
  networkConfig: [0, 1, 5].map((seeds) => {
    const f = networkConfigFields(new Uint8Array(32).fill(9), seeds)
    return NetworkConfigBody.encode({
      ...f,
      networkPublicKey: new Uint8Array(32).fill(9),
      sequence: BigInt(f.sequence),
      issuedAt: BigInt(f.issuedAt),
    })
  }),
  revocationList: [0, 1, 3, 40].map((n) => {
    const f = revocationListFields(n)
    return RevocationListBody.encode({
      ...f,
      sequence: BigInt(f.sequence),
      issuedAt: BigInt(f.issuedAt),
      revocations: f.revocations.map((r) => ({ deviceId: r.deviceId, revokedAt: BigInt(r.revokedAt) })),
    })
  }),
  signInProof: [16, 32, 64].map((c) =>
    SignInProof.encode({
      networkId: NETWORK,
      challenge: new Uint8Array(c).fill(c),
      username: 'alice',
      devicePublicKey: new Uint8Array(32).fill(4),
    }),
  ),
}

let networkKey: Signer
let otherKey: Signer
const signed = {
  certificates: [] as Uint8Array[],
  networkConfigs: [] as Uint8Array[],
  revocationLists: [] as Uint8Array[],
}
const envelopes: Array<{ bytes: Uint8Array; type: PayloadType }> = []

beforeAll(async () => {
  networkKey = signerOf(await generateKey())
  otherKey = signerOf(await generateKey())
  const devices = await Promise.all([0, 1, 2].map(async () => signerOf(await generateKey()).publicKey))
  signed.certificates = devices.map((d, i) => issueCertificate(certificateFields(d, i), networkKey))
  signed.networkConfigs = [0, 1, 5].map((n) =>
    signNetworkConfig(networkConfigFields(networkKey.publicKey, n), networkKey),
  )
  signed.revocationLists = [0, 3, 40].map((n) => signRevocationList(revocationListFields(n), networkKey))
  envelopes.push(
    ...signed.certificates.map((bytes) => ({ bytes, type: PayloadType.Certificate })),
    ...signed.networkConfigs.map((bytes) => ({ bytes, type: PayloadType.NetworkConfig })),
    ...signed.revocationLists.map((bytes) => ({ bytes, type: PayloadType.Revocations })),
    ...bodies.signInProof.map((body) => ({
      bytes: seal(PayloadType.SignInProof, body, otherKey),
      type: PayloadType.SignInProof,
    })),
  )
})

const payloadsOf = (docs: Uint8Array[]) => docs.map((d) => decodeEnvelope(d).payload)

// ---- Properties -----------------------------------------------------------------

describe('fuzz corpus', () => {
  // Mutations of documents that were never valid would prove little.
  it('starts from documents that decode and verify', () => {
    const cert = { networkPublicKey: networkKey.publicKey, networkId: NETWORK, now: T0 + 1 }
    const list = { networkPublicKey: networkKey.publicKey, networkId: NETWORK }
    expect(() => {
      bodies.certificate.forEach((b) => decodeCertificateBody(b))
      bodies.networkConfig.forEach((b) => decodeNetworkConfigBody(b))
      bodies.revocationList.forEach((b) => decodeRevocationListBody(b))
      bodies.signInProof.forEach((b) => decodeSignInProof(b))
      envelopes.forEach((e) =>
        open(e.bytes, e.type, e.type === PayloadType.SignInProof ? otherKey.publicKey : networkKey.publicKey),
      )
      signed.certificates.forEach((b) => verifyCertificate(b, cert))
      signed.networkConfigs.forEach((b) => verifyNetworkConfig(b))
      signed.revocationLists.forEach((b) => verifyRevocationList(b, list))
    }).not.toThrow()
  })
})

describe('decoders take any bytes', () => {
  const decoders = [
    ['decodeEnvelope', decodeEnvelope, Limits.envelopeBytes, () => envelopes.map((e) => e.bytes)],
    ['decodeCertificateBody', decodeCertificateBody, Limits.certificateBytes, () => bodies.certificate],
    [
      'decodeNetworkConfigBody',
      decodeNetworkConfigBody,
      Limits.networkConfigBytes,
      () => bodies.networkConfig,
    ],
    [
      'decodeRevocationListBody',
      decodeRevocationListBody,
      Limits.revocationListBytes,
      () => bodies.revocationList,
    ],
    ['decodeSignInProof', decodeSignInProof, Limits.signInProofBytes, () => bodies.signInProof],
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
  const now = T0 + 1

  it('open() throws only WireDecodeError or SignatureError and never returns another payload', () => {
    const originals = new Map(envelopes.map((e) => [e.bytes, e]))
    fc.assert(
      fc.property(
        mutated(
          envelopes.map((e) => e.bytes),
          2,
        ),
        ({ original, bytes }) => {
          const { type } = originals.get(original)!
          const key = type === PayloadType.SignInProof ? otherKey.publicKey : networkKey.publicKey
          const payload = verifiesOrRefuses([WireDecodeError, SignatureError], bytes, () =>
            open(bytes, type, key),
          )
          // The envelope's own bytes are not signed and may change and still open
          // (a tag's wire type is not checked: 0x0a → 0x0b reads the same field);
          // what must never change is the payload, which is.
          if (payload !== undefined && !equalBytes(payload, decodeEnvelope(original).payload)) {
            throw new Error('an altered envelope opened with a different payload')
          }
        },
      ),
      { numRuns: VERIFY_RUNS },
    )
  })

  it('verifyCertificate throws only TrustError and never accepts altered content', () => {
    const opts = { networkPublicKey: networkKey.publicKey, networkId: NETWORK, now }
    fc.assert(
      fc.property(mutated(signed.certificates, 2), ({ original, bytes }) => {
        const cert = verifiesOrRefuses([TrustError], bytes, () => verifyCertificate(bytes, opts))
        if (cert !== undefined) assertSameContent('certificate', cert, verifyCertificate(original, opts))
      }),
      { numRuns: VERIFY_RUNS },
    )
  })

  it.each([
    ['with the network key pinned', true],
    ['on first contact', false],
  ])('verifyNetworkConfig %s throws only TrustError and never accepts altered content', (_when, pinned) => {
    const opts = pinned
      ? { networkPublicKey: networkKey.publicKey, networkId: NETWORK }
      : { networkId: NETWORK }
    fc.assert(
      fc.property(mutated(signed.networkConfigs, 2), ({ original, bytes }) => {
        const config = verifiesOrRefuses([TrustError], bytes, () => verifyNetworkConfig(bytes, opts))
        if (config !== undefined)
          assertSameContent('network config', config, verifyNetworkConfig(original, opts))
      }),
      { numRuns: VERIFY_RUNS / 2 },
    )
  })

  it('verifyRevocationList throws only TrustError and never accepts altered content', () => {
    const opts = { networkPublicKey: networkKey.publicKey, networkId: NETWORK }
    fc.assert(
      fc.property(mutated(signed.revocationLists, 2), ({ original, bytes }) => {
        const list = verifiesOrRefuses([TrustError], bytes, () => verifyRevocationList(bytes, opts))
        if (list !== undefined)
          assertSameContent('revocation list', list, verifyRevocationList(original, opts))
      }),
      { numRuns: VERIFY_RUNS },
    )
  })
})

describe('verifiers take any validly signed body', () => {
  // What a buggy or compromised authority could sign: the signature checks
  // out, so everything after it (decoding, validity, device id) must still
  // refuse with a TrustError and accept only what decodes.
  const now = T0 + 1

  it('verifyCertificate refuses signed garbage with TrustError only', () => {
    const opts = { networkPublicKey: networkKey.publicKey, networkId: NETWORK, now }
    fc.assert(
      fc.property(mutated(payloadsOf(signed.certificates), 2), ({ bytes: body }) => {
        const bytes = seal(PayloadType.Certificate, body, networkKey)
        const cert = verifiesOrRefuses([TrustError], bytes, () => verifyCertificate(bytes, opts))
        if (cert === undefined) return
        const fields = decodeCertificateBody(body)
        assertSameContent('certificate', cert, { ...fields, deviceId: deviceIdOf(fields.devicePublicKey) })
      }),
      { numRuns: RESIGN_RUNS },
    )
  })

  it('verifyNetworkConfig refuses signed garbage with TrustError only', () => {
    fc.assert(
      fc.property(mutated(payloadsOf(signed.networkConfigs), 2), ({ bytes: body }) => {
        const bytes = seal(PayloadType.NetworkConfig, body, networkKey)
        const config = verifiesOrRefuses([TrustError], bytes, () =>
          verifyNetworkConfig(bytes, { networkId: NETWORK }),
        )
        if (config !== undefined) assertSameContent('network config', config, decodeNetworkConfigBody(body))
      }),
      { numRuns: RESIGN_RUNS },
    )
  })

  it('verifyRevocationList refuses signed garbage with TrustError only', () => {
    const opts = { networkPublicKey: networkKey.publicKey, networkId: NETWORK }
    fc.assert(
      fc.property(mutated(payloadsOf(signed.revocationLists), 2), ({ bytes: body }) => {
        const bytes = seal(PayloadType.Revocations, body, networkKey)
        const list = verifiesOrRefuses([TrustError], bytes, () => verifyRevocationList(bytes, opts))
        if (list !== undefined)
          assertSameContent('revocation list', list, { ...decodeRevocationListBody(body), version: 1 })
      }),
      { numRuns: RESIGN_RUNS },
    )
  })
})
