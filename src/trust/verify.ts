import { open, SignatureError, type PayloadType } from '../crypto/envelope.js'
import { WireDecodeError } from '../wire/codec.js'
import { TrustError } from './errors.js'

/** Opens a signed document, turning every decode or signature failure into a TrustError. */
export function openSigned<T>(
  what: string,
  bytes: Uint8Array,
  payloadType: PayloadType,
  publicKey: Uint8Array,
  maxBytes: number,
  decodeBody: (payload: Uint8Array) => T,
): T {
  try {
    return decodeBody(open(bytes, payloadType, publicKey, maxBytes))
  } catch (err) {
    if (err instanceof WireDecodeError || err instanceof SignatureError) {
      throw new TrustError(err.code, `${what}: ${err.message}`)
    }
    throw err
  }
}
