/**
 * A device's standing with the authority: signing in (password + proof of
 * key), renewing before expiry, and deciding whether the authority is needed
 * at all. A valid certificate is enough to run: an unreachable authority is
 * only an error once the certificate has expired.
 */
import { hostname } from 'node:os'
import { sha256 } from '@noble/hashes/sha2.js'
import { signerOf, type Signer } from '../crypto/keys.js'
import { readCertificate, verifyCertificate, type Certificate } from '../trust/certificate.js'
import { TrustError } from '../trust/errors.js'
import { verifyNetworkConfig, type NetworkConfig } from '../trust/network-config.js'
import { checkNetworkKey } from '../trust/network-key.js'
import { renewalState, type RenewalState } from '../trust/renewal.js'
import { signInProof } from '../trust/sign-in-proof.js'
import { ErrorCode } from '../wire/error-codes.js'
import { AuthorityClient } from './authority-client.js'
import type { Profile } from './profile.js'

export class NotSignedInError extends Error {
  override name = 'NotSignedInError'
}

/** The certificate has expired and the authority cannot renew it now. */
export class CertificateExpiredError extends Error {
  override name = 'CertificateExpiredError'
}

export function defaultDeviceName(): string {
  const name = hostname()
    .replace(/[^\x20-\x7e]/g, '')
    .trim()
    .slice(0, 64)
  return name === '' ? 'device' : name
}

/**
 * The network config this profile trusts: pinned at first sign-in, replaced
 * only by a higher sequence from the same key. `networkKey`, a fingerprint
 * the user got from the operator, must match before anything is pinned.
 */
function trustConfig(profile: Profile, bytes: Uint8Array, networkKey?: string): NetworkConfig {
  const pinned = profile.networkConfig()
  const previous = pinned === undefined ? undefined : verifyNetworkConfig(pinned)
  const config = verifyNetworkConfig(
    bytes,
    previous && { networkPublicKey: previous.networkPublicKey, networkId: previous.networkId },
  )
  if (networkKey !== undefined) checkNetworkKey(config.networkPublicKey, networkKey)
  if (previous !== undefined && config.sequence < previous.sequence) return previous
  profile.saveNetworkConfig(bytes)
  return config
}

/** A client for this profile's authority, trusting the private CA the profile was given, if any. */
export function authorityClient(profile: Profile, url: string, ca = profile.authorityCa()): AuthorityClient {
  return new AuthorityClient(url, { ca })
}

export interface SignInOptions {
  profile: Profile
  authority: string
  username: string
  password: string
  deviceName?: string
  /** The network key's fingerprint as the operator published it; checked before the key is pinned. */
  networkKey?: string
  /** PEM of a private CA to trust for this authority; kept in the profile for renewals. */
  authorityCa?: string
  signal?: AbortSignal
}

export async function signIn(opts: SignInOptions): Promise<Certificate> {
  const client = authorityClient(opts.profile, opts.authority, opts.authorityCa)
  const config = trustConfig(opts.profile, await client.networkConfig(opts.signal), opts.networkKey)
  const signer = signerOf(await opts.profile.deviceKey())
  const challenge = await client.challenge(opts.signal)
  const deviceName = opts.deviceName ?? opts.profile.settings()?.deviceName ?? defaultDeviceName()
  const answer = await client.signIn(
    {
      username: opts.username,
      password: opts.password,
      deviceName,
      devicePublicKey: signer.publicKey,
      challenge,
      proof: signInProof(signer, config.networkId, opts.username, challenge),
    },
    opts.signal,
  )
  const cert = accept(opts.profile, answer.certificate, answer.networkConfig, signer, Date.now())
  if (opts.authorityCa !== undefined) opts.profile.saveAuthorityCa(opts.authorityCa)
  opts.profile.saveSettings({ authority: client.url, username: opts.username, deviceName })
  return cert
}

/** Creates the account, then signs in. With `networkKey`, the key is checked before the password is sent. */
export async function register(opts: SignInOptions): Promise<Certificate> {
  const client = authorityClient(opts.profile, opts.authority, opts.authorityCa)
  if (opts.networkKey !== undefined) {
    const config = verifyNetworkConfig(await client.networkConfig(opts.signal))
    checkNetworkKey(config.networkPublicKey, opts.networkKey)
  }
  await client.register(opts.username, opts.password, opts.signal)
  return signIn(opts)
}

/** Checks a certificate from the authority before keeping it: ours, for our user, valid now. */
function accept(
  profile: Profile,
  certBytes: Uint8Array,
  configBytes: Uint8Array,
  signer: Signer,
  now: number,
): Certificate {
  const config = trustConfig(profile, configBytes)
  const cert = verifyCertificate(certBytes, {
    networkPublicKey: config.networkPublicKey,
    networkId: config.networkId,
    now,
  })
  if (!cert.devicePublicKey.every((b, i) => b === signer.publicKey[i])) {
    throw new TrustError(
      ErrorCode.InvalidField,
      'the authority returned a certificate for another device key',
    )
  }
  profile.saveCertificate(certBytes)
  return cert
}

export interface DeviceIdentity {
  certificate: Certificate
  config: NetworkConfig
  authority: string
}

/** The stored certificate and config, read without checking validity (for display and renewal). */
export function loadIdentity(profile: Profile): DeviceIdentity {
  const settings = profile.settings()
  const certBytes = profile.certificate()
  const configBytes = profile.networkConfig()
  if (settings === undefined || certBytes === undefined || configBytes === undefined) {
    throw new NotSignedInError(`profile "${profile.name}" is not signed in; run: parley login <username>`)
  }
  const config = verifyNetworkConfig(configBytes)
  return {
    certificate: readCertificate(certBytes, config.networkPublicKey),
    config,
    authority: settings.authority,
  }
}

export async function renew(profile: Profile, signal?: AbortSignal): Promise<Certificate> {
  const { certificate, authority } = loadIdentity(profile)
  const client = authorityClient(profile, authority)
  const signer = signerOf(await profile.deviceKey())
  const challenge = await client.challenge(signal)
  const answer = await client.renew(
    {
      certificate: certificate.bytes,
      challenge,
      proof: signInProof(signer, certificate.networkId, certificate.username, challenge),
    },
    signal,
  )
  return accept(profile, answer.certificate, answer.networkConfig, signer, Date.now())
}

/** A per-certificate value in [0, 1): every run of this device agrees on when to renew, devices differ. */
export function renewalJitter(cert: Certificate): number {
  const h = sha256(cert.bytes)
  return new DataView(h.buffer, h.byteOffset, 4).getUint32(0) / 2 ** 32
}

export interface Freshness {
  certificate: Certificate
  state: RenewalState
  renewed: boolean
  /** Why renewal was due but did not happen, when it did not. */
  problem?: Error
}

/**
 * Renews the certificate if it is due. A failure is reported, not thrown,
 * while the certificate is still valid; the caller decides what to show.
 */
export async function keepFresh(
  profile: Profile,
  now: number = Date.now(),
  signal?: AbortSignal,
): Promise<Freshness> {
  const { certificate } = loadIdentity(profile)
  const state = renewalState(certificate, now, renewalJitter(certificate))
  if (state === 'fresh') return { certificate, state, renewed: false }
  try {
    const renewed = await renew(profile, signal)
    return { certificate: renewed, state: 'fresh', renewed: true }
  } catch (err) {
    if (state === 'expired') {
      const when = new Date(certificate.notAfter).toISOString()
      throw new CertificateExpiredError(
        `the certificate expired at ${when} and could not be renewed: ${(err as Error).message}`,
      )
    }
    return { certificate, state, renewed: false, problem: err as Error }
  }
}
