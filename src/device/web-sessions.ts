/**
 * The web client's sessions on the local API, as a sans-IO core: the clock
 * and the random source are passed in. A one-time sign-in code (the link that
 * `parley up` and `parley link` print) is exchanged by the page for a bearer
 * token that the page keeps in its own storage, which the browser ties to
 * scheme, host and port: no other server on 127.0.0.1 ever receives it, as it
 * did the cookie this replaces. A session ends when it is signed out, after
 * `idleMs` without a request, or `maxMs` after sign-in, whichever comes first.
 * Ended sessions are remembered for a while so the page can say why.
 */
import { createHash } from 'node:crypto'
import { ErrorCode } from '../wire/error-codes.js'

export interface WebSessionLimits {
  /** How long a sign-in link may wait to be opened. */
  linkMs: number
  /** A session that makes no request for this long ends. */
  idleMs: number
  /** A session ends this long after sign-in, used or not. */
  maxMs: number
}

export const DEFAULT_WEB_SESSION_LIMITS: WebSessionLimits = {
  linkMs: 10 * 60_000,
  idleMs: 12 * 3_600_000,
  maxMs: 30 * 24 * 3_600_000,
}

/** At most this many live sessions and unused links; the oldest go first. */
const MAX_SESSIONS = 64
const MAX_LINKS = 64
/** Ended sessions kept to answer with the reason (signed out, expired). */
const MAX_ENDED = 256

export type SessionEnd = typeof ErrorCode.SignedOut | typeof ErrorCode.SessionExpired

/** Why a token is refused: signed out, expired, or never known here (a restart forgets all). */
export type SessionRefusal = SessionEnd | typeof ErrorCode.Unauthorized

export interface IssuedSession {
  token: string
  /** Opens this session's file downloads only (`GET /v1/files/:id/content?key=`), for links a page cannot add a header to. */
  downloadKey: string
  idleMs: number
  expiresAt: number
}

interface Live {
  createdAt: number
  usedAt: number
  /** The download key's digest: compared as digests, so the comparison's timing tells nothing. */
  download: string
}

const digest = (s: string): string => createHash('sha256').update(s).digest('base64url')

export class WebSessions {
  private readonly links = new Map<string, number>()
  private readonly live = new Map<string, Live>()
  private readonly ended = new Map<string, SessionEnd>()
  private justEnded: Array<{ id: string; why: SessionEnd }> = []

  constructor(
    private readonly limits: WebSessionLimits,
    /** 32 random bytes as base64url, say; a token or code. */
    private readonly secret: () => string,
  ) {}

  /** A one-time code for a sign-in link, valid for `linkMs`. */
  issueLink(now: number): string {
    this.sweep(now)
    const code = this.secret()
    this.links.set(digest(code), now + this.limits.linkMs)
    trim(this.links, MAX_LINKS)
    return code
  }

  /** Trades a link's code, once and in time, for a session; undefined when the code is used, expired or unknown. */
  exchange(code: string, now: number): IssuedSession | undefined {
    this.sweep(now)
    const key = digest(code)
    const until = this.links.get(key)
    this.links.delete(key)
    if (until === undefined || until < now) return undefined
    const token = this.secret()
    const downloadKey = this.secret()
    const session: Live = { createdAt: now, usedAt: now, download: digest(downloadKey) }
    this.live.set(digest(token), session)
    for (const oldest of trim(this.live, MAX_SESSIONS)) this.end(oldest, ErrorCode.SessionExpired)
    return { token, downloadKey, ...this.deadlines(session) }
  }

  /** Whether the token opens the API now; a request counts as use and keeps an idle session going. */
  use(token: string, now: number): SessionRefusal | undefined {
    return this.useKey(digest(token), now)
  }

  /** Whether the download key belongs to a live session; a download counts as use. */
  useDownloadKey(downloadKey: string, now: number): boolean {
    const wanted = digest(downloadKey)
    for (const [key, s] of this.live) if (s.download === wanted) return this.useKey(key, now) === undefined
    return false
  }

  private useKey(key: string, now: number): SessionRefusal | undefined {
    const s = this.live.get(key)
    if (s === undefined) return this.ended.get(key) ?? ErrorCode.Unauthorized
    if (this.expired(s, now)) {
      this.end(key, ErrorCode.SessionExpired)
      return ErrorCode.SessionExpired
    }
    s.usedAt = now
    return undefined
  }

  /** Ends the token's session; answers whether it was live. */
  signOut(token: string, now: number): boolean {
    const key = digest(token)
    const s = this.live.get(key)
    if (s === undefined || this.expired(s, now)) return false
    this.end(key, ErrorCode.SignedOut)
    return true
  }

  /** The session's deadlines as the page is told them. */
  describe(token: string): { idleMs: number; expiresAt: number } | undefined {
    const s = this.live.get(digest(token))
    return s === undefined ? undefined : this.deadlines(s)
  }

  /**
   * Ends what is past its deadline and answers every session ended since the
   * last call (expired here, or signed out) by id and reason, so the adapter
   * can close their sockets (`WebSessions.idOf` maps a token to the same id).
   */
  sweep(now: number): Array<{ id: string; why: SessionEnd }> {
    for (const [code, until] of this.links) if (until < now) this.links.delete(code)
    for (const [key, s] of this.live) if (this.expired(s, now)) this.end(key, ErrorCode.SessionExpired)
    const gone = this.justEnded
    this.justEnded = []
    return gone
  }

  /** The id `sweep` names a session by. */
  static idOf(token: string): string {
    return digest(token)
  }

  /** When the next session would expire if nothing used it: when to sweep next. */
  nextDeadline(): number | undefined {
    let next: number | undefined
    for (const s of this.live.values()) {
      const at = this.deadlineOf(s)
      if (next === undefined || at < next) next = at
    }
    return next
  }

  private deadlines(s: Live): { idleMs: number; expiresAt: number } {
    return { idleMs: this.limits.idleMs, expiresAt: s.createdAt + this.limits.maxMs }
  }

  private deadlineOf(s: Live): number {
    return Math.min(s.usedAt + this.limits.idleMs, s.createdAt + this.limits.maxMs)
  }

  private expired(s: Live, now: number): boolean {
    return now >= this.deadlineOf(s)
  }

  private end(key: string, why: SessionEnd): void {
    this.live.delete(key)
    this.ended.set(key, why)
    this.justEnded.push({ id: key, why })
    trim(this.ended, MAX_ENDED)
  }
}

/** Drops the oldest entries (a Map keeps insertion order) beyond `max`; answers their keys. */
function trim<V>(map: Map<string, V>, max: number): string[] {
  const dropped: string[] = []
  for (const key of map.keys()) {
    if (map.size <= max) break
    map.delete(key)
    dropped.push(key)
  }
  return dropped
}

/**
 * The lifetimes to use: the defaults, which `PARLEY_TEST_WEB_SESSION_IDLE_MS`
 * and `PARLEY_TEST_WEB_SESSION_MAX_MS` may shorten for tests and never
 * lengthen, so setting them can weaken nothing.
 */
export function webSessionLimits(env: Record<string, string | undefined>): WebSessionLimits {
  const shorter = (name: string, fallback: number): number => {
    const v = Number(env[name])
    return Number.isFinite(v) && v > 0 ? Math.min(v, fallback) : fallback
  }
  const d = DEFAULT_WEB_SESSION_LIMITS
  return {
    linkMs: d.linkMs,
    idleMs: shorter('PARLEY_TEST_WEB_SESSION_IDLE_MS', d.idleMs),
    maxMs: shorter('PARLEY_TEST_WEB_SESSION_MAX_MS', d.maxMs),
  }
}
