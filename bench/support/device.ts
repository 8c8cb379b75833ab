/**
 * What a device sends the authority, built from the same pieces as
 * src/device/session.ts: a fresh Ed25519 key and a sealed SignInProof over a
 * challenge. Certificates are checked after a run, away from the clock.
 */
import { PayloadType, seal } from '../../src/crypto/envelope.js'
import { generateKey, signerOf, type Signer } from '../../src/crypto/keys.js'
import { verifyCertificate } from '../../src/trust/certificate.js'
import type { NetworkConfig } from '../../src/trust/network-config.js'
import { equalBytes, plain } from '../../src/wire/bytes.js'
import { SignInProof } from '../../src/wire/codec.js'

export async function freshDevice(): Promise<Signer> {
  return signerOf(await generateKey())
}

export function proofOf(
  signer: Signer,
  networkId: string,
  username: string,
  challenge: Uint8Array,
): Uint8Array {
  const body = SignInProof.encode({
    networkId,
    challenge: plain(challenge),
    username,
    devicePublicKey: plain(signer.publicKey),
  })
  return seal(PayloadType.SignInProof, body, signer)
}

export class BadCertificateError extends Error {
  override name = 'BadCertificateError'
}

export interface Issued {
  certificate: Uint8Array
  username: string
  devicePublicKey: Uint8Array
}

/**
 * Every certificate verifies under the network key, names the user and key
 * that asked for it, and has its own serial (concurrent sign-ins must not share one).
 */
export function checkCertificates(issued: readonly Issued[], config: NetworkConfig, now: number): void {
  const serials = new Set<bigint>()
  for (const x of issued) {
    const cert = verifyCertificate(x.certificate, {
      networkPublicKey: config.networkPublicKey,
      networkId: config.networkId,
      now,
    })
    if (cert.username !== x.username || !equalBytes(cert.devicePublicKey, x.devicePublicKey)) {
      throw new BadCertificateError(`certificate ${cert.serial} is for another user or device key`)
    }
    if (serials.has(cert.serial)) throw new BadCertificateError(`serial ${cert.serial} was issued twice`)
    serials.add(cert.serial)
  }
}
