/**
 * Chat cores on real SQLite files, one per "device", and events signed with
 * whatever fields a hostile peer chooses: the fixtures of the tests of
 * issue 10's chat findings (lamport.test.ts, live-chat.test.ts).
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { deviceIdOf, generateKey, signerOf, type Signer } from '../crypto/keys.js'
import { issueCertificate } from '../trust/certificate.js'
import { signChatEvent } from '../trust/chat-event.js'
import type { ChatKind } from '../wire/chat.js'
import { PresenceStatus } from '../wire/generated/parley.js'
import { Chat, type ChatNotice, type RandomBytes } from './chat.js'
import type { Refusal } from './refusals.js'
import { ChatStore } from './store.js'

const NETWORK = 'test-net'

export interface Dev {
  chat: Chat
  signer: Signer
  certificate: Uint8Array
  refusals: Refusal[]
  notices: ChatNotice[]
}

/** A network key and a folder of chat stores; `remove()` when done. */
export class ChatFixtures {
  private readonly dir = mkdtempSync(join(tmpdir(), 'parley-chat-fx-'))

  private constructor(private readonly network: Signer) {}

  static async create(): Promise<ChatFixtures> {
    return new ChatFixtures(signerOf(await generateKey()))
  }

  /** Fresh fixtures with two devices, alice's and bob's, already contacts. */
  static async contacts(): Promise<{ fx: ChatFixtures; alice: Dev; bob: Dev }> {
    const fx = await ChatFixtures.create()
    const alice = await fx.device('alice')
    const bob = await fx.device('bob')
    befriend(alice, bob)
    return { fx, alice, bob }
  }

  /**
   * A device of `username`; `file` names its store (another device of the same user needs another).
   * `clock` is the time its core decides and verifies at (virtual in tests; Date unless given), and
   * its certificate is valid from a minute before the clock's time for `validForMs`. `random` is
   * the source its event ids are drawn from (node:crypto unless given).
   */
  async device(
    username: string,
    file = username,
    {
      clock = Date,
      validForMs = 86_400_000,
      random = randomBytes,
    }: { clock?: { now(): number }; validForMs?: number; random?: RandomBytes } = {},
  ): Promise<Dev> {
    const signer = signerOf(await generateKey())
    const now = clock.now()
    const certificate = issueCertificate(
      {
        networkId: NETWORK,
        serial: BigInt(now),
        username,
        devicePublicKey: signer.publicKey,
        deviceName: username,
        policy: { maySupernode: false, mayRelay: true, maySendFiles: true },
        organisation: '',
        notBefore: now - 60_000,
        notAfter: now + validForMs,
      },
      this.network,
    )
    const refusals: Refusal[] = []
    const notices: ChatNotice[] = []
    const chat = new Chat(
      new ChatStore(join(this.dir, `${file}.sqlite`)),
      { username, deviceId: deviceIdOf(signer.publicKey), certificate: () => certificate, signer },
      () => ({ networkPublicKey: this.network.publicKey, networkId: NETWORK, now: clock.now() }),
      random,
      (n) => notices.push(n),
      (r) => refusals.push(r),
    )
    return { chat, signer, certificate, refusals, notices }
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true })
  }
}

export interface Crafted {
  lamport?: number
  sentAt?: number
  text?: string
  status?: PresenceStatus
  id?: Uint8Array
  refs?: Uint8Array[]
}

/** An event signed by `from`'s device with the fields it chooses: what a hostile peer sends. */
export function crafted(from: Dev, to: string, kind: ChatKind, f: Crafted = {}): Uint8Array {
  return signChatEvent(
    {
      certificate: from.certificate,
      id: f.id ?? new Uint8Array(randomBytes(16)),
      kind,
      to,
      lamport: f.lamport ?? 1,
      sentAt: f.sentAt ?? Date.now(),
      text: f.text ?? '',
      refs: f.refs ?? [],
      status: f.status ?? PresenceStatus.OFFLINE,
    },
    from.signer,
  )
}

/** Everything `from` queued for `user` by its clock's time, as its bytes (what delivery would push). */
export const outbox = (from: Dev, user: string): Uint8Array[] =>
  from.chat.store.outbox.due(user, from.chat.verifyOptionsNow().now + 1, 10_000).map((e) => e.bytes)

export const deliver = (from: Dev, to: Dev, user: string) => to.chat.receive(outbox(from, user))

/** alice and bob made contacts: alice asks with `greeting`, bob accepts, each takes the other's event. */
export function befriend(alice: Dev, bob: Dev, greeting = ''): void {
  alice.chat.addContact('bob', greeting)
  deliver(alice, bob, 'bob')
  bob.chat.accept('alice')
  deliver(bob, alice, 'alice')
}
