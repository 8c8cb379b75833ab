/** Sealed offline items: who can open them, and that no change to one opens. */
import type { Ed25519PrivateKey } from '@libp2p/interface'
import { ed25519 } from '@noble/curves/ed25519.js'
import { beforeAll, describe, expect, it } from 'vitest'
import { deviceIdOf, generateKey, signerOf, type Signer } from '../crypto/keys.js'
import { issueCertificate } from '../trust/certificate.js'
import { signChatEvent, verifyChatEvent } from '../trust/chat-event.js'
import {
  ChatKind,
  ChatLimits,
  decodeOfflineRequest,
  OfflineKind,
  OfflineRequest,
  SealedItem,
} from '../wire/chat.js'
import { PresenceStatus } from '../wire/generated/parley.js'
import { openSealed, SealError, sealForDevices, type SealTarget } from './seal.js'

const NETWORK = 'parley-test'
const T0 = 1_700_000_000_000
const ID = Uint8Array.from({ length: 16 }, (_, i) => i + 1)

interface Device {
  target: SealTarget
  seed: Uint8Array
}

let devices: Device[] = []
let stranger: Device

function deviceOf(key: Ed25519PrivateKey): Device {
  const publicKey = key.publicKey.raw
  return { target: { deviceId: deviceIdOf(publicKey), publicKey }, seed: key.raw.subarray(0, 32) }
}

beforeAll(async () => {
  const keys = await Promise.all(Array.from({ length: ChatLimits.copies + 1 }, () => generateKey()))
  devices = keys.map(deviceOf)
  stranger = devices.pop()!
})

const opener = (d: Device) => ({ deviceId: d.target.deviceId, seed: d.seed })
const text = (s: string) => new TextEncoder().encode(s)

function sealTo(ds: Device[], plaintext: Uint8Array = text('see you at eight')): SealedItem {
  return sealForDevices({ id: ID, recipient: 'bob', plaintext, devices: ds.map((d) => d.target) })
}

function sealError(run: () => unknown): SealError {
  try {
    run()
  } catch (err) {
    if (err instanceof SealError) return err
    throw err
  }
  throw new Error('expected a SealError, but the item opened')
}

describe('sealForDevices and openSealed', () => {
  it('round-trips for one device', () => {
    const item = sealTo(devices.slice(0, 1))
    expect(openSealed(item, opener(devices[0]!))).toEqual(text('see you at eight'))
    expect({ sender: item.sender, storedAt: item.storedAt, recipient: item.recipient }).toEqual({
      sender: '',
      storedAt: 0n,
      recipient: 'bob',
    })
  })

  it('round-trips for three devices, each opening its own copy', () => {
    const three = devices.slice(0, 3)
    const item = sealTo(three)
    expect(item.copies.map((c) => c.deviceId)).toEqual(three.map((d) => d.target.deviceId))
    for (const d of three) expect(openSealed(item, opener(d))).toEqual(text('see you at eight'))
  })

  it('opens an empty plaintext and one of the largest a chat event can be', () => {
    const big = Uint8Array.from({ length: ChatLimits.eventBytes }, (_, i) => i % 251)
    for (const plaintext of [new Uint8Array(0), big])
      expect(openSealed(sealTo(devices.slice(0, 1), plaintext), opener(devices[0]!))).toEqual(plaintext)
  })

  it('carries a signed chat event that still verifies once opened', async () => {
    const network = signerOf(await generateKey())
    const alice: Signer = signerOf(await generateKey())
    const certificate = issueCertificate(
      {
        networkId: NETWORK,
        serial: 1n,
        username: 'alice',
        devicePublicKey: alice.publicKey,
        deviceName: 'Phone',
        policy: { maySupernode: false, mayRelay: true, maySendFiles: true },
        organisation: '',
        notBefore: T0,
        notAfter: T0 + 86_400_000,
      },
      network,
    )
    const event = signChatEvent(
      {
        certificate,
        id: ID,
        kind: ChatKind.TEXT,
        to: 'bob',
        lamport: 4,
        sentAt: T0 + 1000,
        text: 'the secret word is marmalade',
        refs: [],
        status: PresenceStatus.ONLINE,
      },
      alice,
    )
    const item = sealTo(devices.slice(0, 2), event)
    const opened = openSealed(item, opener(devices[1]!))
    const verified = verifyChatEvent(opened, {
      networkPublicKey: network.publicKey,
      networkId: NETWORK,
      now: T0 + 2000,
    })
    expect({ from: verified.from, text: verified.text }).toEqual({
      from: 'alice',
      text: 'the secret word is marmalade',
    })
    // Neither the event nor its text appear anywhere in what the supernode stores.
    const stored = Buffer.from(OfflineRequest.encode({ kind: OfflineKind.Deposit, items: [item] }))
    expect(stored.includes(Buffer.from(event))).toBe(false)
    expect(stored.includes(Buffer.from('marmalade'))).toBe(false)
    expect(Buffer.from(item.ciphertext).includes(Buffer.from(event))).toBe(false)
  })

  it('draws fresh keys and nonces each time, or what a given random source returns', () => {
    const a = sealTo(devices.slice(0, 1))
    const b = sealTo(devices.slice(0, 1))
    expect(a.ciphertext).not.toEqual(b.ciphertext)
    expect(a.nonce).not.toEqual(b.nonce)
    expect(a.copies[0]!.ephemeral).not.toEqual(b.copies[0]!.ephemeral)

    let counter = 0
    const random = (n: number) => Uint8Array.from({ length: n }, () => counter++ % 256)
    const fixed = () => {
      counter = 0
      return sealForDevices({
        id: ID,
        recipient: 'bob',
        plaintext: text('hi'),
        devices: [devices[0]!.target],
        random,
      })
    }
    const first = fixed()
    expect(fixed()).toEqual(first)
    expect(openSealed(first, opener(devices[0]!))).toEqual(text('hi'))
  })
})

describe('who may open', () => {
  it('refuses a device that holds no copy with not_for_this_device', () => {
    const item = sealTo(devices.slice(0, 3))
    expect(sealError(() => openSealed(item, opener(stranger))).code).toBe('not_for_this_device')
  })

  it('refuses a device whose copy is under its id but made for another device', () => {
    const [a, b] = devices as [Device, Device]
    const item = sealTo([a, b])
    // A supernode swaps the device ids of the two copies.
    const swapped: SealedItem = {
      ...item,
      copies: [
        { ...item.copies[0]!, deviceId: b.target.deviceId },
        { ...item.copies[1]!, deviceId: a.target.deviceId },
      ],
    }
    expect(sealError(() => openSealed(swapped, opener(a))).code).toBe('bad_seal')
    expect(sealError(() => openSealed(swapped, opener(b))).code).toBe('bad_seal')
  })

  it('refuses a device id claimed with another device’s key', () => {
    const item = sealTo(devices.slice(0, 1))
    const impostor = { deviceId: devices[0]!.target.deviceId, seed: stranger.seed }
    expect(sealError(() => openSealed(item, impostor)).code).toBe('bad_seal')
  })

  it('opens when a forged copy under the same device id comes first', () => {
    const item = sealTo(devices.slice(0, 1))
    const forged = { ...item.copies[0]!, wrapped: new Uint8Array(72) }
    const withForged = { ...item, copies: [forged, ...item.copies] }
    expect(openSealed(withForged, opener(devices[0]!))).toEqual(text('see you at eight'))
  })
})

describe('tampering', () => {
  // A short plaintext keeps every bit of every field flippable in reasonable time.
  let item: SealedItem
  let owner: Device
  beforeAll(() => {
    owner = devices[0]!
    item = sealTo([owner, devices[1]!], text('hi there'))
  })

  type Bytes = Uint8Array<ArrayBuffer>

  function withBitFlipped(bytes: Uint8Array, bit: number): Bytes {
    const out = Uint8Array.from(bytes)
    out[bit >> 3]! ^= 1 << (bit & 7)
    return out
  }

  const copyField =
    (field: 'ephemeral' | 'wrapped') =>
    (i: SealedItem, value: Bytes): SealedItem => ({
      ...i,
      copies: [{ ...i.copies[0]!, [field]: value }, ...i.copies.slice(1)],
    })

  const fields: Array<[string, (i: SealedItem) => Bytes, (i: SealedItem, v: Bytes) => SealedItem]> = [
    ['id', (i) => i.id, (i, id) => ({ ...i, id })],
    ['nonce', (i) => i.nonce, (i, nonce) => ({ ...i, nonce })],
    ['ciphertext', (i) => i.ciphertext, (i, ciphertext) => ({ ...i, ciphertext })],
    ['ephemeral', (i) => i.copies[0]!.ephemeral, copyField('ephemeral')],
    ['wrapped', (i) => i.copies[0]!.wrapped, copyField('wrapped')],
  ]

  it.each(fields)('refuses every single-bit change to the %s with bad_seal', (_name, get, set) => {
    const original = get(item)
    const opened: number[] = []
    for (let bit = 0; bit < original.byteLength * 8; bit++) {
      const altered = set(item, withBitFlipped(original, bit))
      try {
        openSealed(altered, opener(owner))
        opened.push(bit)
      } catch (err) {
        if (!(err instanceof SealError) || err.code !== 'bad_seal') throw err
      }
    }
    expect(opened).toEqual([])
  })

  it.each([
    ['another recipient', { recipient: 'carol' }],
    ['a recipient with a letter more', { recipient: 'bobb' }],
    ['another id', { id: Uint8Array.from(ID).reverse() }],
    ['an id one byte longer', { id: Uint8Array.of(...ID, 0x62) }],
    ['a truncated ciphertext', { ciphertext: new Uint8Array(0) }],
  ])('refuses the item under %s with bad_seal', (_what, change) => {
    expect(sealError(() => openSealed({ ...item, ...change }, opener(owner))).code).toBe('bad_seal')
  })

  it('refuses a copy whose ephemeral key is a low-order point', () => {
    const zero = copyField('ephemeral')(item, new Uint8Array(32))
    expect(sealError(() => openSealed(zero, opener(owner))).code).toBe('bad_seal')
  })
})

describe('limits and the wire', () => {
  it(`seals to at most ${ChatLimits.copies} devices`, () => {
    expect(() => sealTo(devices)).not.toThrow()
    expect(() => sealTo([...devices, stranger])).toThrow(
      new RangeError(
        `an item can be sealed to at most ${ChatLimits.copies} devices, not ${ChatLimits.copies + 1}`,
      ),
    )
  })

  it('refuses bad arguments with a RangeError', () => {
    const d = devices[0]!.target
    const good = { id: ID, recipient: 'bob', plaintext: text('x'), devices: [d] }
    for (const bad of [
      { id: ID.subarray(1) },
      { recipient: 'Not A Username!' },
      { plaintext: new Uint8Array(ChatLimits.eventBytes + 1) },
      { devices: [] },
      { devices: [d, d] },
      { devices: [{ ...d, deviceId: '' }] },
      { devices: [{ ...d, publicKey: d.publicKey.subarray(1) }] },
    ])
      expect(() => sealForDevices({ ...good, ...bad })).toThrow(RangeError)
  })

  it('makes items the offline decoder accepts, at the largest plaintext and the most copies', () => {
    const big = new Uint8Array(ChatLimits.eventBytes).fill(7)
    const items = [sealTo(devices.slice(0, 1)), sealTo(devices, big)]
    const bytes = OfflineRequest.encode({ kind: OfflineKind.Deposit, items })
    const decoded = decodeOfflineRequest(bytes)
    expect(decoded.items).toEqual(items)
    expect(openSealed(decoded.items[1]!, opener(devices[ChatLimits.copies - 1]!))).toEqual(big)
  })
})

describe("the sealed bytes (old and new devices open each other's items)", () => {
  // Made by the pure-JS noble X25519 of 79fb1a8 (before issue 12), with the key seed 0..31 and a
  // counting random source; the native X25519 must give the very same bytes and open them.
  const SEALED_BY_79FB1A8 =
    '0a100102030405060708090a0b0c0d0e0f101203626f622a18202122232425262728292a2b2c2d2e2f30313233343536' +
    '373215753c21a714fc2f8634ed7b6dff54396ac5cd6ce5693aa2010a34313244334b6f6f574134586f70314a6154334d' +
    '487877594d6b436570597376346950566f704d5877437a356948596442666553421220a02090967476345dfe80b7d871' +
    '054541823a61e1441f21584bc85148f5f9ef0d1a4858595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f39fe5f' +
    'e83a654fff205358cf1a1d713d319540ec4edce7b45389e67f1ebf94add6f7084d1e54a12d4d73604114070628'
  const seed = Uint8Array.from({ length: 32 }, (_, i) => i)
  const publicKey = ed25519.getPublicKey(seed)
  const device = { deviceId: deviceIdOf(publicKey), publicKey }

  it('seals byte for byte as before', () => {
    let counter = 0
    const random = (n: number) => Uint8Array.from({ length: n }, () => counter++ % 256)
    const item = sealForDevices({
      id: ID,
      recipient: 'bob',
      plaintext: text('hello'),
      devices: [device],
      random,
    })
    expect(Buffer.from(SealedItem.encode(item)).toString('hex')).toBe(SEALED_BY_79FB1A8)
  })

  it('opens what the old code sealed', () => {
    const item = SealedItem.decode(Buffer.from(SEALED_BY_79FB1A8, 'hex'))
    expect(openSealed(item, { deviceId: device.deviceId, seed })).toEqual(text('hello'))
  })
})
