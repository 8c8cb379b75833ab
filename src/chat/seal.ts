/**
 * Sealing offline messages so the supernodes that store them never see the
 * text. The signed event is encrypted once under a fresh content key
 * (XChaCha20-Poly1305), and that key is wrapped for each recipient device:
 * X25519 between a one-time key and the device key (its Ed25519 key, mapped
 * to Montgomery form), HKDF-SHA256, then XChaCha20-Poly1305 again.
 *
 * The item id and recipient are the content's associated data, so a
 * supernode cannot move a ciphertext under another id or to another user;
 * the wrapping key is derived with the id, the device and both public keys,
 * so a wrapped key only opens for the copy it was made for.
 *
 * Sealing hides the text; it does not say who sealed it, since anyone can
 * seal to a device's public key. The sender is proven by the signed event
 * inside: verify it, and check its id is the item's.
 */
import { createHash, createHmac, type KeyObject } from 'node:crypto'
import { pooledRandomBytes } from '../crypto/random-pool.js'
import { xchacha } from '../crypto/xchacha.js'
import { montgomeryOf, ownX25519, x25519KeyPair, x25519Shared } from '../crypto/x25519.js'
import { plain } from '../wire/bytes.js'
import { ChatLimits, type SealedCopy, type SealedItem } from '../wire/chat.js'
import { isUsername } from '../wire/fields.js'

export interface SealTarget {
  deviceId: string
  /** The device's raw 32-byte Ed25519 public key. */
  publicKey: Uint8Array
}

export interface SealArgs {
  /** The event id, 16 bytes. */
  id: Uint8Array
  recipient: string
  /** A signed chat event's bytes. */
  plaintext: Uint8Array
  devices: SealTarget[]
  /** Where keys and nonces come from; a CSPRNG unless a test fixes it. */
  random?: (length: number) => Uint8Array
}

export type SealErrorCode = 'not_for_this_device' | 'bad_seal'

/** An item could not be opened: no copy for this device, or it was altered (or not sealed to us). */
export class SealError extends Error {
  override name = 'SealError'
  constructor(
    readonly code: SealErrorCode,
    message: string,
  ) {
    super(message)
  }
}

const KEY_BYTES = 32
const NONCE_BYTES = 24
const encoder = new TextEncoder()
const CONTENT_LABEL = encoder.encode('parley/sealed-item/1\u0000')
const WRAP_LABEL = encoder.encode('parley/sealed-key/1\u0000')
/**
 * Four draws an item (two keys, two nonces) were four system calls, a fifth
 * of sealing it (bench:chat's offline rows, issue 12 §2): one pool instead.
 */
const systemRandom = pooledRandomBytes()
const NO_SALT = new Uint8Array(32)
const FIRST_BLOCK = Uint8Array.of(1)

/** Encrypts `plaintext` for `devices`; the supernode fills in sender and storedAt. */
export function sealForDevices(args: SealArgs): SealedItem {
  const { id, recipient, plaintext, devices } = args
  const random = args.random ?? systemRandom
  checkSealArgs(args)
  const contentKey = random(KEY_BYTES)
  const nonce = random(NONCE_BYTES)
  const ciphertext = xchacha(contentKey, nonce, contentAad(id, recipient)).encrypt(plaintext)
  const copies = devices.map((d) => wrapKey(contentKey, id, d, random))
  return {
    id: plain(id),
    recipient,
    sender: '',
    storedAt: 0n,
    nonce: plain(nonce),
    ciphertext: plain(ciphertext),
    copies,
    // Signed by the depositing device when it deposits (src/chat/offline-client.ts).
    deposit: new Uint8Array(0),
  }
}

/** The plaintext of an item sealed to this device. Throws SealError. */
export function openSealed(item: SealedItem, device: { deviceId: string; seed: Uint8Array }): Uint8Array {
  const mine = item.copies.filter((c) => c.deviceId === device.deviceId)
  if (mine.length === 0) throw new SealError('not_for_this_device', 'the item holds no copy for this device')
  // The associated data relies on the id's fixed length to keep id and recipient apart.
  if (item.id.byteLength !== ChatLimits.idBytes) throw new SealError('bad_seal', 'the item id is malformed')
  const { privateKey: secret, publicKey } = ownX25519(device.seed)
  // Copies are not signed and anyone can seal to our key, so a second copy
  // under our device id may be someone's forgery: try each in turn.
  for (const copy of mine) {
    const contentKey = unwrapKey(copy, item.id, device.deviceId, secret, publicKey)
    if (contentKey === undefined) continue
    try {
      return xchacha(contentKey, item.nonce, contentAad(item.id, item.recipient)).decrypt(item.ciphertext)
    } catch {
      throw new SealError('bad_seal', 'the sealed item was altered')
    }
  }
  throw new SealError('bad_seal', 'the key sealed to this device does not open')
}

function checkSealArgs({ id, recipient, plaintext, devices }: SealArgs): void {
  if (id.byteLength !== ChatLimits.idBytes) throw new RangeError(`id must be ${ChatLimits.idBytes} bytes`)
  if (!isUsername(recipient)) throw new RangeError('recipient is not a valid username')
  if (plaintext.byteLength > ChatLimits.eventBytes)
    throw new RangeError(`plaintext is over the ${ChatLimits.eventBytes}-byte cap of a chat event`)
  if (devices.length === 0) throw new RangeError('an item must be sealed to at least one device')
  if (devices.length > ChatLimits.copies)
    throw new RangeError(
      `an item can be sealed to at most ${ChatLimits.copies} devices, not ${devices.length}`,
    )
  const ids = new Set<string>()
  for (const d of devices) {
    if (d.deviceId.length === 0 || d.deviceId.length > ChatLimits.peerIdChars)
      throw new RangeError(`device id must be 1–${ChatLimits.peerIdChars} characters`)
    if (ids.has(d.deviceId)) throw new RangeError(`device ${d.deviceId} is listed twice`)
    ids.add(d.deviceId)
    if (d.publicKey.byteLength !== 32) throw new RangeError(`device ${d.deviceId}: the key is not 32 bytes`)
  }
}

function wrapKey(
  contentKey: Uint8Array,
  id: Uint8Array,
  device: SealTarget,
  random: (length: number) => Uint8Array,
): SealedCopy {
  let devicePublic: Uint8Array
  try {
    devicePublic = montgomeryOf(device.publicKey)
  } catch (err) {
    throw new RangeError(`device ${device.deviceId}: not an Ed25519 public key`, { cause: err })
  }
  // X25519 clamps any 32 bytes into a valid secret.
  const ephemeralSecret = random(KEY_BYTES)
  const { privateKey, publicKey: ephemeral } = x25519KeyPair(ephemeralSecret)
  const shared = x25519Shared(privateKey, devicePublic)
  const wrapping = wrappingKey(shared, id, device.deviceId, ephemeral, devicePublic)
  const nonce = random(NONCE_BYTES)
  const sealed = xchacha(wrapping, nonce).encrypt(contentKey)
  const wrapped = new Uint8Array(NONCE_BYTES + sealed.byteLength)
  wrapped.set(nonce)
  wrapped.set(sealed, NONCE_BYTES)
  return { deviceId: device.deviceId, ephemeral: plain(ephemeral), wrapped }
}

function unwrapKey(
  copy: SealedCopy,
  id: Uint8Array,
  deviceId: string,
  secret: KeyObject,
  publicKey: Uint8Array,
): Uint8Array | undefined {
  try {
    // Throws for a low-order ephemeral key (an all-zero secret) and for bad lengths.
    const shared = x25519Shared(secret, copy.ephemeral)
    const wrapping = wrappingKey(shared, id, deviceId, copy.ephemeral, publicKey)
    const nonce = copy.wrapped.subarray(0, NONCE_BYTES)
    return xchacha(wrapping, nonce).decrypt(copy.wrapped.subarray(NONCE_BYTES))
  } catch {
    return undefined
  }
}

function wrappingKey(
  shared: Uint8Array,
  id: Uint8Array,
  deviceId: string,
  ephemeral: Uint8Array,
  devicePublic: Uint8Array,
): Uint8Array {
  // Fixed-length fields around one hashed variable one: the info has a single parse.
  const deviceHash = createHash('sha256').update(deviceId).digest()
  const info = concat(WRAP_LABEL, id, deviceHash, ephemeral, devicePublic)
  // HKDF-SHA256 with no salt (RFC 5869: a zero-filled one), as noble's hkdf
  // did; 32 bytes are one block of expand, so two HMACs: hkdfSync's key
  // objects cost more than the hashing (bench:chat's offline rows).
  const prk = createHmac('sha256', NO_SALT).update(shared).digest()
  const okm = createHmac('sha256', prk).update(info).update(FIRST_BLOCK).digest()
  return new Uint8Array(okm.buffer, okm.byteOffset, KEY_BYTES)
}

function contentAad(id: Uint8Array, recipient: string): Uint8Array {
  // The id is checked to be 16 bytes before sealing, so the recipient is the rest.
  return concat(CONTENT_LABEL, id, encoder.encode(recipient))
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.byteLength
  }
  return out
}
