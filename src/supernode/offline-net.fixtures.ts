/**
 * The offline service in-process: several supernodes, each with its own
 * SQLite store in a temporary folder, whose requests to each other go straight
 * to the other's handler. Dead replicas throw, gated ones wait until released.
 * Devices are real keys with certificates from a test network key: alice's
 * and bob's phones are attached to every supernode.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { replicasFor, type Placed } from '../placement/placement.js'
import { silentLogger } from '../log/logger.js'
import { AccessKind, grantOf, OfflineKeys, signedBy, type TestDevice } from '../offline/auth.fixtures.js'
import { OfflineStore, type OfflineStoreOptions } from '../offline/store.js'
import { plain } from '../wire/bytes.js'
import {
  decodeOfflineRequest,
  decodeOfflineResponse,
  OfflineKind,
  OfflineRequest,
  OfflineResult,
  type OfflineResponse,
  type SealedItem,
} from '../wire/chat.js'
import { REPLICAS } from './directory-service.js'
import { createSupernodeMetrics } from './metrics.js'
import { OfflineService } from './offline-service.js'

export const rnd = (n: number) => plain(new Uint8Array(randomBytes(n)))

export interface NetOptions {
  store?: OfflineStoreOptions
  limit?: number
}

export class OfflineNet {
  readonly services = new Map<string, OfflineService>()
  readonly stores = new Map<string, OfflineStore>()
  members: Placed[] = []
  readonly dead = new Set<string>()
  /** While set, requests to these peers wait for it. */
  gate: { peers: Set<string>; open: Promise<void> } | undefined
  /** Every request a supernode sent another, decoded: what a rogue among them would see. */
  readonly sent: Array<{ from: string; to: string; req: OfflineRequest }> = []
  private readonly dir = mkdtempSync(join(tmpdir(), 'parley-offline-svc-'))

  private constructor(
    readonly keys: OfflineKeys,
    readonly alice: TestDevice,
    readonly bob: TestDevice,
  ) {}

  static async create(): Promise<OfflineNet> {
    const keys = await OfflineKeys.create()
    return new OfflineNet(keys, await keys.device('alice'), await keys.device('bob'))
  }

  /** Starts `n` supernodes sn-0 … sn-(n-1), all members. */
  start(n: number, opts: NetOptions = {}): this {
    const attached = new Map([
      [this.bob.deviceId, 'bob'],
      [this.alice.deviceId, 'alice'],
    ])
    for (let i = 0; i < n; i++) {
      const self = `sn-${i}`
      const store = OfflineStore.open(join(this.dir, `${self}.sqlite`), opts.store)
      const service = new OfflineService({
        self,
        store,
        isAttached: (peer) => attached.has(peer),
        usernameOf: (peer) => attached.get(peer),
        isMember: (peer) => this.members.some((m) => m.peerId === peer),
        members: () => this.members,
        ask: async (peer, req) => {
          if (this.dead.has(peer)) throw new Error('connection refused')
          if (this.gate?.peers.has(peer) === true) await this.gate.open
          const to = this.services.get(peer)
          if (to === undefined) throw new Error('no such peer')
          const bytes = OfflineRequest.encode(req)
          this.sent.push({ from: self, to: peer, req: decodeOfflineRequest(bytes) })
          return decodeOfflineResponse(await to.answer(bytes, self))
        },
        verifyOptions: this.keys.verifyOptions,
        metrics: createSupernodeMetrics(),
        log: silentLogger(),
        shed: { limit: opts.limit ?? 64 },
        random: () => 0.5,
      })
      this.services.set(self, service)
      this.stores.set(self, store)
      this.members.push({ peerId: self, weight: 1 })
    }
    return this
  }

  stop(): void {
    for (const s of this.services.values()) s.stop()
    for (const s of this.stores.values()) s.close()
    rmSync(this.dir, { recursive: true, force: true })
  }

  replicasOf(username: string, r = REPLICAS): string[] {
    return replicasFor(username, this.members, r)
  }

  /** A supernode that is not among `username`'s R + 1 replicas: it may not store for them. */
  outsider(username: string): string {
    const near = this.replicasOf(username, REPLICAS + 1)
    return this.members.map((m) => m.peerId).find((p) => !near.includes(p))!
  }

  /** An item sealed for `recipient`'s devices (bob's phone by default), signed by `by` (alice) unless `by` is null. */
  sealed(
    recipient: string,
    devices = [this.bob.deviceId],
    by: TestDevice | null = this.alice,
    ciphertext = rnd(200),
  ): SealedItem {
    const item: SealedItem = {
      id: rnd(16),
      recipient,
      sender: '',
      storedAt: 0n,
      nonce: rnd(24),
      ciphertext,
      copies: devices.map((deviceId) => ({ deviceId, ephemeral: rnd(32), wrapped: rnd(72) })),
      deposit: new Uint8Array(0),
    }
    return by === null ? item : signedBy(item, by)
  }

  async call(via: string, from: string, r: OfflineRequest | Uint8Array): Promise<OfflineResponse> {
    const bytes = r instanceof Uint8Array ? r : OfflineRequest.encode(r)
    return decodeOfflineResponse(await this.services.get(via)!.answer(bytes, from))
  }

  /** Fetches as `device` (bob's phone), paging with the exclude list, until there is no more. */
  async fetchAll(via: string, device: TestDevice = this.bob): Promise<SealedItem[]> {
    const out: SealedItem[] = []
    const access = grantOf(device, AccessKind.Take)
    for (;;) {
      const ids = out.map((i) => i.id)
      const res = await this.call(via, device.deviceId, req(OfflineKind.Fetch, { ids, access }))
      if (res.result !== OfflineResult.Ok) throw new Error(`fetch refused: ${res.code} ${res.message}`)
      out.push(...res.items)
      if (!res.more) return out
    }
  }

  ack(via: string, ids: Uint8Array[], device: TestDevice = this.bob): Promise<OfflineResponse> {
    const access = grantOf(device, AccessKind.Drop, ids)
    return this.call(via, device.deviceId, req(OfflineKind.Ack, { ids: ids.map((id) => plain(id)), access }))
  }
}

export function req(kind: number, over: Partial<OfflineRequest> = {}): OfflineRequest {
  return { kind, items: [], recipient: '', deviceId: '', ids: [], access: new Uint8Array(0), ...over }
}
