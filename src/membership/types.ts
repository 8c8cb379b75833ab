/**
 * Public types of the supernode membership core. The adapter encodes these as
 * `MembershipMessage` / `MemberUpdate` in src/wire/parley.proto; announcements
 * reach the core only after their signature has been verified.
 */
export type MemberState = 'alive' | 'suspect' | 'dead'

export interface MemberAnnouncement {
  peerId: string
  /** The supernode's account (from its certificate): placement places an account's supernodes by its grant's seat. */
  username: string
  /** Higher replaces lower; raised on every new announcement. */
  incarnation: number
  addrs: string[]
  capacity: number
  load: number
  mega: boolean
  version: string
  /** The signed announcement, forwarded unchanged in updates. */
  bytes: Uint8Array
}

export interface MemberUpdate {
  peerId: string
  incarnation: number
  state: MemberState
  /** Carried with 'alive' updates (and with every entry of a sync that has one). */
  announcement?: MemberAnnouncement
}

export type MembershipMessage =
  | { kind: 'ping'; seq: number; updates: MemberUpdate[] }
  /** target: who answered the probe (the prober's target, also when relayed). */
  | { kind: 'ack'; seq: number; target: string; updates: MemberUpdate[] }
  /** Please probe target for me; answer with an ack carrying my seq. */
  | { kind: 'ping-req'; seq: number; target: string; updates: MemberUpdate[] }
  /** State push (join: full; periodic anti-entropy: full or one page). */
  | { kind: 'sync'; seq: number; updates: MemberUpdate[] }
  /** State pull answer: full to a joiner, else one page. */
  | { kind: 'sync-reply'; seq: number; updates: MemberUpdate[] }

/** Why a message was refused as a whole (a stable wire error code, for logs and metrics). */
export type MembershipRefusal = 'not_member'

export interface MemberView {
  peerId: string
  state: MemberState
  incarnation: number
  announcement: MemberAnnouncement
  /** When this member entered its current state (ms, caller's clock). */
  since: number
}

export type MembershipEvent =
  | { type: 'joined' | 'updated' | 'suspect' | 'alive' | 'dead'; member: MemberView }
  /**
   * Others suspect us, or declared us dead, at this incarnation: the adapter must
   * sign a new announcement with an incarnation above it and call announce().
   */
  | { type: 'refute'; incarnation: number }

export interface MembershipOptions {
  self: MemberAnnouncement
  /** Peer ids to sync with first (mega-supernodes from the signed config). */
  seeds: string[]
  random: () => number
  /** Default 1000. */
  probeIntervalMs?: number
  /** Default 300 (direct ack), then indirect probes. */
  probeTimeoutMs?: number
  /** Default 2. */
  indirectProbes?: number
  /** Default 3000. */
  suspicionTimeoutMs?: number
  /** Default 15000 (push-pull with one random member); 0 or Infinity turns periodic sync off. */
  syncIntervalMs?: number
  /**
   * Entries per periodic sync and its reply, default unlimited (full state). A
   * capped sync sends the next page of a rotating cursor over the state, so
   * successive syncs still cover everything. A joiner always gets the full state. At least 2.
   */
  syncMaxUpdates?: number
  /** Default 8 updates per message. */
  maxPiggyback?: number
  /** Lambda: each update is piggybacked about lambda*ceil(log2(N+1)) times; default 3. */
  retransmitMultiplier?: number
  /** How long a dead member is remembered (so old news cannot resurrect it), default 60000. */
  deadRetentionMs?: number
  /** Pending ping-req relays kept at most (memory bound against floods), default 1024. */
  maxRelays?: number
  /**
   * Caps of one message, default the wire's (OverlayLimits.memberUpdates and
   * membershipBytes): piggyback and sync pages stop there, and a joiner's full
   * state comes in as many sync-reply messages as it takes.
   */
  maxMessageUpdates?: number
  maxMessageBytes?: number
}

/** Sizes of a Membership's internal state (Membership.stats()), for /metrics and memory-bound tests. */
export interface MembershipStats {
  /** Alive and suspect members, ourselves included. */
  live: number
  /** Dead members still remembered (until deadRetentionMs). */
  dead: number
  /** Our probes in flight. */
  probes: number
  /** Pings we relay for others' ping-req. */
  relays: number
  /** Members with news still to piggyback. */
  gossipQueue: number
  /** Pending suspicion and retention timers. */
  timers: number
}
