/**
 * Valid sample documents for the codec tests (codec.bytes.test.ts and
 * codec.rules.test.ts), and builders for copies with some fields changed.
 * Test support only: no tests of its own.
 */
import {
  CertificateBody,
  NetworkConfigBody,
  RevocationListBody,
  SignedEnvelope,
  SignInProof,
} from './codec.js'

export const policy = { maySupernode: false, mayRelay: true, maySendFiles: true }

export const certificate: CertificateBody = {
  networkId: 'parley-test',
  serial: 42n,
  username: 'alice',
  devicePublicKey: new Uint8Array(32).fill(7),
  deviceName: 'Alice phone',
  policy,
  organisation: 'Acme',
  notBefore: 1_700_000_000_000n,
  notAfter: 1_700_086_400_000n,
}

export const networkConfig: NetworkConfigBody = {
  networkId: 'parley-test',
  networkPublicKey: new Uint8Array(32).fill(9),
  sequence: 3n,
  issuedAt: 1_700_000_000_000n,
  seeds: [{ peerId: '12D3KooWseed', addrs: ['/ip4/127.0.0.1/tcp/4001', '/ip6/::1/tcp/4001'] }],
  minClientVersion: '1.2.0',
  policies: {
    certificateValiditySeconds: 86_400,
    defaultDevicePolicy: policy,
    supernodeBannedVersions: ['1.0.0', '1.1.3'],
  },
}

export const revocationList: RevocationListBody = {
  networkId: 'parley-test',
  sequence: 5n,
  issuedAt: 1_700_000_000_000n,
  revocations: [
    { deviceId: '12D3KooWone', revokedAt: 1_699_000_000_000n },
    { deviceId: '12D3KooWtwo', revokedAt: 1_699_500_000_000n },
  ],
}

export const signInProof: SignInProof = {
  networkId: 'parley-test',
  challenge: new Uint8Array(32).fill(3),
  username: 'alice',
  devicePublicKey: new Uint8Array(32).fill(7),
}

export const envelope: SignedEnvelope = {
  payloadType: 'parley/certificate/1',
  payload: CertificateBody.encode(certificate),
  keyId: new Uint8Array(8).fill(1),
  signature: new Uint8Array(64).fill(2),
}

export const withCertificate = (over: Partial<CertificateBody>) =>
  CertificateBody.encode({ ...certificate, ...over })
export const withConfig = (over: Partial<NetworkConfigBody>) =>
  NetworkConfigBody.encode({ ...networkConfig, ...over })
export const withPolicies = (over: Partial<NonNullable<NetworkConfigBody['policies']>>) =>
  withConfig({ policies: { ...networkConfig.policies!, ...over } })
export const withRevocations = (over: Partial<RevocationListBody>) =>
  RevocationListBody.encode({ ...revocationList, ...over })
export const withProof = (over: Partial<SignInProof>) => SignInProof.encode({ ...signInProof, ...over })
export const withEnvelope = (over: Partial<SignedEnvelope>) => SignedEnvelope.encode({ ...envelope, ...over })
