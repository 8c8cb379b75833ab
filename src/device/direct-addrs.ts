/**
 * /parley/direct/1.0.0 on a running device (issue 10, M6): direct addresses
 * go to the user's own other devices and accepted contacts' devices only.
 * Presence records and identify carry relay circuits only, so two devices
 * first meet through a relay; the asking device sends its certificate (and
 * its own direct addresses when it counts the answerer's user as its own or
 * a contact), and the answering device checks the certificate, that the
 * connection's key is that certificate's, and its own contact list, before
 * it answers with its direct addresses. The asker then dials one directly
 * (DeviceNode.connect); the answerer, holding the asker's addresses, dials
 * back a moment later if no direct connection came (connection reversal,
 * for an answerer behind a NAT). What goes where is decided in
 * src/net/direct.ts.
 */
import type { Connection, PeerId } from '@libp2p/interface'
import type { Logger } from '../log/logger.js'
import { mayShareDirect, type DirectPaths, type Relation } from '../net/direct.js'
import { request, serve } from '../net/rpc.js'
import { verifyCertificate, type VerifyCertificateOptions } from '../trust/certificate.js'
import { TrustError } from '../trust/errors.js'
import { plain } from '../wire/bytes.js'
import {
  decodeDirectRequest,
  decodeDirectResponse,
  DIRECT_PROTOCOL,
  DirectRequest,
  DirectResponse,
  DirectResult,
  DirectWireLimits,
} from '../wire/direct.js'
import { ErrorCode } from '../wire/error-codes.js'
import type { DeviceHost } from '../net/host.js'

const TIMEOUT_MS = 3_000

export interface DirectAddrsInit {
  node: DeviceHost
  paths: DirectPaths
  /** This device's certificate, renewed in place. */
  certificate: () => Uint8Array
  /** This device's direct addresses now. */
  ownAddrs: () => string[]
  relationOf: (username: string) => Relation
  verifyOptions: () => VerifyCertificateOptions
  /** A contact's device told us its direct addresses while asking for ours. */
  onLearned: (deviceId: string) => void
  log: Logger
}

export class DirectAddrs {
  constructor(private readonly init: DirectAddrsInit) {}

  async start(): Promise<void> {
    await serve(
      this.init.node,
      DIRECT_PROTOCOL,
      (payload, connection) => Promise.resolve(this.handle(payload, connection)),
      {
        maxRequestBytes: DirectWireLimits.requestBytes,
        timeoutMs: TIMEOUT_MS,
        maxInboundStreams: 32,
        onError: (err) => this.init.log.debug({ err: (err as Error).message }, 'direct stream failed'),
      },
    )
  }

  async stop(): Promise<void> {
    await this.init.node.unhandle(DIRECT_PROTOCOL).catch(() => undefined)
  }

  handle(payload: Uint8Array, connection: Connection): Uint8Array {
    const req = decodeDirectRequest(payload)
    const refuse = (code: string, message: string) =>
      DirectResponse.encode({ result: DirectResult.Refused, code, message, addrs: [] })
    let username: string
    let deviceId: string
    try {
      const cert = verifyCertificate(req.certificate, this.init.verifyOptions())
      ;({ username, deviceId } = cert)
    } catch (err) {
      if (err instanceof TrustError) return refuse(err.code, err.message)
      throw err
    }
    if (deviceId !== connection.remotePeer.toString())
      return refuse(ErrorCode.ProofFailed, 'the certificate is for another device key')
    this.init.paths.noteDevice(deviceId, username)
    if (!mayShareDirect(this.init.relationOf(username)))
      return refuse(ErrorCode.NotContact, 'direct addresses go to contacts and own devices only')
    if (req.addrs.length > 0) {
      this.init.paths.learn(deviceId, username, req.addrs)
      this.init.onLearned(deviceId)
    }
    return DirectResponse.encode({
      result: DirectResult.Ok,
      code: '',
      message: '',
      addrs: this.init.ownAddrs().slice(0, DirectWireLimits.addrs),
    })
  }

  /**
   * Asks a device of `username` (connected already) for its direct
   * addresses, giving ours when it is our own user's or a contact's; returns
   * what it answered ([] when it refused or does not speak the protocol).
   */
  async ask(peer: PeerId, username: string): Promise<string[]> {
    const deviceId = peer.toString()
    const share = mayShareDirect(this.init.relationOf(username))
    const answer = decodeDirectResponse(
      await request(
        this.init.node,
        peer,
        DIRECT_PROTOCOL,
        DirectRequest.encode({
          certificate: plain(this.init.certificate()),
          addrs: share ? this.init.ownAddrs().slice(0, DirectWireLimits.addrs) : [],
        }),
        { timeoutMs: TIMEOUT_MS, maxResponseBytes: DirectWireLimits.responseBytes },
      ),
    )
    if (answer.result !== DirectResult.Ok) {
      this.init.log.debug({ device: deviceId, code: answer.code }, 'direct addresses refused')
      return []
    }
    // Only what we would dial anyway: the user's own devices and contacts.
    if (!share) return []
    this.init.paths.learn(deviceId, username, answer.addrs)
    return answer.addrs
  }
}
