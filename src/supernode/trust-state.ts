/**
 * What a supernode trusts: the signed network config (from its profile, then
 * refreshed from the authority), the signed revocation list and the signed
 * supernode grant list (both refreshed every minute, cached on disk).
 * Authority down: the cached copies serve.
 */
import { existsSync, readFileSync } from 'node:fs'
import { rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { AuthorityClient } from '../device/authority-client.js'
import type { Logger } from '../log/logger.js'
import type { VerifyCertificateOptions } from '../trust/certificate.js'
import type { Certificate } from '../trust/certificate.js'
import {
  issuedAfter,
  newerGrantList,
  verifySupernodeGrantList,
  type SupernodeGrantList,
} from '../trust/grants.js'
import { verifyNetworkConfig, type NetworkConfig } from '../trust/network-config.js'
import { newerList, verifyRevocationList, type RevocationList } from '../trust/revocations.js'

/**
 * How often the config, revocations and grants are fetched. A third of the promised
 * minute: devices fetch the list from their supernodes every 20 s too, so a revoked
 * device is cut off by every supernode and skipped by every device within it
 * (membership checks its members again every 5 s). The authority answers from a
 * cached signature, so this stays a flat, cheap load.
 */
export const REVOCATION_REFRESH_MS = 20_000

/** What every signed document a supernode checks needs; `isGranted` is for announcements (trust/announcement.ts). */
export interface TrustOptions extends VerifyCertificateOptions {
  /** Undefined until this supernode has seen a grant list: an authority older than grants signs none. */
  isGranted?: (certificate: Certificate) => boolean
}

/** The least time between two fetches that a supernode's own refresh timer did not ask for. */
const ON_DEMAND_REFRESH_MS = 5_000

const GRANTS_FILE = 'supernode-grants.bin'

export class TrustState {
  config: NetworkConfig
  revocations: RevocationList | undefined
  /** Once seen, never dropped: an authority answering "no list" later keeps the last one in force. */
  grants: SupernodeGrantList | undefined
  private readonly grantListeners: Array<() => void> = []
  private timer: NodeJS.Timeout | undefined
  private lastRefreshAt = 0
  private saving: Promise<void> = Promise.resolve()

  constructor(
    config: NetworkConfig,
    private readonly dir: string,
    private readonly authority: AuthorityClient,
    private readonly log: Logger,
    private readonly refreshMs: number = REVOCATION_REFRESH_MS,
  ) {
    this.config = config
    const cached = join(dir, 'revocations.bin')
    if (existsSync(cached)) {
      try {
        this.revocations = verifyRevocationList(readFileSync(cached), config)
      } catch (err) {
        log.warn({ err }, 'cached revocation list refused; waiting for a fresh one')
      }
    }
    const grants = join(dir, GRANTS_FILE)
    if (existsSync(grants)) {
      try {
        this.grants = verifySupernodeGrantList(readFileSync(grants), config)
      } catch (err) {
        log.warn({ err }, 'cached supernode grant list refused; waiting for a fresh one')
      }
    }
  }

  verifyOptions(now: number): TrustOptions {
    const list = this.revocations
    return {
      networkPublicKey: this.config.networkPublicKey,
      networkId: this.config.networkId,
      now,
      isRevoked: (deviceId) => list?.has(deviceId) === true,
      isGranted: this.grants === undefined ? undefined : (cert) => this.isGranted(cert),
    }
  }

  /**
   * Is the certificate's account on the grant list? A miss by a certificate
   * issued after the list (so granted since) fetches the list again at once,
   * so a new supernode is accepted within seconds, not at the next refresh.
   * Accounts without a grant cannot get such a certificate: they cannot make
   * a supernode fetch more often.
   */
  private isGranted(cert: Certificate): boolean {
    const grants = this.grants
    if (grants === undefined || grants.has(cert.username)) return true
    const validityMs = this.config.policies.certificateValiditySeconds * 1000
    if (issuedAfter(cert, grants, validityMs) && Date.now() - this.lastRefreshAt >= ON_DEMAND_REFRESH_MS)
      void this.refresh()
    return false
  }

  /** Called after a new grant list replaced the held one (its seats may have changed placement). */
  onGrants(listener: () => void): void {
    this.grantListeners.push(listener)
  }

  start(): void {
    void this.refresh()
    this.timer = setInterval(() => void this.refresh(), this.refreshMs)
    this.timer.unref()
  }

  stop(): void {
    clearInterval(this.timer)
  }

  /**
   * Caches a list on disk, off the event loop and one file at a time (a write and a rename can wait
   * seconds on a busy disk, and every lookup this supernode serves would wait with them). Never
   * throws: the cache only matters to the next start.
   */
  private save(file: string, bytes: Uint8Array): Promise<void> {
    const tmp = join(this.dir, `.${file}.tmp`)
    this.saving = this.saving
      .then(async () => {
        await writeFile(tmp, bytes)
        await rename(tmp, join(this.dir, file))
      })
      .catch((err: unknown) => this.log.warn({ err: String(err), file }, 'could not cache a signed list'))
    return this.saving
  }

  async refresh(): Promise<void> {
    this.lastRefreshAt = Date.now()
    try {
      const [configBytes, listBytes, grantBytes] = await Promise.all([
        this.authority.networkConfig(),
        // v2 (no count cap, who revoked); an authority older than v2 serves only v1.
        this.authority.revocationsV2().catch(() => this.authority.revocations()),
        // v2 (with seats); an authority older than seats serves only v1.
        this.authority.supernodeGrantsV2(),
      ])
      const config = verifyNetworkConfig(configBytes, {
        networkPublicKey: this.config.networkPublicKey,
        networkId: this.config.networkId,
      })
      if (config.sequence > this.config.sequence) {
        this.config = config
        // Cached on disk: a restart while the authority is down starts from the newest config seen.
        await this.save('network-config.bin', config.bytes)
      }
      const list = verifyRevocationList(listBytes, this.config)
      // At the same sequence a re-signed list (compacted by age) replaces ours, but v1 never replaces v2.
      // The same list again keeps the one held: the revocation sweep cuts revoked devices off once per
      // new list, and a fresh copy every refresh made it hang up a revoked device's connection at
      // random, between a refusal and the next request (test/hostile/revocation.test.ts, CI at 880992f).
      const held = this.revocations
      const resigned =
        list.sequence === held?.sequence && list.version >= held.version && !sameBytes(held.bytes, list.bytes)
      if (newerList(held, list) || resigned) {
        this.revocations = list
        await this.save('revocations.bin', list.bytes)
      }
      if (grantBytes !== undefined) {
        const grants = verifySupernodeGrantList(grantBytes, this.config)
        // At the same sequence a re-signed list replaces ours, but v1 never replaces v2.
        if (newerGrantList(this.grants, grants)) {
          const changed = !sameBytes(this.grants?.bytes, grants.bytes)
          this.grants = grants
          if (changed) {
            for (const listener of this.grantListeners) listener()
            await this.save(GRANTS_FILE, grants.bytes)
          }
        }
      }
    } catch (err) {
      this.log.warn(
        { err: (err as Error).message },
        'could not refresh the config, revocations and grants; keeping the cached ones',
      )
    }
  }
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && Buffer.from(a).equals(b)
}
