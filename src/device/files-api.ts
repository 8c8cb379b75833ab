/**
 * The files part of the local API: offer a file to a contact (the raw body is
 * the file, `x-file-name` its name, URI-encoded), list transfers with their
 * state and progress, accept or decline an incoming one, and download what
 * was sent or received, or cancel one under way (either side). Live progress comes on the WebSocket as `file-*`
 * notices.
 */
import { createReadStream } from 'node:fs'
import { Readable } from 'node:stream'
import { Hono, type Context } from 'hono'
import { FileError } from '../files/transfer.js'
import type { FileService } from '../files/service.js'
import { ErrorCode } from '../wire/error-codes.js'
import { isUsername } from '../wire/fields.js'

const STATUS: Record<string, 400 | 404 | 409 | 413 | 503> = {
  not_found: 404,
  not_contact: 409,
  not_cancellable: 409,
  too_large: 413,
  starting: 503,
}

function fail(c: Context, err: unknown) {
  if (!(err instanceof FileError)) throw err
  return c.json({ error: { code: err.code, message: err.message } }, STATUS[err.code] ?? 400)
}

function nameOf(header: string | undefined): string {
  try {
    return decodeURIComponent(header ?? '')
  } catch {
    return header ?? ''
  }
}

/** The files routes, typed for the web client (web/src/files.ts). */
export function fileRoutes(current: () => FileService | undefined) {
  const svc = (): FileService => {
    const s = current()
    if (s === undefined) throw new FileError('starting', 'files are starting; try again')
    return s
  }
  const id = (c: Context): string => c.req.param('transfer') ?? ''

  return new Hono()
    .get('/v1/files', (c) => {
      try {
        return c.json({ transfers: svc().list() }, 200)
      } catch (err) {
        return fail(c, err)
      }
    })
    .post('/v1/files/:user', async (c) => {
      const user = c.req.param('user')
      if (!isUsername(user))
        return c.json({ error: { code: ErrorCode.InvalidUsername, message: 'not a valid username' } }, 400)
      const body = c.req.raw.body
      if (body === null)
        return c.json({ error: { code: ErrorCode.InvalidField, message: 'the body is the file' } }, 400)
      try {
        const transfer = await svc().offer(user, nameOf(c.req.header('x-file-name')), body, c.req.raw.signal)
        return c.json({ transfer }, 200)
      } catch (err) {
        return fail(c, err)
      }
    })
    .post('/v1/files/:transfer/:action{accept|decline|cancel}', (c) => {
      const action = c.req.param('action') as 'accept' | 'decline' | 'cancel'
      try {
        return c.json({ transfer: svc()[action](id(c)) }, 200)
      } catch (err) {
        return fail(c, err)
      }
    })
    .get('/v1/files/:transfer/content', (c) => {
      try {
        const file = svc().content(id(c))
        if (file === undefined) throw new FileError('not_found', 'no such file here (yet)')
        const body = Readable.toWeb(createReadStream(file.path)) as ReadableStream<Uint8Array>
        return new Response(body, {
          headers: {
            'content-type': 'application/octet-stream',
            'content-length': String(file.size),
            'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`,
          },
        })
      } catch (err) {
        return fail(c, err)
      }
    })
}
