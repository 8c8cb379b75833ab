/** Protocol ids of the supernode network, and the deadlines each one works to. */
export const Protocols = {
  membership: '/parley/membership/1.0.0',
  attach: '/parley/attach/1.0.0',
  /** Attach with proofs: the answer carries signed announcements (docs/attachment.md). */
  attachSigned: '/parley/attach/1.1.0',
  directory: '/parley/directory/1.0.0',
  offline: '/parley/offline/1.0.0',
  turn: '/parley/turn/1.0.0',
  revocations: '/parley/revocations/1.0.0',
  /** The signed supernode grant list, for attached devices: same request and answer as revocations. */
  grants: '/parley/grants/1.0.0',
  /** Both signed lists in one exchange (signed-lists-service.ts); devices fall back to the two above. */
  lists: '/parley/lists/1.0.0',
} as const

export const Deadlines = {
  /** A membership message that cannot be delivered in this time counts as a failed probe. */
  membershipSendMs: 2_000,
  attachMs: 5_000,
  /** Supernode → replica store/fetch: past this, the next replica is asked. */
  replicaMs: 300,
  /** Device → its supernode for publish. */
  directoryMs: 3_000,
  /**
   * Device → its supernodes for a lookup, all told: the supernode gives up at 700 ms
   * (LOOKUP_DEADLINE_MS), and a device hedges to its next supernode after 150 ms.
   */
  lookupMs: 1_000,
  /** Device → its supernode for the offline store (the supernode asks R replicas in that time). */
  offlineMs: 5_000,
  /** Supernode → replica offline store and drop, and repair pushes: larger batches than a lookup. */
  offlineStoreMs: 2_000,
  handlerMs: 5_000,
  /** Device → its supernode for the revocation list (up to 8 MiB, usually a few KiB). */
  revocationsMs: 10_000,
} as const

/**
 * How long a device keeps the stream of a periodic request for the next one (rpc.ts's `idleMs`):
 * above the period, so that each poll reuses the last one's stream instead of negotiating a new
 * one (a fresh stream costs about ten times the CPU of a reused one, bench/upkeep.ts). The
 * supernode waits longer than the device keeps it (SERVE_IDLE_MS, 60 s, unless said here), so
 * that the device is the one that closes.
 */
export const PollIdle = {
  /** The list poll runs every 15–25 s, and a round may take up to revocationsMs more. */
  listsMs: 45_000,
  /** The attach refresh asks its 2–3 supernodes in turn every 20 s: each one every 40–60 s. */
  attachMs: 65_000,
  /** The supernode's wait on an attach stream: above attachMs. */
  attachServeMs: 90_000,
} as const
