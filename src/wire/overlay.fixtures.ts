/**
 * Valid sample messages of the supernode network for the overlay decoder
 * tests, and builders for encodings with some fields changed. Test support
 * only: no tests of its own.
 */
import type { MemberUpdate, SupernodeHint } from './generated/parley.js'
import {
  Announcement,
  AttachRequest,
  AttachResponse,
  AttachResult,
  DirectoryKind,
  DirectoryRequest,
  DirectoryResponse,
  DirectoryResult,
  MembershipKind,
  MembershipMessage,
  PresenceRecord,
  PresenceStatus,
} from './overlay.js'

/** Stands in for a signed certificate envelope: the decoders only require one to be there. */
export const certificate = new Uint8Array(300).fill(0xce)

export const presence: PresenceRecord = {
  certificate,
  addrs: ['/ip4/127.0.0.1/tcp/4001', '/ip4/1.2.3.4/tcp/4001/p2p/12D3KooWrelay/p2p-circuit'],
  status: PresenceStatus.ONLINE,
  sequence: 7n,
  expiresAt: 1_700_000_060_000n,
}

export const announcement: Announcement = {
  certificate,
  addrs: ['/ip4/127.0.0.1/tcp/4001'],
  capacity: 500,
  load: 12,
  version: '1.4.2',
  incarnation: 1_700_000_000_000n,
  metricsUrl: 'http://127.0.0.1:9100/metrics',
}

export const update: MemberUpdate = {
  peerId: '12D3KooWpeer',
  incarnation: 3n,
  state: 0,
  announcement: new Uint8Array(400).fill(0xa1),
}

export const membership: MembershipMessage = {
  kind: MembershipKind.Sync,
  seq: 9n,
  target: '12D3KooWtarget',
  updates: [update, { peerId: '12D3KooWother', incarnation: 1n, state: 1, announcement: new Uint8Array(0) }],
}

export const attachRequest: AttachRequest = { certificate, version: '1.4.2' }

export const hint: SupernodeHint = {
  peerId: '12D3KooWhint',
  addrs: ['/ip4/10.0.0.1/tcp/4001'],
  load: 3,
  capacity: 100,
  mega: true,
}

export const attachResponse: AttachResponse = {
  result: AttachResult.Busy,
  code: '',
  message: 'full',
  hints: [hint],
  load: 100,
  capacity: 100,
  configSequence: 4n,
}

export const directoryRequest: DirectoryRequest = {
  kind: DirectoryKind.Store,
  records: [new Uint8Array(500).fill(0x11), new Uint8Array(600).fill(0x22)],
  username: '',
}

export const directoryResponse: DirectoryResponse = {
  result: DirectoryResult.Ok,
  code: '',
  message: '',
  records: [new Uint8Array(500).fill(0x11)],
}

export const withPresence = (over: Partial<PresenceRecord>) => PresenceRecord.encode({ ...presence, ...over })
export const withAnnouncement = (over: Partial<Announcement>) =>
  Announcement.encode({ ...announcement, ...over })
export const withMembership = (over: Partial<MembershipMessage>) =>
  MembershipMessage.encode({ ...membership, ...over })
export const withUpdate = (over: Partial<MemberUpdate>) =>
  withMembership({ updates: [{ ...update, ...over }] })
export const withAttachRequest = (over: Partial<AttachRequest>) =>
  AttachRequest.encode({ ...attachRequest, ...over })
export const withAttachResponse = (over: Partial<AttachResponse>) =>
  AttachResponse.encode({ ...attachResponse, ...over })
export const withHint = (over: Partial<SupernodeHint>) =>
  withAttachResponse({ hints: [{ ...hint, ...over }] })
export const withDirectoryRequest = (over: Partial<DirectoryRequest>) =>
  DirectoryRequest.encode({ ...directoryRequest, ...over })
export const withDirectoryResponse = (over: Partial<DirectoryResponse>) =>
  DirectoryResponse.encode({ ...directoryResponse, ...over })
