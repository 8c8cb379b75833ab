/**
 * Keeps a running node's certificate fresh, for `parley up` and `parley
 * supernode` alike: RenewalSchedule decides when, this adapter waits on a
 * timer, renews through the authority and hands the new certificate to its
 * owner, which swaps it in place. A certificate a CLI command already renewed
 * on disk is taken as it is (keepFresh reads the profile first).
 * No timer here can throw the process down: every failure is caught, retried
 * with backoff, and each kind of failure is logged once until a renewal works.
 */
import type { Logger } from '../log/logger.js'
import { verifyCertificate, type Certificate } from '../trust/certificate.js'
import type { NetworkConfig } from '../trust/network-config.js'
import { RenewalSchedule, type RenewalScheduleOptions } from '../trust/renewal.js'
import type { Profile } from './profile.js'
import { keepFresh, loadIdentity, renewalJitter } from './session.js'

/** setTimeout's longest wait; a renewal further off than this (24.8 days) wakes early and waits again. */
const MAX_TIMER_MS = 2 ** 31 - 1
/** One attempt (challenge, then renewal) gives up after this long and counts as a failure. */
const ATTEMPT_TIMEOUT_MS = 15_000

export interface RenewalLoopInit {
  /** A certificate that is fresh at `now`, renewed if due; rejects when it cannot get one. */
  renew: (now: number, signal: AbortSignal) => Promise<Certificate>
  /** Each certificate with a new serial, to swap in place. */
  onRenewed: (cert: Certificate) => void
  log: Logger
  random?: () => number
  now?: () => number
  schedule?: RenewalScheduleOptions
}

export class RenewalLoop {
  private readonly schedule: RenewalSchedule
  private readonly controller = new AbortController()
  /** Failure kinds logged since the last success: each is logged once. */
  private readonly logged = new Set<string>()
  private timer: NodeJS.Timeout | undefined
  private stopped = false

  constructor(
    private current: Certificate,
    private readonly init: RenewalLoopInit,
  ) {
    this.schedule = new RenewalSchedule(current, renewalJitter(current), this.now(), init.schedule)
  }

  /** The certificate in use. */
  get certificate(): Certificate {
    return this.current
  }

  start(): void {
    this.arm()
  }

  stop(): void {
    this.stopped = true
    clearTimeout(this.timer)
    this.controller.abort()
  }

  private now(): number {
    return (this.init.now ?? Date.now)()
  }

  private arm(): void {
    if (this.stopped) return
    clearTimeout(this.timer)
    const wait = Math.min(MAX_TIMER_MS, Math.max(0, this.schedule.pollTimeout() - this.now()))
    this.timer = setTimeout(() => {
      this.attempt()
        .catch((err: unknown) => this.init.log.error({ err }, 'certificate renewal round failed'))
        .finally(() => this.arm())
    }, wait)
    this.timer.unref()
  }

  private async attempt(): Promise<void> {
    if (this.now() < this.schedule.pollTimeout()) return
    let cert: Certificate
    try {
      const signal = AbortSignal.any([this.controller.signal, AbortSignal.timeout(ATTEMPT_TIMEOUT_MS)])
      cert = await this.init.renew(this.now(), signal)
    } catch (err) {
      if (this.stopped) return
      this.schedule.handleFailure(this.now(), (this.init.random ?? Math.random)())
      this.logFailure(err)
      return
    }
    if (this.stopped) return
    const renewed = cert.serial !== this.current.serial
    this.schedule.handleRenewed(cert, renewalJitter(cert), this.now())
    if (!renewed) return
    if (this.logged.size > 0)
      this.init.log.info({ serial: cert.serial.toString() }, 'certificate renewal works again')
    this.logged.clear()
    this.current = cert
    this.init.log.info(
      { serial: cert.serial.toString(), notAfter: new Date(cert.notAfter).toISOString() },
      'certificate renewed in place',
    )
    this.init.onRenewed(cert)
  }

  private logFailure(err: unknown): void {
    const e = err as { name?: unknown; code?: unknown; message?: unknown }
    const kind = `${typeof e.name === 'string' ? e.name : 'Error'}:${typeof e.code === 'string' ? e.code : ''}`
    if (this.logged.has(kind)) return
    this.logged.add(kind)
    this.init.log.warn(
      {
        kind,
        err: typeof e.message === 'string' ? e.message : String(err),
        retryAt: new Date(this.schedule.pollTimeout()).toISOString(),
        expires: new Date(this.current.notAfter).toISOString(),
      },
      'certificate renewal failed; retrying with backoff',
    )
  }
}

/** Renewal through the profile's authority (its private CA trusted), as the CLI does. */
export function profileRenewal(profile: Profile): RenewalLoopInit['renew'] {
  return async (now, signal) => {
    const fresh = await keepFresh(profile, now, signal)
    if (fresh.problem !== undefined) throw fresh.problem
    return fresh.certificate
  }
}

/**
 * The certificate a node starts with: renewed first when due (a failure is only
 * logged while it is still valid), then checked valid now.
 */
export async function startingCertificate(
  profile: Profile,
  log: Logger,
  signal?: AbortSignal,
): Promise<{ certificate: Certificate; config: NetworkConfig }> {
  const fresh = await keepFresh(profile, Date.now(), signal)
  if (fresh.problem !== undefined)
    log.warn({ err: fresh.problem.message }, 'certificate renewal is due but failed')
  const { config } = loadIdentity(profile)
  const certificate = verifyCertificate(fresh.certificate.bytes, {
    networkPublicKey: config.networkPublicKey,
    networkId: config.networkId,
    now: Date.now(),
  })
  return { certificate, config }
}
