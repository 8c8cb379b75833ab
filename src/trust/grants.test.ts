/** The supernode role on announcements: the certificate's flag and, when a grant list is known, the grant. */
import { beforeAll, describe, expect, it } from 'vitest'
import { generateKey, signerOf, type Signer } from '../crypto/keys.js'
import { signAnnouncement, verifyAnnouncement } from './announcement.js'
import { issueCertificate } from './certificate.js'
import { TrustError } from './errors.js'
import { issuedAfter, signSupernodeGrantList, verifySupernodeGrantList } from './grants.js'

const NETWORK = 'parley-test'
const T0 = 1_700_000_000_000

let networkKey: Signer
let device: Signer
let announcement: Uint8Array

beforeAll(async () => {
  networkKey = signerOf(await generateKey())
  device = signerOf(await generateKey())
  const certificate = issueCertificate(
    {
      networkId: NETWORK,
      serial: 1n,
      username: 'carol',
      devicePublicKey: device.publicKey,
      deviceName: 'server',
      policy: { maySupernode: true, mayRelay: true, maySendFiles: true },
      organisation: '',
      notBefore: T0,
      notAfter: T0 + 7 * 86_400_000,
    },
    networkKey,
  )
  announcement = signAnnouncement(
    {
      certificate,
      addrs: ['/ip4/127.0.0.1/tcp/4001'],
      capacity: 10,
      load: 0,
      version: '1.0.0',
      incarnation: 1,
      metricsUrl: '',
    },
    device,
  )
})

const options = () => ({
  networkPublicKey: networkKey.publicKey,
  networkId: NETWORK,
  now: T0 + 1000,
  bannedVersions: [],
})

function listOf(usernames: string[]) {
  const bytes = signSupernodeGrantList(
    {
      networkId: NETWORK,
      sequence: 1,
      issuedAt: T0,
      grants: usernames.map((username) => ({ username, grantedAt: T0 })),
    },
    networkKey,
  )
  return verifySupernodeGrantList(bytes, { networkPublicKey: networkKey.publicKey, networkId: NETWORK })
}

describe('verifyAnnouncement and the grant list', () => {
  it('accepts a supernode whose account is on the grant list', () => {
    const list = listOf(['alice', 'carol'])
    const isGranted = (c: { username: string }) => list.has(c.username)
    expect(verifyAnnouncement(announcement, { ...options(), isGranted }).version).toBe('1.0.0')
  })

  it('refuses a certificate that allows the role when the account is not (or no longer) granted', () => {
    const list = listOf(['alice'])
    let refusal: unknown
    try {
      verifyAnnouncement(announcement, { ...options(), isGranted: (c) => list.has(c.username) })
    } catch (err) {
      refusal = err
    }
    expect(refusal).toBeInstanceOf(TrustError)
    expect((refusal as TrustError).code).toBe('not_granted')
    expect((refusal as TrustError).message).toMatch(/grant-supernode/)
  })

  it('falls back to the certificate flag alone when no grant list is known (an older authority)', () => {
    expect(verifyAnnouncement(announcement, options()).peerId).toBeTruthy()
  })
})

describe('issuedAfter: is the grant list older than a certificate that allows the role?', () => {
  const DAY = 86_400_000
  const list = { issuedAt: T0 }
  const cert = (issuedAt: number, maySupernode = true) => ({
    notAfter: issuedAt + 7 * DAY,
    policy: { maySupernode },
  })

  it('says yes for a certificate issued after the list: a grant came since', () => {
    expect(issuedAfter(cert(T0 + 1000), list, 7 * DAY)).toBe(true)
  })

  it('says no for one issued before the list (a withdrawn grant), or one without the role', () => {
    expect(issuedAfter(cert(T0 - 1000), list, 7 * DAY)).toBe(false)
    expect(issuedAfter(cert(T0 + 1000, false), list, 7 * DAY)).toBe(false)
  })
})
