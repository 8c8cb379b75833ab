/**
 * File transfer between real device processes on a devnet: a 3 MiB file
 * crosses with a matching SHA-256, a declined offer is never served, a
 * transfer survives the receiver's or the sender's SIGKILL and resumes from
 * the .part file, a checksum mismatch fails it, a device of another user is
 * refused, and a pull through the sender's relay circuit completes. Either
 * side cancels one under way, declined and cancelled offers leave no copy
 * behind, an unanswered offer expires after 30 days, and `parley file` does
 * it all from the command line.
 */
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { multiaddr } from '@multiformats/multiaddr'
import { lpStream } from '@libp2p/utils'
import type { ApiInfo } from '../src/device/control-api.js'
import { Profile } from '../src/device/profile.js'
import { startDevnet, type Devnet } from '../src/devnet/devnet.js'
import type { TransferRecord } from '../src/files/transfer.js'
import { createDeviceHost } from '../src/net/host.js'
import { decodeFileResponse, FILE_PROTOCOL, FileRequest } from '../src/wire/files.js'
import { api, signIn, up } from './support/chat.js'
import { eventually, lookup } from './support/devnet.js'
import { run, tempDir, type Daemon } from './support/process.js'

const dir = tempDir('parley-files-')
let net: Devnet
const running = new Map<string, Daemon>()
/** Alice serves at 1 MiB/s so that a transfer lasts long enough to be interrupted. */
const RATE = String(1024 * 1024)
const MiB = 1024 * 1024

async function start(profile: string, extra: string[] = []): Promise<void> {
  running.set(profile, await up(net, profile, ['--away-after', '0', ...extra]))
  await eventually(async () => {
    const s = await api<{ attachments: unknown[] }>(net.home, profile, '/v1/status')
    return s.attachments.length >= 2 || undefined
  }, 30_000)
}

async function stop(profile: string, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  await running.get(profile)?.stop(signal)
  running.delete(profile)
}

function info(profile: string): ApiInfo {
  return JSON.parse(readFileSync(join(net.home, 'profiles', profile, 'api.json'), 'utf8')) as ApiInfo
}

async function offer(from: string, to: string, name: string, bytes: Uint8Array): Promise<TransferRecord> {
  const { url, token } = info(from)
  const res = await fetch(`${url}/v1/files/${to}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'x-file-name': encodeURIComponent(name) },
    body: bytes,
  })
  expect(res.status).toBe(200)
  return ((await res.json()) as { transfer: TransferRecord }).transfer
}

async function content(profile: string, transfer: string): Promise<Response> {
  const { url, token } = info(profile)
  return fetch(`${url}/v1/files/${transfer}/content`, { headers: { authorization: `Bearer ${token}` } })
}

const transfer = async (profile: string, id: string) =>
  (await api<{ transfers: TransferRecord[] }>(net.home, profile, '/v1/files')).transfers.find(
    (t) => t.transfer === id,
  )

const inState = (profile: string, id: string, state: string, timeoutMs = 30_000) =>
  eventually(async () => {
    const t = await transfer(profile, id)
    return t?.state === state ? t : undefined
  }, timeoutMs)

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')
const outCopy = (id: string) => join(net.home, 'profiles', 'alice', 'files', 'out', id)
const partFile = (id: string) => join(net.home, 'profiles', 'bob', 'files', 'in', `${id}.part`)
const cli = (profile: string, ...args: string[]) =>
  run(['file', ...args, '--profile', profile], { env: { PARLEY_HOME: net.home } })

/** A 3 MiB offer from alice that bob accepted and is halfway through pulling. */
async function underWay(name: string): Promise<TransferRecord> {
  const sent = await offer('alice', 'bob', name, randomBytes(3 * MiB))
  await inState('bob', sent.transfer, 'offered')
  await api(net.home, 'bob', `/v1/files/${sent.transfer}/accept`, {})
  await eventually(
    async () => ((await transfer('bob', sent.transfer))?.received ?? 0) >= MiB / 2 || undefined,
    30_000,
    50,
  )
  return sent
}

/** Offers `bytes` from alice, accepts at bob, waits until done and checks the download. */
async function cross(bytes: Uint8Array, name: string): Promise<TransferRecord> {
  const sent = await offer('alice', 'bob', name, bytes)
  await inState('bob', sent.transfer, 'offered')
  await api(net.home, 'bob', `/v1/files/${sent.transfer}/accept`, {})
  const done = await inState('bob', sent.transfer, 'done', 60_000)
  const res = await content('bob', sent.transfer)
  expect(res.headers.get('content-disposition')).toContain(encodeURIComponent(name))
  const got = new Uint8Array(await res.arrayBuffer())
  expect(got.byteLength).toBe(bytes.byteLength)
  expect(sha(got)).toBe(sha(bytes))
  return done
}

beforeAll(async () => {
  net = await startDevnet({ dir: dir.path, megas: 1, supernodes: 3, fastReattach: true })
  for (const user of ['alice', 'bob', 'carol']) await signIn(net, user, user)
  await start('alice', ['--file-rate', RATE])
  await start('bob')
  await api(net.home, 'alice', '/v1/chat/contacts/bob', { greeting: 'files?' })
  await eventually(async () => {
    const r = await api<{ requests: { username: string }[] }>(net.home, 'bob', '/v1/chat/requests')
    return r.requests.some((x) => x.username === 'alice') || undefined
  }, 20_000)
  await api(net.home, 'bob', '/v1/chat/contacts/alice/accept', {})
  await eventually(async () => {
    const r = await api<{ contacts: { username: string; state: string }[] }>(
      net.home,
      'alice',
      '/v1/chat/contacts',
    )
    return r.contacts.some((c) => c.username === 'bob' && c.state === 'accepted') || undefined
  }, 20_000)
}, 180_000)

afterAll(async () => {
  for (const p of [...running.keys()]) await stop(p, 'SIGKILL')
  await net?.stop()
  if (process.env.PARLEY_KEEP === undefined) dir.remove()
  else console.log(`kept ${dir.path}`)
})

let first: TransferRecord

describe('file transfer', () => {
  it('sends a 3 MiB file that arrives with a matching checksum', async () => {
    const bytes = randomBytes(3 * MiB)
    first = await cross(bytes, 'photo (1).bin')
    expect(first.sha256).toBe(sha(bytes))
    const atAlice = await transfer('alice', first.transfer)
    // Served to its end: done on the sender's side too.
    expect(atAlice).toMatchObject({ direction: 'out', state: 'done', size: 3 * MiB })
    expect(atAlice?.servedFrom).toEqual([0])
    // The offer is a 'file' entry in both conversations.
    const msgs = await api<{ messages: { kind: string; text: string }[] }>(
      net.home,
      'bob',
      '/v1/chat/messages/alice',
    )
    expect(msgs.messages.some((m) => m.kind === 'file' && m.text.includes(first.transfer))).toBe(true)
  }, 120_000)

  it('declines: both sides see it and nothing is served', async () => {
    const sent = await offer('alice', 'bob', '../secret.txt', randomBytes(1000))
    expect(sent.name).toBe('secret.txt')
    await inState('bob', sent.transfer, 'offered')
    await api(net.home, 'bob', `/v1/files/${sent.transfer}/decline`, {})
    await inState('bob', sent.transfer, 'declined')
    const atAlice = await inState('alice', sent.transfer, 'declined')
    expect(atAlice.servedFrom).toEqual([])
    expect((await content('bob', sent.transfer)).status).toBe(404)
    // The sender's copy is not kept for an offer nobody will take.
    expect(existsSync(outCopy(sent.transfer))).toBe(false)
  }, 60_000)

  it('the sender cancels mid-transfer: the receiver stops and keeps no .part; the copy goes', async () => {
    const sent = await underWay('withdrawn.bin')
    await api(net.home, 'alice', `/v1/files/${sent.transfer}/cancel`, {})
    expect((await transfer('alice', sent.transfer))?.state).toBe('cancelled')
    expect(existsSync(outCopy(sent.transfer))).toBe(false)
    const atBob = await inState('bob', sent.transfer, 'cancelled')
    expect(atBob.received).toBeLessThan(3 * MiB)
    await eventually(() => Promise.resolve(!existsSync(partFile(sent.transfer)) || undefined), 10_000)
    expect((await content('bob', sent.transfer)).status).toBe(404)
    // Over is over: a second cancel is refused in words.
    await expect(api(net.home, 'alice', `/v1/files/${sent.transfer}/cancel`, {})).rejects.toThrow(
      /not_cancellable|only one under way/,
    )
  }, 90_000)

  it('the receiver cancels mid-transfer: the sender sees it declined and drops its copy', async () => {
    const sent = await underWay('unwanted.bin')
    await api(net.home, 'bob', `/v1/files/${sent.transfer}/cancel`, {})
    expect((await transfer('bob', sent.transfer))?.state).toBe('cancelled')
    expect(existsSync(partFile(sent.transfer))).toBe(false)
    await inState('alice', sent.transfer, 'declined')
    await eventually(() => Promise.resolve(!existsSync(outCopy(sent.transfer)) || undefined), 10_000)
  }, 90_000)

  it('an offer left unanswered for 30 days expires at the next start, and its copy goes', async () => {
    const sent = await offer('alice', 'bob', 'old.bin', randomBytes(2048))
    await inState('bob', sent.transfer, 'offered')
    await stop('alice')
    const table = join(net.home, 'profiles', 'alice', 'files', 'transfers.json')
    const records = JSON.parse(readFileSync(table, 'utf8')) as TransferRecord[]
    for (const r of records) if (r.transfer === sent.transfer) r.at -= 31 * 24 * 3600_000
    writeFileSync(table, JSON.stringify(records))
    await start('alice', ['--file-rate', RATE])
    expect((await transfer('alice', sent.transfer))?.state).toBe('expired')
    expect(existsSync(outCopy(sent.transfer))).toBe(false)
    // bob accepts too late: the pull is refused for good, not retried forever.
    await api(net.home, 'bob', `/v1/files/${sent.transfer}/accept`, {})
    const failed = await inState('bob', sent.transfer, 'failed')
    expect(failed.error).toBe('withdrawn')
  }, 90_000)

  it('parley file: send, list, accept with progress and save; the sender sees it sent in full', async () => {
    const bytes = randomBytes(1.5 * MiB)
    const path = join(dir.path, 'report.pdf')
    writeFileSync(path, bytes)
    const sent = await cli('alice', 'send', 'bob', path)
    expect(sent.stderr).toContain('offering report.pdf 100%')
    const id = /transfer ([0-9a-f]{32})/.exec(sent.stdout)?.[1]
    expect(sent.stdout, sent.stderr).toContain('offered report.pdf (1.5 MiB) to bob')
    await inState('bob', id!, 'offered')
    expect((await cli('bob', 'list')).stdout).toContain(`${id}  report.pdf (1.5 MiB) from alice: offered`)

    const saveTo = join(dir.path, 'downloads')
    mkdirSync(saveTo)
    const got = await cli('bob', 'accept', id!.slice(0, 8), '--to', saveTo)
    expect(got.code, got.stderr).toBe(0)
    expect(got.stdout).toContain('received report.pdf (1.5 MiB), checksum verified')
    expect(got.stderr).toContain('receiving report.pdf 100%')
    expect(sha(readFileSync(join(saveTo, 'report.pdf')))).toBe(sha(bytes))
    await inState('alice', id!, 'done')
    expect((await cli('alice', 'list')).stdout).toContain(`${id}  report.pdf (1.5 MiB) to bob: done`)

    // Mistakes get one clear line and a usage exit code, not a stack.
    const bad = await cli('bob', 'accept', 'zz')
    expect([bad.code, bad.stderr.trim()]).toEqual([
      2,
      'parley: "zz" is not a transfer id (see parley file list)',
    ])
    const missing = await cli('alice', 'send', 'bob', join(dir.path, 'nope.bin'))
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('no file at')
    const again = await cli('bob', 'save', id!.slice(0, 8), saveTo)
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('exists; not overwritten')
  }, 120_000)

  it('resumes after the receiver is SIGKILLed mid-transfer, from where its .part file ends', async () => {
    const bytes = randomBytes(3 * MiB)
    const sent = await offer('alice', 'bob', 'big.bin', bytes)
    await inState('bob', sent.transfer, 'offered')
    await api(net.home, 'bob', `/v1/files/${sent.transfer}/accept`, {})
    await eventually(
      async () => ((await transfer('bob', sent.transfer))?.received ?? 0) >= MiB / 2 || undefined,
      30_000,
      50,
    )
    await stop('bob', 'SIGKILL')
    await start('bob')
    const done = await inState('bob', sent.transfer, 'done', 60_000)
    expect(done.received).toBe(3 * MiB)
    const got = new Uint8Array(await (await content('bob', sent.transfer)).arrayBuffer())
    expect(sha(got)).toBe(sha(bytes))
    const served = (await transfer('alice', sent.transfer))!.servedFrom
    expect(served[0]).toBe(0)
    // The second pull asked for the rest only, not the whole file again.
    expect(served.length).toBeGreaterThanOrEqual(2)
    expect(served.at(-1)).toBeGreaterThan(0)
  }, 120_000)

  it('resumes after the sender is SIGKILLed mid-transfer and restarts', async () => {
    const bytes = randomBytes(3 * MiB)
    const sent = await offer('alice', 'bob', 'again.bin', bytes)
    await inState('bob', sent.transfer, 'offered')
    await api(net.home, 'bob', `/v1/files/${sent.transfer}/accept`, {})
    await eventually(
      async () => ((await transfer('bob', sent.transfer))?.received ?? 0) >= MiB / 2 || undefined,
      30_000,
      50,
    )
    await stop('alice', 'SIGKILL')
    await start('alice', ['--file-rate', RATE])
    await inState('bob', sent.transfer, 'done', 90_000)
    const got = new Uint8Array(await (await content('bob', sent.transfer)).arrayBuffer())
    expect(sha(got)).toBe(sha(bytes))
    // The restarted sender served the rest only.
    const served = (await transfer('alice', sent.transfer))!.servedFrom
    expect(served.at(-1)).toBeGreaterThan(0)
  }, 150_000)

  it('fails a transfer whose bytes do not match the offered SHA-256, and keeps no .part', async () => {
    const sent = await offer('alice', 'bob', 'tampered.bin', randomBytes(4096))
    // The sender's copy changes after the offer (a disk fault, a tamperer): same size, other bytes.
    writeFileSync(join(net.home, 'profiles', 'alice', 'files', 'out', sent.transfer), randomBytes(4096))
    await inState('bob', sent.transfer, 'offered')
    await api(net.home, 'bob', `/v1/files/${sent.transfer}/accept`, {})
    const failed = await inState('bob', sent.transfer, 'failed')
    expect(failed.error).toBe('checksum_mismatch')
    const inbox = join(net.home, 'profiles', 'bob', 'files', 'in')
    expect(readdirSync(inbox).filter((f) => f.startsWith(sent.transfer))).toEqual([])
    expect((await content('bob', sent.transfer)).status).toBe(404)
  }, 60_000)

  it("refuses a device of another user, even one that knows the transfer's id", async () => {
    const carol = await new Profile(net.home, 'carol').deviceKey()
    const host = await createDeviceHost({ privateKey: carol, host: '127.0.0.1' })
    try {
      // Carol is not alice's contact: a lookup (the same from any device) gives alice's relay circuits only.
      const aliceDevice = (await lookup(net.home, 'bob', 'alice')).body.devices[0]!
      const conn = await host.dial(
        aliceDevice.addrs.map((a) => multiaddr(a.includes('/p2p/') ? a : `${a}/p2p/${aliceDevice.deviceId}`)),
      )
      const ask = async (t: string) => {
        const stream = await conn.newStream(FILE_PROTOCOL, {
          signal: AbortSignal.timeout(10_000),
          runOnLimitedConnection: true,
        })
        const lp = lpStream(stream)
        await lp.write(FileRequest.encode({ transfer: Buffer.from(t, 'hex'), offset: 0n }))
        const answer = decodeFileResponse((await lp.read()).subarray())
        await stream.close().catch(() => undefined)
        return answer
      }
      expect(await ask(first.transfer)).toMatchObject({ result: 2, code: 'not_accepted' })
      expect(await ask('00'.repeat(16))).toMatchObject({ result: 2, code: 'not_found' })
    } finally {
      await host.stop()
    }
  }, 60_000)

  it("crosses through the sender's relay circuit", async () => {
    await stop('bob')
    await start('bob', ['--files-via-relay'])
    const done = await cross(randomBytes(MiB), 'relayed.bin')
    expect(done.path).toBe('relayed')
  }, 120_000)
})
