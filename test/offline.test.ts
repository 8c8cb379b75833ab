/**
 * The offline store on real supernode processes: devices (full libp2p hosts
 * in this process, signed in like any device) deposit sealed items for a
 * user, two of the user's three replicas are SIGKILLed and the third frozen,
 * and the user's device still fetches every item once from the replicas that
 * repair filled, then acknowledges them away. Refusals and quotas too, and
 * what the SQLite file on a supernode holds.
 */
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  ack,
  deposit,
  fetchAll,
  OfflineBusyError,
  OfflineStoreError,
  type OfflineIdentity,
} from '../src/chat/offline-client.js'
import { generateKey, signerOf } from '../src/crypto/keys.js'
import { AuthorityClient } from '../src/device/authority-client.js'
import { DeviceNode } from '../src/device/node.js'
import { Profile } from '../src/device/profile.js'
import { signIn } from '../src/device/session.js'
import { DEMO_PASSWORD, startDevnet, type Devnet, type DevnetNode } from '../src/devnet/devnet.js'
import { replicasFor } from '../src/placement/placement.js'
import { createLogger } from '../src/log/logger.js'
import { createDeviceHost, type DeviceHost } from '../src/net/host.js'
import { request } from '../src/net/rpc.js'
import { Deadlines, Protocols } from '../src/supernode/protocols.js'
import { plain } from '../src/wire/bytes.js'
import {
  ChatLimits,
  decodeOfflineResponse,
  OfflineKind,
  OfflineRequest,
  OfflineResult,
  type SealedItem,
} from '../src/wire/chat.js'
import { ErrorCode } from '../src/wire/error-codes.js'
import { devnetPlacement } from './support/placement.js'
import { eventually, metric } from './support/devnet.js'
import { tempDir } from './support/process.js'

const dir = tempDir('parley-offline-')
let net: Devnet
const devices = new Map<string, DeviceNode>()
const identities = new Map<string, OfflineIdentity>()
let stranger: DeviceHost | undefined
const ITEMS = 150
const MARKER = 'PARLEY-PLAINTEXT-MARKER'

const rnd = (n: number) => plain(new Uint8Array(randomBytes(n)))
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const device = (name: string): DeviceNode => devices.get(name)!
const addrsOf = (name: string) => device(name).supernodeAddrs()
/** What the device signs its deposits and grants with. */
const me = (name: string): OfflineIdentity => identities.get(name)!

/** An item as a sender's device seals it: real encryption of a known plaintext under a random key. */
function sealed(recipient: string, deviceId: string, text: string): SealedItem {
  const nonce = rnd(24)
  const ciphertext = xchacha20poly1305(rnd(32), nonce).encrypt(new TextEncoder().encode(text))
  return {
    id: rnd(16),
    recipient,
    sender: '',
    storedAt: 0n,
    nonce,
    ciphertext: plain(ciphertext),
    copies: [{ deviceId, ephemeral: rnd(32), wrapped: rnd(72) }],
    deposit: new Uint8Array(0),
  }
}

/** Retries what a loaded machine may answer busy or late (vi.waitFor); a refusal fails at once. */
async function patiently<T>(what: () => Promise<T>, timeoutMs = 45_000): Promise<T> {
  const outcome = await vi.waitFor(
    async (): Promise<{ value: T } | { refused: unknown }> => {
      try {
        return { value: await what() }
      } catch (err) {
        const retry =
          err instanceof OfflineBusyError || (err instanceof OfflineStoreError && err.code === 'unavailable')
        if (retry) throw err
        return { refused: err }
      }
    },
    { timeout: timeoutMs, interval: 250 },
  )
  if ('refused' in outcome) throw outcome.refused
  return outcome.value
}

async function statusOf(sn: DevnetNode): Promise<{ members: Array<{ peerId: string; state: string }> }> {
  const res = await fetch(`${sn.httpUrl}/v1/status`, { signal: AbortSignal.timeout(2_000) })
  return (await res.json()) as { members: Array<{ peerId: string; state: string }> }
}

async function signInUser(name: string): Promise<void> {
  await new AuthorityClient(net.authorityUrl).register(name, DEMO_PASSWORD)
  await signIn({
    profile: new Profile(net.home, name),
    authority: net.authorityUrl,
    username: name,
    password: DEMO_PASSWORD,
    deviceName: name,
  })
}

beforeAll(async () => {
  net = await startDevnet({ dir: dir.path, megas: 1, supernodes: 5, fastReattach: true })
  await eventually(async () => {
    for (const sn of net.supernodes) {
      const alive = (await statusOf(sn)).members.filter((m) => m.state === 'alive').length
      if (alive < net.supernodes.length) return undefined
    }
    return true
  }, 60_000)
  const log = createLogger('offline-test', { file: join(net.logDir, 'test-devices.log'), level: 'warn' })
  for (const name of ['alice', 'bob', 'carol']) {
    await signInUser(name)
    const node = await DeviceNode.start({
      profile: new Profile(net.home, name),
      host: '127.0.0.1',
      log: log.child({ device: name }),
      fastReattach: true,
    })
    devices.set(name, node)
    const key = await new Profile(net.home, name).deviceKey()
    identities.set(name, { username: name, certificate: () => node.certificateBytes, signer: signerOf(key) })
  }
  await eventually(
    () => Promise.resolve([...devices.values()].every((d) => d.supernodeAddrs().length >= 2) || undefined),
    60_000,
  )
}, 180_000)

afterAll(async () => {
  for (const s of net?.supernodes ?? []) s.child.process.kill('SIGCONT')
  await stranger?.stop()
  for (const d of devices.values()) await d.stop().catch(() => undefined)
  await net?.stop()
  dir.remove()
})

describe('deposit, two of three holders killed, fetch, ack', () => {
  let items: SealedItem[] = []
  let replicas: DevnetNode[] = []

  it('a deposit is held by the recipient’s three replicas, as the sealed bytes and nothing else', async () => {
    const bob = device('bob').peerId
    items = Array.from({ length: ITEMS }, (_, i) => sealed('bob', bob, `${MARKER} ${i}`))
    await patiently(() => deposit(device('alice').node, addrsOf('alice'), me('alice'), items))

    const ids = replicasFor('bob', await devnetPlacement(net, net.supernodes), 3)
    replicas = net.supernodes.filter((s) => ids.includes(s.peerId))
    expect(replicas).toHaveLength(3)
    await eventually(async () => {
      for (const r of replicas)
        if ((await metric(r.httpUrl!, 'parley_supernode_offline_items')) < ITEMS) return undefined
      return true
    }, 20_000)

    // The store never sees plaintext: the file holds the ciphertext as deposited, never the text.
    const files = ['offline.sqlite', 'offline.sqlite-wal'].map((f) => {
      try {
        return readFileSync(join(net.home, 'profiles', replicas[0]!.name, f))
      } catch {
        return Buffer.alloc(0)
      }
    })
    const bytes = Buffer.concat(files)
    for (const item of items.slice(0, 10)) expect(bytes.includes(Buffer.from(item.ciphertext))).toBe(true)
    expect(bytes.includes(Buffer.from(MARKER))).toBe(false)
  })

  it('survives two replicas SIGKILLed and the third frozen: every item fetched once, gone after ack', async () => {
    // Kill two of the three; keep a mega-supernode alive if it is one of them (it is the seed).
    const ordered = [...replicas].sort(
      (a, b) => Number(a.name.startsWith('mega-')) - Number(b.name.startsWith('mega-')),
    )
    const killed = ordered.slice(0, 2)
    const survivor = ordered[2]!
    for (const k of killed) k.child.process.kill('SIGKILL')
    const alive = net.supernodes.filter((s) => !killed.includes(s))
    const after = replicasFor('bob', await devnetPlacement(net, alive), 3)
    const newcomers = alive.filter((s) => after.includes(s.peerId) && s !== survivor)
    expect(newcomers).toHaveLength(2)

    // Membership declares them dead; the survivor pushes bob's items to the two that replaced them.
    await eventually(async () => {
      for (const n of newcomers)
        if ((await metric(n.httpUrl!, 'parley_supernode_offline_items')) < ITEMS) return undefined
      return true
    }, 60_000)

    // The old holder now freezes: what bob gets comes from the new placement alone.
    survivor.child.process.kill('SIGSTOP')
    const got = await patiently(() => fetchAll(device('bob').node, addrsOf('bob'), me('bob')))
    expect(got).toHaveLength(ITEMS)
    expect(new Set(got.map((i) => hex(i.id)))).toEqual(new Set(items.map((i) => hex(i.id))))
    const byId = new Map(items.map((i) => [hex(i.id), i]))
    for (const item of got) {
      expect(hex(item.ciphertext)).toBe(hex(byId.get(hex(item.id))!.ciphertext))
      expect(item.sender).toBe('alice')
      expect(item.copies.map((c) => c.deviceId)).toEqual([device('bob').peerId])
    }

    await patiently(() =>
      ack(
        device('bob').node,
        addrsOf('bob'),
        me('bob'),
        got.map((i) => i.id),
      ),
    )
    expect(await patiently(() => fetchAll(device('bob').node, addrsOf('bob'), me('bob')))).toEqual([])
    survivor.child.process.kill('SIGCONT')
  })
})

describe('refusals', () => {
  it('a peer that is not attached is refused', async () => {
    stranger = await createDeviceHost({ privateKey: await generateKey(), host: '127.0.0.1' })
    const err = await fetchAll(stranger, addrsOf('carol'), me('carol')).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(OfflineStoreError)
    expect((err as OfflineStoreError).code).toBe(ErrorCode.Unauthorized)
  })

  it('a device asking for another user’s items, or as a supernode, is refused', async () => {
    const ask = async (req: OfflineRequest) => {
      const [addrs] = addrsOf('carol')
      const bytes = await request(
        device('carol').node,
        addrs!,
        Protocols.offline,
        OfflineRequest.encode(req),
        {
          timeoutMs: Deadlines.offlineMs,
          maxResponseBytes: ChatLimits.offlineBytes,
        },
      )
      return decodeOfflineResponse(bytes)
    }
    const base = { items: [], recipient: '', deviceId: '', ids: [], access: new Uint8Array(0) }
    for (const req of [
      { ...base, kind: OfflineKind.Fetch, recipient: 'bob' },
      { ...base, kind: OfflineKind.Fetch, deviceId: device('bob').peerId },
      { ...base, kind: OfflineKind.Ack, recipient: 'bob', ids: [rnd(16)] },
      { ...base, kind: OfflineKind.Take, recipient: 'bob', deviceId: device('bob').peerId },
    ]) {
      const res = await ask(req)
      expect([res.result, res.code]).toEqual([OfflineResult.Refused, ErrorCode.Unauthorized])
    }
  })
})

describe('quotas', () => {
  it('a sender past 2,000 items held is refused with quota_exceeded', async () => {
    const carol = device('carol')
    const items = Array.from({ length: 2_000 }, () => sealed('dave', carol.peerId, 'x'))
    await patiently(() => deposit(carol.node, addrsOf('carol'), me('carol'), items))
    // A replica that missed a batch under load takes that many more before it is full too.
    let refused: OfflineStoreError | undefined
    for (let extra = 0; extra < 200 && refused === undefined; extra++) {
      try {
        await patiently(() =>
          deposit(carol.node, addrsOf('carol'), me('carol'), [sealed('dave', carol.peerId, 'x')]),
        )
      } catch (err) {
        if (!(err instanceof OfflineStoreError)) throw err
        refused = err
      }
    }
    expect(refused?.code).toBe(ErrorCode.QuotaExceeded)
  })
})
