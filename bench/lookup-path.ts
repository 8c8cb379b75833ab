/**
 * Where a lookup's milliseconds go, on a devnet (by default a small one: 1
 * mega-supernode, 4 supernodes, 20 devices in one pool) and one lookup client in this
 * process: the whole DeviceNode.lookup as the client sees it; the supernode's
 * own share (its parley_supernode_lookup_seconds histogram: replicas asked,
 * answers verified); the verification the client does itself; and, for
 * scale, one request on a pooled stream to the same supernode. What is left
 * is the client's hop: stream, framing, two processes scheduled.
 *
 *   node dist/bench/lookup-path.js [--lookups 500] [--megas 1 --supernodes 4 --devices 20] [--keep]
 */
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { DeviceNode } from '../src/device/node.js'
import { Profile } from '../src/device/profile.js'
import { loadIdentity } from '../src/device/session.js'
import { startDevnet } from '../src/devnet/devnet.js'
import { silentLogger } from '../src/log/logger.js'
import { request } from '../src/net/rpc.js'
import { Deadlines, Protocols } from '../src/supernode/protocols.js'
import { verifyPresence } from '../src/trust/presence.js'
import { OverlayLimits } from '../src/wire/limits.js'
import { decodeDirectoryResponse, DirectoryKind, DirectoryRequest } from '../src/wire/overlay.js'
import { signInAll } from './directory/accounts.js'
import { Phase } from './directory/stats.js'
import { waitFor } from './directory/procs.js'
import { tempDir } from './support/process.js'

async function lookupHistogram(url: string): Promise<{ count: number; sum: number }> {
  const text = await (await fetch(`${url}/metrics`)).text()
  const read = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN)
  return {
    count: read('parley_supernode_lookup_seconds_count'),
    sum: read('parley_supernode_lookup_seconds_sum'),
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      lookups: { type: 'string', default: '500' },
      megas: { type: 'string', default: '1' },
      supernodes: { type: 'string', default: '4' },
      devices: { type: 'string', default: '20' },
      keep: { type: 'boolean', default: false },
    },
  })
  const n = Number(values.lookups)
  const USERS = Number(values.devices)
  const root = tempDir('parley-lookup-path-')
  const signal = AbortSignal.timeout(600_000)
  const net = await startDevnet({
    dir: root.path,
    megas: 1,
    supernodes: 4,
    devices: USERS,
    devicesPerPool: USERS,
  })
  try {
    const users = Array.from({ length: USERS }, (_, i) => `user-${i + 1}`)
    await signInAll(net.authorityUrl, net.home, ['path-client'], signal)
    const profile = new Profile(net.home, 'path-client')
    const client = await DeviceNode.start({ profile, host: '127.0.0.1', log: silentLogger() })
    await waitFor('client attached', () => client.attachments.links.size > 0 || undefined, {
      timeoutMs: 60_000,
      everyMs: 200,
      signal,
    })
    await waitFor(
      'every user findable',
      async () => {
        for (const u of users) if ((await client.lookup(u).catch(() => [])).length === 0) return undefined
        return true
      },
      { timeoutMs: 120_000, everyMs: 1_000, signal },
    )
    const link = [...client.attachments.links.values()][0]!
    const supernode = net.supernodes.find((s) => s.peerId === link.peerId)!
    const anchor = loadIdentity(profile).config

    const whole = new Phase('parley', 'DeviceNode.lookup, whole')
    const hop = new Phase(
      'parley',
      'the same request to its supernode through rpc.request, records unverified',
    )
    const verify = new Phase('parley', 'verifying the answer on the client')
    const before = await lookupHistogram(supernode.httpUrl!)
    for (let i = 0; i < n; i++) {
      const user = users[i % users.length]!
      let t0 = performance.now()
      const found = await client.lookup(user)
      whole.record(performance.now() - t0, found.length > 0 ? 'ok' : 'nobody')
      const req = DirectoryRequest.encode({ kind: DirectoryKind.Lookup, username: user, records: [] })
      t0 = performance.now()
      const answer = decodeDirectoryResponse(
        await request(client.node, link.addrs, Protocols.directory, req, {
          timeoutMs: Deadlines.directoryMs,
          maxResponseBytes: OverlayLimits.directoryBytes,
        }),
      )
      hop.record(performance.now() - t0, 'ok')
      t0 = performance.now()
      for (const bytes of answer.records) verifyPresence(bytes, { ...anchor, now: Date.now() })
      verify.record(performance.now() - t0, 'ok')
    }
    const after = await lookupHistogram(supernode.httpUrl!)
    const snMean = ((after.sum - before.sum) / (after.count - before.count)) * 1000
    console.log(
      `lookup path: devnet of ${values.megas} mega, ${values.supernodes} supernodes, ${USERS} devices; ` +
        `client attached first to ${supernode.name}; ${n} lookups each`,
    )
    for (const p of [whole, hop, verify]) {
      const { p50, p99 } = p.summary()
      console.log(`${p.name.padEnd(72)} p50 ${p50.toFixed(2)} ms  p99 ${p99.toFixed(2)} ms`)
    }
    console.log(
      `${"the supernode's share (replicas asked, answers verified), mean".padEnd(72)} ${snMean.toFixed(2)} ms`,
    )
    await client.stop()
  } finally {
    await net.stop()
    if (values.keep !== true) root.remove()
  }
}

await main()
