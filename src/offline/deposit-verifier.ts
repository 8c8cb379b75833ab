/**
 * The batch-signed deposits of one request, verified together (issue 12 §2).
 * A device signs the items of a deposit as one batch (deposit.ts): one
 * signature over a Merkle root, each item carrying its body and proof. Each
 * item still verifies alone (repair pushes any subset), but once one item of
 * a batch has verified in full, the batch's signed root and certificate are
 * known: for the others it takes only the body that device would have signed
 * for the item (the same `depositBody` a signer builds), hashed as a leaf,
 * and the path from that leaf to the root. The deposit carried is not
 * decoded: it must be that body and the batch's signed root, byte for byte
 * as the signer encodes them (two compares), then its index and path in
 * their canonical form (proof.ts). Decoding each item's deposit and body
 * field by field was about a third of verifying an item, and decoding its
 * BatchSigned alone still 5% of the replicas' batched phase
 * (bench/offline-cost.ts, docs/offline.md).
 *
 * The shortcut accepts an item only when its leaf is under a root whose
 * signature by the certificate's device verified, and the certificate is good
 * at the item's time: what the item verified alone shows. Anything else (an
 * item that lost copies since it was signed, a certificate other than the
 * batch's, bad bytes) takes the full path, verifyDeposit, whose answer or
 * error stands. Sans-IO: times come in.
 */
import { PayloadType } from '../crypto/envelope.js'
import { leafHash, verifyInclusionKnown } from '../crypto/merkle.js'
import { verifyBatchSigned } from '../trust/batch.js'
import { verifyCertificate, type Certificate, type VerifyCertificateOptions } from '../trust/certificate.js'
import { BatchLimits, decodeBatchRoot, decodeBatchSigned, isBatched } from '../wire/batch.js'
import { proofAfter } from './batch-proof.js'
import { equalBytes } from '../wire/bytes.js'
import { decodeEnvelope } from '../wire/codec.js'
import { decodeOfflineDepositBody, DEPOSIT_BATCH } from '../wire/offline-signed.js'
import { depositBody, verifyDeposit, type Depositable, type Depositor } from './deposit.js'

/** A batch whose signed root verified, within one request. */
interface Batch {
  /** The signed root's bytes, as each item of the batch carries them. */
  signed: Uint8Array
  root: Uint8Array
  count: number
  /** The certificate in the body of the batch's first item verified here: its device signed the root. */
  certificateBytes: Uint8Array
  certificate: Certificate
  /** The item time the certificate was last checked at (the items of one deposit share one). */
  checkedAt: number
  /** Tree nodes proven to lead to the root: the batch's other items hash about one node each. */
  known: Map<string, Uint8Array>
}

/** One per request: what it learns of a batch serves only that request's items. */
export class DepositVerifier {
  private readonly batches: Batch[] = []

  /** `optionsAt`: certificate checks at a given time (network key, id, revocations). */
  constructor(private readonly optionsAt: (at: number) => VerifyCertificateOptions) {}

  /**
   * verifyDeposit(item, deposit, optionsAt(at)), with what earlier items of
   * the same batch showed: the depositor, or OfflineAuthError deposit_invalid.
   */
  verify(item: Depositable, deposit: Uint8Array, at: number): Depositor {
    const fast = isBatched(deposit) ? this.viaBatch(item, deposit, at) : undefined
    return fast ?? verifyDeposit(item, deposit, this.optionsAt(at))
  }

  /** The depositor when the item's leaf is under a known batch's root, else undefined (take the full path). */
  private viaBatch(item: Depositable, deposit: Uint8Array, at: number): Depositor | undefined {
    try {
      if (deposit.byteLength > DEPOSIT_BATCH.bytes) return undefined
      let match = this.match(item, deposit)
      if (match === undefined) {
        const { root: signed } = decodeBatchSigned(deposit, DEPOSIT_BATCH)
        // A batch this request knows, but not this body: the full path says what is wrong.
        if (this.batches.some((b) => equalBytes(b.signed, signed))) return undefined
        this.learn(deposit, signed, at)
        match = this.match(item, deposit)
        if (match === undefined) return undefined
      }
      const { batch, body, proof } = match
      if (batch.checkedAt !== at) {
        verifyCertificate(batch.certificateBytes, this.optionsAt(at))
        batch.checkedAt = at
      }
      const leaf = leafHash(body)
      const learned = verifyInclusionKnown(
        leaf,
        proof.index,
        batch.count,
        proof.path,
        batch.root,
        batch.known,
      )
      if (learned === undefined) return undefined
      for (const [range, hash] of learned) batch.known.set(range, hash)
      return { username: batch.certificate.username, deviceId: batch.certificate.deviceId }
    } catch {
      // Bad bytes, a certificate not good at this time: the full path says which, in its own words.
      return undefined
    }
  }

  /** The known batch whose root `deposit` carries after the body its device signed for `item`. */
  private match(item: Depositable, deposit: Uint8Array) {
    let body: Uint8Array | undefined
    let bodyBy: Uint8Array | undefined
    for (const batch of this.batches) {
      // The batches of one request are mostly one device's: its body is built once.
      if (bodyBy === undefined || !equalBytes(bodyBy, batch.certificateBytes)) {
        body = depositBody(item, batch.certificateBytes)
        bodyBy = batch.certificateBytes
      }
      const proof = proofAfter(deposit, body!, batch.signed)
      if (proof !== undefined) return { batch, body: body!, proof }
    }
    return undefined
  }

  /** One document of a new batch verified in full (trust/batch.ts: its root's signature, once per root). */
  private learn(deposit: Uint8Array, signed: Uint8Array, at: number): Batch {
    const { body, certificate } = verifyBatchSigned(
      deposit,
      PayloadType.OfflineDepositBatch,
      DEPOSIT_BATCH,
      decodeOfflineDepositBody,
      this.optionsAt(at),
    )
    const { root, count } = decodeBatchRoot(
      decodeEnvelope(signed, BatchLimits.rootEnvelopeBytes).payload,
      DEPOSIT_BATCH,
    )
    const batch: Batch = {
      signed,
      root,
      count,
      certificateBytes: body.certificate,
      certificate,
      checkedAt: at,
      known: new Map(),
    }
    this.batches.push(batch)
    return batch
  }
}
