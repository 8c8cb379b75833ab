/**
 * Capped, canonical, validating decoders for the supernode network's
 * messages. Like codec.ts, nothing but WireDecodeError escapes them.
 */
import { checkString, decodeCapped, invalid, time } from './decode.js'
import { isUsername, VERSION_PATTERN } from './fields.js'
import {
  Announcement,
  AttachAnswer,
  AttachRequest,
  AttachResponse,
  DirectoryRequest,
  DirectoryResponse,
  MembershipMessage,
  PresenceRecord,
  PresenceStatus,
} from './generated/parley.js'
import { Limits, OverlayLimits } from './limits.js'

export {
  Announcement,
  AttachAnswer,
  AttachRequest,
  AttachResponse,
  DirectoryRequest,
  DirectoryResponse,
  MembershipMessage,
  PresenceRecord,
  PresenceStatus,
}

function checkAddrs(field: string, addrs: string[]): void {
  for (const a of addrs) checkString(field, a, Limits.multiaddrChars, 1)
}

function checkPeerId(field: string, id: string): void {
  checkString(field, id, OverlayLimits.peerIdChars, 1)
}

export interface PresenceFields {
  certificate: Uint8Array
  addrs: string[]
  status: PresenceStatus
  sequence: number
  expiresAt: number
}

export function decodePresenceBody(bytes: Uint8Array): PresenceFields {
  const b = decodeCapped<PresenceRecord>(
    'presence record',
    PresenceRecord,
    bytes,
    OverlayLimits.presenceBytes,
    {
      addrs: OverlayLimits.addrs,
    },
  )
  if (b.certificate.byteLength === 0) invalid('certificate', 'is missing')
  checkAddrs('addrs', b.addrs)
  return { ...b, sequence: time('sequence', b.sequence), expiresAt: time('expiresAt', b.expiresAt) }
}

export interface AnnouncementFields {
  certificate: Uint8Array
  addrs: string[]
  capacity: number
  load: number
  version: string
  incarnation: number
  metricsUrl: string
}

export function decodeAnnouncementBody(bytes: Uint8Array): AnnouncementFields {
  const b = decodeCapped<Announcement>('announcement', Announcement, bytes, OverlayLimits.announcementBytes, {
    addrs: OverlayLimits.addrs,
  })
  if (b.certificate.byteLength === 0) invalid('certificate', 'is missing')
  if (b.addrs.length === 0) invalid('addrs', 'are missing')
  checkAddrs('addrs', b.addrs)
  if (b.capacity === 0) invalid('capacity', 'is missing')
  if (!VERSION_PATTERN.test(b.version)) invalid('version', 'is not a version')
  checkString('metricsUrl', b.metricsUrl, Limits.multiaddrChars)
  return { ...b, incarnation: time('incarnation', b.incarnation) }
}

export const MembershipKind = { Ping: 1, Ack: 2, PingReq: 3, Sync: 4, SyncReply: 5 } as const

export function decodeMembershipMessage(bytes: Uint8Array): MembershipMessage {
  const m = decodeCapped<MembershipMessage>(
    'membership message',
    MembershipMessage,
    bytes,
    OverlayLimits.membershipBytes,
    {
      updates: OverlayLimits.memberUpdates,
    },
  )
  if (m.kind < 1 || m.kind > 5) invalid('kind', 'is unknown')
  checkString('target', m.target, OverlayLimits.peerIdChars)
  for (const u of m.updates) {
    checkPeerId('updates.peerId', u.peerId)
    time('updates.incarnation', u.incarnation)
    if (u.state > 2) invalid('updates.state', 'is unknown')
    if (u.announcement.byteLength > OverlayLimits.announcementBytes + 512)
      invalid('updates.announcement', 'is too large')
  }
  return m
}

export function decodeAttachRequest(bytes: Uint8Array): AttachRequest {
  const r = decodeCapped<AttachRequest>('attach request', AttachRequest, bytes, OverlayLimits.attachBytes)
  if (r.certificate.byteLength === 0) invalid('certificate', 'is missing')
  if (!VERSION_PATTERN.test(r.version)) invalid('version', 'is not a version')
  return r
}

export const AttachResult = { Attached: 0, Busy: 1, Refused: 2 } as const

export function decodeAttachResponse(bytes: Uint8Array): AttachResponse {
  const r = decodeCapped<AttachResponse>(
    'attach response',
    AttachResponse,
    bytes,
    OverlayLimits.attachBytes,
    {
      hints: OverlayLimits.hints,
      hints$: { addrs: OverlayLimits.addrs },
    },
  )
  if (r.result > 2) invalid('result', 'is unknown')
  checkString('code', r.code, 64)
  checkString('message', r.message, 512)
  for (const h of r.hints) {
    checkPeerId('hints.peerId', h.peerId)
    checkAddrs('hints.addrs', h.addrs)
  }
  return r
}

/**
 * Attach 1.1's answer. The announcements are only size-checked here: the
 * device verifies each against the network key before using it
 * (device/hint-proofs.ts).
 */
export function decodeAttachAnswer(bytes: Uint8Array): AttachAnswer {
  const r = decodeCapped<AttachAnswer>(
    'attach answer',
    AttachAnswer,
    bytes,
    OverlayLimits.attachAnswerBytes,
    {
      hints: OverlayLimits.signedHints,
    },
  )
  if (r.result > 2) invalid('result', 'is unknown')
  checkString('code', r.code, 64)
  checkString('message', r.message, 512)
  if (r.announcement.byteLength > OverlayLimits.signedHintBytes) invalid('announcement', 'is too large')
  if (r.result === AttachResult.Attached && r.announcement.byteLength === 0)
    invalid('announcement', 'is missing')
  for (const h of r.hints) {
    if (h.byteLength === 0) invalid('hints', 'holds an empty hint')
    if (h.byteLength > OverlayLimits.signedHintBytes) invalid('hints', 'holds an oversized hint')
  }
  return r
}

export const DirectoryKind = { Publish: 1, Lookup: 2, Store: 3, Fetch: 4 } as const
export const DirectoryResult = { Ok: 0, NotFound: 1, Refused: 2, Busy: 3 } as const

export function decodeDirectoryRequest(bytes: Uint8Array): DirectoryRequest {
  const r = decodeCapped<DirectoryRequest>(
    'directory request',
    DirectoryRequest,
    bytes,
    OverlayLimits.directoryBytes,
    {
      records: OverlayLimits.records,
    },
  )
  if (r.kind < 1 || r.kind > 4) invalid('kind', 'is unknown')
  for (const rec of r.records) {
    if (rec.byteLength > OverlayLimits.recordEnvelopeBytes) invalid('records', 'holds an oversized record')
  }
  if ((r.kind === DirectoryKind.Lookup || r.kind === DirectoryKind.Fetch) && r.username === '')
    invalid('username', 'is missing')
  if (r.username !== '' && !isUsername(r.username)) invalid('username', 'is not a valid username')
  return r
}

export function decodeDirectoryResponse(bytes: Uint8Array): DirectoryResponse {
  const r = decodeCapped<DirectoryResponse>(
    'directory response',
    DirectoryResponse,
    bytes,
    OverlayLimits.directoryBytes,
    {
      records: OverlayLimits.records,
    },
  )
  if (r.result > 3) invalid('result', 'is unknown')
  checkString('code', r.code, 64)
  checkString('message', r.message, 512)
  for (const rec of r.records) {
    if (rec.byteLength > OverlayLimits.recordEnvelopeBytes) invalid('records', 'holds an oversized record')
  }
  return r
}
