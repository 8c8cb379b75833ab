/**
 * The discard sink, its own process: a libp2p host that takes every attack
 * protocol, reads each message and drops it (request protocols get an empty
 * answer so the attacker's stream is free again, as a refusal would free it).
 * Attackers aimed here send what they send to their victims, at the same
 * rate, so the machine carries the attackers' CPU in both phases.
 */
import { generateKey } from '../../src/crypto/keys.js'
import { boundAddrs, createDeviceHost } from '../../src/net/host.js'
import { serve } from '../../src/net/rpc.js'
import { Protocols } from '../../src/supernode/protocols.js'

const MAX_BYTES = 4 << 20
const EMPTY = new Uint8Array(0)

const node = await createDeviceHost({ privateKey: await generateKey(), host: '127.0.0.1' })
const opts = { maxRequestBytes: MAX_BYTES, timeoutMs: 5_000, maxInboundStreams: 4096 }
await serve(node, Protocols.membership, () => Promise.resolve(undefined), opts)
await serve(node, Protocols.offline, () => Promise.resolve(EMPTY), opts)
await serve(node, Protocols.directory, () => Promise.resolve(EMPTY), opts)
const stop = (): void => void Promise.resolve(node.stop()).finally(() => process.exit(0))
process.on('disconnect', stop)
process.on('SIGTERM', stop)
process.on('message', stop)
process.send?.({ type: 'ready', addrs: boundAddrs(node) })
