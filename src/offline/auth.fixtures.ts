/**
 * A network key and devices with real certificates, for the tests of the
 * offline store's signed deposits and access grants (issue 10, H3).
 */
import { deviceIdOf, generateKey, signerOf, type Signer } from '../crypto/keys.js'
import { issueCertificate, type VerifyCertificateOptions } from '../trust/certificate.js'
import { plain } from '../wire/bytes.js'
import type { SealedItem } from '../wire/chat.js'
import { ACCESS_TTL_MS, AccessKind, signAccess } from './access.js'
import { signDeposit } from './deposit.js'

export const NETWORK_ID = 'offline-test-net'
const DAY = 86_400_000

export interface TestDevice {
  username: string
  deviceId: string
  certificate: Uint8Array
  signer: Signer
}

export class OfflineKeys {
  readonly revoked = new Set<string>()

  private constructor(readonly network: Signer) {}

  static async create(): Promise<OfflineKeys> {
    return new OfflineKeys(signerOf(await generateKey()))
  }

  /** A device of `username` whose certificate is valid from `from` for `days`. */
  async device(
    username: string,
    opts: { from?: number; days?: number; network?: Signer } = {},
  ): Promise<TestDevice> {
    const signer = signerOf(await generateKey())
    const from = opts.from ?? Date.now() - 60_000
    const certificate = issueCertificate(
      {
        networkId: NETWORK_ID,
        serial: BigInt(from),
        username,
        devicePublicKey: signer.publicKey,
        deviceName: username,
        policy: { maySupernode: false, mayRelay: true, maySendFiles: true },
        organisation: '',
        notBefore: from,
        notAfter: from + (opts.days ?? 7) * DAY,
      },
      opts.network ?? this.network,
    )
    return { username, deviceId: deviceIdOf(signer.publicKey), certificate, signer }
  }

  verifyOptions = (now: number): VerifyCertificateOptions => ({
    networkPublicKey: this.network.publicKey,
    networkId: NETWORK_ID,
    now,
    isRevoked: (deviceId) => this.revoked.has(deviceId),
  })
}

/** `item` as `by` deposits it: with its signed deposit. */
export function signedBy(item: SealedItem, by: TestDevice): SealedItem {
  return { ...item, deposit: plain(signDeposit(item, by.certificate, by.signer)) }
}

/** `by`'s grant to take its copies, or to drop `ids` of them. */
export function grantOf(
  by: TestDevice,
  kind: AccessKind,
  ids: readonly Uint8Array[] = [],
  expiresAt = Date.now() + ACCESS_TTL_MS,
): Uint8Array<ArrayBuffer> {
  return plain(
    signAccess({ certificate: by.certificate, kind, recipient: by.username, ids, expiresAt }, by.signer),
  )
}

export { AccessKind }
