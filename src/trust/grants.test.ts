/** The supernode role on announcements: the certificate's flag and, when a grant list is known, the grant. */
import { beforeAll, describe, expect, it } from 'vitest'
import { generateKey, signerOf, type Signer } from '../crypto/keys.js'
import { signAnnouncement, verifyAnnouncement } from './announcement.js'
import { issueCertificate } from './certificate.js'
import { TrustError } from './errors.js'
import { signSupernodeGrantList, verifySupernodeGrantList } from './grants.js'

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
    expect(verifyAnnouncement(announcement, { ...options(), isGranted: list.has }).version).toBe('1.0.0')
  })

  it('refuses a certificate that allows the role when the account is not (or no longer) granted', () => {
    const list = listOf(['alice'])
    let refusal: unknown
    try {
      verifyAnnouncement(announcement, { ...options(), isGranted: list.has })
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
