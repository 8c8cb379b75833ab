/**
 * Capped, canonical decoders for file transfer (/parley/file/1.0.0). Like
 * chat.ts, nothing but WireDecodeError escapes them. The file's bytes travel
 * after the FileResponse as length-prefixed chunks of at most `chunkBytes`.
 */
import { checkBytes, checkString, decodeCapped, invalid } from './decode.js'
import { FileRequest, FileResponse } from './generated/parley.js'

export { FileRequest, FileResponse }

export const FileLimits = {
  transferBytes: 16,
  /** The largest file a device offers or accepts: 4 GiB. */
  fileBytes: 4 * 1024 ** 3,
  requestBytes: 64,
  responseBytes: 1024,
  chunkBytes: 64 * 1024,
} as const

export const FileResult = { Ok: 0, Refused: 2 } as const

/** Refusal codes a FileResponse carries. */
export const FileCode = {
  NotFound: 'not_found',
  NotAccepted: 'not_accepted',
  BadOffset: 'bad_offset',
  /** The sender's offer is over: declined by the receiver, cancelled by either side, or expired. */
  Withdrawn: 'withdrawn',
} as const

function size(field: string, value: bigint): number {
  if (value > BigInt(FileLimits.fileBytes)) invalid(field, 'is past the 4 GiB limit')
  return Number(value)
}

export function decodeFileRequest(bytes: Uint8Array): { transfer: Uint8Array; offset: number } {
  const r = decodeCapped<FileRequest>('file request', FileRequest, bytes, FileLimits.requestBytes)
  checkBytes('transfer', r.transfer, FileLimits.transferBytes)
  return { transfer: r.transfer, offset: size('offset', r.offset) }
}

export interface FileAnswer {
  result: number
  code: string
  message: string
  size: number
}

export function decodeFileResponse(bytes: Uint8Array): FileAnswer {
  const r = decodeCapped<FileResponse>('file response', FileResponse, bytes, FileLimits.responseBytes)
  if (r.result !== FileResult.Ok && r.result !== FileResult.Refused) invalid('result', 'is unknown')
  checkString('code', r.code, 64)
  checkString('message', r.message, 512)
  return { result: r.result, code: r.code, message: r.message, size: size('size', r.size) }
}

export const FILE_PROTOCOL = '/parley/file/1.0.0'
