/**
 * What an offline item costs the supernodes, without the network (issue 12
 * §2): four OfflineServices in this process, each on its own SQLite file,
 * whose store requests to each other are encoded, handed to the other's
 * handler and the answer decoded, as over libp2p but without the streams.
 * Depositing users' devices have real certificates from a network key made
 * here; items are sealed with the real seal and batch-signed (or signed one
 * by one) before the clock starts. One deposit in flight, so the process CPU
 * over the phase is the supernodes' work: the one deposited through and the
 * recipient's 3 replicas, all together, as `bench:chat` counts them.
 *
 *   node dist/bench/offline-cost.js [--items 8192] [--single 1024] [--batch 64] [--profile <dir>]
 *
 * `--profile <dir>` writes a CPU profile of the batched phase alone (the clocked part, not the
 * sealing and signing before it) to `<dir>/offline-batches.cpuprofile`: open it in Chrome's
 * DevTools, or add up its self times by function.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { loadavg, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { parseArgs } from 'node:util'
import { sealForDevices } from '../src/chat/seal.js'
import { deviceIdOf, generateKey, signerOf, type Signer } from '../src/crypto/keys.js'
import { silentLogger } from '../src/log/logger.js'
import { signDeposit, signDepositBatch } from '../src/offline/deposit.js'
import { OfflineStore } from '../src/offline/store.js'
import { replicasFor, type Placed } from '../src/placement/placement.js'
import { createSupernodeMetrics } from '../src/supernode/metrics.js'
import { OfflineService } from '../src/supernode/offline-service.js'
import { issueCertificate } from '../src/trust/certificate.js'
import { plain } from '../src/wire/bytes.js'
import {
  decodeOfflineResponse,
  OfflineKind,
  OfflineRequest,
  OfflineResult,
  type SealedItem,
} from '../src/wire/chat.js'

const NETWORK_ID = 'offline-cost'
const SUPERNODES = 4
const RECIPIENTS = 16
/** Under the store's 2,000 items per sender. */
const ITEMS_PER_SENDER = 1_500

interface Device {
  username: string
  deviceId: string
  certificate: Uint8Array
  signer: Signer
}

async function device(network: Signer, username: string): Promise<Device> {
  const signer = signerOf(await generateKey())
  const from = Date.now() - 60_000
  const certificate = issueCertificate(
    {
      networkId: NETWORK_ID,
      serial: BigInt(from),
      username,
      devicePublicKey: signer.publicKey,
      deviceName: username,
      policy: { maySupernode: false, mayRelay: true, maySendFiles: true },
      organisation: '',
      notBefore: from,
      notAfter: from + 7 * 86_400_000,
    },
    network,
  )
  return { username, deviceId: deviceIdOf(signer.publicKey), certificate, signer }
}

function startNet(
  dir: string,
  network: Signer,
  attached: Map<string, string>,
): { services: OfflineService[]; stores: OfflineStore[] } {
  const members: Placed[] = Array.from({ length: SUPERNODES }, (_, i) => ({ peerId: `sn-${i}`, weight: 1 }))
  const services = new Map<string, OfflineService>()
  const stores: OfflineStore[] = []
  const verifyOptions = (now: number) => ({ networkPublicKey: network.publicKey, networkId: NETWORK_ID, now })
  for (const { peerId: self } of members) {
    const store = OfflineStore.open(join(dir, `${self}.sqlite`))
    stores.push(store)
    const service = new OfflineService({
      self,
      store,
      isAttached: (peer) => attached.has(peer),
      usernameOf: (peer) => attached.get(peer),
      isMember: (peer) => services.has(peer),
      members: () => members,
      ask: async (peer, req) =>
        decodeOfflineResponse(await services.get(peer)!.answer(OfflineRequest.encode(req), self)),
      verifyOptions,
      metrics: createSupernodeMetrics(),
      log: silentLogger(),
    })
    services.set(self, service)
  }
  return { services: [...services.values()], stores }
}

/** Items of a short message's size, sealed for one device of one of RECIPIENTS recipients. */
async function sealAll(count: number, names = defaultNames()): Promise<SealedItem[]> {
  const devices = await Promise.all(
    Array.from({ length: RECIPIENTS }, async () => {
      const publicKey = signerOf(await generateKey()).publicKey
      return { deviceId: deviceIdOf(publicKey), publicKey }
    }),
  )
  const plaintext = new Uint8Array(randomBytes(420))
  return Array.from({ length: count }, (_, i) =>
    sealForDevices({
      id: new Uint8Array(randomBytes(16)),
      recipient: names[i % RECIPIENTS]!,
      plaintext,
      devices: [devices[i % RECIPIENTS]!],
    }),
  )
}

const defaultNames = (): string[] => Array.from({ length: RECIPIENTS }, (_, i) => `rcpt-${i + 1}`)

/** RECIPIENTS names that `replica` replicates (among their R = 3): its own share of a network's items. */
function namesOn(replica: string, members: Placed[]): string[] {
  const names: string[] = []
  for (let i = 1; names.length < RECIPIENTS; i++)
    if (replicasFor(`solo-${i}`, members, 3).includes(replica)) names.push(`solo-${i}`)
  return names
}

interface Phase {
  label: string
  items: number
  cpuUs: number
  wallMs: number
}

async function phase(
  label: string,
  via: OfflineService,
  senders: Device[],
  items: SealedItem[],
  batch: number,
): Promise<Phase> {
  // Signed before the clock starts: signing is the device's cost.
  const requests: Array<{ from: string; bytes: Uint8Array }> = []
  for (let i = 0; i < items.length; i += batch) {
    const group = items.slice(i, i + batch)
    const by = senders[Math.floor(i / ITEMS_PER_SENDER)]!
    const signed =
      batch === 1
        ? group.map((it) => signDeposit(it, by.certificate, by.signer))
        : signDepositBatch(group, by.certificate, by.signer)
    const req: OfflineRequest = {
      kind: OfflineKind.Deposit,
      items: group.map((it, k) => ({ ...it, deposit: plain(signed[k]!) })),
      recipient: '',
      deviceId: '',
      ids: [],
      access: new Uint8Array(0),
    }
    requests.push({ from: by.deviceId, bytes: OfflineRequest.encode(req) })
  }
  const profiler = profileDir === undefined || batch === 1 ? undefined : await startProfile()
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  for (const r of requests) {
    const res = decodeOfflineResponse(await via.answer(r.bytes, r.from))
    if (res.result !== OfflineResult.Ok)
      throw new Error(`${label}: deposit refused: ${res.code} ${res.message}`)
  }
  const wallMs = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  if (profiler !== undefined) await stopProfile(profiler, join(profileDir!, 'offline-batches.cpuprofile'))
  return { label, items: items.length, cpuUs: cpu.user + cpu.system, wallMs }
}

let profileDir: string | undefined

async function startProfile(): Promise<Session> {
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.start')
  return session
}

async function stopProfile(session: Session, path: string): Promise<void> {
  const { profile } = await session.post('Profiler.stop')
  session.disconnect()
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, JSON.stringify(profile))
}

/**
 * One replica's own work: store requests of `batch` items, as the supernode deposited through
 * sends them (sender and storedAt set, deposits batch-signed), answered by `replica` alone
 * (decode, verify, write, answer), from another member. The figure "a replica's work" in
 * docs/offline.md: the network's work per item is this three times, plus the deposit path.
 */
async function replicaPhase(
  replica: OfflineService,
  by: Device,
  items: SealedItem[],
  batch: number,
): Promise<Phase> {
  const requests: Uint8Array[] = []
  const storedAt = BigInt(Date.now())
  for (let i = 0; i < items.length; i += batch) {
    const group = items.slice(i, i + batch)
    const signed = signDepositBatch(group, by.certificate, by.signer)
    const req: OfflineRequest = {
      kind: OfflineKind.Store,
      items: group.map((it, k) => ({ ...it, sender: by.username, storedAt, deposit: plain(signed[k]!) })),
      recipient: '',
      deviceId: '',
      ids: [],
      access: new Uint8Array(0),
    }
    requests.push(OfflineRequest.encode(req))
  }
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  for (const r of requests) {
    const res = decodeOfflineResponse(await replica.answer(r, 'sn-0'))
    if (res.result !== OfflineResult.Ok)
      throw new Error(`replica alone: store refused: ${res.code} ${res.message}`)
  }
  const wallMs = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  return { label: 'a replica alone', items: items.length, cpuUs: cpu.user + cpu.system, wallMs }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      items: { type: 'string', default: '8192' },
      single: { type: 'string', default: '1024' },
      batch: { type: 'string', default: '64' },
      profile: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) {
    console.log(
      'node dist/bench/offline-cost.js [--items 8192] [--single 1024] [--batch 64] [--profile <dir>]\n' +
        '  --items    items deposited in batches (timed: CPU of all 4 supernodes)\n' +
        '  --single   items deposited one a request\n' +
        '  --batch    items a deposit request (at most 64)\n' +
        '  --profile  write a CPU profile of the batched phase alone to <dir>/offline-batches.cpuprofile',
    )
    return
  }
  profileDir = values.profile
  const items = Number(values.items)
  const single = Number(values.single)
  const batch = Number(values.batch)
  const network = signerOf(await generateKey())
  const solo = Math.min(items, ITEMS_PER_SENDER)
  const senderCount = Math.ceil(items / ITEMS_PER_SENDER) + Math.ceil(single / ITEMS_PER_SENDER) + 1
  const senders = await Promise.all(
    Array.from({ length: senderCount }, (_, i) => device(network, `dep-${i + 1}`)),
  )
  const attached = new Map(senders.map((d) => [d.deviceId, d.username]))
  const dir = mkdtempSync(join(tmpdir(), 'parley-offline-cost-'))
  const { services, stores } = startNet(dir, network, attached)
  try {
    const batched = await sealAll(items)
    const alone = await sealAll(single)
    const bSenders = senders.slice(0, Math.ceil(items / ITEMS_PER_SENDER))
    const sSenders = senders.slice(bSenders.length, -1)
    const members = Array.from({ length: SUPERNODES }, (_, i) => ({ peerId: `sn-${i}`, weight: 1 }))
    const rows = [
      await phase(`batches of ${batch}`, services[0]!, bSenders, batched, batch),
      await phase('one item each', services[0]!, sSenders, alone, 1),
    ]
    // Sealed only now: more live items during the phases above would cost them garbage collection.
    const soloItems = await sealAll(solo, namesOn('sn-3', members))
    rows.push(await replicaPhase(services[3]!, senders[senders.length - 1]!, soloItems, batch))
    console.log(`offline deposits in one process, ${SUPERNODES} supernodes, R = 3 (node ${process.version})`)
    console.log(
      `load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    )
    for (const r of rows) {
      const perItem = r.cpuUs / r.items
      console.log(
        `${r.label.padEnd(16)} ${String(r.items).padStart(6)} items  ` +
          `${perItem.toFixed(0).padStart(6)} µs CPU an item (${r.label === 'a replica alone' ? 'that replica' : 'all 4 supernodes'})  ` +
          `${(1e6 / perItem).toFixed(0).padStart(6)} items/s per core  ` +
          `wall ${(r.wallMs / 1000).toFixed(2)} s`,
      )
    }
  } finally {
    for (const s of services) s.stop()
    for (const s of stores) s.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
