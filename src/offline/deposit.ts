/**
 * The depositing device's signature over an offline item
 * (`parley/offline-deposit/1`, issue 10 H3). Without it, any supernode could
 * Store items for anyone under any sender: fill a victim's quota, or charge a
 * sender's quota with items that sender never sent. With it, a replica takes
 * an item only as some device's, and counts it against that device's user.
 *
 * The signature covers the item's id, recipient, a digest of nonce and
 * ciphertext, and one digest per copy. Copies are hashed one by one because
 * a replica drops a device's copy when that device acknowledges, and repair
 * pushes what is left: a subset of the signed copies still verifies, a copy
 * that was not signed never does. Sans-IO: `now` comes in.
 *
 * A device of issue 12 signs the items of one deposit request as a batch
 * (`parley/offline-deposit-batch/1`, src/trust/batch.ts): the same body per
 * item, one signature over their Merkle root, a proof per item. Each item
 * still verifies alone (repair pushes any subset); a supernode verifies the
 * signature once per batch.
 */
import { hash } from 'node:crypto'
import { PayloadType } from '../crypto/envelope.js'
import type { Signer } from '../crypto/keys.js'
import type { VerifyCertificateOptions } from '../trust/certificate.js'
import { signBatch, verifyBatchSigned } from '../trust/batch.js'
import { signByDevice, verifyDeviceSigned } from '../trust/device-signed.js'
import { TrustError } from '../trust/errors.js'
import { isBatched } from '../wire/batch.js'
import { equalBytes } from '../wire/bytes.js'
import { ErrorCode } from '../wire/error-codes.js'
import { decodeOfflineDepositBody, DEPOSIT_BATCH, DEPOSIT_ENVELOPE_BYTES } from '../wire/offline-signed.js'
import { encodeDepositBody } from './deposit-body.js'
import { OfflineAuthError } from './errors.js'
import type { OfflineCopy } from './types.js'

/** What of an item the deposit signature covers. */
export interface Depositable {
  id: Uint8Array
  recipient: string
  nonce: Uint8Array
  ciphertext: Uint8Array
  copies: readonly OfflineCopy[]
}

/** Who deposited a verified item. */
export interface Depositor {
  username: string
  deviceId: string
}

const encoder = new TextEncoder()
const CONTENT_LABEL = encoder.encode('parley/offline-deposit/content\u0000')
const COPY_LABEL = encoder.encode('parley/offline-deposit/copy\u0000')

/** SHA-256 over the nonce (always 24 bytes) and the ciphertext. */
export function contentDigest(item: Pick<Depositable, 'nonce' | 'ciphertext'>): Uint8Array {
  // Node's one-shot SHA-256 over the parts joined: an OpenSSL context per hash (createHash) cost
  // about as much again, and every replica hashes every item it is asked to store (issue 12 §2).
  return sha256([CONTENT_LABEL, item.nonce, item.ciphertext])
}

/** SHA-256 over one copy: its device id (length first), the ephemeral key and the wrapped key. */
export function copyDigest(copy: OfflineCopy): Uint8Array {
  const id = Buffer.byteLength(copy.deviceId, 'utf8')
  const joined = scratchFor(
    COPY_LABEL.byteLength + 1 + id + copy.ephemeral.byteLength + copy.wrapped.byteLength,
  )
  joined.set(COPY_LABEL, 0)
  let at = COPY_LABEL.byteLength
  // One byte, as Uint8Array.of wrote it (a device id is a peer id, well under 256 bytes).
  joined[at++] = id & 0xff
  at += joined.write(copy.deviceId, at, 'utf8')
  joined.set(copy.ephemeral, at)
  joined.set(copy.wrapped, at + copy.ephemeral.byteLength)
  return digestOf(joined)
}

function sha256(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0
  for (const p of parts) length += p.byteLength
  const joined = scratchFor(length)
  let at = 0
  for (const p of parts) {
    joined.set(p, at)
    at += p.byteLength
  }
  return digestOf(joined)
}

/**
 * The parts of one digest are joined in one reused buffer (grown when an
 * item is larger): a fresh one per hash was about half of what hashing an
 * item allocated. Nothing runs between filling it and hashing it.
 */
let scratch = Buffer.allocUnsafe(4096)
function scratchFor(length: number): Buffer {
  if (scratch.byteLength < length) scratch = Buffer.allocUnsafe(Math.max(length, 2 * scratch.byteLength))
  return scratch.subarray(0, length)
}

function digestOf(joined: Buffer): Uint8Array {
  const d = hash('sha256', joined, 'buffer')
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength)
}

/** The device's signed deposit for `item`, to travel in the item's `deposit` field. */
export function signDeposit(item: Depositable, certificate: Uint8Array, device: Signer): Uint8Array {
  return signByDevice(PayloadType.OfflineDeposit, depositBody(item, certificate), device)
}

/** The deposits of up to 64 items, signed as one batch; each item's `deposit`, in the same order. */
export function signDepositBatch(
  items: readonly Depositable[],
  certificate: Uint8Array,
  device: Signer,
): Uint8Array[] {
  const bodies = items.map((i) => depositBody(i, certificate))
  return signBatch(PayloadType.OfflineDepositBatch, DEPOSIT_BATCH, bodies, device)
}

/** The body a device signs for `item` (what a verifier of a known batch rebuilds, deposit-verifier.ts). */
export function depositBody(item: Depositable, certificate: Uint8Array): Uint8Array {
  return encodeDepositBody({
    certificate,
    id: item.id,
    recipient: item.recipient,
    contentDigest: contentDigest(item),
    copyDigests: item.copies.map(copyDigest),
  })
}

/**
 * Verifies `deposit` over `item`: the certificate against the network key
 * and revocations, valid at `opts.now` (pass the item's storedAt: an item
 * outlives its depositor's 7-day certificate); the device's signature; the
 * id, recipient and content; and that every copy the item carries was signed.
 * Throws OfflineAuthError `deposit_invalid`.
 */
export function verifyDeposit(
  item: Depositable,
  deposit: Uint8Array,
  opts: VerifyCertificateOptions,
): Depositor {
  let signed
  try {
    signed = isBatched(deposit)
      ? verifyBatchSigned(
          deposit,
          PayloadType.OfflineDepositBatch,
          DEPOSIT_BATCH,
          decodeOfflineDepositBody,
          opts,
        )
      : verifyDeviceSigned(
          'offline deposit',
          deposit,
          PayloadType.OfflineDeposit,
          decodeOfflineDepositBody,
          opts,
          DEPOSIT_ENVELOPE_BYTES,
        )
  } catch (err) {
    if (err instanceof TrustError) throw new OfflineAuthError(ErrorCode.DepositInvalid, err.message, err.code)
    throw err
  }
  const { body, certificate } = signed
  const fail = (why: string): never => {
    throw new OfflineAuthError(ErrorCode.DepositInvalid, `offline deposit: ${why}`)
  }
  if (!equalBytes(body.id, item.id)) fail('signed for another item id')
  if (body.recipient !== item.recipient) fail('signed for another recipient')
  if (!equalBytes(body.contentDigest, contentDigest(item))) fail('the ciphertext is not the one signed')
  const signedCopies = new Set(body.copyDigests.map(hex))
  for (const c of item.copies) if (!signedCopies.has(hex(copyDigest(c)))) fail('a copy was not signed')
  return { username: certificate.username, deviceId: certificate.deviceId }
}

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')
