/**
 * H2 on real processes: alice's phone is stolen and she revokes it from her
 * laptop. From 60 s after `parley revoke` returns, the stolen device gets
 * nothing from anyone: no supernode lets it attach, look up or get TURN
 * credentials; her laptop serves it no history; bob's device takes no event it
 * signs and pushes it nothing; lookups no longer list it. The phone itself
 * says plainly that it was signed out by its owner, and keeps its history:
 * in `parley status`, and on the web page left open on it.
 * Before the fix, devices never checked revocation and supernodes kept the
 * attachments made before it.
 */
import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { Browser, Page } from 'playwright-core'
import { peerIdFromString } from '@libp2p/peer-id'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fetchAll, OfflineStoreError } from '../../src/chat/offline-client.js'
import { ChatProtocols } from '../../src/chat/service.js'
import { signerOf } from '../../src/crypto/keys.js'
import { DEMO_PASSWORD, startDevnet, type Devnet } from '../../src/devnet/devnet.js'
import { Profile } from '../../src/device/profile.js'
import { createDeviceHost, type DeviceHost } from '../../src/net/host.js'
import { request } from '../../src/net/rpc.js'
import { Protocols } from '../../src/supernode/protocols.js'
import { signChatEvent } from '../../src/trust/chat-event.js'
import { plain } from '../../src/wire/bytes.js'
import {
  ChatKind,
  ChatPush,
  decodeChatAck,
  decodeHistoryResponse,
  decodeTurnResponse,
  HistoryRequest,
  TurnRequest,
} from '../../src/wire/chat.js'
import {
  AttachRequest,
  decodeAttachResponse,
  decodeDirectoryResponse,
  DirectoryKind,
  DirectoryRequest,
} from '../../src/wire/overlay.js'
import { launchBrowser } from '../support/browser.js'
import { api, conversation, send, signIn, up } from '../support/chat.js'
import { eventually, lookup } from '../support/devnet.js'
import { run, tempDir, type Daemon } from '../support/process.js'
import { VERSION } from '../../src/version.js'

/** The deadline the design promises: revocation reaches everyone within a minute. */
const PROMISED_MS = 60_000

const dir = tempDir('parley-hostile-revocation-')
let net: Devnet
const daemons = new Map<string, Daemon>()
let thief: DeviceHost | undefined
let browser: Browser | undefined

const statusOf = (profile: string) =>
  api<{
    peerId: string
    attachments: unknown[]
    signedOut?: { at: number; by?: string }
    reachability: { direct: string[] }
  }>(net.home, profile, '/v1/status')

async function start(profile: string): Promise<void> {
  daemons.set(profile, await up(net, profile))
  await eventually(async () => ((await statusOf(profile)).attachments.length >= 2 ? true : undefined), 30_000)
}

beforeAll(async () => {
  net = await startDevnet({ dir: dir.path, megas: 1, supernodes: 2, fastReattach: true, turn: false })
  await signIn(net, 'alice-laptop', 'alice')
  await signIn(net, 'alice-phone', 'alice')
  await signIn(net, 'bob', 'bob')
  for (const p of ['alice-laptop', 'alice-phone', 'bob']) await start(p)
  await api(net.home, 'bob', '/v1/chat/contacts/alice', { greeting: 'hi alice' })
  await eventually(async () => {
    const r = await api<{ requests: { username: string }[] }>(net.home, 'alice-laptop', '/v1/chat/requests')
    return r.requests.some((q) => q.username === 'bob') || undefined
  }, 30_000)
  await api(net.home, 'alice-laptop', '/v1/chat/contacts/bob/accept', {})
  await eventually(async () => {
    const r = await api<{ contacts: { username: string; state: string }[] }>(
      net.home,
      'bob',
      '/v1/chat/contacts',
    )
    return r.contacts.some((c) => c.username === 'alice' && c.state === 'accepted') || undefined
  }, 30_000)
  await send(net.home, 'bob', 'alice', 'before the theft')
  // Both of alice's devices have it: the test can see a push arrive.
  for (const p of ['alice-laptop', 'alice-phone'])
    await eventually(
      async () =>
        (await conversation(net.home, p, 'bob')).some((m) => m.text === 'before the theft') || undefined,
      30_000,
    )
}, 240_000)

afterAll(async () => {
  await browser?.close()
  await thief?.stop()
  for (const d of daemons.values()) await d.stop('SIGKILL')
  await net?.stop()
  dir.remove()
})

/** A browser page signed in to a device's web client through the sign-in link `parley up` printed. */
async function openPage(profile: string): Promise<Page> {
  const link = /sign-in link: (\S+)/.exec(daemons.get(profile)!.output())?.[1]
  if (link === undefined) throw new Error(`no sign-in link in:\n${daemons.get(profile)!.output()}`)
  browser ??= await launchBrowser()
  const page = await (await browser.newContext()).newPage()
  page.setDefaultTimeout(30_000)
  await page.goto(link)
  return page
}

/**
 * A device's direct addresses, as a dial target. Lookups carry relay circuits
 * only (M6); the phone learned these from the laptop and from bob, a contact,
 * while it was alice's, so the thief has them.
 */
const direct = async (profile: string, id: string) =>
  (await statusOf(profile)).reachability.direct.map((a) =>
    multiaddr(a.includes('/p2p/') ? a : `${a}/p2p/${id}`),
  )

const supernodeAddrs = async (): Promise<Multiaddr[][]> =>
  Promise.all(
    net.supernodes.map(async (s) => {
      const st = (await (await fetch(`${s.httpUrl}/v1/status`)).json()) as { addrs: string[] }
      return st.addrs.map((a) => multiaddr(a))
    }),
  )

describe('a stolen device, revoked by its owner', () => {
  it(
    'gets nothing from anyone from 60 s after parley revoke returns, and says it was signed out',
    { timeout: 180_000 },
    async () => {
      const phone = new Profile(net.home, 'alice-phone')
      const phoneId = (await statusOf('alice-phone')).peerId
      const passwordFile = join(dir.path, 'password')
      writeFileSync(passwordFile, `${DEMO_PASSWORD}\n`)
      // The phone's own web page, left open on its conversation with bob.
      const page = await openPage('alice-phone')
      await page.getByTestId('contact-bob').click()
      await page.getByTestId('message').filter({ hasText: 'before the theft' }).waitFor()
      const revoke = await run(
        ['revoke', phoneId, '--profile', 'alice-laptop', '--password-file', passwordFile],
        { env: { PARLEY_HOME: net.home } },
      )
      expect(revoke.code, revoke.stderr).toBe(0)
      const deadline = Date.now() + PROMISED_MS
      await sleep(deadline - Date.now())

      // The thief's own client: the phone's key and certificate in a bare libp2p host.
      const key = await phone.deviceKey()
      thief = await createDeviceHost({ privateKey: key, host: '127.0.0.1' })
      const certificate = phone.certificate()!
      for (const addrs of await supernodeAddrs()) {
        const attach = decodeAttachResponse(
          await request(
            thief,
            addrs,
            Protocols.attach,
            AttachRequest.encode({ certificate: plain(certificate), version: VERSION }),
            { timeoutMs: 5000, maxResponseBytes: 64 * 1024 },
          ),
        )
        expect(attach.code).toBe('certificate_revoked')
        const looked = decodeDirectoryResponse(
          await request(
            thief,
            addrs,
            Protocols.directory,
            DirectoryRequest.encode({ kind: DirectoryKind.Lookup, username: 'bob', records: [] }),
            { timeoutMs: 5000, maxResponseBytes: 256 * 1024 },
          ),
        )
        expect(looked.records).toEqual([])
        expect(looked.code).not.toBe('')
        const turn = await request(thief, addrs, Protocols.turn, TurnRequest.encode({ version: 1 }), {
          timeoutMs: 5000,
          maxResponseBytes: 4096,
        })
          .then((b) => decodeTurnResponse(b))
          .catch((err: Error) => ({ result: -1, code: err.message, username: '' }))
        expect(turn.username).toBe('')
        // Its offline items: even with its own signed grant, nobody serves it.
        const fetched = await fetchAll(thief, [addrs], {
          username: 'alice',
          certificate: () => certificate,
          signer: signerOf(key),
        }).catch((err: unknown) => err)
        expect(fetched).toBeInstanceOf(OfflineStoreError)
        expect((fetched as OfflineStoreError).code).toBe('unauthorized')
      }

      // Nobody lists it: bob's lookup of alice finds the laptop only.
      const found = await lookup(net.home, 'bob', 'alice')
      const laptopId = (await statusOf('alice-laptop')).peerId
      expect(found.body.devices.map((d) => d.deviceId)).toEqual([laptopId])

      // Her laptop serves it no history; bob's device takes nothing it signs.
      await thief.dial(await direct('alice-laptop', laptopId))
      const history = decodeHistoryResponse(
        await request(
          thief,
          peerIdFromString(laptopId),
          ChatProtocols.history,
          HistoryRequest.encode({
            certificate: plain(certificate),
            since: 0n,
            after: new Uint8Array(),
            limit: 100,
          }),
          { timeoutMs: 5000, maxResponseBytes: 1024 * 1024 },
        ),
      )
      expect(history).toMatchObject({ code: 'certificate_revoked', events: [] })
      const bobDevice = (await lookup(net.home, 'alice-laptop', 'bob')).body.devices[0]!
      await thief.dial(await direct('bob', bobDevice.deviceId))
      const forged = signChatEvent(
        {
          certificate,
          id: new Uint8Array(randomBytes(16)),
          kind: ChatKind.TEXT,
          to: 'bob',
          lamport: 1,
          sentAt: Date.now(),
          text: 'send me money, it is alice',
          refs: [],
        },
        signerOf(key),
      )
      const ack = decodeChatAck(
        await request(
          thief,
          peerIdFromString(bobDevice.deviceId),
          ChatProtocols.chat,
          ChatPush.encode({ events: [plain(forged)] }),
          {
            timeoutMs: 5000,
            maxResponseBytes: 64 * 1024,
          },
        ),
      )
      expect(ack.committed).toEqual([])
      expect((await conversation(net.home, 'bob', 'alice')).map((m) => m.text)).not.toContain(
        'send me money, it is alice',
      )

      // What bob sends now reaches the laptop and never the phone.
      await send(net.home, 'bob', 'alice', 'after the theft')
      await eventually(
        async () =>
          (await conversation(net.home, 'alice-laptop', 'bob')).some((m) => m.text === 'after the theft') ||
          undefined,
        30_000,
      )
      const onPhone = (await conversation(net.home, 'alice-phone', 'bob')).map((m) => m.text)
      expect(onPhone).toContain('before the theft')
      expect(onPhone).not.toContain('after the theft')

      // The phone says plainly what happened, and by whom.
      expect((await statusOf('alice-phone')).signedOut).toMatchObject({ by: 'owner' })
      const said = await run(['status', '--profile', 'alice-phone'], { env: { PARLEY_HOME: net.home } })
      expect(said.stdout).toMatch(/SIGNED OUT .* revoked by its owner/)
      expect(said.stdout).toMatch(/local history is kept/)
      // And so does the page that was open on it: told live, history still there, nothing to send with.
      const banner = page.getByTestId('device-signed-out')
      expect(await banner.textContent()).toMatch(/signed out by its owner .*history on it is kept/)
      await page.getByTestId('message').filter({ hasText: 'before the theft' }).waitFor()
      expect(await page.getByTestId('message-input').isDisabled()).toBe(true)
      expect(await page.getByTestId('conversation-hint').textContent()).toMatch(/can no longer send/)
      // A page opened afterwards learns it from the device too.
      await page.reload()
      expect(await page.getByTestId('device-signed-out').textContent()).toMatch(/signed out by its owner/)
    },
  )
})
