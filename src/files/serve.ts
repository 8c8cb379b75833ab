/**
 * The offering side of /parley/file/1.0.0: reads a FileRequest, asks the
 * service whether the connection's remote device may have that transfer,
 * answers, then streams the file from the asked offset in length-prefixed
 * chunks. Works on limited (relayed) connections.
 */
import { createReadStream } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Libp2p } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import type { Logger } from '../log/logger.js'
import { decodeFileRequest, FILE_PROTOCOL, FileLimits, FileResponse, FileResult } from '../wire/files.js'
import type { ServeDecision } from './transfer.js'

const REQUEST_TIMEOUT_MS = 10_000
/** A receiver that takes no chunk for this long is gone. */
const IDLE_MS = 30_000

export interface ServeDeps {
  decide(transfer: string, remote: string, offset: number): Promise<ServeDecision>
  /** The file an accepted transfer streams from. */
  path(transfer: string): string
  served(transfer: string, offset: number): void
  progress(transfer: string, upTo: number): void
  /** Whether the transfer may still be served (not cancelled meanwhile): checked at every chunk. */
  live(transfer: string): boolean
  /** Bytes per second, for tests that need a transfer to last; 0 or undefined: no limit. */
  rateBytesPerS?: number
  log: Logger
}

export async function serveFiles(node: Libp2p, deps: ServeDeps): Promise<void> {
  await node.handle(
    FILE_PROTOCOL,
    async (stream, connection) => {
      try {
        const lp = lpStream(stream, { maxDataLength: FileLimits.requestBytes })
        const req = decodeFileRequest(
          (await lp.read({ signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })).subarray(),
        )
        const transfer = Buffer.from(req.transfer).toString('hex')
        const decision = await deps.decide(transfer, connection.remotePeer.toString(), req.offset)
        const answer = decision.ok
          ? { result: FileResult.Ok, size: BigInt(decision.size) }
          : { result: FileResult.Refused, code: decision.code, message: decision.message }
        await lp.write(FileResponse.encode(answer), { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })
        if (decision.ok) {
          deps.served(transfer, req.offset)
          await streamFile(lp, deps, transfer, req.offset)
        }
        await stream.close({ signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })
      } catch (err) {
        deps.log.debug({ err: (err as Error).message }, 'file stream failed')
        stream.abort(err instanceof Error ? err : new Error(String(err)))
      }
    },
    { runOnLimitedConnection: true, maxInboundStreams: 32 },
  )
}

async function streamFile(
  lp: ReturnType<typeof lpStream>,
  deps: ServeDeps,
  transfer: string,
  offset: number,
): Promise<void> {
  const rate = deps.rateBytesPerS ?? 0
  const started = performance.now()
  let sent = 0
  const file = createReadStream(deps.path(transfer), {
    start: offset,
    highWaterMark:
      rate > 0 ? Math.min(FileLimits.chunkBytes, Math.max(1024, rate / 10)) : FileLimits.chunkBytes,
  })
  try {
    for await (const chunk of file as AsyncIterable<Buffer>) {
      if (!deps.live(transfer)) throw new Error('the transfer was cancelled')
      await lp.write(chunk, { signal: AbortSignal.timeout(IDLE_MS) })
      sent += chunk.byteLength
      deps.progress(transfer, offset + sent)
      if (rate > 0) {
        const ahead = (sent / rate) * 1000 - (performance.now() - started)
        if (ahead > 0) await sleep(ahead)
      }
    }
  } finally {
    file.destroy()
  }
}
