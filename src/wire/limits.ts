/** Size caps for every decoder. Inputs past these are refused before decoding. */
export const Limits = {
  envelopeBytes: 256 * 1024,
  certificateBytes: 2048,
  networkConfigBytes: 64 * 1024,
  revocationListBytes: 256 * 1024,
  signInProofBytes: 512,

  stringChars: 256,
  usernameChars: 32,
  deviceNameChars: 64,
  networkIdChars: 64,
  versionChars: 32,
  payloadTypeChars: 64,
  multiaddrChars: 512,
  seeds: 256,
  addrsPerSeed: 16,
  bannedVersions: 64,
  revocations: 4096,
  /**
   * The v2 revocation list has no count cap (never truncated): only this byte cap,
   * about 120,000 entries within one certificate lifetime. Owner revocations and
   * devices per account are rate-limited at the authority, so it is not reached.
   */
  revocationListV2Bytes: 8 * 1024 * 1024,
  /** What fits in revocationListV2Bytes: the decoder's count cap follows from the byte cap. */
  revocationsV2: (8 * 1024 * 1024) / 16,
  /** Accounts on the supernode grant list; the authority refuses a grant past it, never truncates. */
  supernodeGrants: 8192,
  /** 8,192 grants of a 32-character name and a time fit in about 360 KiB. */
  supernodeGrantListBytes: 512 * 1024,
  /** The v2 list adds a 16-byte seat and a place count per grant: 8,192 grants fit in about 560 KiB. */
  supernodeGrantListV2Bytes: 1024 * 1024,
  /** A grant's seat: random bytes the authority draws, so nobody can choose where a supernode is placed. */
  seatBytes: 16,
  /**
   * Supernodes of one account placed at once (a grant's `places`). An account signs
   * in at most 32 devices at a time, so more could never be live; the cap only bounds what a list may say.
   */
  supernodePlaces: 1024,
  challengeBytes: 64,
} as const

/** Caps for the supernode network's messages. */
export const OverlayLimits = {
  presenceBytes: 8 * 1024,
  announcementBytes: 8 * 1024,
  addrs: 16,
  membershipBytes: 256 * 1024,
  memberUpdates: 512,
  attachBytes: 8 * 1024,
  hints: 16,
  /**
   * Attach 1.1: each hint is a signed announcement (up to announcementBytes
   * with its envelope), so fewer of them, and a cap that fits them and the
   * answering supernode's own: 9 × 8.5 KiB + 1 KiB = 77.5 KiB.
   */
  signedHints: 8,
  signedHintBytes: 8 * 1024 + 512,
  attachAnswerBytes: 9 * (8 * 1024 + 512) + 1024,
  directoryBytes: 256 * 1024,
  records: 64,
  /** A signed presence record inside an envelope: cert (2 KiB) + addresses. */
  recordEnvelopeBytes: 12 * 1024,
  peerIdChars: 128,
} as const
