/**
 * Signed envelopes: a payload, its type, and an Ed25519 signature over
 * "parley:" ‖ type ‖ 0x00 ‖ payload. The type in the signed bytes means a
 * signature made for one kind of document never verifies as another.
 */
import { plain, equalBytes } from '../wire/bytes.js'
import { ErrorCode } from '../wire/error-codes.js'
import { decodeEnvelope, SignedEnvelope } from '../wire/codec.js'
import { keyId, verifySignature, type Signer } from './keys.js'

export const PayloadType = {
  Certificate: 'parley/certificate/1',
  NetworkConfig: 'parley/network-config/1',
  Revocations: 'parley/revocations/1',
  RevocationsV2: 'parley/revocations/2',
  SupernodeGrants: 'parley/supernode-grants/1',
  SupernodeGrantsV2: 'parley/supernode-grants/2',
  SignInProof: 'parley/sign-in/1',
  Presence: 'parley/presence/1',
  Announcement: 'parley/announce/1',
  ChatEvent: 'parley/chat/1',
  ChatBatch: 'parley/chat-batch/1',
  OfflineDeposit: 'parley/offline-deposit/1',
  OfflineDepositBatch: 'parley/offline-deposit-batch/1',
  OfflineAccess: 'parley/offline-access/1',
} as const
export type PayloadType = (typeof PayloadType)[keyof typeof PayloadType]

export type EnvelopeErrorCode =
  typeof ErrorCode.UnknownSigner | typeof ErrorCode.BadSignature | typeof ErrorCode.WrongPayloadType

export class SignatureError extends Error {
  override name = 'SignatureError'
  constructor(
    readonly code: EnvelopeErrorCode,
    message: string,
  ) {
    super(message)
  }
}

const encoder = new TextEncoder()

function signedBytes(payloadType: string, payload: Uint8Array): Uint8Array {
  const prefix = encoder.encode(`parley:${payloadType}\u0000`)
  const out = new Uint8Array(prefix.byteLength + payload.byteLength)
  out.set(prefix)
  out.set(payload, prefix.byteLength)
  return out
}

export function seal(payloadType: PayloadType, payload: Uint8Array, signer: Signer): Uint8Array {
  return SignedEnvelope.encode({
    payloadType,
    payload: plain(payload),
    keyId: plain(keyId(signer.publicKey)),
    signature: plain(signer.sign(signedBytes(payloadType, payload))),
  })
}

/**
 * Decodes and verifies an envelope made by `publicKey`; returns the payload.
 * Throws WireDecodeError for bad bytes, SignatureError for the wrong type,
 * another signer, or altered bytes.
 */
export function open(
  bytes: Uint8Array,
  payloadType: PayloadType,
  publicKey: Uint8Array,
  maxBytes?: number,
): Uint8Array {
  const env = decodeEnvelope(bytes, maxBytes)
  checkEnvelope(env, payloadType, publicKey)
  return env.payload
}

/**
 * What `open` checks of an envelope already decoded: its type, its signer and
 * its signature. For callers that decoded it once to read what is inside (a
 * certificate to verify first), so that nothing is decoded twice.
 */
export function checkEnvelope(env: SignedEnvelope, payloadType: PayloadType, publicKey: Uint8Array): void {
  if (env.payloadType !== payloadType) {
    throw new SignatureError(ErrorCode.WrongPayloadType, `expected ${payloadType}, got ${env.payloadType}`)
  }
  const expected = keyId(publicKey)
  if (!equalBytes(env.keyId, expected)) {
    throw new SignatureError(ErrorCode.UnknownSigner, 'signed by a key other than the expected one')
  }
  if (!verifySignature(env.signature, signedBytes(env.payloadType, env.payload), publicKey)) {
    throw new SignatureError(ErrorCode.BadSignature, 'the signature does not match: the document was altered')
  }
}
