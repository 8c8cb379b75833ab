/**
 * A batch-signed deposit taken apart for storage (offline schema 3). The
 * items of one batch carry the same depositor certificate (inside the
 * signed body) and the same signed root, about 650 of a deposit's ~930
 * bytes: the store keeps those once per batch (schema.ts, `batches`) and
 * per item only the rest. Put back together, the parts give the deposit
 * byte for byte, as repair must push it on.
 *
 * Only framing is read, never the fields' meaning: a deposit is
 *
 *   0x12 len(body) [ 0x0a len(cert) CERT  BODY-REST ]  0x1a len(root) ROOT  TAIL
 *
 * (BatchSigned with its body first, an OfflineDepositBody with its
 * certificate first, as their encoders write them, proto/parley.proto).
 * Anything else (a deposit signed alone, an older store's bytes, a length
 * not in its shortest form) is not split and is stored whole, so joining
 * gives back exactly what was split. Sans-IO.
 */

const BODY_TAG = 0x12
const CERTIFICATE_TAG = 0x0a
const ROOT_TAG = 0x1a

export interface DepositParts {
  /** Shared by a batch: the depositor's certificate. */
  certificate: Uint8Array
  /** Shared by a batch: the signed root's envelope. */
  root: Uint8Array
  /** This item's own: the body after its certificate, then the index and path (see joinDeposit). */
  rest: Uint8Array
}

/** The parts of a batch-signed deposit, or undefined when it is not of that shape (store it whole). */
export function splitDeposit(deposit: Uint8Array): DepositParts | undefined {
  if (deposit[0] !== BODY_TAG) return undefined
  const bodyLen = readLength(deposit, 1)
  if (bodyLen === undefined) return undefined
  const bodyStart = 1 + bodyLen.bytes
  const bodyEnd = bodyStart + bodyLen.value
  if (bodyEnd > deposit.byteLength || deposit[bodyStart] !== CERTIFICATE_TAG) return undefined
  const certLen = readLength(deposit, bodyStart + 1)
  if (certLen === undefined) return undefined
  const certStart = bodyStart + 1 + certLen.bytes
  const certEnd = certStart + certLen.value
  if (certEnd > bodyEnd || deposit[bodyEnd] !== ROOT_TAG) return undefined
  const rootLen = readLength(deposit, bodyEnd + 1)
  if (rootLen === undefined) return undefined
  const rootStart = bodyEnd + 1 + rootLen.bytes
  const rootEnd = rootStart + rootLen.value
  if (rootEnd > deposit.byteLength) return undefined
  const bodyRest = certEnd === bodyEnd ? EMPTY : deposit.subarray(certEnd, bodyEnd)
  const tail = deposit.subarray(rootEnd)
  const rest = new Uint8Array(lengthBytes(bodyRest.byteLength) + bodyRest.byteLength + tail.byteLength)
  const at = writeLength(rest, 0, bodyRest.byteLength)
  rest.set(bodyRest, at)
  rest.set(tail, at + bodyRest.byteLength)
  return {
    certificate: deposit.subarray(certStart, certEnd),
    root: deposit.subarray(rootStart, rootEnd),
    rest,
  }
}

/** The deposit that splitDeposit took apart, byte for byte. Throws RangeError on a `rest` it did not make. */
export function joinDeposit(parts: DepositParts): Uint8Array {
  const { certificate, root, rest } = parts
  const restLen = readLength(rest, 0)
  if (restLen === undefined || restLen.bytes + restLen.value > rest.byteLength)
    throw new RangeError('offline store: a stored deposit’s parts are damaged')
  const bodyRest = rest.subarray(restLen.bytes, restLen.bytes + restLen.value)
  const tail = rest.subarray(restLen.bytes + restLen.value)
  const bodyLen = 1 + lengthBytes(certificate.byteLength) + certificate.byteLength + bodyRest.byteLength
  const out = new Uint8Array(
    1 + lengthBytes(bodyLen) + bodyLen + 1 + lengthBytes(root.byteLength) + root.byteLength + tail.byteLength,
  )
  out[0] = BODY_TAG
  let at = writeLength(out, 1, bodyLen)
  out[at++] = CERTIFICATE_TAG
  at = writeLength(out, at, certificate.byteLength)
  out.set(certificate, at)
  at += certificate.byteLength
  out.set(bodyRest, at)
  at += bodyRest.byteLength
  out[at++] = ROOT_TAG
  at = writeLength(out, at, root.byteLength)
  out.set(root, at)
  out.set(tail, at + root.byteLength)
  return out
}

const EMPTY = new Uint8Array(0)
/** Lengths past this are not a deposit's (DEPOSIT_FIELD_BYTES is a few KiB): 4 varint bytes at most. */
const MAX_LENGTH = 0x0fffffff

/** A varint length at `at` in its shortest form, or undefined (truncated, too long, or padded). */
function readLength(b: Uint8Array, at: number): { value: number; bytes: number } | undefined {
  let value = 0
  for (let i = 0; i < 4; i++) {
    const byte = b[at + i]
    if (byte === undefined) return undefined
    value += (byte & 0x7f) * 2 ** (7 * i)
    if ((byte & 0x80) === 0) return lengthBytes(value) === i + 1 ? { value, bytes: i + 1 } : undefined
  }
  return undefined
}

function lengthBytes(n: number): number {
  if (n > MAX_LENGTH) throw new RangeError(`offline store: length ${n} is not a deposit's`)
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : 4
}

function writeLength(b: Uint8Array, at: number, n: number): number {
  lengthBytes(n)
  while (n >= 0x80) {
    b[at++] = (n & 0x7f) | 0x80
    n >>>= 7
  }
  b[at++] = n
  return at
}
