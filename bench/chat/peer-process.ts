/**
 * A chat device in its own process, for the measurements where the sender
 * and the recipient must not share one event loop: the same startChatPeer
 * as in-process, driven over the IPC channel of child_process.fork.
 *
 *   node dist/bench/chat/peer-process.js '{"home":…,"name":…,"relayedOnly":…,"logFile":…}'
 *
 * Says {type:'ready', deviceId} once findable, {type:'failed', message} if it
 * could not start; stops on {type:'stop'} or when the parent goes away.
 */
import { createLogger } from '../../src/log/logger.js'
import { startChatPeer, type ChatPeer } from './peer.js'

export interface PeerProcessConfig {
  home: string
  name: string
  relayedOnly: boolean
  logFile: string
}

export type PeerProcessMessage =
  { type: 'ready'; deviceId: string } | { type: 'failed'; message: string } | { type: 'stopped' }

const config = JSON.parse(process.argv[2] ?? '{}') as PeerProcessConfig
const log = createLogger('bench-peer', { file: config.logFile, level: 'warn' })
const controller = new AbortController()
let peer: ChatPeer | undefined
let stopping: Promise<void> | undefined

const tell = (m: PeerProcessMessage): void => {
  if (process.connected) process.send?.(m)
}

const stop = (): Promise<void> =>
  (stopping ??= (async () => {
    controller.abort(new Error('stopping'))
    await peer?.stop().catch(() => undefined)
    log.flush()
    tell({ type: 'stopped' })
    process.disconnect?.()
  })())

process.on('message', (m: { type?: string }) => {
  if (m.type === 'stop') void stop()
})
process.on('disconnect', () => void stop())

try {
  peer = await startChatPeer({ ...config, log, signal: controller.signal })
  tell({ type: 'ready', deviceId: peer.device.peerId })
} catch (err) {
  tell({ type: 'failed', message: err instanceof Error ? err.message : String(err) })
  process.exitCode = 1
  await stop()
}
