/** The local API never answers an empty body: every failure is a JSON error with a stable code. */
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { ChatError } from '../chat/chat.js'
import { WireDecodeError } from '../wire/decode.js'
import { ErrorCode } from '../wire/error-codes.js'
import { onApiError, onApiNotFound } from './api-errors.js'

function app(fail: () => never): Hono {
  const a = new Hono()
  a.onError(onApiError)
  a.notFound(onApiNotFound)
  a.post('/v1/x', () => fail())
  return a
}

async function call(a: Hono, path = '/v1/x') {
  const res = await a.request(path, { method: 'POST' })
  return { status: res.status, body: (await res.json()) as { error: { code: string; message: string } } }
}

describe('local API errors', () => {
  it('a ChatError keeps its code and status', async () => {
    const r = await call(
      app(() => {
        throw new ChatError(ErrorCode.NotContact, 'bob is not a contact')
      }),
    )
    expect(r).toEqual({
      status: 409,
      body: { error: { code: 'not_contact', message: 'bob is not a contact' } },
    })
  })

  it('a failure nobody foresaw is `internal` with its message, not an empty body', async () => {
    const r = await call(
      app(() => {
        throw new Error('Unexpected end of the world')
      }),
    )
    expect(r).toEqual({
      status: 500,
      body: { error: { code: 'internal', message: 'Unexpected end of the world' } },
    })
  })

  it('an error whose code is not ours (a system error) is internal too', async () => {
    const r = await call(
      app(() => {
        throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' })
      }),
    )
    expect(r.status).toBe(500)
    expect(r.body.error.code).toBe(ErrorCode.Internal)
  })

  it('a wire decoding error keeps its stable code', async () => {
    const r = await call(
      app(() => {
        throw new WireDecodeError(ErrorCode.InvalidField, 'lamport is out of range')
      }),
    )
    expect(r.body.error.code).toBe(ErrorCode.InvalidField)
  })

  it('an unknown path is a JSON not_found', async () => {
    const r = await call(
      app(() => {
        throw new Error('unused')
      }),
      '/v1/nothing',
    )
    expect(r.status).toBe(404)
    expect(r.body.error.code).toBe(ErrorCode.NotFound)
  })
})
