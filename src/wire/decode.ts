/** The shared machinery of every decoder: size cap, decode, canonical form, typed errors. */
import { equalBytes } from './bytes.js'
import { ErrorCode } from './error-codes.js'

export type WireErrorCode =
  typeof ErrorCode.TooLarge | typeof ErrorCode.Malformed | typeof ErrorCode.InvalidField

export class WireDecodeError extends Error {
  override name = 'WireDecodeError'
  constructor(
    readonly code: WireErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message)
  }
}

export function invalid(field: string, why: string): never {
  throw new WireDecodeError(ErrorCode.InvalidField, `${field} ${why}`, field)
}

interface MessageCodec<T> {
  decode(buf: Uint8Array, opts?: { limits?: never }): T
  encode(obj: Partial<T>): Uint8Array
}

/**
 * Decodes, then insists the input is the one canonical encoding of what it
 * decoded to (re-encoding gives the same bytes). This refuses what protons'
 * decoder lets through (truncated varints, wrong wire types on known fields,
 * unknown or repeated fields), so one signed document has exactly one byte
 * form and every implementation reads it the same way. Newer documents get
 * a new payload type rather than extra fields.
 */
export function decodeCapped<T>(
  what: string,
  codec: MessageCodec<T>,
  bytes: Uint8Array,
  maxBytes: number,
  limits?: object,
): T {
  if (!(bytes instanceof Uint8Array)) throw new WireDecodeError(ErrorCode.Malformed, `${what}: not bytes`)
  if (bytes.byteLength > maxBytes) {
    throw new WireDecodeError(
      ErrorCode.TooLarge,
      `${what} is ${bytes.byteLength} bytes; the cap is ${maxBytes}`,
    )
  }
  let value: T
  try {
    value = codec.decode(bytes, limits === undefined ? undefined : { limits: limits as never })
  } catch (err) {
    throw new WireDecodeError(
      ErrorCode.Malformed,
      `${what} is not a valid encoding (${(err as Error).message})`,
    )
  }
  if (!equalBytes(codec.encode(value), bytes)) {
    throw new WireDecodeError(ErrorCode.Malformed, `${what} is not canonically encoded`)
  }
  return value
}

export function checkString(field: string, value: string, max: number, min = 0): void {
  if (value.length < min || value.length > max) invalid(field, `must be ${min}–${max} characters`)
}

export function checkBytes(field: string, value: Uint8Array, length: number): void {
  if (value.byteLength !== length) invalid(field, `must be ${length} bytes`)
}

/** Milliseconds since the epoch, within the range a JS number holds exactly. */
export function time(field: string, value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) invalid(field, 'is out of range')
  return Number(value)
}
