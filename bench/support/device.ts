/**
 * A device as the authority benchmark plays it: a fresh Ed25519 key; its
 * proof is the device's own (src/trust/sign-in-proof.ts). Certificates
 * are checked after a run, away from the clock.
 */
import { generateKey, signerOf, type Signer } from '../../src/crypto/keys.js'
import { verifyCertificate } from '../../src/trust/certificate.js'
import type { NetworkConfig } from '../../src/trust/network-config.js'
import { equalBytes } from '../../src/wire/bytes.js'

export async function freshDevice(): Promise<Signer> {
  return signerOf(await generateKey())
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
