/**
 * The file-transfer decoders byte by byte and fuzzed: canonical encodings
 * only, caps before decoding, offsets and sizes within the 4 GiB limit, and
 * nothing but WireDecodeError for any input.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { WireDecodeError } from './decode.js'
import {
  decodeFileRequest,
  decodeFileResponse,
  FileLimits,
  FileRequest,
  FileResponse,
  FileResult,
} from './files.js'
import { decodesOrRefuses, fromHex, hex, mutated, randomBytes } from './fuzz-support.js'

const RUNS = 20_000
const T = new Uint8Array(16).fill(7)

const refusal = (f: () => unknown): string => {
  try {
    f()
  } catch (err) {
    if (err instanceof WireDecodeError) return err.code
    throw err
  }
  return 'accepted'
}

describe('FileRequest', () => {
  it('encodes as field 1 (16 bytes) then field 2 (varint)', () => {
    const bytes = FileRequest.encode({ transfer: T, offset: 300n })
    expect(hex(bytes)).toBe('0a10' + '07'.repeat(16) + '10ac02')
    expect(decodeFileRequest(bytes)).toEqual({ transfer: T, offset: 300 })
  })

  it('refuses a short transfer id, an offset past 4 GiB, a non-canonical form and oversize input', () => {
    expect(
      refusal(() => decodeFileRequest(FileRequest.encode({ transfer: T.subarray(1), offset: 0n }))),
    ).toBe('invalid_field')
    const far = FileRequest.encode({ transfer: T, offset: BigInt(FileLimits.fileBytes) + 1n })
    expect(refusal(() => decodeFileRequest(far))).toBe('invalid_field')
    // offset 0 written out explicitly is not the canonical (omitted) form
    expect(refusal(() => decodeFileRequest(fromHex('0a10' + '07'.repeat(16) + '1000')))).toBe('malformed')
    expect(refusal(() => decodeFileRequest(new Uint8Array(FileLimits.requestBytes + 1)))).toBe('too_large')
  })
})

describe('FileResponse', () => {
  it('round-trips an ok answer and a refusal', () => {
    const ok = FileResponse.encode({ result: FileResult.Ok, size: 3n * 1024n * 1024n })
    expect(decodeFileResponse(ok)).toEqual({ result: 0, code: '', message: '', size: 3 * 1024 * 1024 })
    const no = FileResponse.encode({ result: FileResult.Refused, code: 'not_accepted', message: 'no' })
    expect(decodeFileResponse(no)).toMatchObject({ result: 2, code: 'not_accepted' })
  })

  it('refuses an unknown result and a size past 4 GiB', () => {
    expect(refusal(() => decodeFileResponse(FileResponse.encode({ result: 1 })))).toBe('invalid_field')
    const big = FileResponse.encode({ result: 0, size: BigInt(FileLimits.fileBytes) + 1n })
    expect(refusal(() => decodeFileResponse(big))).toBe('invalid_field')
  })
})

describe('fuzz', () => {
  const corpus = [
    FileRequest.encode({ transfer: T, offset: 123456n }),
    FileResponse.encode({ result: 0, size: 99n }),
    FileResponse.encode({ result: 2, code: 'not_found', message: 'no such transfer' }),
  ]
  for (const [name, decode, cap] of [
    ['decodeFileRequest', decodeFileRequest, FileLimits.requestBytes],
    ['decodeFileResponse', decodeFileResponse, FileLimits.responseBytes],
  ] as const)
    it(`${name} returns a value or a WireDecodeError for random and mutated input`, () => {
      fc.assert(
        fc.property(
          fc.oneof(
            randomBytes(cap),
            mutated(corpus).map((m) => m.bytes),
          ),
          (bytes) => decodesOrRefuses(decode, bytes),
        ),
        { numRuns: RUNS },
      )
    })
})
