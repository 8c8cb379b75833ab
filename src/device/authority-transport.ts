/**
 * One HTTP(S) exchange with the authority. Node's `https` rather than
 * `fetch`, because a private CA (`--authority-ca`) is a per-request option
 * there. Certificate verification is never turned off: `ca` only adds trust.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { isIPv4 } from 'node:net'

/** Generous for a base64 network config or revocation list, small enough that no answer fills memory. */
const MAX_ANSWER_BYTES = 2 * 1024 * 1024

export interface Exchange {
  method: 'GET' | 'POST'
  headers: Record<string, string>
  body: string | undefined
  /** PEM certificates to trust besides the system's. */
  ca: string | undefined
  signal: AbortSignal
}

export interface Answer {
  status: number
  retryAfter: string | undefined
  text: string
}

/** Loopback: the one place where plain http cannot be read or changed by anyone on the path. */
export function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || (isIPv4(hostname) && hostname.startsWith('127.'))
}

export function exchange(url: URL, x: Exchange): Promise<Answer> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: x.method, headers: x.headers, signal: x.signal, ...(x.ca === undefined ? {} : { ca: x.ca }) },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = []
        let size = 0
        res.on('data', (chunk: Buffer) => {
          size += chunk.length
          if (size > MAX_ANSWER_BYTES) {
            res.destroy(new Error(`the answer is larger than ${MAX_ANSWER_BYTES} bytes`))
            return
          }
          chunks.push(chunk)
        })
        res.on('error', reject)
        res.on('end', () => {
          const retry: string | undefined = res.headers['retry-after']
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: retry,
            text: Buffer.concat(chunks).toString('utf8'),
          })
        })
      },
    )
    req.on('error', reject)
    req.end(x.body)
  })
}
