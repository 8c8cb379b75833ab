/** The sender's copy of an offered file, written into the profile while it is hashed. */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { open, rm } from 'node:fs/promises'
import { checkSize } from './transfer.js'

/**
 * Copies `source` (a path, or a stream of chunks such as an upload's body)
 * to a new file at `path`, checking the size limit as it goes; nothing is
 * left at `path` when it fails or is aborted.
 */
export async function copyHashed(
  source: AsyncIterable<Uint8Array> | string,
  path: string,
  signal?: AbortSignal,
): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256')
  let size = 0
  const file = await open(path, 'wx', 0o600)
  try {
    const input = typeof source === 'string' ? (createReadStream(source) as AsyncIterable<Buffer>) : source
    for await (const chunk of input) {
      size += chunk.byteLength
      checkSize(size)
      signal?.throwIfAborted()
      hash.update(chunk)
      await file.write(chunk)
    }
  } catch (err) {
    await file.close()
    await rm(path, { force: true })
    throw err
  }
  await file.close()
  return { size, sha256: hash.digest('hex') }
}
