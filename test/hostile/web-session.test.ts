/**
 * Issue 10, M5: the web client's session was a cookie, and cookies are per
 * host, not per port, so every other server on 127.0.0.1 (another user's
 * device, a dev server, a hostile local program) received it, and it never
 * expired. Here, on real processes and real Chromium: a neighbour server on
 * another port, which alice's browser visits, gets nothing that opens her
 * device's API; Sign out ends the session on the device (its token, socket and
 * download key stop working) and `parley link` signs her back in to chat; and
 * on bob's device, started with short lifetimes (PARLEY_TEST_WEB_SESSION_*,
 * which can only shorten them), an idle page is signed out with the reason on
 * screen, and a session in use still ends at its absolute deadline.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { DEFAULT_WEB_SESSION_LIMITS, WebSessions, webSessionLimits } from '../../src/device/web-sessions.js'
import { startDevnet, type Devnet } from '../../src/devnet/devnet.js'
import { introduce, signInLink } from '../../src/devnet/introduce.js'
import { ErrorCode } from '../../src/wire/error-codes.js'
import { launchBrowser } from '../support/browser.js'
import { conversation, send, signIn, up } from '../support/chat.js'
import { eventually } from '../support/devnet.js'
import { startDaemon, tempDir, type Daemon } from '../support/process.js'

// ---- the session core, in virtual time ---------------------------------------------------

describe('web sessions (sans-IO)', () => {
  const limits = { linkMs: 1_000, idleMs: 100, maxMs: 1_000 }
  let n = 0
  const make = () => new WebSessions(limits, () => `secret-${n++}`)

  it('trades a link once and in time', () => {
    const s = make()
    const code = s.issueLink(0)
    expect(s.exchange(code, 1_001)).toBeUndefined()
    const fresh = s.issueLink(0)
    const issued = s.exchange(fresh, 10)
    expect(issued).toMatchObject({ idleMs: 100, expiresAt: 1_010 })
    expect(s.exchange(fresh, 11)).toBeUndefined()
    expect(s.use(issued!.token, 20)).toBeUndefined()
    expect(s.use('never issued', 20)).toBe(ErrorCode.Unauthorized)
  })

  it('ends a session idle for idleMs, and one in use at maxMs', () => {
    const s = make()
    const idle = s.exchange(s.issueLink(0), 0)!
    const busy = s.exchange(s.issueLink(0), 0)!
    for (let t = 50; t < 1_000; t += 50) expect(s.use(busy.token, t)).toBeUndefined()
    expect(s.use(idle.token, 1_000)).toBe(ErrorCode.SessionExpired)
    expect(s.use(busy.token, 1_000)).toBe(ErrorCode.SessionExpired)
    // The reason is kept: the page keeps saying "expired", not "not signed in".
    expect(s.use(busy.token, 5_000)).toBe(ErrorCode.SessionExpired)
  })

  it('signs out one session, whose download key dies with it, and reports it to the sweep', () => {
    const s = make()
    const a = s.exchange(s.issueLink(0), 0)!
    const b = s.exchange(s.issueLink(0), 0)!
    expect(s.useDownloadKey(a.downloadKey, 1)).toBe(true)
    expect(s.useDownloadKey(a.token, 1)).toBe(false)
    expect(s.signOut(a.token, 2)).toBe(true)
    expect(s.use(a.token, 3)).toBe(ErrorCode.SignedOut)
    expect(s.useDownloadKey(a.downloadKey, 3)).toBe(false)
    expect(s.use(b.token, 3)).toBeUndefined()
    expect(s.sweep(3)).toEqual([{ id: WebSessions.idOf(a.token), why: ErrorCode.SignedOut }])
    expect(s.sweep(200)).toEqual([{ id: WebSessions.idOf(b.token), why: ErrorCode.SessionExpired }])
  })

  it('the test variables shorten the lifetimes and never lengthen them', () => {
    expect(webSessionLimits({})).toEqual(DEFAULT_WEB_SESSION_LIMITS)
    const short = webSessionLimits({
      PARLEY_TEST_WEB_SESSION_IDLE_MS: '3000',
      PARLEY_TEST_WEB_SESSION_MAX_MS: '9000',
    })
    expect([short.idleMs, short.maxMs]).toEqual([3_000, 9_000])
    const long = webSessionLimits({
      PARLEY_TEST_WEB_SESSION_IDLE_MS: '1e15',
      PARLEY_TEST_WEB_SESSION_MAX_MS: 'x',
    })
    expect(long).toEqual(DEFAULT_WEB_SESSION_LIMITS)
  })
})

// ---- real devices, real Chromium ---------------------------------------------------------

const WAIT_MS = 30_000
const BOB_IDLE_MS = 3_000
const BOB_MAX_MS = 9_000
const dir = tempDir('parley-websess-')
let net: Devnet
let browser: Browser
const devices: Daemon[] = []
const pages = new Map<string, Page>()
const byTestId = (user: string, id: string) => pages.get(user)!.getByTestId(id)

/** A raw request to a device, with the Host it expects: what a neighbour holding a credential could send. */
function raw(
  url: string,
  headers: Record<string, string>,
  method = 'GET',
  body?: string,
): Promise<{ status: number; body: string }> {
  const u = new URL(url)
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        method,
        headers: { host: u.host, ...headers },
      },
      (res) => {
        let text = ''
        res.on('data', (d: Buffer) => (text += d.toString()))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

const codeOf = (r: { body: string }): string | undefined =>
  (JSON.parse(r.body) as { error?: { code?: string } }).error?.code

/** The session the page keeps in its own storage. */
async function pageSession(user: string): Promise<{ token: string; downloadKey: string }> {
  const text = await pages
    .get(user)!
    .evaluate(() =>
      (
        globalThis as unknown as { localStorage: { getItem: (k: string) => string | null } }
      ).localStorage.getItem('parley.session'),
    )
  return JSON.parse(text ?? 'null') as { token: string; downloadKey: string }
}

/** Whether the live socket opens with this token, as the page opens it (subprotocols). */
function socketOpens(origin: string, token: string): Promise<boolean> {
  const ws = new WebSocket(`${origin.replace('http', 'ws')}/v1/ws`, ['parley', `parley-token.${token}`], {
    headers: { origin },
  })
  return new Promise((resolve) => {
    ws.once('open', () => {
      ws.close()
      resolve(true)
    })
    ws.once('error', () => resolve(false))
  })
}

async function openLink(user: string, link: string): Promise<void> {
  let p = pages.get(user)
  if (p === undefined) {
    const context = await browser.newContext({ viewport: { width: 1100, height: 800 } })
    context.setDefaultTimeout(WAIT_MS)
    p = await context.newPage()
    pages.set(user, p)
  }
  await p.goto(link)
  await expect.poll(() => byTestId(user, 'me').textContent(), { timeout: WAIT_MS }).toBe(user)
}

beforeAll(async () => {
  net = await startDevnet({ dir: dir.path, megas: 1, supernodes: 2, fastReattach: true })
  for (const user of ['alice', 'bob']) await signIn(net, user, user)
  devices.push(await up(net, 'alice', ['--away-after', '0']))
  devices.push(
    await startDaemon(['up', '--profile', 'bob', '--fast-reattach', '--away-after', '0'], /device (\S+) up/, {
      env: {
        PARLEY_HOME: net.home,
        PARLEY_TEST_WEB_SESSION_IDLE_MS: String(BOB_IDLE_MS),
        PARLEY_TEST_WEB_SESSION_MAX_MS: String(BOB_MAX_MS),
      },
    }),
  )
  await eventually(
    async () => ((await introduce(net.home, 'alice', 'bob', 5_000)) ? true : undefined),
    60_000,
  )
  browser = await launchBrowser()
}, 300_000)

afterAll(async () => {
  await browser?.close()
  for (const d of devices) await d.stop('SIGKILL')
  await net?.stop()
  dir.remove()
})

describe("a neighbour on another port of 127.0.0.1 and alice's web session (M5)", () => {
  let neighbour: Server
  const seen: IncomingHttpHeaders[] = []

  afterAll(() => neighbour?.close())

  it('a server on another port that her browser visits gets nothing that opens her device', async () => {
    const link = await signInLink(net.home, 'alice')
    const device = new URL(link).origin
    await openLink('alice', link)

    neighbour = createServer((req, res) => {
      seen.push(req.headers)
      const cors = {
        'access-control-allow-origin': req.headers.origin ?? '*',
        'access-control-allow-credentials': 'true',
      }
      if (req.url === '/')
        // Its page requests its own server every way a browser may add credentials.
        return res.writeHead(200, { 'content-type': 'text/html', ...cors }).end(
          `<img src="/pixel.png"><script>fetch('/beacon', { credentials: 'include' })
             .then(() => { document.title = 'sent' })</script>`,
        )
      res.writeHead(200, { 'content-type': 'image/png', ...cors }).end()
    })
    await new Promise<void>((resolve) => neighbour.listen(0, '127.0.0.1', resolve))
    const { port } = neighbour.address() as AddressInfo
    expect(String(port)).not.toBe(new URL(device).port)

    // A tab of the same browser profile opens the neighbour's page (a link, a redirect, a typed address).
    const tab = await pages.get('alice')!.context().newPage()
    await tab.goto(`http://127.0.0.1:${port}/`)
    await expect.poll(() => tab.title(), { timeout: WAIT_MS }).toBe('sent')
    await tab.close()

    const paths = seen.length
    expect(paths).toBeGreaterThanOrEqual(3)
    const credentials = seen.flatMap((h): Record<string, string>[] => [
      ...(h.cookie === undefined ? [] : [{ cookie: h.cookie }]),
      ...(h.authorization === undefined ? [] : [{ authorization: h.authorization }]),
    ])
    const working: string[] = []
    for (const c of credentials)
      if ((await raw(`${device}/v1/chat/contacts`, c)).status === 200) working.push(JSON.stringify(c))
    expect(working, 'credentials the neighbour received that open the device').toEqual([])
    expect(credentials).toEqual([])

    // Her own page still works: its token comes from its own storage.
    const { token } = await pageSession('alice')
    expect((await raw(`${device}/v1/chat/contacts`, { authorization: `Bearer ${token}` })).status).toBe(200)
  }, 120_000)

  it('Sign out ends the session on the device; `parley link` signs her back in to chat', async () => {
    const device = new URL(pages.get('alice')!.url()).origin
    const old = await pageSession('alice')
    expect(await socketOpens(device, old.token)).toBe(true)

    await byTestId('alice', 'sign-out').click()
    expect(await byTestId('alice', 'error').textContent()).toContain('You signed out')
    await byTestId('alice', 'signed-out').waitFor()

    const after = await raw(`${device}/v1/chat/contacts`, { authorization: `Bearer ${old.token}` })
    expect([after.status, codeOf(after)]).toEqual([401, ErrorCode.SignedOut])
    expect(await socketOpens(device, old.token)).toBe(false)
    const download = await raw(`${device}/v1/files/00/content?key=${old.downloadKey}`, {})
    expect([download.status, codeOf(download)]).toEqual([401, ErrorCode.Unauthorized])

    await openLink('alice', await signInLink(net.home, 'alice'))
    await byTestId('alice', 'contact-bob').click()
    await byTestId('alice', 'message-input').fill('back after signing out')
    await byTestId('alice', 'message-send').click()
    await eventually(async () => {
      const got = await conversation(net.home, 'bob', 'alice')
      return got.some((m) => m.text === 'back after signing out') || undefined
    }, WAIT_MS)
    await send(net.home, 'bob', 'alice', 'welcome back')
    await byTestId('alice', 'message').filter({ hasText: 'welcome back' }).waitFor()
    const again = await raw(`${device}/v1/chat/contacts`, { authorization: `Bearer ${old.token}` })
    expect(codeOf(again)).toBe(ErrorCode.SignedOut)
  }, 120_000)
})

describe("bob's device with short lifetimes (M5, L3)", () => {
  it('an idle page is signed out and says why; the token is refused as expired', async () => {
    const link = await signInLink(net.home, 'bob')
    const device = new URL(link).origin
    await openLink('bob', link)
    const { token } = await pageSession('bob')
    // Nobody touches the page: the device closes its socket when the session idles out.
    await expect
      .poll(
        () =>
          byTestId('bob', 'error')
            .textContent()
            .catch(() => null),
        { timeout: WAIT_MS },
      )
      .toContain('Your session expired')
    await byTestId('bob', 'signed-out').waitFor()
    const r = await raw(`${device}/v1/session`, { authorization: `Bearer ${token}` })
    expect([r.status, codeOf(r)]).toEqual([401, ErrorCode.SessionExpired])
  }, 60_000)

  it('a session in use lives past its idle time and ends at its absolute deadline', async () => {
    const link = new URL(await signInLink(net.home, 'bob'))
    const device = link.origin
    const exchanged = await raw(
      `${device}/v1/auth/session`,
      { 'content-type': 'application/json', origin: device },
      'POST',
      JSON.stringify({ code: link.searchParams.get('code') }),
    )
    expect(exchanged.status).toBe(200)
    const { token, expiresAt } = JSON.parse(exchanged.body) as { token: string; expiresAt: number }
    const issuedAt = expiresAt - BOB_MAX_MS
    const auth = { authorization: `Bearer ${token}` }
    let lastOk = 0
    const refused = await eventually(
      async () => {
        const res = await raw(`${device}/v1/session`, auth)
        const done = Date.now()
        if (res.status === 200) {
          lastOk = done
          return undefined
        }
        return { code: codeOf(res), done }
      },
      BOB_MAX_MS + WAIT_MS,
      250,
    )
    expect(refused.code).toBe(ErrorCode.SessionExpired)
    // Never refused before its deadline, and in use it outlived the idle time by far.
    expect(refused.done).toBeGreaterThanOrEqual(expiresAt)
    expect(lastOk - issuedAt).toBeGreaterThan(2 * BOB_IDLE_MS)
  }, 60_000)
})
