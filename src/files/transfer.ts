/**
 * The deciding logic of file transfer, without any IO: what an offer says
 * and whether it is valid, where a pull resumes, who may be served, when a
 * progress notice is due and how long to wait before retrying. The service
 * (service.ts) does the disk and the network around it.
 */
import { fullJitter, type BackoffPolicy } from '../util/backoff.js'
import { FileCode, FileLimits } from '../wire/files.js'

export class FileError extends Error {
  override name = 'FileError'
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

/** What a FILE_OFFER's text holds (JSON). */
export interface OfferInfo {
  transfer: string
  name: string
  size: number
  sha256: string
}

/**
 * offered → accepted → done, or: declined (by the receiver), cancelled (by
 * either side, while offered or crossing), expired (not finished within
 * OFFER_KEEP_MS), failed (a checksum mismatch, or the offer is gone).
 */
export type TransferState = 'offered' | 'accepted' | 'declined' | 'cancelled' | 'expired' | 'done' | 'failed'

/** An offer, and the sender's copy of the file, are kept this long (like the offline store's items). */
export const OFFER_KEEP_MS = 30 * 24 * 3600_000

/** The states in which a transfer can still be cancelled. */
export function cancellable(state: TransferState): boolean {
  return state === 'offered' || state === 'accepted'
}

/** Whether an unfinished transfer offered at `at` is past its keep. */
export function expired(r: Pick<TransferRecord, 'at' | 'state'>, now: number): boolean {
  return cancellable(r.state) && now - r.at > OFFER_KEEP_MS
}

export interface TransferRecord extends OfferInfo {
  direction: 'out' | 'in'
  /** The other user. */
  peer: string
  /** The offer's chat message id (hex): what FILE_ANSWER refers to. */
  offer: string
  /** in: the device that offered (and holds) the file. */
  device: string
  state: TransferState
  /** in: bytes held so far; out: the furthest byte served. */
  received: number
  /** out: the receiving user's devices that sent an accept. */
  acceptedBy: string[]
  /** out: the offsets pulls asked for, latest last (a resume shows as a non-zero one). */
  servedFrom: number[]
  error?: string
  /** in, pulled through a relay only (tests): how the last attempt reached the sender. */
  path?: 'direct' | 'relayed'
  at: number
}

export type FileNotice =
  | { type: 'file-progress'; transfer: string; received: number; size: number }
  | { type: 'file-done'; transfer: string; name: string; size: number }
  | { type: 'file-failed'; transfer: string; code: string; message: string }
  | { type: 'file-state'; transfer: string; state: TransferState }

const HEX32 = /^[0-9a-f]{32}$/
const HEX64 = /^[0-9a-f]{64}$/
const NAME_BYTES = 255

/** A name to show and save: no folders, no control characters, at most 255 bytes. */
export function sanitizeName(raw: string): string {
  const base = raw.split(/[/\\]/).pop() ?? ''
  // eslint-disable-next-line no-control-regex
  let name = base.replace(/[\u0000-\u001f\u007f]/g, '').trim()
  name = name.replace(/^\.+/, '')
  while (new TextEncoder().encode(name).byteLength > NAME_BYTES) name = [...name].slice(0, -1).join('')
  return name === '' ? 'file' : name
}

export function checkSize(size: number): void {
  if (!Number.isSafeInteger(size) || size < 0)
    throw new FileError('invalid_size', 'the file size is not a whole number of bytes')
  if (size > FileLimits.fileBytes)
    throw new FileError('too_large', `the file is ${size} bytes; the limit is 4 GiB`)
}

export function offerText(o: OfferInfo): string {
  return JSON.stringify({ transfer: o.transfer, name: o.name, size: o.size, sha256: o.sha256 })
}

/** The offer in a FILE_OFFER's text, or undefined when it is not a valid one. */
export function parseOffer(text: string): OfferInfo | undefined {
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch {
    return undefined
  }
  if (typeof v !== 'object' || v === null) return undefined
  const { transfer, name, size, sha256 } = v as Record<string, unknown>
  if (typeof transfer !== 'string' || !HEX32.test(transfer)) return undefined
  if (typeof sha256 !== 'string' || !HEX64.test(sha256)) return undefined
  if (typeof name !== 'string' || typeof size !== 'number') return undefined
  if (!Number.isSafeInteger(size) || size < 0 || size > FileLimits.fileBytes) return undefined
  return { transfer, name: sanitizeName(name), size, sha256 }
}

/** Where a pull starts: what the .part file holds, or 0 when it holds more than the file (start over). */
export function resumeFrom(partLength: number, size: number): number {
  return partLength >= 0 && partLength <= size ? partLength : 0
}

export type ServeDecision = { ok: true; size: number } | { ok: false; code: string; message: string }

/**
 * Whether a device may pull an outgoing transfer: the receiving user accepted
 * it, and the asking device (the connection's remote peer, proven by Noise)
 * is the one that accepted or another device of that user.
 */
export function mayServe(
  record: TransferRecord | undefined,
  remote: string,
  devicesOfPeer: readonly string[],
  offset: number,
): ServeDecision {
  if (record?.direction !== 'out' || record.state === 'failed')
    return { ok: false, code: FileCode.NotFound, message: 'no such transfer' }
  if (record.state === 'declined' || record.state === 'cancelled' || record.state === 'expired')
    return { ok: false, code: FileCode.Withdrawn, message: `this file offer was ${record.state}` }
  const accepted = record.acceptedBy.length > 0
  const theirs = record.acceptedBy.includes(remote) || devicesOfPeer.includes(remote)
  if (!accepted || !theirs)
    return { ok: false, code: FileCode.NotAccepted, message: 'this transfer was not accepted by this device' }
  if (offset > record.size)
    return { ok: false, code: FileCode.BadOffset, message: `offset ${offset} is past the end` }
  return { ok: true, size: record.size }
}

/** At most one progress notice per interval, and always the last one. */
export class ProgressGate {
  private last = -Infinity
  constructor(private readonly intervalMs = 100) {}

  due(now: number, received: number, size: number): boolean {
    if (received < size && now - this.last < this.intervalMs) return false
    this.last = now
    return true
  }
}

export const RETRY: BackoffPolicy = { baseMs: 1_000, capMs: 30_000 }

/** Wait before the next pull attempt; `random` in [0, 1). At least 250 ms so a refusal is not hammered. */
export function retryDelay(attempt: number, random: number): number {
  return 250 + fullJitter(attempt, RETRY, random)
}

/** Refusals that no retry can change. */
export function permanent(code: string): boolean {
  return (
    code === FileCode.NotFound ||
    code === FileCode.Withdrawn ||
    code === 'size_mismatch' ||
    code === 'checksum_mismatch'
  )
}
