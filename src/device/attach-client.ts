/**
 * One attach exchange, device side: ask /parley/attach/1.1.0 first and check
 * its proofs (hint-proofs.ts); a supernode that does not speak it (older than
 * signed hints) is asked 1.0.0, and its plain hints are dropped unless it is
 * one of the seeds the signed config names. Either way the caller gets only
 * hints that verified or that a seed vouched for, and a count of the rest.
 */
import type { Libp2p } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { HostHint } from '../attach/host-cache.js'
import { request } from '../net/rpc.js'
import { Deadlines, PollIdle, Protocols } from '../supernode/protocols.js'
import { TrustError } from '../trust/errors.js'
import { VERSION } from '../version.js'
import { plain } from '../wire/bytes.js'
import { ErrorCode } from '../wire/error-codes.js'
import { OverlayLimits } from '../wire/limits.js'
import { AttachRequest, AttachResult, decodeAttachAnswer, decodeAttachResponse } from '../wire/overlay.js'
import { checkAnnouncement, checkHints, checkPlainHints, type ProofOptions } from './hint-proofs.js'

export interface AttachOutcome {
  result: number
  code: string
  message: string
  load: number
  capacity: number
  /** Hints whose signed announcements verified, or that a seed gave in plain. */
  hints: HostHint[]
  /** Hints dropped, by code (unsigned_hint for every 1.0.0 hint but a seed's). */
  refused: Map<string, number>
  /** A 1.1.0 answer under the hint cap: the sender listed every live supernode it knows. */
  complete: boolean
}

/** The answering supernode did not prove its role: the device does not attach there. */
export class AttachProofError extends Error {
  override name = 'AttachProofError'
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

export interface AskInit {
  node: Libp2p
  /** The supernode asked: its peer id (the Noise handshake proved it) and addresses. */
  peerId: string
  targets: Multiaddr[]
  certificate: Uint8Array
  proofs: () => ProofOptions
}

export async function askToAttach(init: AskInit): Promise<AttachOutcome> {
  const payload = AttachRequest.encode({ certificate: plain(init.certificate), version: VERSION })
  let bytes: Uint8Array
  try {
    bytes = await request(init.node, init.targets, Protocols.attachSigned, payload, {
      timeoutMs: Deadlines.attachMs,
      maxResponseBytes: OverlayLimits.attachAnswerBytes,
      idleMs: PollIdle.attachMs,
    })
  } catch (err) {
    if ((err as Error | undefined)?.name !== 'UnsupportedProtocolError') throw err
    return askPlain(init, payload)
  }
  const answer = decodeAttachAnswer(bytes)
  const opts = init.proofs()
  if (answer.result === AttachResult.Attached) checkAnswerer(answer.announcement, init.peerId, opts)
  const { hints, refused } = checkHints(answer.hints, opts)
  return {
    result: answer.result,
    code: answer.code,
    message: answer.message,
    load: answer.load,
    capacity: answer.capacity,
    hints,
    refused,
    complete: answer.hints.length < OverlayLimits.signedHints,
  }
}

/** 1.0.0, for supernodes older than signed hints: attach, but take no hint unless a seed gave it. */
async function askPlain(init: AskInit, payload: Uint8Array): Promise<AttachOutcome> {
  const answer = decodeAttachResponse(
    await request(init.node, init.targets, Protocols.attach, payload, {
      timeoutMs: Deadlines.attachMs,
      maxResponseBytes: OverlayLimits.attachBytes,
      idleMs: PollIdle.attachMs,
    }),
  )
  const { hints, refused } = checkPlainHints(init.peerId, answer.hints, init.proofs().config)
  return {
    result: answer.result,
    code: answer.code,
    message: answer.message,
    load: answer.load,
    capacity: answer.capacity,
    hints,
    refused,
    complete: false,
  }
}

function checkAnswerer(announcement: Uint8Array, peerId: string, opts: ProofOptions): void {
  let who: string
  try {
    who = checkAnnouncement(announcement, opts).peerId
  } catch (err) {
    if (err instanceof TrustError)
      throw new AttachProofError(err.code, `its own announcement: ${err.message}`)
    throw err
  }
  if (who !== peerId)
    throw new AttachProofError(ErrorCode.WrongAnnouncer, `it answered with the announcement of ${who}`)
}
