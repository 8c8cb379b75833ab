/** JSON requests to a real authority from a chosen loopback address (all of 127.0.0.0/8 is loopback on Linux). */
import { request } from 'node:http'

export interface Answer {
  status: number
  /** The stable error code, when the answer is a refusal. */
  code: string | undefined
  /** Retry-After, seconds. */
  retryAfter: number | undefined
  body: Record<string, unknown>
}

export interface FromOptions {
  /** The local address to send from, e.g. 127.0.0.2. */
  from?: string
  headers?: Record<string, string>
}

export function postFrom(base: string, path: string, body: unknown, opts: FromOptions = {}): Promise<Answer> {
  const payload = JSON.stringify(body)
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, base),
      {
        method: 'POST',
        localAddress: opts.from,
        agent: false,
        headers: { 'content-type': 'application/json', ...opts.headers },
        timeout: 15_000,
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (d: string) => (text += d))
        res.on('end', () => {
          const parsed = JSON.parse(text) as Record<string, unknown>
          const retry = res.headers['retry-after']
          resolve({
            status: res.statusCode ?? 0,
            code: (parsed.error as { code?: string } | undefined)?.code,
            retryAfter: retry === undefined ? undefined : Number(retry),
            body: parsed,
          })
        })
      },
    )
    req.on('timeout', () => req.destroy(new Error(`POST ${path} timed out`)))
    req.on('error', reject)
    req.end(payload)
  })
}
