/**
 * What the authority decides: accounts, sign-in, renewal, revocation and the
 * signed documents. Transport-free: the HTTP layer (http.ts) validates shapes
 * and calls these; tests can call them directly.
 */
import { randomBytes } from 'node:crypto'
import { PayloadType, open, SignatureError } from '../crypto/envelope.js'
import { deviceIdOf, signerOf, type Signer } from '../crypto/keys.js'
import type { Ed25519PrivateKey } from '@libp2p/interface'
import { issueCertificate, verifyCertificate } from '../trust/certificate.js'
import { TrustError } from '../trust/errors.js'
import { signNetworkConfig } from '../trust/network-config.js'
import { equalBytes } from '../wire/bytes.js'
import { decodeSignInProof, WireDecodeError } from '../wire/codec.js'
import { ErrorCode } from '../wire/error-codes.js'
import { RateLimiter, type Rate } from './rate-limit.js'
import { RevocationLists } from './revocation-lists.js'
import { AuthorityError } from './errors.js'
import type { NetworkSettings } from './data-dir.js'
import { SupernodeGrants } from './grants.js'
import type { AuthorityMetrics } from './metrics.js'
import { decoyHash, hashPassword, verifyPassword, DEFAULT_COST, type ScryptCost } from './password.js'
import type { AccountRecord, AuthorityStore, DeviceRecord, RevocationRecord } from './store/types.js'
import { HashGate, HashGateBusyError } from './hash-gate.js'

/** Certificates start a little in the past so a verifier whose clock is behind still accepts them. */
const CLOCK_SKEW_MS = 5 * 60_000
const CHALLENGE_TTL_MS = 60_000
/** What a busy authority suggests: soon, but not at once (clients add jitter). */
const BUSY_RETRY_MS = 2_000

export interface AuthorityInit {
  store: AuthorityStore
  networkKey: Ed25519PrivateKey
  settings: NetworkSettings
  metrics: AuthorityMetrics
  passwordCost?: ScryptCost
  /** Bounds concurrent password hashing; past its queue the authority answers 503 busy. */
  hashGate?: HashGate
  /** Default DEVICES_PER_ACCOUNT. */
  devicesPerAccount?: number
  /** Default OWNER_REVOCATIONS. */
  ownerRevocations?: Rate
  now?: () => number
}

/**
 * Devices signed in to one account at once (not revoked). Past it a new device is
 * refused until one is revoked: one account cannot mint keys without end (to grind
 * placement, or to grow the revocation list by revoking them).
 */
export const DEVICES_PER_ACCOUNT = 32
/** Revocations by an account's owner: 20 a day, so mass self-revocation cannot bloat the list. */
export const OWNER_REVOCATIONS: Rate = { burst: 20, refillMs: (24 * 3600_000) / 20 }

/** Password checks at once: libuv's default thread pool runs four. */
export const DEFAULT_HASH_CONCURRENCY = 4
export const DEFAULT_HASH_QUEUE = 64

export interface SignInRequest {
  username: string
  password: string
  deviceName: string
  devicePublicKey: Uint8Array
  challenge: Uint8Array
  /** The device's sealed SignInProof over the challenge (crypto/envelope.ts). */
  proof: Uint8Array
}

export interface RenewRequest {
  certificate: Uint8Array
  challenge: Uint8Array
  /** The device's sealed SignInProof over the challenge (crypto/envelope.ts). */
  proof: Uint8Array
}

export class AuthorityService {
  readonly networkId: string
  readonly networkPublicKey: Uint8Array
  readonly networkConfig: Uint8Array
  /** Who may run a supernode; a grant decides the flag in the account's next certificate. */
  readonly grants: SupernodeGrants
  private readonly signer: Signer
  private readonly store: AuthorityStore
  private readonly settings: NetworkSettings
  private readonly metrics: AuthorityMetrics
  private readonly cost: ScryptCost
  private readonly now: () => number
  private readonly gate: HashGate
  private decoy: Promise<string> | undefined
  private readonly devicesPerAccount: number
  private readonly ownerRevocations: RateLimiter
  private readonly lists: RevocationLists

  constructor(init: AuthorityInit) {
    this.store = init.store
    this.settings = init.settings
    this.metrics = init.metrics
    this.cost = init.passwordCost ?? DEFAULT_COST
    this.now = init.now ?? Date.now
    this.gate = init.hashGate ?? new HashGate(DEFAULT_HASH_CONCURRENCY, DEFAULT_HASH_QUEUE)
    this.devicesPerAccount = init.devicesPerAccount ?? DEVICES_PER_ACCOUNT
    this.ownerRevocations = new RateLimiter(init.ownerRevocations ?? OWNER_REVOCATIONS)
    this.signer = signerOf(init.networkKey)
    this.networkId = init.settings.networkId
    this.networkPublicKey = this.signer.publicKey
    this.lists = new RevocationLists({
      store: this.store,
      signer: this.signer,
      networkId: this.networkId,
      lifetimeMs: () => this.settings.policies.certificateValiditySeconds * 1000 + CLOCK_SKEW_MS,
      now: this.now,
    })
    this.grants = new SupernodeGrants({
      store: this.store,
      signer: this.signer,
      settings: this.settings,
      now: this.now,
    })
    this.networkConfig = signNetworkConfig(
      { ...init.settings, networkPublicKey: this.networkPublicKey, issuedAt: this.now() },
      this.signer,
    )
  }

  async register(username: string, password: string): Promise<void> {
    const passwordHash = await this.timedHash(password)
    try {
      await this.store.createAccount({
        username,
        passwordHash,
        createdAt: this.now(),
        policy: null,
        organisation: null,
      })
    } catch (err) {
      if ((err as Error).name === 'UsernameTakenError') {
        this.metrics.registrations.inc({ result: 'taken' })
        throw new AuthorityError(409, ErrorCode.UsernameTaken, `the username ${username} is taken`)
      }
      throw err
    }
    this.metrics.registrations.inc({ result: 'ok' })
  }

  async challenge(): Promise<{ challenge: Uint8Array; expiresAt: number }> {
    const challenge = randomBytes(32)
    const expiresAt = this.now() + CHALLENGE_TTL_MS
    await this.store.putChallenge(challenge, expiresAt)
    return { challenge, expiresAt }
  }

  /** One answer for an unknown user and a wrong password, after the same amount of work. */
  async checkPassword(username: string, password: string): Promise<AccountRecord> {
    const account = await this.store.getAccount(username)
    const ok = await this.timedVerify(password, account?.passwordHash ?? (await this.decoyHash()))
    if (account === undefined || !ok) {
      throw new AuthorityError(401, ErrorCode.InvalidCredentials, 'unknown username or wrong password')
    }
    return account
  }

  async signIn(req: SignInRequest): Promise<Uint8Array> {
    try {
      const account = await this.checkPassword(req.username, req.password)
      await this.checkProof(req.challenge, req.proof, req.username, req.devicePublicKey)
      const deviceId = deviceIdOf(req.devicePublicKey)
      const existing = await this.store.getDevice(deviceId)
      if (existing?.revokedAt != null) throw revoked(deviceId)
      if (existing === undefined) await this.checkDeviceRoom(req.username)
      let device: DeviceRecord
      try {
        device = await this.store.upsertDevice({
          deviceId,
          username: req.username,
          publicKey: req.devicePublicKey,
          name: req.deviceName,
          now: this.now(),
        })
      } catch (err) {
        if ((err as Error).name === 'DeviceOwnedElsewhereError') {
          throw new AuthorityError(
            409,
            ErrorCode.DeviceOwnedElsewhere,
            'this device key is signed in to another account',
          )
        }
        throw err
      }
      const cert = await this.issue(device, account)
      this.metrics.signIns.inc({ result: 'ok' })
      return cert
    } catch (err) {
      this.metrics.signIns.inc({ result: err instanceof AuthorityError ? err.code : 'error' })
      throw err
    }
  }

  async renew(req: RenewRequest): Promise<Uint8Array> {
    try {
      let cert
      try {
        cert = verifyCertificate(req.certificate, {
          networkPublicKey: this.networkPublicKey,
          networkId: this.networkId,
          now: this.now(),
        })
      } catch (err) {
        if (err instanceof TrustError)
          throw new AuthorityError(401, err.code, `certificate refused: ${err.message}`)
        throw err
      }
      await this.checkProof(req.challenge, req.proof, cert.username, cert.devicePublicKey)
      const device = await this.store.getDevice(cert.deviceId)
      if (device === undefined)
        throw new AuthorityError(404, ErrorCode.DeviceNotFound, 'this device is not known')
      if (device.revokedAt !== null) throw revoked(device.deviceId)
      const account = await this.store.getAccount(device.username)
      if (account === undefined) {
        throw new AuthorityError(404, ErrorCode.AccountNotFound, 'the account no longer exists')
      }
      const renewed = await this.issue(device, account)
      this.metrics.renewals.inc({ result: 'ok' })
      return renewed
    } catch (err) {
      this.metrics.renewals.inc({ result: err instanceof AuthorityError ? err.code : 'error' })
      throw err
    }
  }

  async listDevices(username: string, password: string): Promise<DeviceRecord[]> {
    await this.checkPassword(username, password)
    return this.store.listDevices(username)
  }

  /** Revocation by the device's owner, who proves it with the password. */
  async revokeAsOwner(username: string, password: string, deviceId: string): Promise<RevocationRecord> {
    await this.checkPassword(username, password)
    const device = await this.store.getDevice(deviceId)
    if (device === undefined || device.username !== username) {
      throw new AuthorityError(404, ErrorCode.DeviceNotFound, `no device ${deviceId} on this account`)
    }
    if (device.revokedAt === null) {
      const admitted = this.ownerRevocations.take(username, this.now())
      if (!admitted.ok)
        throw new AuthorityError(
          429,
          ErrorCode.RateLimited,
          `this account revoked ${OWNER_REVOCATIONS.burst} devices recently; try again later`,
          admitted.retryAfterMs,
        )
    }
    return this.revoke(deviceId, 'owner')
  }

  private async checkDeviceRoom(username: string): Promise<void> {
    const active = (await this.store.listDevices(username)).filter((d) => d.revokedAt === null).length
    if (active >= this.devicesPerAccount)
      throw new AuthorityError(
        409,
        ErrorCode.DeviceLimit,
        `this account has ${active} devices signed in, the most allowed; revoke one first (parley devices, parley revoke)`,
      )
  }

  async revoke(deviceId: string, by: 'owner' | 'admin'): Promise<RevocationRecord> {
    const record = await this.store.revokeDevice(deviceId, by, this.now())
    if (record === undefined) throw new AuthorityError(404, ErrorCode.DeviceNotFound, `no device ${deviceId}`)
    this.metrics.revocations.inc({ by })
    return record
  }

  /** The signed revocation list (v1, for nodes older than v2): revocation-lists.ts. */
  revocationList(): Promise<Uint8Array> {
    return this.lists.sign(1)
  }

  /** The same entries as a v2 list: never truncated by count, and saying who revoked. */
  revocationListV2(): Promise<Uint8Array> {
    return this.lists.sign(2)
  }

  private async issue(device: DeviceRecord, account: AccountRecord): Promise<Uint8Array> {
    const policy = await this.grants.policyFor(account)
    const now = this.now()
    const validity = this.settings.policies.certificateValiditySeconds * 1000
    // The back-dating never takes more than a tenth of the lifetime, so renewal timing stays meaningful for short certificates.
    const notBefore = now - Math.min(CLOCK_SKEW_MS, Math.floor(validity / 10))
    const notAfter = now + validity
    const serial = await this.store.recordCertificate({
      deviceId: device.deviceId,
      notBefore,
      notAfter,
      issuedAt: now,
    })
    return issueCertificate(
      {
        networkId: this.networkId,
        serial,
        username: device.username,
        devicePublicKey: device.publicKey,
        deviceName: device.name,
        policy,
        organisation: account.organisation ?? '',
        notBefore,
        notAfter,
      },
      this.signer,
    )
  }

  /** The device signed a fresh, unused challenge from us with the key it presents. */
  private async checkProof(
    challenge: Uint8Array,
    sealedProof: Uint8Array,
    username: string,
    publicKey: Uint8Array,
  ): Promise<void> {
    let proof
    try {
      proof = decodeSignInProof(open(sealedProof, PayloadType.SignInProof, publicKey, 1024))
    } catch (err) {
      if (err instanceof WireDecodeError || err instanceof SignatureError) {
        throw new AuthorityError(
          401,
          ErrorCode.ProofFailed,
          `the device's proof of key does not verify (${err.code})`,
        )
      }
      throw err
    }
    if (
      proof.networkId !== this.networkId ||
      proof.username !== username ||
      !equalBytes(proof.challenge, challenge) ||
      !equalBytes(proof.devicePublicKey, publicKey)
    ) {
      throw new AuthorityError(
        401,
        ErrorCode.ProofFailed,
        "the device's proof is for another challenge, user, key or network",
      )
    }
    if (!(await this.store.takeChallenge(challenge, this.now()))) {
      throw new AuthorityError(
        401,
        ErrorCode.ChallengeExpired,
        'the challenge is unknown, used or expired; ask for a new one',
      )
    }
  }

  private timedHash(password: string): Promise<string> {
    return this.hashing(() => hashPassword(password, this.cost))
  }

  private timedVerify(password: string, hash: string): Promise<boolean> {
    return this.hashing(() => verifyPassword(password, hash))
  }

  /** Runs one scrypt through the gate, timed; a full gate answers 503 busy at once. */
  private async hashing<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await this.gate.run(async () => {
        const end = this.metrics.passwordHashSeconds.startTimer()
        try {
          return await work()
        } finally {
          end()
        }
      })
    } catch (err) {
      if (err instanceof HashGateBusyError) {
        this.metrics.shed.inc({ reason: 'hash_queue' })
        throw new AuthorityError(
          503,
          ErrorCode.Unavailable,
          'the authority is busy; try again shortly',
          BUSY_RETRY_MS,
        )
      }
      throw err
    }
  }

  private decoyHash(): Promise<string> {
    this.decoy ??= decoyHash(this.cost)
    return this.decoy
  }
}

function revoked(deviceId: string): AuthorityError {
  return new AuthorityError(
    403,
    ErrorCode.DeviceRevoked,
    `device ${deviceId} is revoked; sign in with a new device key`,
  )
}
