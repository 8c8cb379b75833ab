/**
 * The signed-list protocols on a real supernode: a list can reach megabytes,
 * so a supernode hands it only to peers attached to it (or members), six times
 * a minute each (src/supernode/list-gate.ts). A stranger that never attached
 * asks `/parley/lists/1.0.0` and `/parley/revocations/1.0.0` and gets nothing:
 * its streams end, and the supernode counts `unauthorized` for each protocol.
 * An attached device's key asks ten times in a row: six answers, then
 * refusals counted `peer_rate_limited`. The supernode keeps serving.
 */
import type { Libp2p } from '@libp2p/interface'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDevnet, type Devnet, type DevnetNode } from '../../src/devnet/devnet.js'
import { request } from '../../src/net/rpc.js'
import { Deadlines, Protocols } from '../../src/supernode/protocols.js'
import { ErrorCode } from '../../src/wire/error-codes.js'
import { AttachResult } from '../../src/wire/overlay.js'
import { REVOCATIONS_RESPONSE_BYTES, RevocationsRequest } from '../../src/wire/revocations.js'
import { SIGNED_LISTS_RESPONSE_BYTES, SignedListsRequest } from '../../src/wire/signed-lists.js'
import { metric } from '../support/devnet.js'
import { tempDir } from '../support/process.js'
import { addrsOf, attachBare, bareHost } from './caps-devices.js'

const dir = tempDir('parley-lists-')
let net: Devnet
let sn: DevnetNode
const hosts: Libp2p[] = []

const listsRequest = SignedListsRequest.encode({ revocationsSequence: 0n, grantsSequence: 0n })

/** True when the supernode answered the lists request, false when it ended the stream. */
async function askLists(h: Libp2p): Promise<boolean> {
  return request(h, await addrsOf(sn), Protocols.lists, listsRequest, {
    timeoutMs: Deadlines.revocationsMs,
    maxResponseBytes: SIGNED_LISTS_RESPONSE_BYTES,
  }).then(
    () => true,
    () => false,
  )
}

const refused = (protocol: string, code: string): Promise<number> =>
  metric(sn.httpUrl!, `parley_supernode_refused_total{protocol="${protocol}",code="${code}"}`)

beforeAll(async () => {
  net = await startDevnet({ dir: dir.path, megas: 1, supernodes: 0, turn: false })
  sn = net.supernodes[0]!
}, 120_000)

afterAll(async () => {
  for (const h of hosts) await h.stop()
  await net?.stop()
  dir.remove()
})

describe('who may ask a supernode for the signed lists', () => {
  it('a stranger that never attached gets no list, counted unauthorized', async () => {
    const stranger = await bareHost(hosts)
    const before = await refused('lists', ErrorCode.Unauthorized)
    expect(await askLists(stranger)).toBe(false)
    const revocations = await request(
      stranger,
      await addrsOf(sn),
      Protocols.revocations,
      RevocationsRequest.encode({ sequence: 0n }),
      { timeoutMs: Deadlines.revocationsMs, maxResponseBytes: REVOCATIONS_RESPONSE_BYTES },
    ).then(
      () => 'answered',
      () => 'refused',
    )
    expect(revocations).toBe('refused')
    expect(await refused('lists', ErrorCode.Unauthorized)).toBe(before + 1)
    expect(await refused('revocations', ErrorCode.Unauthorized)).toBeGreaterThanOrEqual(1)
  })

  it('an attached device gets six answers in a row, then refusals counted peer_rate_limited', async () => {
    const attached = await attachBare(net, sn, hosts, 'alice', 'alice-raw')
    const h = attached.host
    expect(attached.result).toBe(AttachResult.Attached)
    const answers: boolean[] = []
    for (let i = 0; i < 10; i++) answers.push(await askLists(h))
    // The burst is six; a token comes back every 10 s, so the run may get one more, never all ten.
    expect(answers.slice(0, 6)).toEqual([true, true, true, true, true, true])
    expect(answers.filter((a) => !a).length).toBeGreaterThanOrEqual(3)
    // Each refused request is counted at least once (a client retries a pooled stream's failure once).
    expect(await refused('lists', ErrorCode.PeerRateLimited)).toBeGreaterThanOrEqual(
      answers.filter((a) => !a).length,
    )
    // Still serving: a stranger is still refused, with a code, and the status page answers.
    expect(await askLists(await bareHost(hosts))).toBe(false)
    expect((await fetch(`${sn.httpUrl}/v1/status`)).status).toBe(200)
  })
})
