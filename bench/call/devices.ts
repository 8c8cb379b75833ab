/**
 * The devices' share of a call's setup, without browsers: a signal sent on
 * alice's page socket (`/v1/ws`, as the web client sends it) until bob's page
 * socket hears it, through alice's device, a libp2p push and bob's device.
 * Each signal waits for the one before it, so this is the path's own time,
 * the floor under every signal a call sets up with. Beside it, the device's
 * stages from its answer (`timing`: signed, first device took it).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { WebSocket } from 'ws'
import type { ApiInfo } from '../../src/device/control-api.js'
import { percentile } from '../support/load.js'
import { figure, formatTable } from '../support/report.js'

interface Frame {
  type?: string
  id?: number
  payload?: string
  timing?: { signed: number; firstTook?: number; looked: number }
}

/** A socket to a device's local API, as a page opens it (with the profile's CLI token). */
async function open(home: string, profile: string): Promise<{ ws: WebSocket; frames: (f: Frame) => void }> {
  const api = JSON.parse(readFileSync(join(home, 'profiles', profile, 'api.json'), 'utf8')) as ApiInfo
  const ws = new WebSocket(
    `${api.url.replace('http', 'ws')}/v1/ws`,
    ['parley', `parley-token.${api.token}`],
    {
      headers: { origin: api.url },
    },
  )
  const box = { ws, frames: (_f: Frame) => undefined as void }
  ws.on('message', (d: Buffer) => box.frames(JSON.parse(d.toString()) as Frame))
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
  return box
}

export interface SignalPath {
  /** page send → the other page hears it, ms */
  pageToPage: number[]
  /** page send → its device answers (the first device took it), ms */
  answered: number[]
  signed: number[]
  firstTook: number[]
  looked: number[]
}

/** `n` candidates from alice's page to bob's, one at a time, for a call nobody placed (bob's page only hears it). */
export async function signalPath(home: string, n: number, gapMs = 0): Promise<SignalPath> {
  const alice = await open(home, 'alice')
  const bob = await open(home, 'bob')
  const out: SignalPath = { pageToPage: [], answered: [], signed: [], firstTook: [], looked: [] }
  try {
    for (let i = 0; i < n; i++) {
      if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs))
      const payload = JSON.stringify({
        call: `bench-${i}`,
        type: 'candidate',
        candidate: { candidate: `candidate:${i} 1 udp 2122260223 127.0.0.1 ${40000 + i} typ host` },
      })
      const t0 = performance.now()
      const heard = new Promise<number>((resolve) => {
        bob.frames = (f) => {
          if (f.type === 'call-signal' && f.payload === payload) resolve(performance.now() - t0)
        }
      })
      const answered = new Promise<Frame>((resolve, reject) => {
        alice.frames = (f) => {
          if (f.id !== i) return
          if (f.type === 'call-signal-sent') resolve(f)
          else reject(new Error(`signal ${i}: ${JSON.stringify(f)}`))
        }
      })
      alice.ws.send(JSON.stringify({ type: 'call-signal', id: i, to: 'bob', payload }))
      const [p2p, sent] = await Promise.all([
        heard,
        answered.then((f) => [performance.now() - t0, f] as const),
      ])
      out.pageToPage.push(p2p)
      out.answered.push(sent[0])
      out.signed.push(sent[1].timing?.signed ?? Number.NaN)
      out.looked.push(sent[1].timing?.looked ?? Number.NaN)
      if (sent[1].timing?.firstTook !== undefined) out.firstTook.push(sent[1].timing.firstTook)
    }
  } finally {
    alice.ws.close()
    bob.ws.close()
  }
  return out
}

export function signalPathTable(p: SignalPath): string {
  const q = (xs: number[], at: number) =>
    figure(
      percentile(
        [...xs].sort((a, b) => a - b),
        at,
      ),
    )
  const rows: [string, number[]][] = [
    ["alice's page → bob's page hears it", p.pageToPage],
    ["alice's device answers its page", p.answered],
    ['  of which: device signed it', p.signed],
    ['  of which: first device took it', p.firstTook],
    ['  of which: lookups answered (beside the push)', p.looked],
  ]
  return formatTable(
    [
      { title: 'one signal, page socket to page socket', align: 'left' },
      { title: 'p50 ms' },
      { title: 'p90 ms' },
      { title: 'n' },
    ],
    rows.map(([name, xs]) => [name, q(xs, 50), q(xs, 90), String(xs.length)]),
  )
}
