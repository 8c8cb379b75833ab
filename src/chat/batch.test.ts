/**
 * Batch-signed chat events (issue 12 §2) between chat cores on real SQLite
 * files: a burst of a device's own events is signed once and each event
 * still verifies alone; a hostile device's wrong path, a path for another
 * root, a signed root reused for another event, a root signed by another
 * key and a batch over the cap are refused with stable codes, while the
 * good events of the same push are committed and nothing crashes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PayloadType, seal } from '../crypto/envelope.js'
import { leafHash, merkleTree } from '../crypto/merkle.js'
import { plain } from '../wire/bytes.js'
import { signChatBatch } from '../trust/chat-batch.js'
import { chatEventBody, verifyChatEvent } from '../trust/chat-event.js'
import { TrustError } from '../trust/errors.js'
import { CHAT_BATCH, ChatKind } from '../wire/chat.js'
import { BatchRoot, BatchSigned, decodeBatchSigned } from '../wire/batch.js'
import { ErrorCode } from '../wire/error-codes.js'
import { PresenceStatus } from '../wire/generated/parley.js'
import { befriend, ChatFixtures, outbox, type Dev } from './hostile.fixtures.js'

let fx: ChatFixtures
let alice: Dev, bob: Dev, bob2: Dev

beforeAll(async () => {
  fx = await ChatFixtures.create()
  alice = await fx.device('alice')
  bob = await fx.device('bob')
  bob2 = await fx.device('bob', 'bob2')
  befriend(alice, bob)
})

afterAll(() => fx.remove())

const texts = (d: Dev) => d.chat.store.conversation('alice', 100).map((m) => m.text)
const opts = (d: Dev) => d.chat.verifyOptionsNow()
const parts = (bytes: Uint8Array) => decodeBatchSigned(bytes, CHAT_BATCH)
function rebuilt(bytes: Uint8Array, change: Partial<ReturnType<typeof parts>>): Uint8Array {
  const p = { ...parts(bytes), ...change }
  return BatchSigned.encode({
    body: plain(p.body),
    root: plain(p.root),
    index: p.index,
    path: p.path.map(plain),
  })
}

/** The TrustError code verifying `bytes` throws on `d`. */
function refusal(d: Dev, bytes: Uint8Array): string {
  try {
    verifyChatEvent(bytes, opts(d))
  } catch (err) {
    if (err instanceof TrustError) return err.code
    throw err
  }
  return 'verified'
}

/** A body alice's device could have made, for `to`. */
function body(from: Dev, text: string): Uint8Array {
  return chatEventBody({
    certificate: from.certificate,
    id: new Uint8Array(crypto.getRandomValues(new Uint8Array(16))),
    kind: ChatKind.TEXT,
    to: 'bob',
    lamport: 50,
    sentAt: Date.now(),
    text,
    refs: [],
    status: PresenceStatus.OFFLINE,
  })
}

describe('a burst of own events', () => {
  it('is signed once, and every event verifies alone on any device of the recipient', () => {
    for (const t of ['one', 'two', 'three']) alice.chat.send('bob', t)
    const burst = outbox(alice, 'bob').slice(-3)
    const verified = burst.map((b) => verifyChatEvent(b, opts(bob)))
    expect(verified.every((e) => e.batched)).toBe(true)
    expect(new Set(burst.map((b) => Buffer.from(parts(b).root).toString('hex'))).size).toBe(1)
    // Each on its own, as history backfill or the offline store would hand it over.
    for (const b of burst) expect(bob2.chat.receive([b]).committed).toHaveLength(1)
    expect(bob.chat.receive(burst).committed).toHaveLength(3)
    expect(texts(bob)).toEqual(expect.arrayContaining(['one', 'two', 'three']))
  })
})

describe('hostile batch proofs', () => {
  let good: Uint8Array[]
  beforeAll(() => {
    alice.chat.send('bob', 'first of a pair')
    alice.chat.send('bob', 'second of a pair')
    good = outbox(alice, 'bob').slice(-2)
  })

  /** `bad` is refused with `code`, and the good events pushed with it are committed and shown. */
  function refusedBeside(bad: Uint8Array, code: string, text: string): void {
    expect(refusal(bob, bad)).toBe(code)
    alice.chat.send('bob', text)
    const fresh = outbox(alice, 'bob').at(-1)!
    const r = bob.chat.receive([bad, fresh])
    expect(r.committed).toEqual([verifyChatEvent(fresh, opts(bob)).id])
    expect(r.applied.map((e) => e.text)).toEqual([text])
    expect(texts(bob)).toContain(text)
  }

  it('a wrong path is refused batch_proof_invalid', () => {
    const path = parts(good[0]!).path.map((p) => new Uint8Array(p))
    path[0]![0]! ^= 1
    refusedBeside(rebuilt(good[0]!, { path }), ErrorCode.BatchProofInvalid, 'after a wrong path')
  })

  it('a path for another root is refused batch_proof_invalid', () => {
    const other = parts(outbox(alice, 'bob').at(-1)!).root
    refusedBeside(rebuilt(good[0]!, { root: other }), ErrorCode.BatchProofInvalid, 'after another root')
  })

  it('a signed root reused for another event is refused batch_proof_invalid, even by its own signer', () => {
    const forged = rebuilt(good[1]!, { body: body(alice, 'words alice never wrote') })
    refusedBeside(forged, ErrorCode.BatchProofInvalid, 'after a reused root')
    expect(texts(bob)).not.toContain('words alice never wrote')
  })

  it("a batch signed by another device over alice's events is refused unknown_signer", () => {
    const mallory = bob // any other device key will do
    const [forged] = signChatBatch([body(alice, 'signed by someone else')], mallory.signer)
    refusedBeside(forged!, ErrorCode.UnknownSigner, 'after a forged root')
  })

  it('a batch over the cap of 256 events is refused invalid_field', () => {
    const bodies = Array.from({ length: 257 }, (_, i) => body(alice, `over the cap ${i}`))
    const { root, proofs } = merkleTree(bodies.map(leafHash))
    const signed = seal(
      PayloadType.ChatBatch,
      BatchRoot.encode({ root: plain(root), count: 257 }),
      alice.signer,
    )
    // The last leaf: its proof is one hash (the first 256 leaves' root), within the path cap.
    const over = BatchSigned.encode({
      body: plain(bodies[256]!),
      root: plain(signed),
      index: 256,
      path: proofs[256]!.map(plain),
    })
    refusedBeside(over, ErrorCode.InvalidField, 'after a batch over the cap')
    expect(texts(bob)).not.toContain('over the cap 256')
  })
})
