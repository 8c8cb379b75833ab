import type { Member, MemberTable } from './table.js'
import type { MemberAnnouncement, MemberUpdate } from './types.js'

/** The update telling a member's current state; alive news always carries its announcement. */
export function updateOf(rec: Member, withData: boolean): MemberUpdate {
  const u: MemberUpdate = { peerId: rec.peerId, incarnation: rec.incarnation, state: rec.state }
  // A receiver may not know the member yet, and never learns one without its data.
  if (rec.announcement !== undefined && (rec.state === 'alive' || (withData && rec.state === 'suspect')))
    u.announcement = rec.announcement
  return u
}

export function selfUpdate(self: MemberAnnouncement): MemberUpdate {
  return { peerId: self.peerId, incarnation: self.incarnation, state: 'alive', announcement: self }
}

/** Room for kind, seq, target and framing in an encoded message. */
const MESSAGE_OVERHEAD = 256
/** An encoded update without its announcement: peer id, incarnation, state, field tags. */
const UPDATE_OVERHEAD = 24

/** An upper estimate of an update's encoded size, to stay under the wire's message cap. */
export function encodedSize(u: MemberUpdate): number {
  return (
    UPDATE_OVERHEAD + u.peerId.length + (u.announcement === undefined ? 0 : 8 + u.announcement.bytes.length)
  )
}

/** What one message may carry: the wire decoder refuses more (OverlayLimits). */
export class Budget {
  private count = 0
  private bytes = MESSAGE_OVERHEAD

  constructor(
    private readonly maxUpdates: number,
    private readonly maxBytes: number,
  ) {}

  /** Takes the update's room if there is any left. */
  fits(u: MemberUpdate): boolean {
    const size = encodedSize(u)
    if (this.count >= this.maxUpdates || this.bytes + size > this.maxBytes) return false
    this.count++
    this.bytes += size
    return true
  }
}

/** Everything we know, announcements included, cut into messages the wire accepts. */
export function stateDump(
  self: MemberAnnouncement,
  table: MemberTable,
  budget: () => Budget,
): MemberUpdate[][] {
  const chunks: MemberUpdate[][] = []
  let chunk: MemberUpdate[] = []
  let room = budget()
  const add = (u: MemberUpdate) => {
    if (room.fits(u)) return chunk.push(u)
    chunks.push(chunk)
    chunk = [u]
    room = budget()
    room.fits(u)
  }
  add(selfUpdate(self))
  for (const rec of table.all()) add(updateOf(rec, true))
  chunks.push(chunk)
  return chunks
}

/**
 * One message's worth (at most `max` entries) after `cursor` in peer id order,
 * wrapping around, so that successive capped syncs cover the whole state.
 */
export function syncPage(
  self: MemberAnnouncement,
  table: MemberTable,
  max: number,
  budget: Budget,
  cursor: string,
): { updates: MemberUpdate[]; cursor: string } {
  const ids = [self.peerId]
  for (const rec of table.all()) ids.push(rec.peerId)
  ids.sort()
  let start = ids.findIndex((id) => id > cursor)
  if (start < 0) start = 0
  const updates: MemberUpdate[] = []
  for (let i = 0; i < Math.min(max, ids.length); i++) {
    const id = ids[(start + i) % ids.length] as string
    const rec = table.get(id)
    const u = id === self.peerId ? selfUpdate(self) : rec === undefined ? undefined : updateOf(rec, true)
    if (u !== undefined && !budget.fits(u)) break
    if (u !== undefined) updates.push(u)
    cursor = id
  }
  return { updates, cursor }
}
