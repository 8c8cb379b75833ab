/**
 * The capped, canonical decoders of the two documents a device signs for the
 * offline store (issue 10, H3): the deposit signature carried with each item
 * (`parley/offline-deposit/1`) and the access grant a recipient device gives
 * for a take or a drop (`parley/offline-access/1`). Like chat.ts, nothing but
 * WireDecodeError escapes them; src/offline/deposit.ts and access.ts verify.
 */
import { BatchLimits, pathCap, type BatchCaps } from './batch.js'
import { checkBytes, decodeCapped, invalid, time } from './decode.js'
import { isUsername } from './fields.js'
import { OfflineAccessBody, OfflineDepositBody } from './generated/parley.js'
import { Limits } from './limits.js'

export { OfflineAccessBody, OfflineDepositBody }

export const OfflineSignedLimits = {
  digestBytes: 32,
  /** One digest per copy: as many as an item has copies (ChatLimits.copies). */
  copyDigests: 16,
  /** A drop grant names exactly the ids it covers: as many as an ack carries (ChatLimits.offlineIds). */
  accessIds: 1024,
  /** Certificate, 16 digests and the rest. */
  depositBodyBytes: Limits.certificateBytes + 16 * 34 + 128,
  /** Certificate and 1,024 ids. */
  accessBodyBytes: Limits.certificateBytes + 1024 * 18 + 128,
  /** A body in its envelope: payload type, key id and signature around it. */
  envelopeOverhead: 160,
} as const

export const DEPOSIT_ENVELOPE_BYTES =
  OfflineSignedLimits.depositBodyBytes + OfflineSignedLimits.envelopeOverhead
/** Offline items deposited in one request (ChatLimits.offlineItems). */
const REQUEST_ITEMS = 64

/**
 * Deposit bodies signed a batch at a time (`parley/offline-deposit-batch/1`,
 * issue 12 §2): one batch per deposit request, so at most as many as a
 * request holds; each a body, the signed root and its proof.
 */
export const DEPOSIT_BATCH: BatchCaps = {
  what: 'offline deposit',
  documents: REQUEST_ITEMS,
  bytes:
    OfflineSignedLimits.depositBodyBytes +
    BatchLimits.rootEnvelopeBytes +
    pathCap(REQUEST_ITEMS) * (BatchLimits.hashBytes + 2) +
    32,
}

/** An item's `deposit` field: a deposit signed alone or as one of a batch. */
export const DEPOSIT_FIELD_BYTES = Math.max(DEPOSIT_ENVELOPE_BYTES, DEPOSIT_BATCH.bytes)

export const ACCESS_ENVELOPE_BYTES =
  OfflineSignedLimits.accessBodyBytes + OfflineSignedLimits.envelopeOverhead

export const AccessKind = { Take: 1, Drop: 2 } as const
export type AccessKind = (typeof AccessKind)[keyof typeof AccessKind]

export interface OfflineDepositFields {
  certificate: Uint8Array
  id: Uint8Array
  recipient: string
  contentDigest: Uint8Array
  copyDigests: Uint8Array[]
}

export interface OfflineAccessFields {
  certificate: Uint8Array
  kind: AccessKind
  recipient: string
  ids: Uint8Array[]
  expiresAt: number
}

export function decodeOfflineDepositBody(bytes: Uint8Array): OfflineDepositFields {
  const b = decodeCapped<OfflineDepositBody>(
    'offline deposit',
    OfflineDepositBody,
    bytes,
    OfflineSignedLimits.depositBodyBytes,
    { copyDigests: OfflineSignedLimits.copyDigests },
  )
  if (b.certificate.byteLength === 0) invalid('certificate', 'is missing')
  if (b.certificate.byteLength > Limits.certificateBytes) invalid('certificate', 'is too large')
  checkBytes('id', b.id, 16)
  if (!isUsername(b.recipient)) invalid('recipient', 'is not a valid username')
  checkBytes('contentDigest', b.contentDigest, OfflineSignedLimits.digestBytes)
  if (b.copyDigests.length === 0) invalid('copyDigests', 'is empty')
  for (const d of b.copyDigests) checkBytes('copyDigests', d, OfflineSignedLimits.digestBytes)
  return b
}

export function decodeOfflineAccessBody(bytes: Uint8Array): OfflineAccessFields {
  const b = decodeCapped<OfflineAccessBody>(
    'offline access',
    OfflineAccessBody,
    bytes,
    OfflineSignedLimits.accessBodyBytes,
    { ids: OfflineSignedLimits.accessIds },
  )
  if (b.certificate.byteLength === 0) invalid('certificate', 'is missing')
  if (b.certificate.byteLength > Limits.certificateBytes) invalid('certificate', 'is too large')
  if (b.kind !== AccessKind.Take && b.kind !== AccessKind.Drop) invalid('kind', 'is unknown')
  if (!isUsername(b.recipient)) invalid('recipient', 'is not a valid username')
  for (const id of b.ids) checkBytes('ids', id, 16)
  if (b.kind === AccessKind.Take && b.ids.length > 0) invalid('ids', 'are for drops only')
  if (b.kind === AccessKind.Drop && b.ids.length === 0) invalid('ids', 'are required for a drop')
  const expiresAt = time('expiresAt', b.expiresAt)
  if (expiresAt === 0) invalid('expiresAt', 'is missing')
  return { certificate: b.certificate, kind: b.kind, recipient: b.recipient, ids: b.ids, expiresAt }
}
