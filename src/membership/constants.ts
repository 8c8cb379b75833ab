import { OverlayLimits } from '../wire/limits.js'

/** Defaults of MembershipOptions; the rationale for each is in docs/membership.md. */
export const DEFAULTS = {
  probeIntervalMs: 1000,
  probeTimeoutMs: 300,
  indirectProbes: 2,
  suspicionTimeoutMs: 3000,
  syncIntervalMs: 15_000,
  syncMaxUpdates: Infinity,
  maxPiggyback: 8,
  retransmitMultiplier: 3,
  deadRetentionMs: 60_000,
  maxRelays: 1024,
  // What the wire decoder accepts in one MembershipMessage: never send more.
  maxMessageUpdates: OverlayLimits.memberUpdates,
  maxMessageBytes: OverlayLimits.membershipBytes,
} as const

/** Join retries back off from one probe interval up to this many (rule 3: restarts never storm). */
export const JOIN_BACKOFF_MAX_INTERVALS = 32

/** A refutation goes straight to at most this many of the members that suspected us. */
export const ACCUSERS_TOLD = 4
