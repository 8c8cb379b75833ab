/**
 * Which items of a Store a replica takes (issue 10, H3), sans-IO. A Store
 * comes from another supernode, which may be rogue, so nothing it says about
 * an item is believed:
 *
 * - the recipient must be one this node replicates by its own view of
 *   placement, with one replica of slack (R + 1) for views in flux: a
 *   supernode that has not yet seen a join or a death sends to the old set;
 * - the item must carry its depositing device's signature (deposit.ts); the
 *   sender is that certificate's username, never the Store's word, and
 *   storedAt is clamped to this node's clock;
 * - an unsigned item is an item stored before deposits were signed. It is
 *   taken only when held already (a duplicate, left as it is), or when it
 *   was stored before this node first ran with signed deposits and the
 *   pusher is itself among the recipient's R + 1 replicas (a holder
 *   repairing). Retention is 30 days from storedAt, so this window closes
 *   30 days after the upgrade: no item stored before it can still be alive.
 *
 * Items that fail are left out and named in `refused` (the first reason);
 * the rest are stored, so one bad item in a repair batch does not hold back
 * the others.
 */
import type { VerifyCertificateOptions } from '../trust/certificate.js'
import { ErrorCode } from '../wire/error-codes.js'
import { DepositVerifier } from './deposit-verifier.js'
import { OfflineAuthError, type OfflineAuthCode } from './errors.js'
import type { OfflineItem } from './types.js'

export interface AdmitContext {
  now: number
  /** Certificate checks at a given time (network key, id, revocations). */
  verifyOptions: (at: number) => VerifyCertificateOptions
  /** When this node first ran with signed deposits: unsigned items stored before it may be repaired here. */
  signedSince: number
  /** Whether this node is among `recipient`'s R + 1 replicas by its own view. */
  replicates: (recipient: string) => boolean
  /** Whether the pusher is among `recipient`'s R + 1 replicas by this node's view. */
  pusherReplicates: (recipient: string) => boolean
  isHeld: (recipient: string, id: Uint8Array) => boolean
  /**
   * The items come from this node's own deposit path, which verified every
   * deposit signature a moment ago against the attached device and set the
   * sender from it: they are not verified twice (issue 12 §2). Never set for
   * a store from another supernode.
   */
  verifiedHere?: boolean
}

export interface Admitted {
  /** With sender from the deposit's certificate (or '' when unsigned) and storedAt clamped. */
  items: OfflineItem[]
  refused?: { code: OfflineAuthCode; message: string; count: number }
}

export function admitStore(items: readonly OfflineItem[], ctx: AdmitContext): Admitted {
  const out: OfflineItem[] = []
  let refused: Admitted['refused']
  // The items of one deposit share a batch: its root and certificate are verified once (issue 12 §2).
  const verifier = new DepositVerifier(ctx.verifyOptions)
  for (const item of items) {
    try {
      out.push(admitOne(item, ctx, verifier))
    } catch (err) {
      if (!(err instanceof OfflineAuthError)) throw err
      refused = refused ?? { code: err.code, message: err.message, count: 0 }
      refused.count++
    }
  }
  return refused === undefined ? { items: out } : { items: out, refused }
}

function admitOne(item: OfflineItem, ctx: AdmitContext, verifier: DepositVerifier): OfflineItem {
  if (!ctx.replicates(item.recipient))
    throw new OfflineAuthError(ErrorCode.NotReplica, `this supernode does not replicate ${item.recipient}`)
  const storedAt = Math.min(item.storedAt, ctx.now)
  const deposit = item.deposit
  if (deposit === undefined || deposit.byteLength === 0) {
    if (ctx.isHeld(item.recipient, item.id)) return { ...item, storedAt, sender: '' }
    if (storedAt < ctx.signedSince && ctx.pusherReplicates(item.recipient))
      return { ...item, storedAt, sender: '' }
    throw new OfflineAuthError(
      ErrorCode.DepositUnsigned,
      'an offline item needs its depositing device’s signature',
    )
  }
  if (ctx.verifiedHere === true) return { ...item, storedAt }
  // The certificate must have been good when the item was stored: items outlive 7-day certificates.
  const by = verifier.verify(item, deposit, storedAt)
  return { ...item, storedAt, sender: by.username }
}
