/**
 * What a supernode trusts: the signed network config (from its profile, then
 * refreshed from the authority) and the signed revocation list (refreshed
 * every minute, cached on disk). Authority down: the cached copies serve.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { AuthorityClient } from '../device/authority-client.js'
import type { Logger } from '../log/logger.js'
import type { VerifyCertificateOptions } from '../trust/certificate.js'
import { verifyNetworkConfig, type NetworkConfig } from '../trust/network-config.js'
import { verifyRevocationList, type RevocationList } from '../trust/revocations.js'

export const REVOCATION_REFRESH_MS = 60_000

export class TrustState {
  config: NetworkConfig
  revocations: RevocationList | undefined
  private timer: NodeJS.Timeout | undefined

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
  }

  verifyOptions(now: number): VerifyCertificateOptions {
    const list = this.revocations
    return {
      networkPublicKey: this.config.networkPublicKey,
      networkId: this.config.networkId,
      now,
      isRevoked: (deviceId) => list?.has(deviceId) === true,
    }
  }

  start(): void {
    void this.refresh()
    this.timer = setInterval(() => void this.refresh(), this.refreshMs)
    this.timer.unref()
  }

  stop(): void {
    clearInterval(this.timer)
  }

  private save(file: string, bytes: Uint8Array): void {
    const tmp = join(this.dir, `.${file}.tmp`)
    writeFileSync(tmp, bytes)
    renameSync(tmp, join(this.dir, file))
  }

  async refresh(): Promise<void> {
    try {
      const [configBytes, listBytes] = await Promise.all([
        this.authority.networkConfig(),
        this.authority.revocations(),
      ])
      const config = verifyNetworkConfig(configBytes, {
        networkPublicKey: this.config.networkPublicKey,
        networkId: this.config.networkId,
      })
      if (config.sequence > this.config.sequence) {
        this.config = config
        // Cached on disk: a restart while the authority is down starts from the newest config seen.
        this.save('network-config.bin', config.bytes)
      }
      const list = verifyRevocationList(listBytes, this.config)
      if (this.revocations === undefined || list.sequence >= this.revocations.sequence) {
        this.revocations = list
        this.save('revocations.bin', list.bytes)
      }
    } catch (err) {
      this.log.warn(
        { err: (err as Error).message },
        'could not refresh the config and revocations; keeping the cached ones',
      )
    }
  }
}
