/**
 * The signed network config: what every node needs to trust and find the
 * network (network id and key, seed mega-supernodes, minimum client version,
 * policies). A higher sequence replaces a lower one.
 */
import { PayloadType, seal } from '../crypto/envelope.js'
import type { Signer } from '../crypto/keys.js'
import { plain } from '../wire/bytes.js'
import { decodeNetworkConfigBody, NetworkConfigBody, type NetworkConfigFields } from '../wire/codec.js'
import { ErrorCode } from '../wire/error-codes.js'
import { decodeEnvelope } from '../wire/codec.js'
import { Limits } from '../wire/limits.js'
import { TrustError } from './errors.js'
import { openSigned } from './verify.js'

export type NetworkConfigInput = NetworkConfigFields
export interface NetworkConfig extends NetworkConfigFields {
  bytes: Uint8Array
}

export function signNetworkConfig(fields: NetworkConfigInput, networkKey: Signer): Uint8Array {
  const body = NetworkConfigBody.encode({
    ...fields,
    networkPublicKey: plain(fields.networkPublicKey),
    sequence: BigInt(fields.sequence),
    issuedAt: BigInt(fields.issuedAt),
  })
  return seal(PayloadType.NetworkConfig, body, networkKey)
}

export interface VerifyNetworkConfigOptions {
  /** The pinned network key. Without one, the config must be signed by the key it names (first contact). */
  networkPublicKey?: Uint8Array
  networkId?: string
}

export function verifyNetworkConfig(bytes: Uint8Array, opts: VerifyNetworkConfigOptions = {}): NetworkConfig {
  let key = opts.networkPublicKey
  if (key === undefined) {
    // First contact: read the key the config names, then require it to have signed the config.
    const named = openUnverifiedKey(bytes)
    key = named
  }
  const fields = openSigned(
    'network config',
    bytes,
    PayloadType.NetworkConfig,
    key,
    Limits.networkConfigBytes,
    decodeNetworkConfigBody,
  )
  if (!fields.networkPublicKey.every((b, i) => b === key[i])) {
    throw new TrustError(
      ErrorCode.UnknownSigner,
      'network config names a different network key than the one that signed it',
    )
  }
  if (opts.networkId !== undefined && fields.networkId !== opts.networkId) {
    throw new TrustError(
      ErrorCode.WrongNetwork,
      `network config is for ${fields.networkId}, not ${opts.networkId}`,
    )
  }
  return { ...fields, bytes }
}

function openUnverifiedKey(bytes: Uint8Array): Uint8Array {
  try {
    const env = decodeEnvelope(bytes, Limits.networkConfigBytes)
    if (env.payloadType !== PayloadType.NetworkConfig) {
      throw new TrustError(
        ErrorCode.WrongPayloadType,
        `expected ${PayloadType.NetworkConfig}, got ${env.payloadType}`,
      )
    }
    return decodeNetworkConfigBody(env.payload).networkPublicKey
  } catch (err) {
    const e = err as { code?: TrustError['code']; message: string }
    throw new TrustError(e.code ?? ErrorCode.Malformed, `network config: ${e.message}`)
  }
}
