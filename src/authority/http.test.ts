/**
 * The authority's HTTP API in-process (hono's fetch) over a real SQLite file:
 * every field check answers 400 with its own code, the sign-in proof cannot be
 * replayed or borrowed, and no password reaches the log.
 */
import { signInProof } from '../trust/sign-in-proof.js'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateKey, signerOf, type Signer } from '../crypto/keys.js'
import { verifyCertificate } from '../trust/certificate.js'
import { verifyNetworkConfig } from '../trust/network-config.js'
import { verifyRevocationList } from '../trust/revocations.js'
import { fromBase64, toBase64 } from '../wire/bytes.js'
import { ADMIN_TOKEN_FILE, initAuthority } from './data-dir.js'
import { buildAuthority, type BuiltAuthority } from './server.js'

const dir = mkdtempSync(join(tmpdir(), 'parley-http-'))
const logFile = join(dir, 'authority.log')
const PASSWORD = 'a secret that must never be logged'
let authority: BuiltAuthority
let adminToken: string

beforeAll(async () => {
  await initAuthority(dir, 'http-test')
  adminToken = readFileSync(join(dir, ADMIN_TOKEN_FILE), 'utf8').trim()
  authority = await buildAuthority({
    dataDir: dir,
    passwordCost: { N: 2 ** 10, r: 8, p: 1 },
    rates: {
      perUser: '1000/1s',
      perAddress: '1000/1s',
      registrations: '1000/1s',
      challenges: '1000/1s',
      renewals: '1000/1s',
    },
    log: pino({ level: 'debug' }, pino.destination({ dest: logFile, sync: true })),
    clientAddress: () => '127.0.0.1',
  })
})
afterAll(async () => {
  await authority.store.close()
  rmSync(dir, { recursive: true, force: true })
})

interface Answer {
  error: { code: string; message: string }
  [field: string]: unknown
}

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const init: RequestInit = { method, headers: { 'content-type': 'application/json', ...headers } }
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body)
  const res = await authority.app.fetch(new Request(`http://authority${path}`, init))
  const text = await res.text()
  return {
    status: res.status,
    headers: res.headers,
    body: (text.startsWith('{') ? JSON.parse(text) : {}) as Answer,
    text,
  }
}

const networkId = 'http-test'
function proof(
  signer: Signer,
  challenge: Uint8Array,
  username: string,
  overrides: Partial<{ networkId: string }> = {},
) {
  return signInProof(signer, overrides.networkId ?? networkId, username, challenge)
}

async function challenge(): Promise<Uint8Array> {
  const res = await call('POST', '/v1/challenges', {})
  return fromBase64(res.body.challenge, 64)!
}

async function signInBody(
  username: string,
  signer: Signer,
  opts: { password?: string; proofSigner?: Signer; proofUser?: string } = {},
) {
  const c = await challenge()
  return {
    username,
    password: opts.password ?? PASSWORD,
    deviceName: 'test device',
    devicePublicKey: toBase64(signer.publicKey),
    challenge: toBase64(c),
    proof: toBase64(proof(opts.proofSigner ?? signer, c, opts.proofUser ?? username)),
  }
}

describe('registration and sign-in', () => {
  it('registers, signs in, and returns a certificate that verifies offline with the published key', async () => {
    expect((await call('POST', '/v1/accounts', { username: 'dora', password: PASSWORD })).status).toBe(201)
    const signer = signerOf(await generateKey())
    const res = await call('POST', '/v1/sign-in', await signInBody('dora', signer))
    expect(res.status).toBe(200)
    const config = verifyNetworkConfig(
      fromBase64((await call('GET', '/v1/network-config')).body.config, 65536)!,
    )
    const cert = verifyCertificate(fromBase64(res.body.certificate, 4096)!, {
      networkPublicKey: config.networkPublicKey,
      networkId: config.networkId,
      now: Date.now(),
    })
    expect(cert.username).toBe('dora')
    // The supernode role is granted by the operator, never by default (grants.test.ts).
    expect(cert.policy).toEqual({ maySupernode: false, mayRelay: true, maySendFiles: true })
  })

  it('answers an unknown user and a wrong password with the same code and message', async () => {
    const signer = signerOf(await generateKey())
    const unknown = await call('POST', '/v1/sign-in', await signInBody('nobody', signer))
    const wrong = await call(
      'POST',
      '/v1/sign-in',
      await signInBody('dora', signer, { password: 'not the password' }),
    )
    expect(unknown.status).toBe(401)
    expect(wrong.status).toBe(401)
    expect(unknown.body).toEqual(wrong.body)
    expect(unknown.body.error.code).toBe('invalid_credentials')
  })

  it('refuses a replayed challenge', async () => {
    const signer = signerOf(await generateKey())
    const body = await signInBody('dora', signer)
    expect((await call('POST', '/v1/sign-in', body)).status).toBe(200)
    const replay = await call('POST', '/v1/sign-in', body)
    expect(replay.status).toBe(401)
    expect(replay.body.error.code).toBe('challenge_expired')
  })

  it('refuses a proof made with another key, for another user, or for another network', async () => {
    const signer = signerOf(await generateKey())
    const other = signerOf(await generateKey())
    for (const body of [
      await signInBody('dora', signer, { proofSigner: other }),
      await signInBody('dora', signer, { proofUser: 'eve' }),
    ]) {
      const res = await call('POST', '/v1/sign-in', body)
      expect(res.status).toBe(401)
      expect(res.body.error.code).toBe('proof_failed')
    }
    const c = await challenge()
    const foreign = await call('POST', '/v1/sign-in', {
      ...(await signInBody('dora', signer)),
      challenge: toBase64(c),
      proof: toBase64(proof(signer, c, 'dora', { networkId: 'elsewhere' })),
    })
    expect(foreign.body.error.code).toBe('proof_failed')
  })

  it('refuses a device key already signed in to another account', async () => {
    expect((await call('POST', '/v1/accounts', { username: 'eve', password: PASSWORD })).status).toBe(201)
    const signer = signerOf(await generateKey())
    expect((await call('POST', '/v1/sign-in', await signInBody('dora', signer))).status).toBe(200)
    const res = await call('POST', '/v1/sign-in', await signInBody('eve', signer))
    expect(res.status).toBe(409)
    expect(res.body.error.code).toBe('device_owned_elsewhere')
  })

  it('refuses a taken username', async () => {
    const res = await call('POST', '/v1/accounts', { username: 'dora', password: PASSWORD })
    expect(res.status).toBe(409)
    expect(res.body.error.code).toBe('username_taken')
  })
})

describe('every field is checked', () => {
  const good = { username: 'frank', password: PASSWORD }
  it.each([
    ['/v1/accounts', 'invalid_username', { ...good, username: 'ab' }],
    ['/v1/accounts', 'invalid_username', { ...good, username: 'x'.repeat(33) }],
    ['/v1/accounts', 'invalid_username', { ...good, username: 'Frank' }],
    ['/v1/accounts', 'invalid_username', { ...good, username: 'fr ank' }],
    ['/v1/accounts', 'invalid_username', { ...good, username: 42 }],
    ['/v1/accounts', 'invalid_password', { ...good, password: 'short' }],
    ['/v1/accounts', 'invalid_password', { ...good, password: ['array'] }],
    ['/v1/accounts', 'invalid_json', [good]],
    ['/v1/accounts', 'invalid_json', '{"username": '],
    ['/v1/sign-in', 'invalid_device_name', { ...good, deviceName: '' }],
    ['/v1/sign-in', 'invalid_device_name', { ...good, deviceName: 'tab\there' }],
    ['/v1/sign-in', 'invalid_public_key', { ...good, deviceName: 'ok', devicePublicKey: 'AAAA' }],
    ['/v1/sign-in', 'invalid_public_key', { ...good, deviceName: 'ok', devicePublicKey: 'not base64!' }],
    [
      '/v1/sign-in',
      'invalid_challenge',
      { ...good, deviceName: 'ok', devicePublicKey: toBase64(new Uint8Array(32)), challenge: '' },
    ],
    [
      '/v1/sign-in',
      'invalid_signature',
      {
        ...good,
        deviceName: 'ok',
        devicePublicKey: toBase64(new Uint8Array(32)),
        challenge: 'AAAA',
        proof: 7,
      },
    ],
    ['/v1/renew', 'invalid_certificate', { certificate: 'AAAA'.repeat(1000) }],
    ['/v1/devices/revoke', 'invalid_device_id', { ...good, deviceId: 'not-a-peer-id' }],
  ])('POST %s → %s (%#)', async (path, code, body) => {
    const res = await call('POST', path, body)
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe(code)
  })

  it('caps the body size', async () => {
    const res = await call('POST', '/v1/accounts', { username: 'big', password: 'x'.repeat(20_000) })
    expect(res.status).toBe(413)
    expect(res.body.error.code).toBe('body_too_large')
  })

  it('answers unknown paths with a JSON 404', async () => {
    const res = await call('GET', '/v2/anything')
    expect(res.status).toBe(404)
    expect(res.body.error.code).toBe('not_found')
  })
})

describe('renewal and revocation', () => {
  it('renews with a valid certificate and a fresh proof; refuses an altered certificate', async () => {
    const signer = signerOf(await generateKey())
    const cert = fromBase64(
      (await call('POST', '/v1/sign-in', await signInBody('dora', signer))).body.certificate,
      4096,
    )!
    const c = await challenge()
    const ok = await call('POST', '/v1/renew', {
      certificate: toBase64(cert),
      challenge: toBase64(c),
      proof: toBase64(proof(signer, c, 'dora')),
    })
    expect(ok.status).toBe(200)
    const altered = new Uint8Array(cert)
    const inPayload = altered.length - 80 // before the key id and signature fields at the end
    altered[inPayload] = (altered[inPayload] ?? 0) ^ 1
    const c2 = await challenge()
    const bad = await call('POST', '/v1/renew', {
      certificate: toBase64(altered),
      challenge: toBase64(c2),
      proof: toBase64(proof(signer, c2, 'dora')),
    })
    expect(bad.status).toBe(401)
    expect(bad.body.error.code).toBe('bad_signature')
  })

  it('lets an administrator revoke any device, and only with the token; the signed list names it', async () => {
    const signer = signerOf(await generateKey())
    const cert = fromBase64(
      (await call('POST', '/v1/sign-in', await signInBody('eve', signer))).body.certificate,
      4096,
    )!
    const config = verifyNetworkConfig(
      fromBase64((await call('GET', '/v1/network-config')).body.config, 65536)!,
    )
    const { deviceId } = verifyCertificate(cert, { ...config, now: Date.now() })

    const anonymous = await call('POST', '/v1/admin/devices/revoke', { deviceId })
    expect(anonymous.status).toBe(401)
    expect(anonymous.body.error.code).toBe('unauthorized')
    const wrong = await call(
      'POST',
      '/v1/admin/devices/revoke',
      { deviceId },
      { authorization: 'Bearer nope' },
    )
    expect(wrong.status).toBe(401)
    const ok = await call(
      'POST',
      '/v1/admin/devices/revoke',
      { deviceId },
      { authorization: `Bearer ${adminToken}` },
    )
    expect(ok.status).toBe(200)

    const list = verifyRevocationList(
      fromBase64((await call('GET', '/v1/revocations')).body.list, 1 << 20)!,
      config,
    )
    expect(list.has(deviceId)).toBe(true)
    expect(() =>
      verifyCertificate(cert, { ...config, now: Date.now(), isRevoked: (id) => list.has(id) }),
    ).toThrow(/revoked/)
    const again = await call('POST', '/v1/sign-in', await signInBody('eve', signer))
    expect(again.status).toBe(403)
    expect(again.body.error.code).toBe('device_revoked')
  })

  it("does not let one user revoke another user's device", async () => {
    const signer = signerOf(await generateKey())
    const cert = fromBase64(
      (await call('POST', '/v1/sign-in', await signInBody('dora', signer))).body.certificate,
      4096,
    )!
    const config = verifyNetworkConfig(
      fromBase64((await call('GET', '/v1/network-config')).body.config, 65536)!,
    )
    const { deviceId } = verifyCertificate(cert, { ...config, now: Date.now() })
    const res = await call('POST', '/v1/devices/revoke', { username: 'eve', password: PASSWORD, deviceId })
    expect(res.status).toBe(404)
    expect(res.body.error.code).toBe('device_not_found')
  })
})

describe('operations', () => {
  it('reports health and Prometheus metrics', async () => {
    const health = await call('GET', '/health')
    expect(health.status).toBe(200)
    expect(health.body).toEqual({ status: 'ok', networkId })
    const metrics = await call('GET', '/metrics')
    expect(metrics.headers.get('content-type')).toMatch(/text\/plain/)
    expect(metrics.text).toMatch(/parley_authority_sign_ins_total\{result="ok"\} [1-9]/)
    expect(metrics.text).toMatch(/parley_authority_sign_ins_total\{result="invalid_credentials"\} [1-9]/)
    expect(metrics.text).toMatch(/parley_authority_password_hash_seconds_count [1-9]/)
  })

  it('never writes a password or token to the log', () => {
    const log = readFileSync(logFile, 'utf8')
    expect(log).toMatch(/device signed in/)
    expect(log).not.toContain(PASSWORD)
    expect(log).not.toContain('not the password')
    expect(log).not.toContain(adminToken)
  })
})

describe('under a login flood', () => {
  it('answers 503 busy with Retry-After instead of queueing without end', async () => {
    const floodDir = mkdtempSync(join(tmpdir(), 'parley-flood-'))
    await initAuthority(floodDir, 'flood-test')
    const flooded = await buildAuthority({
      dataDir: floodDir,
      passwordCost: { N: 2 ** 14, r: 8, p: 1 },
      maxHashQueue: 0,
      rates: {
        perUser: '1000/1s',
        perAddress: '1000/1s',
        registrations: '1000/1s',
        challenges: '1000/1s',
        renewals: '1000/1s',
      },
      log: pino({ level: 'silent' }),
      clientAddress: () => '127.0.0.1',
    })
    try {
      const attempts = Array.from({ length: 12 }, async () =>
        flooded.app.fetch(
          new Request('http://authority/v1/devices/list', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ username: 'someone', password: 'whatever password' }),
          }),
        ),
      )
      const answers = await Promise.all(attempts)
      const busy = answers.filter((r) => r.status === 503)
      // Four run (libuv's thread pool); none may wait; the rest are shed at once.
      expect(answers.filter((r) => r.status === 401).length).toBeGreaterThanOrEqual(1)
      expect(busy.length).toBeGreaterThanOrEqual(1)
      expect(busy[0]?.headers.get('retry-after')).toBe('2')
      expect(((await busy[0]?.json()) as Answer).error.code).toBe('unavailable')
      const metrics = await (await flooded.app.fetch(new Request('http://authority/metrics'))).text()
      expect(metrics).toMatch(/parley_authority_shed_total\{reason="hash_queue"\} [1-9]/)
    } finally {
      await flooded.store.close()
      rmSync(floodDir, { recursive: true, force: true })
    }
  })
})
