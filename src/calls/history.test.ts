/**
 * The Calls list's route (`GET /v1/calls`) and the call event's kind
 * (`POST /v1/call/event/:user`), in-process against a real chat store: the
 * newest call events over every conversation, no text message, no stranger's
 * held event; the kind written into the event's JSON only when given.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ChatStore, type MessageKind } from '../chat/store.js'
import { callRoutes, type CallChat } from './api.js'
import { MAX_CALLS } from './history.js'

const dir = mkdtempSync(join(tmpdir(), 'parley-call-history-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

let n = 0
function routes() {
  const store = new ChatStore(join(dir, `s${++n}.sqlite`))
  const recorded: [string, string][] = []
  const chat: CallChat & { store: ChatStore } = {
    signal: () => Promise.reject(new Error('no signals here')),
    recordCall: (to, text) => void recorded.push([to, text]),
    store,
  }
  const add = (k: number, conversation: string, kind: MessageKind, text: string, held = false) =>
    store.addMessage({
      id: new Uint8Array(16).fill(k),
      conversation,
      sender: k % 2 === 0 ? 'alice' : conversation,
      senderDevice: 'd',
      lamport: k,
      sentAt: 1_000 * k,
      text,
      state: k % 2 === 0 ? 'sent' : 'received',
      held,
      kind,
    })
  return {
    app: callRoutes(
      () => Promise.reject(new Error('no turn')),
      () => chat,
    ),
    add,
    recorded,
  }
}

const event = (what: string, kind?: string) =>
  JSON.stringify({ call: `c-${what}`, what, durationMs: what === 'ended' ? 151_000 : 0, kind })

describe('GET /v1/calls', () => {
  it('lists the newest call events over every conversation, and nothing else', async () => {
    const { app, add } = routes()
    add(1, 'bob', 'call', event('missed', 'audio'))
    add(2, 'bob', 'text', 'hello')
    add(3, 'carol', 'call', event('ended', 'video'))
    add(4, 'bob', 'call', event('declined'))
    add(5, 'mallory', 'call', event('missed', 'video'), true)
    add(6, 'carol', 'file', '{}')
    const res = await app.request('/v1/calls')
    expect(res.status).toBe(200)
    const { calls } = (await res.json()) as {
      calls: { conversation: string; text: string; sender: string }[]
    }
    expect(calls.map((c) => [c.conversation, (JSON.parse(c.text) as { what: string }).what])).toEqual([
      ['bob', 'declined'],
      ['carol', 'ended'],
      ['bob', 'missed'],
    ])
    const two = (await (await app.request('/v1/calls?limit=2')).json()) as { calls: unknown[] }
    expect(two.calls).toHaveLength(2)
  })

  it('refuses a limit it cannot honour', async () => {
    const { app } = routes()
    for (const limit of ['0', '-1', 'x', '2.5', String(MAX_CALLS + 1)]) {
      const res = await app.request(`/v1/calls?limit=${limit}`)
      expect(res.status, limit).toBe(400)
      expect(await res.json()).toMatchObject({ error: { code: 'invalid_field' } })
    }
    expect((await app.request(`/v1/calls?limit=${MAX_CALLS}`)).status).toBe(200)
  })
})

describe('POST /v1/call/event/:user', () => {
  const post = (app: ReturnType<typeof routes>['app'], body: object) =>
    app.request('/v1/call/event/bob', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })

  it("writes the call's kind into the event when given, and nothing when not (as before)", async () => {
    const { app, recorded } = routes()
    expect((await post(app, { call: 'c1', what: 'ended', durationMs: 151_000, kind: 'audio' })).status).toBe(
      200,
    )
    expect((await post(app, { call: 'c2', what: 'missed' })).status).toBe(200)
    expect(recorded.map(([to, text]) => [to, JSON.parse(text) as unknown])).toEqual([
      ['bob', { call: 'c1', what: 'ended', durationMs: 151_000, kind: 'audio' }],
      ['bob', { call: 'c2', what: 'missed', durationMs: 0 }],
    ])
  })

  it('refuses a kind that is neither audio nor video', async () => {
    const { app, recorded } = routes()
    for (const kind of ['screen', 1, null]) {
      const res = await post(app, { call: 'c1', what: 'ended', kind })
      expect(res.status, String(kind)).toBe(400)
    }
    expect(recorded).toEqual([])
  })
})
