/**
 * The device's local API as a browser and as another web page see it: a
 * fresh device waits for sign-up through a one-time sign-in link; the link's
 * code gives a session token once (never a cookie, which would go to every
 * port of 127.0.0.1); other origins, other hosts and callers with no token
 * or session are refused, on HTTP and on the WebSocket. The web client's
 * typed client (web/src/client.ts) is run against it as the page runs it.
 */
import { request as httpRequest } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { DEMO_PASSWORD, startDevnet, type Devnet } from '../src/devnet/devnet.js'
import { apiOf, deviceClient } from '../web/src/client.js'
import { eventually } from './support/devnet.js'
import { run, startDaemon, tempDir, type Daemon } from './support/process.js'

const dir = tempDir('parley-api-')
let net: Devnet
let up: Daemon
let origin: string
let link: string

beforeAll(async () => {
  net = await startDevnet({ dir: dir.path, megas: 1, supernodes: 2, fastReattach: true })
  up = await startDaemon(['up', '--profile', 'newcomer', '--fast-reattach'], /no account on profile/, {
    env: { PARLEY_HOME: net.home, PARLEY_AUTHORITY: net.authorityUrl },
  })
  link = /sign-in link: (\S+)/.exec(up.output())![1]!
  origin = new URL(link).origin
}, 120_000)

afterAll(async () => {
  await up?.stop('SIGKILL')
  await net?.stop()
  dir.remove()
})

/** A raw HTTP request, so that Host and Origin are exactly what a test says. */
function raw(
  path: string,
  headers: Record<string, string>,
  method = 'GET',
  body?: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const url = new URL(path, origin)
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method,
        headers,
        setHost: false,
      },
      (res) => {
        let text = ''
        res.on('data', (d: Buffer) => (text += d.toString()))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }))
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

const host = () => ({ host: new URL(origin).host })
let auth: { authorization: string } = { authorization: '' }

/** Trades a sign-in link's code for a session, as the link's page does. */
const exchange = (link: string) =>
  raw(
    '/v1/auth/session',
    { ...host(), origin, 'content-type': 'application/json' },
    'POST',
    JSON.stringify({ code: new URL(link).searchParams.get('code') }),
  )

describe('signing a browser in', () => {
  it('refuses the API without a session or token', async () => {
    const r = await raw('/v1/session', host())
    expect(r.status).toBe(401)
    expect(JSON.parse(r.body)).toMatchObject({ error: { code: 'unauthorized' } })
  })

  it("the sign-in link's code gives a session token, once, and never a cookie", async () => {
    // Opening the link only loads the page (a prefetch uses nothing up); its script trades the code.
    const page = await raw(new URL(link).pathname + new URL(link).search, host())
    expect(page.headers['set-cookie']).toBeUndefined()
    const first = await exchange(link)
    expect(first.status).toBe(200)
    expect(first.headers['set-cookie']).toBeUndefined()
    const issued = JSON.parse(first.body) as { token: string; idleMs: number; expiresAt: number }
    expect(issued.idleMs).toBe(12 * 3_600_000)
    auth = { authorization: `Bearer ${issued.token}` }
    const again = await exchange(link)
    expect([again.status, JSON.parse(again.body)]).toMatchObject([401, { error: { code: 'link_expired' } }])
    const session = await raw('/v1/session', { ...host(), ...auth })
    expect(JSON.parse(session.body)).toMatchObject({ state: 'setup' })
  })

  it('signs up through the device, which then starts', async () => {
    const weak = await raw(
      '/v1/account/register',
      { ...host(), ...auth, origin, 'content-type': 'application/json' },
      'POST',
      JSON.stringify({ username: 'newcomer', password: 'short' }),
    )
    expect(weak.status).toBe(400)
    expect(JSON.parse(weak.body)).toMatchObject({ error: { code: 'invalid_password' } })
    const r = await raw(
      '/v1/account/register',
      { ...host(), ...auth, origin, 'content-type': 'application/json' },
      'POST',
      JSON.stringify({ username: 'newcomer', password: DEMO_PASSWORD, deviceName: 'browser test' }),
    )
    expect(r.status).toBe(200)
    await eventually(async () => {
      const s = JSON.parse((await raw('/v1/session', { ...host(), ...auth })).body) as {
        state: string
        username?: string
      }
      return s.state === 'ready' && s.username === 'newcomer' ? s : undefined
    }, 30_000)
    const contacts = await raw('/v1/chat/contacts', { ...host(), ...auth })
    expect(contacts.status).toBe(200)
    const again = await raw(
      '/v1/account/login',
      { ...host(), ...auth, origin, 'content-type': 'application/json' },
      'POST',
      JSON.stringify({ username: 'newcomer', password: DEMO_PASSWORD }),
    )
    expect(JSON.parse(again.body)).toMatchObject({ error: { code: 'already_signed_in' } })
  })
})

describe('refusing everyone else', () => {
  it('refuses a foreign Origin even with a valid session', async () => {
    const r = await raw('/v1/chat/contacts', { ...host(), ...auth, origin: 'http://evil.example' })
    expect(r.status).toBe(403)
    expect(JSON.parse(r.body)).toMatchObject({ error: { code: 'forbidden_origin' } })
    const post = await raw(
      '/v1/chat/status',
      { ...host(), ...auth, origin: 'http://127.0.0.1:1', 'content-type': 'application/json' },
      'POST',
      '{"status":"dnd"}',
    )
    expect(post.status).toBe(403)
  })

  it('refuses another Host (DNS rebinding)', async () => {
    const r = await raw('/v1/session', { host: `attacker.example:${new URL(origin).port}`, ...auth })
    expect(r.status).toBe(403)
    expect(JSON.parse(r.body)).toMatchObject({ error: { code: 'forbidden_host' } })
  })

  it('the WebSocket takes the session (in its subprotocols, as a page sends it) and the own origin only', async () => {
    const url = `${origin.replace('http', 'ws')}/v1/ws`
    const protocols = ['parley', `parley-token.${auth.authorization.slice('Bearer '.length)}`]
    const ws = new WebSocket(url, protocols, { headers: { origin } })
    const hello = await new Promise<string>((resolve, reject) => {
      ws.once('message', (d: Buffer) => resolve(d.toString()))
      ws.once('error', reject)
    })
    expect(JSON.parse(hello)).toMatchObject({ type: 'hello' })
    // The socket speaks `parley`: the token is never echoed back.
    expect(ws.protocol).toBe('parley')
    ws.close()
    for (const [offered, headers] of [
      [protocols, { origin: 'http://evil.example' }],
      [['parley'], { origin }],
      [['parley', 'parley-token.forged'], { origin }],
    ] as const) {
      const bad = new WebSocket(url, [...offered], { headers })
      const outcome = await new Promise<string>((resolve) => {
        bad.once('open', () => resolve('open'))
        bad.once('error', () => resolve('refused'))
      })
      expect(outcome).toBe('refused')
    }
  })

  it("a page's call signal frames: each bad one answered with its code, an oversized one closes only its own socket", async () => {
    const url = `${origin.replace('http', 'ws')}/v1/ws`
    const protocols = ['parley', `parley-token.${auth.authorization.slice('Bearer '.length)}`]
    const open = async () => {
      const ws = new WebSocket(url, protocols, { headers: { origin } })
      const frames: Record<string, unknown>[] = []
      ws.on('message', (d: Buffer) => frames.push(JSON.parse(d.toString()) as Record<string, unknown>))
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
      /** Sends a frame and waits for the answer to it (the frames after the hello that name no call). */
      const ask = async (data: string | Buffer) => {
        const seen = frames.length
        ws.send(data)
        return eventually(() => Promise.resolve(frames.slice(seen).find((f) => f.type !== 'hello')), 10_000)
      }
      return { ws, ask }
    }
    const page = await open()
    const other = await open()
    const ring = JSON.stringify({ call: 'c1', type: 'ring', sdp: { type: 'offer', sdp: 'v=0' } })
    expect(await page.ask('not json')).toMatchObject({ error: { code: 'invalid_json' } })
    expect(await page.ask(Buffer.from([1, 2, 3]))).toMatchObject({ error: { code: 'malformed' } })
    expect(
      await page.ask(JSON.stringify({ type: 'call-signal', id: 1, to: 'no such user!', payload: ring })),
    ).toMatchObject({ type: 'call-signal-error', id: 1, error: { code: 'invalid_username' } })
    // The socket is still open and still signs in a stranger's direction nothing.
    expect(
      await page.ask(JSON.stringify({ type: 'call-signal', id: 2, to: 'stranger', payload: ring })),
    ).toMatchObject({ type: 'call-signal-error', id: 2, error: { code: 'not_contact' } })

    const closed = new Promise<number>((resolve) => page.ws.once('close', (code: number) => resolve(code)))
    page.ws.send('x'.repeat(256 * 1024))
    expect(await closed).toBe(1009)
    // Another page's socket, and the device, go on.
    expect(
      await other.ask(JSON.stringify({ type: 'call-signal', id: 'after', to: 'stranger', payload: ring })),
    ).toMatchObject({ id: 'after', error: { code: 'not_contact' } })
    expect((await raw('/v1/session', { ...host(), ...auth })).status).toBe(200)
    other.ws.close()
  })

  it('the CLI keeps its token, and `parley link` makes a new one-time link', async () => {
    const r = await run(['link', '--profile', 'newcomer'], { env: { PARLEY_HOME: net.home } })
    expect(r.code).toBe(0)
    const fresh = r.stdout.trim()
    expect(fresh).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/signin\?code=/)
    expect((await exchange(fresh)).status).toBe(200)
  })
})

describe("the web client's typed client, against the device", () => {
  const api = () => apiOf(deviceClient(origin, () => auth))

  it('calls the routes it was typed for, and reads their answers', async () => {
    expect(await api().session()).toMatchObject({ state: 'ready', username: 'newcomer' })
    expect(await api().setStatus('dnd')).toBe('dnd')
    expect(await api().status()).toBe('dnd')
    expect(await api().contacts()).toEqual([])
    expect(await api().messages('nobody')).toMatchObject({ messages: [], presence: 'offline' })
  })

  it('a name typed with a reserved character reaches the route it was typed for, and is refused there', async () => {
    // Unencoded, `alice/block` went to POST /v1/chat/contacts/alice/block: alice was blocked.
    await expect(api().addContact('alice/block', 'hi')).rejects.toMatchObject({
      status: 400,
      code: 'invalid_username',
    })
    // `bob?limit=1` would have read bob's conversation; `carol#x` would have sent to carol.
    await expect(api().messages('bob?limit=1')).rejects.toMatchObject({ code: 'invalid_username' })
    await expect(api().send('carol#x', 'hello')).rejects.toMatchObject({ code: 'invalid_username' })
    await expect(api().edit('../../status', 'x')).rejects.toMatchObject({ code: 'invalid_field' })
    // What URLs cannot carry as a segment at all is refused before it leaves.
    await expect(api().addContact('..', 'hi')).rejects.toMatchObject({ code: 'invalid_username' })
    expect(await api().contacts()).toEqual([])
  })
})
