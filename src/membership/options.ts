import { DEFAULTS } from './constants.js'
import { MembershipOptionsError } from './errors.js'
import type { MembershipOptions } from './types.js'

export type Config = { -readonly [K in keyof typeof DEFAULTS]: number }

/** Fills in defaults and refuses values the protocol cannot run with. */
export function resolveOptions(opts: MembershipOptions): Config {
  const cfg: Config = { ...DEFAULTS }
  for (const key of Object.keys(DEFAULTS) as (keyof Config)[]) {
    const value = opts[key]
    if (value === undefined) continue
    if (typeof value !== 'number' || Number.isNaN(value) || value < 0)
      throw new MembershipOptionsError(`${key} must be a number ≥ 0, got ${String(value)}`)
    cfg[key] = value
  }
  if (opts.self.peerId === '') throw new MembershipOptionsError('self.peerId is empty')
  if (!(cfg.probeIntervalMs > 0 && Number.isFinite(cfg.probeIntervalMs)))
    throw new MembershipOptionsError('probeIntervalMs must be finite and > 0')
  // The indirect probes need the rest of the period to come back.
  if (!(cfg.probeTimeoutMs > 0 && cfg.probeTimeoutMs < cfg.probeIntervalMs))
    throw new MembershipOptionsError('probeTimeoutMs must be > 0 and below probeIntervalMs')
  if (!(cfg.suspicionTimeoutMs > 0)) throw new MembershipOptionsError('suspicionTimeoutMs must be > 0')
  if (!(cfg.retransmitMultiplier > 0)) throw new MembershipOptionsError('retransmitMultiplier must be > 0')
  // A one-entry sync (our own announcement) is how a joiner asks for everything.
  if (!(cfg.syncMaxUpdates >= 2)) throw new MembershipOptionsError('syncMaxUpdates must be ≥ 2')
  if (!(cfg.maxMessageUpdates >= 1 && cfg.maxMessageBytes >= 1024))
    throw new MembershipOptionsError('maxMessageUpdates must be ≥ 1 and maxMessageBytes ≥ 1024')
  if (cfg.syncIntervalMs === 0) cfg.syncIntervalMs = Infinity
  cfg.indirectProbes = Math.floor(cfg.indirectProbes)
  cfg.maxPiggyback = Math.floor(cfg.maxPiggyback)
  return cfg
}
