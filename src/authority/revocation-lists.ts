/**
 * The signed revocation lists, v1 and v2, from the same entries. Entries
 * older than the longest certificate lifetime are left out: every certificate
 * issued before them has expired. v1 holds at most its decoder's 4,096 (the
 * newest), for nodes older than v2; v2 is never truncated by count and says
 * who revoked. Each is re-signed only when the sequence changes or once a
 * minute.
 */
import type { Signer } from '../crypto/keys.js'
import { signRevocationList, signRevocationListV2 } from '../trust/revocations.js'
import { Limits } from '../wire/limits.js'
import type { AuthorityStore } from './store/types.js'

const RESIGN_MS = 60_000

export interface RevocationListsInit {
  store: AuthorityStore
  signer: Signer
  networkId: string
  /** The longest certificate lifetime, clock skew included. */
  lifetimeMs: () => number
  now: () => number
}

export class RevocationLists {
  private readonly signed: Partial<Record<1 | 2, { seq: number; at: number; bytes: Uint8Array }>> = {}

  constructor(private readonly init: RevocationListsInit) {}

  async sign(version: 1 | 2): Promise<Uint8Array> {
    const { store, signer, networkId } = this.init
    const now = this.init.now()
    const seq = await store.revocationSequence()
    const cached = this.signed[version]
    if (cached !== undefined && cached.seq === seq && now - cached.at < RESIGN_MS) return cached.bytes
    const entries = await store.listRevocations(now - this.init.lifetimeMs())
    const fields = { networkId, sequence: seq, issuedAt: now }
    const bytes =
      version === 1
        ? signRevocationList(
            {
              ...fields,
              revocations: entries
                .slice(-Limits.revocations)
                .map((r) => ({ deviceId: r.deviceId, revokedAt: r.revokedAt })),
            },
            signer,
          )
        : signRevocationListV2(
            {
              ...fields,
              revocations: entries.map((r) => ({
                deviceId: r.deviceId,
                revokedAt: r.revokedAt,
                by: r.revokedBy,
              })),
            },
            signer,
          )
    this.signed[version] = { seq, at: now, bytes }
    return bytes
  }
}
