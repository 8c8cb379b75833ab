/**
 * HTTP client of the authority's JSON API, with a timeout on every call.
 * It speaks https to any authority that is not on loopback, and never turns
 * certificate verification off: a private CA is trusted by naming it.
 */
import { fromBase64, toBase64 } from '../wire/bytes.js'
import { GRANT_LIST_ENVELOPE_BYTES, GRANT_LIST_V2_ENVELOPE_BYTES } from '../wire/grants.js'
import { exchange, isLoopback, type Answer } from './authority-transport.js'

const TIMEOUT_MS = 15_000
const MAX_DOC_BYTES = 256 * 1024

/** The authority answered with a refusal. */
export class AuthorityRefusedError extends Error {
  override name = 'AuthorityRefusedError'
  constructor(
    readonly status: number,
    /** An ErrorCode, or 'unknown' when the answer had none. */
    readonly code: string,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message)
  }
}

/** The authority could not be reached or did not answer in time. */
export class AuthorityUnreachableError extends Error {
  override name = 'AuthorityUnreachableError'
}

/** The authority URL is plain http to a host that is not loopback: anyone on the path could read the password. */
export class InsecureAuthorityError extends Error {
  override name = 'InsecureAuthorityError'
}

export interface AuthorityClientOptions {
  /** PEM certificates (a private CA) to trust for this authority, besides the system's. */
  ca?: string
}

export interface SignInBody {
  username: string
  password: string
  deviceName: string
  devicePublicKey: Uint8Array
  challenge: Uint8Array
  proof: Uint8Array
}

export interface DeviceView {
  deviceId: string
  name: string
  createdAt: number
  lastSignInAt: number
  revokedAt: number | null
}

export class AuthorityClient {
  readonly url: string
  private readonly ca: string | undefined

  constructor(url: string, opts: AuthorityClientOptions = {}) {
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch {
      throw new AuthorityUnreachableError(
        `"${url}" is not a URL (expected something like http://127.0.0.1:7700)`,
      )
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new AuthorityUnreachableError(`the authority URL must be https, not ${parsed.protocol}`)
    }
    if (parsed.protocol === 'http:' && !isLoopback(parsed.hostname)) {
      throw new InsecureAuthorityError(
        `refusing ${parsed.origin}: plain http is allowed only on loopback; use https://${parsed.host}`,
      )
    }
    this.url = parsed.origin
    this.ca = opts.ca
  }

  networkConfig(signal?: AbortSignal): Promise<Uint8Array> {
    return this.call('GET', '/v1/network-config', undefined, signal).then((r) => doc(r.config))
  }

  revocations(signal?: AbortSignal): Promise<Uint8Array> {
    return this.call('GET', '/v1/revocations', undefined, signal).then((r) => doc(r.list))
  }

  /** The v2 list (no count cap, who revoked); an authority older than v2 answers 404: use revocations(). */
  revocationsV2(signal?: AbortSignal): Promise<Uint8Array> {
    return this.call('GET', '/v2/revocations', undefined, signal).then((r) => doc(r.list))
  }

  /**
   * The signed supernode grant list; undefined when the authority signs none
   * (older than grants, or its network still lets every account run one).
   */
  async supernodeGrants(signal?: AbortSignal): Promise<Uint8Array | undefined> {
    let answer: Record<string, unknown>
    try {
      answer = await this.call('GET', '/v1/supernode-grants', undefined, signal)
    } catch (err) {
      if (err instanceof AuthorityRefusedError && err.status === 404) return undefined
      throw err
    }
    const bytes = fromBase64(answer.list, GRANT_LIST_ENVELOPE_BYTES)
    if (bytes === undefined)
      throw new AuthorityUnreachableError('the authority answered with a malformed grant list')
    return bytes
  }

  /**
   * The v2 grant list (with seats and places); an authority older than seats
   * answers 404 and the v1 list is fetched instead. Undefined when the
   * authority signs no list at all.
   */
  async supernodeGrantsV2(signal?: AbortSignal): Promise<Uint8Array | undefined> {
    let answer: Record<string, unknown>
    try {
      answer = await this.call('GET', '/v2/supernode-grants', undefined, signal)
    } catch (err) {
      if (err instanceof AuthorityRefusedError && err.status === 404) return this.supernodeGrants(signal)
      throw err
    }
    const bytes = fromBase64(answer.list, GRANT_LIST_V2_ENVELOPE_BYTES)
    if (bytes === undefined)
      throw new AuthorityUnreachableError('the authority answered with a malformed grant list')
    return bytes
  }

  async register(username: string, password: string, signal?: AbortSignal): Promise<void> {
    await this.call('POST', '/v1/accounts', { username, password }, signal)
  }

  async challenge(signal?: AbortSignal): Promise<Uint8Array> {
    return doc((await this.call('POST', '/v1/challenges', {}, signal)).challenge)
  }

  async signIn(
    body: SignInBody,
    signal?: AbortSignal,
  ): Promise<{ certificate: Uint8Array; networkConfig: Uint8Array }> {
    const r = await this.call(
      'POST',
      '/v1/sign-in',
      {
        ...body,
        devicePublicKey: toBase64(body.devicePublicKey),
        challenge: toBase64(body.challenge),
        proof: toBase64(body.proof),
      },
      signal,
    )
    return { certificate: doc(r.certificate), networkConfig: doc(r.networkConfig) }
  }

  async renew(
    body: { certificate: Uint8Array; challenge: Uint8Array; proof: Uint8Array },
    signal?: AbortSignal,
  ): Promise<{ certificate: Uint8Array; networkConfig: Uint8Array }> {
    const r = await this.call(
      'POST',
      '/v1/renew',
      {
        certificate: toBase64(body.certificate),
        challenge: toBase64(body.challenge),
        proof: toBase64(body.proof),
      },
      signal,
    )
    return { certificate: doc(r.certificate), networkConfig: doc(r.networkConfig) }
  }

  async listDevices(username: string, password: string, signal?: AbortSignal): Promise<DeviceView[]> {
    return (await this.call('POST', '/v1/devices/list', { username, password }, signal))
      .devices as DeviceView[]
  }

  async revoke(username: string, password: string, deviceId: string, signal?: AbortSignal): Promise<void> {
    await this.call('POST', '/v1/devices/revoke', { username, password, deviceId }, signal)
  }

  async revokeAsAdmin(adminToken: string, deviceId: string, signal?: AbortSignal): Promise<void> {
    await this.call('POST', '/v1/admin/devices/revoke', { deviceId }, signal, {
      authorization: `Bearer ${adminToken}`,
    })
  }

  private async call(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    signal: AbortSignal | undefined,
    headers: Record<string, string> = {},
  ): Promise<Record<string, unknown>> {
    const timeout = AbortSignal.timeout(TIMEOUT_MS)
    let res: Answer
    try {
      res = await exchange(new URL(this.url + path), {
        method,
        headers: { 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        ca: this.ca,
        signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
      })
    } catch (err) {
      if (signal?.aborted === true) throw err
      if (TLS_TRUST_CODES.has((err as { code?: string }).code ?? '')) {
        throw new AuthorityUnreachableError(
          `refusing the authority at ${this.url}: its TLS certificate is not trusted (${(err as { code: string }).code}); ` +
            'if it uses a private CA, pass --authority-ca FILE',
        )
      }
      throw new AuthorityUnreachableError(`cannot reach the authority at ${this.url} (${describe(err)})`)
    }
    let parsed: Record<string, unknown>
    try {
      parsed = JSON.parse(res.text) as Record<string, unknown>
    } catch {
      throw new AuthorityUnreachableError(`the authority at ${this.url} answered ${res.status} without JSON`)
    }
    if (res.status < 200 || res.status > 299) {
      const e = (parsed.error ?? {}) as { code?: string; message?: string }
      const retry = Number(res.retryAfter ?? NaN)
      throw new AuthorityRefusedError(
        res.status,
        e.code ?? 'unknown',
        e.message ?? `HTTP ${res.status}`,
        Number.isFinite(retry) ? retry : undefined,
      )
    }
    return parsed
  }
}

/** Node's codes for a TLS certificate that does not verify against the trusted CAs or for the host. */
const TLS_TRUST_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
])

function doc(value: unknown): Uint8Array {
  const bytes = fromBase64(value, MAX_DOC_BYTES)
  if (bytes === undefined)
    throw new AuthorityUnreachableError('the authority answered with a malformed document')
  return bytes
}

function describe(err: unknown): string {
  const e = err as { name?: string; code?: string; message?: string; cause?: { name?: string } }
  if (e.name === 'TimeoutError' || e.cause?.name === 'TimeoutError') return 'timed out'
  return e.code ?? e.message ?? String(err)
}
