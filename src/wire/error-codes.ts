/**
 * Error codes that travel on the wire (HTTP JSON bodies, protocol replies) and
 * appear in CLI messages. They are stable: clients branch on them, so a code is
 * never reused with another meaning. Local errors are told apart by class name.
 */
export const ErrorCode = {
  // Wire decoding
  /** The input is larger than the cap for its kind. */
  TooLarge: 'too_large',
  /** The bytes are not a valid encoding of the expected message. */
  Malformed: 'malformed',
  /** The message decoded but a field is missing or out of range. */
  InvalidField: 'invalid_field',

  // Certificates and other signed documents
  /** Signed by a key that is not the network key. */
  UnknownSigner: 'unknown_signer',
  /** The key is the network key but the signature does not match: the bytes were altered. */
  BadSignature: 'bad_signature',
  /** The document is for another network id. */
  WrongNetwork: 'wrong_network',
  /** The signed payload is of another kind than expected. */
  WrongPayloadType: 'wrong_payload_type',
  CertificateExpired: 'certificate_expired',
  CertificateNotYetValid: 'certificate_not_yet_valid',
  CertificateRevoked: 'certificate_revoked',
  /** The certificate's policy flags forbid this role (supernode, relay, files). */
  PolicyForbids: 'policy_forbids',
  /** A presence record past its expiry. */
  RecordExpired: 'record_expired',
  /** The client version is banned from this role by the signed network config. */
  VersionBanned: 'version_banned',
  /** The account is not on the authority's signed supernode grant list (`parley authority grant-supernode`). */
  NotGranted: 'not_granted',

  // The supernode mesh
  /** A membership message from a peer that carries no verified supernode announcement. */
  NotMember: 'not_member',
  /** A peer sent more than its share (membership messages, requests): it is refused for a while. */
  PeerRateLimited: 'peer_rate_limited',
  /**
   * Attach refused: the account already has as many devices attached to this supernode as one
   * account may (`parley supernode --account-devices`, default 8); another supernode may take it.
   */
  AccountLimit: 'account_limit',
  /**
   * A relayed connection refused: its source or destination peer already has as many relayed
   * connections through this supernode as one peer may (`--relay-per-peer`, default 32).
   */
  RelayLimit: 'relay_limit',
  /** A hint in an attach answer without its author's signed announcement (attach 1.0.0): dropped, never cached. */
  UnsignedHint: 'unsigned_hint',
  /** An attach answer whose own announcement is another peer's: the device does not attach there. */
  WrongAnnouncer: 'wrong_announcer',

  // Authority HTTP API
  InvalidJson: 'invalid_json',
  BodyTooLarge: 'body_too_large',
  InvalidUsername: 'invalid_username',
  InvalidPassword: 'invalid_password',
  InvalidDeviceName: 'invalid_device_name',
  InvalidPublicKey: 'invalid_public_key',
  InvalidDeviceId: 'invalid_device_id',
  InvalidChallenge: 'invalid_challenge',
  InvalidSignature: 'invalid_signature',
  InvalidCertificate: 'invalid_certificate',
  UsernameTaken: 'username_taken',
  /** Unknown user or wrong password: deliberately one code for both. */
  InvalidCredentials: 'invalid_credentials',
  /** The challenge is unknown, used or expired: ask for a new one. */
  ChallengeExpired: 'challenge_expired',
  /** The signature over the challenge does not verify with the given key. */
  ProofFailed: 'proof_failed',
  DeviceRevoked: 'device_revoked',
  DeviceOwnedElsewhere: 'device_owned_elsewhere',
  DeviceNotFound: 'device_not_found',
  /** The account has the most devices signed in that it may have: revoke one first. */
  DeviceLimit: 'device_limit',
  AccountNotFound: 'account_not_found',
  /** The supernode grant list is full (Limits.supernodeGrants); withdraw a grant first. */
  GrantLimit: 'grant_limit',
  RateLimited: 'rate_limited',
  Unauthorized: 'unauthorized',

  // The device's local API and its web sessions (docs/web.md)
  /** The web session was signed out (the page's Sign out): open a new sign-in link (`parley link`). */
  SignedOut: 'signed_out',
  /** The web session passed its idle or absolute lifetime: open a new sign-in link (`parley link`). */
  SessionExpired: 'session_expired',
  /** The sign-in link's one-time code was used, has expired, or is not this device's. */
  LinkExpired: 'link_expired',

  NotFound: 'not_found',
  MethodNotAllowed: 'method_not_allowed',
  Unavailable: 'unavailable',
  Internal: 'internal',

  // Chat and the offline store
  /** A chat event addressed to another user than the one receiving it. */
  WrongRecipient: 'wrong_recipient',
  /** The sender is blocked by the recipient (never told to the sender by the recipient's devices). */
  Blocked: 'blocked',
  /** Only contacts may do this (messages from others are held as requests). */
  NotContact: 'not_contact',
  /** A per-recipient or per-sender offline quota is full. */
  QuotaExceeded: 'quota_exceeded',
  /** The offline store is shedding load: try again after retry_after_ms. */
  TryLater: 'try_later',
  /**
   * The supernode's offline store holds its byte cap (`--offline-max-bytes`): answered busy with
   * retry_after_ms, nothing held is evicted; the depositing device keeps the item queued.
   */
  StoreFull: 'store_full',
  /** History is served only to the same user's other devices. */
  NotOwnDevice: 'not_own_device',
  /**
   * Offline take or drop (or a device's fetch or ack) without the recipient device's signed
   * access grant (`parley/offline-access/1`): only that device may read or delete its copies.
   */
  AccessRequired: 'access_required',
  /**
   * The access grant does not verify (certificate, revocation, signature), is expired or lives
   * too long, or does not cover the request (another user, device, kind or ids).
   */
  AccessDenied: 'access_denied',
  /**
   * An offline item without its depositing device's signature (`parley/offline-deposit/1`),
   * not held here and not from before this node signed deposits (docs/offline.md).
   */
  DepositUnsigned: 'deposit_unsigned',
  /** An offline item whose deposit signature does not verify or does not match the item. */
  DepositInvalid: 'deposit_invalid',
  /** An offline store for a recipient this supernode does not replicate (by its own view of placement). */
  NotReplica: 'not_replica',
  /** The device node is not running: start `parley up` first. */
  NodeNotRunning: 'node_not_running',
  /**
   * A chat event's Lamport time is beyond what the receiver accepts (1,024 per ms of its
   * wall clock, plus a day of skew; src/chat/clock.ts): refused for good, never applied.
   */
  LamportTooFar: 'lamport_too_far',
  /** A live event (presence, typing, call signal) sent more than 5 minutes from the receiver's clock. */
  StaleEvent: 'stale_event',
  /**
   * A chat event from someone who is not a contact, past the receiver's caps on strangers (50 held
   * messages per stranger, 500 pending requests): refused for good, the sender stops retrying.
   */
  StrangerLimit: 'stranger_limit',
  /** A live event the receiver already took (live events are not stored, so this is the replay check). */
  ReplayedEvent: 'replayed_event',
  /**
   * A batch-signed chat event (issue 12 §2) whose inclusion proof does not lead from its body to
   * its signed root: a wrong path, the root of another batch, or an event that was not in it.
   */
  BatchProofInvalid: 'batch_proof_invalid',
} as const

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]
