/**
 * Capped, validating decoders for every signed document. Nothing but
 * WireDecodeError escapes them, whatever the input (see codec.fuzz.test.ts).
 */
import { checkBytes, checkString, decodeCapped, invalid, time } from './decode.js'
import { isDeviceName, isUsername, VERSION_PATTERN } from './fields.js'
import {
  CertificateBody,
  NetworkConfigBody,
  RevocationListBody,
  SignedEnvelope,
  SignInProof,
  type DevicePolicy,
} from './generated/parley.js'
import { Limits } from './limits.js'

export { CertificateBody, NetworkConfigBody, RevocationListBody, SignedEnvelope, SignInProof }
export type { DevicePolicy }

export { WireDecodeError, type WireErrorCode } from './decode.js'

export function decodeEnvelope(bytes: Uint8Array, maxBytes: number = Limits.envelopeBytes): SignedEnvelope {
  const env = decodeCapped<SignedEnvelope>('signed envelope', SignedEnvelope, bytes, maxBytes)
  checkString('payloadType', env.payloadType, Limits.payloadTypeChars, 1)
  checkBytes('keyId', env.keyId, 8)
  checkBytes('signature', env.signature, 64)
  if (env.payload.byteLength === 0) invalid('payload', 'is empty')
  return env
}

export interface CertificateFields {
  networkId: string
  serial: bigint
  username: string
  devicePublicKey: Uint8Array
  deviceName: string
  policy: DevicePolicy
  organisation: string
  notBefore: number
  notAfter: number
}

export function decodeCertificateBody(bytes: Uint8Array): CertificateFields {
  const b = decodeCapped<CertificateBody>('certificate', CertificateBody, bytes, Limits.certificateBytes)
  checkString('networkId', b.networkId, Limits.networkIdChars, 1)
  if (b.serial === 0n) invalid('serial', 'is missing')
  if (!isUsername(b.username)) invalid('username', 'is not a valid username')
  checkBytes('devicePublicKey', b.devicePublicKey, 32)
  if (!isDeviceName(b.deviceName)) invalid('deviceName', 'is not a valid device name')
  if (b.policy === undefined) invalid('policy', 'is missing')
  checkString('organisation', b.organisation, Limits.stringChars)
  const notBefore = time('notBefore', b.notBefore)
  const notAfter = time('notAfter', b.notAfter)
  if (notAfter <= notBefore) invalid('notAfter', 'must be after notBefore')
  return { ...b, policy: b.policy, notBefore, notAfter }
}

export interface NetworkConfigFields {
  networkId: string
  networkPublicKey: Uint8Array
  sequence: number
  issuedAt: number
  seeds: Array<{ peerId: string; addrs: string[] }>
  minClientVersion: string
  policies: {
    certificateValiditySeconds: number
    defaultDevicePolicy: DevicePolicy
    supernodeBannedVersions: string[]
  }
}

export function decodeNetworkConfigBody(bytes: Uint8Array): NetworkConfigFields {
  const b = decodeCapped<NetworkConfigBody>(
    'network config',
    NetworkConfigBody,
    bytes,
    Limits.networkConfigBytes,
    {
      seeds: Limits.seeds,
      seeds$: { addrs: Limits.addrsPerSeed },
      policies: { supernodeBannedVersions: Limits.bannedVersions },
    },
  )
  checkString('networkId', b.networkId, Limits.networkIdChars, 1)
  checkBytes('networkPublicKey', b.networkPublicKey, 32)
  const sequence = time('sequence', b.sequence)
  if (sequence === 0) invalid('sequence', 'is missing')
  for (const [i, seed] of b.seeds.entries()) {
    checkString(`seeds[${i}].peerId`, seed.peerId, 128, 1)
    for (const a of seed.addrs) checkString(`seeds[${i}].addrs`, a, Limits.multiaddrChars, 1)
  }
  if (b.minClientVersion !== '' && !VERSION_PATTERN.test(b.minClientVersion)) {
    invalid('minClientVersion', 'is not a version')
  }
  const p = b.policies
  if (p === undefined) invalid('policies', 'are missing')
  if (p.certificateValiditySeconds === 0) invalid('policies.certificateValiditySeconds', 'is missing')
  if (p.defaultDevicePolicy === undefined) invalid('policies.defaultDevicePolicy', 'is missing')
  for (const v of p.supernodeBannedVersions) {
    if (!VERSION_PATTERN.test(v)) invalid('policies.supernodeBannedVersions', 'holds a non-version')
  }
  return {
    ...b,
    sequence,
    issuedAt: time('issuedAt', b.issuedAt),
    policies: { ...p, defaultDevicePolicy: p.defaultDevicePolicy },
  }
}

export interface RevocationListFields {
  networkId: string
  sequence: number
  issuedAt: number
  revocations: Array<{ deviceId: string; revokedAt: number }>
}

export function decodeRevocationListBody(bytes: Uint8Array): RevocationListFields {
  const b = decodeCapped<RevocationListBody>(
    'revocation list',
    RevocationListBody,
    bytes,
    Limits.revocationListBytes,
    {
      revocations: Limits.revocations,
    },
  )
  checkString('networkId', b.networkId, Limits.networkIdChars, 1)
  const revocations = b.revocations.map((r, i) => {
    checkString(`revocations[${i}].deviceId`, r.deviceId, 128, 1)
    return { deviceId: r.deviceId, revokedAt: time(`revocations[${i}].revokedAt`, r.revokedAt) }
  })
  return {
    networkId: b.networkId,
    sequence: time('sequence', b.sequence),
    issuedAt: time('issuedAt', b.issuedAt),
    revocations,
  }
}

export interface SignInProofFields {
  networkId: string
  challenge: Uint8Array
  username: string
  devicePublicKey: Uint8Array
}

export function decodeSignInProof(bytes: Uint8Array): SignInProofFields {
  const b = decodeCapped<SignInProof>('sign-in proof', SignInProof, bytes, Limits.signInProofBytes)
  checkString('networkId', b.networkId, Limits.networkIdChars, 1)
  if (b.challenge.byteLength === 0 || b.challenge.byteLength > Limits.challengeBytes)
    invalid('challenge', 'has a bad length')
  if (!isUsername(b.username)) invalid('username', 'is not a valid username')
  checkBytes('devicePublicKey', b.devicePublicKey, 32)
  return b
}
