/**
 * The receiving side of /parley/file/1.0.0: one attempt to pull the rest of a
 * transfer into its .part file, from where that file ends. The service
 * retries with backoff when an attempt breaks, and checks the SHA-256 once
 * the whole file is there.
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { open as openFile, stat, truncate } from 'node:fs/promises'
import type { Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { decodeFileResponse, FileLimits, FileRequest, FileResult } from '../wire/files.js'
import { FileError, resumeFrom } from './transfer.js'

const ANSWER_TIMEOUT_MS = 10_000
/** A sender that sends nothing for this long is gone: break, and resume later. */
const IDLE_MS = 20_000

export interface PullTarget {
  transfer: string
  size: number
  part: string
}

async function lengthOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size
  } catch {
    return 0
  }
}

/** Pulls from the offset the .part file gives to the end; calls `progress` with the bytes held after each chunk. */
export async function pullOnce(
  open: (signal: AbortSignal) => Promise<Stream>,
  t: PullTarget,
  progress: (received: number, offset: number) => void,
  signal: AbortSignal,
): Promise<void> {
  const held = await lengthOf(t.part)
  const offset = resumeFrom(held, t.size)
  if (offset !== held) await truncate(t.part, offset)
  if (offset === t.size) return
  const stream = await open(AbortSignal.any([signal, AbortSignal.timeout(ANSWER_TIMEOUT_MS)]))
  const file = await openFile(t.part, 'a', 0o600)
  try {
    const lp = lpStream(stream, { maxDataLength: FileLimits.chunkBytes })
    const step = () => AbortSignal.any([signal, AbortSignal.timeout(IDLE_MS)])
    await lp.write(FileRequest.encode({ transfer: Buffer.from(t.transfer, 'hex'), offset: BigInt(offset) }), {
      signal: step(),
    })
    const answer = decodeFileResponse((await lp.read({ signal: step() })).subarray())
    if (answer.result !== FileResult.Ok) throw new FileError(answer.code, answer.message)
    if (answer.size !== t.size)
      throw new FileError('size_mismatch', `the sender has ${answer.size} bytes, the offer said ${t.size}`)
    let received = offset
    progress(received, offset)
    while (received < t.size) {
      const chunk = (await lp.read({ signal: step() })).subarray()
      if (chunk.byteLength === 0 || chunk.byteLength > t.size - received)
        throw new FileError('bad_chunk', 'the sender sent more than the file')
      await file.write(chunk)
      received += chunk.byteLength
      progress(received, offset)
    }
    await stream.close({ signal: step() }).catch(() => undefined)
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)))
    throw err
  } finally {
    await file.close()
  }
}

export async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) hash.update(chunk)
  return hash.digest('hex')
}
