/**
 * A call between two browsers through Parley: each page is served by its own
 * device node, gets TURN credentials from its supernode, and sends offer,
 * answer and ICE candidates over Parley to the other device (call signals,
 * heard back on the WebSocket). Media is forced through the TURN relay
 * (coturn beside the supernodes), and the callee's inbound audio and video
 * counters must rise. A device not attached gets no credentials.
 */
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { multiaddr } from '@multiformats/multiaddr'
import { generateKey } from '../src/crypto/keys.js'
import { startDevnet, type Devnet } from '../src/devnet/devnet.js'
import { createDeviceHost } from '../src/net/host.js'
import { request } from '../src/net/rpc.js'
import { Protocols } from '../src/supernode/protocols.js'
import { decodeTurnResponse, TurnRequest } from '../src/wire/chat.js'
import { signInLink } from '../src/devnet/introduce.js'
import { introduce } from '../src/devnet/introduce.js'
import { launchBrowser } from './support/browser.js'
import { api, signIn, up } from './support/chat.js'
import { eventually } from './support/devnet.js'
import { tempDir, type Daemon } from './support/process.js'
import { ensureCoturn } from './support/turn.js'

const dir = tempDir('parley-calls-')
let net: Devnet
let browser: Browser
const devices: Daemon[] = []
const pages: Page[] = []

beforeAll(async () => {
  await ensureCoturn()
  net = await startDevnet({ dir: dir.path, megas: 1, supernodes: 2, fastReattach: true })
  for (const user of ['alice', 'bob']) {
    await signIn(net, user, user)
    devices.push(await up(net, user, ['--away-after', '0']))
  }
  await eventually(
    async () => ((await introduce(net.home, 'alice', 'bob', 5_000)) ? true : undefined),
    60_000,
  )
  browser = await launchBrowser()
}, 240_000)

afterEach(async (ctx) => {
  if (ctx.task.result?.state !== 'fail') return
  for (const [i, p] of pages.entries())
    await p.screenshot({ path: `${dir.path}/failure-${i}.png` }).catch(() => undefined)
  console.log(`screenshots in ${dir.path}`)
})

afterAll(async () => {
  await browser?.close()
  for (const d of devices) await d.stop('SIGKILL')
  await net?.stop()
  if (process.env.PARLEY_KEEP === undefined) dir.remove()
})

/** Opens a user's web client origin with a fresh sign-in link; the page then runs the call code. */
async function open(user: string): Promise<Page> {
  // The client's CSP forbids inline scripts; the test injects its call script anyway.
  const page = await (await browser.newContext({ bypassCSP: true })).newPage()
  await page.goto(await signInLink(net.home, user))
  pages.push(page)
  return page
}

/** Loads the call script into the page and prepares a connection to `peer`. */
async function prepare(page: Page, peer: string): Promise<void> {
  // The page trades its sign-in link's code for a session token first (docs/web.md).
  await page.waitForFunction("localStorage.getItem('parley.session') !== null")
  await page.addScriptTag({ path: join(import.meta.dirname, 'support', 'call.page.js') })
  await page.evaluate(`window.parleyPrepare(${JSON.stringify(peer)})`)
}

interface Inbound {
  media: Record<string, { bytes: number; frames: number }>
  via: string
  state: string
}
const inbound = (page: Page) => page.evaluate<Inbound>('window.parleyInbound()')

describe('an audio and video call', () => {
  it('connects through the TURN relay with Parley carrying the signals; the callee receives audio and video', async () => {
    expect(net.turnUrls.length).toBeGreaterThan(0)
    const alice = await open('alice')
    const bob = await open('bob')
    await prepare(alice, 'bob')
    await prepare(bob, 'alice')
    await alice.evaluate('window.parleyCall()')
    const first = await eventually(async () => {
      const s = await inbound(bob)
      return s.state === 'connected' &&
        s.via !== 'none' &&
        (s.media.video?.frames ?? 0) > 0 &&
        (s.media.audio?.bytes ?? 0) > 0
        ? s
        : undefined
    }, 30_000)
    expect(first.via).toBe('relay')
    // The counters keep rising: media flows, not a one-off packet.
    const later = await eventually(async () => {
      const s = await inbound(bob)
      return (s.media.video?.frames ?? 0) > (first.media.video?.frames ?? 0) &&
        (s.media.audio?.bytes ?? 0) > (first.media.audio?.bytes ?? 0)
        ? s
        : undefined
    }, 15_000)
    expect(later.media.video!.bytes).toBeGreaterThan(first.media.video!.bytes)
    // The call is written into both conversations.
    await api(net.home, 'alice', '/v1/call/event/bob', { call: 'c1', what: 'ended', durationMs: 4000 })
    await eventually(async () => {
      const r = await api<{ messages: { kind: string; text: string }[] }>(
        net.home,
        'bob',
        '/v1/chat/messages/alice',
      )
      return r.messages.some((m) => m.kind === 'call' && m.text.includes('"ended"')) || undefined
    }, 20_000)
  })

  it('refuses signals to a non-contact and credentials to a device that is not attached', async () => {
    await signIn(net, 'carol', 'carol')
    devices.push(await up(net, 'carol', ['--away-after', '0']))
    await eventually(
      async () =>
        (await api<{ attachments: unknown[] }>(net.home, 'carol', '/v1/status')).attachments.length > 0 ||
        undefined,
      30_000,
    )
    const err = await api(net.home, 'carol', '/v1/call/signal/alice', { payload: '{}' }).catch(
      (e: unknown) => e,
    )
    expect((err as { code?: string }).code).toBe('not_contact')
    // A peer that never attached asks a supernode directly: no credentials.
    const stranger = await createDeviceHost({ privateKey: await generateKey(), host: '127.0.0.1' })
    try {
      const mega = net.supernodes[0]!
      const status = (await (await fetch(`${mega.httpUrl}/v1/status`)).json()) as { addrs: string[] }
      const addrs = status.addrs
        .filter((a) => a.includes('/tcp/') && !a.includes('/ws'))
        .map((a) => multiaddr(a.includes('/p2p/') ? a : `${a}/p2p/${mega.peerId}`))
      const answer = decodeTurnResponse(
        await request(stranger, addrs, Protocols.turn, TurnRequest.encode({ version: 1 }), {
          timeoutMs: 5000,
          maxResponseBytes: 4096,
        }),
      )
      expect(answer).toMatchObject({ result: 2, code: 'unauthorized', credential: '' })
    } finally {
      await stranger.stop()
    }
  })
})
