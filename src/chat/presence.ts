/**
 * Our presence and typing, pushed live (never queued) to the devices that
 * should see them: every accepted contact's online devices and our own other
 * ones. A contact's device that tells us its presence gets ours back at once,
 * on the connection it just used, marked as an answer, which is never
 * answered. Every presence but an answer is answered, even from a device we
 * told already: ours may have reached it before it knew us (a second device
 * that learns of a contact from the first a moment later drops it).
 */
import type { Logger } from '../log/logger.js'
import type { VerifiedChatEvent } from '../trust/chat-event.js'
import type { Presence } from '../trust/presence.js'
import { ChatKind } from '../wire/chat.js'
import { PresenceStatus } from '../wire/generated/parley.js'
import type { Chat } from './chat.js'
import type { Reachable } from './delivery.js'
import { STATUS_NAMES } from './kinds.js'
import type { UserStatus } from './own-status.js'
import type { PushResult } from './push.js'
import type { ChatStore } from './store.js'

/** What contacts see of our own status: invisible looks offline. */
export function wireStatus(s: UserStatus): PresenceStatus {
  return s === 'invisible' ? PresenceStatus.OFFLINE : (STATUS_NAMES[s] ?? PresenceStatus.ONLINE)
}

/** The text of a PRESENCE event that answers another (older devices send none, and are answered). */
export const PRESENCE_ANSWER = 'answer'

export interface PresenceComponents {
  /** This device and its user. */
  me: { username: string; deviceId: string }
  chat: Pick<Chat, 'live'>
  store: Pick<ChatStore, 'contacts'>
  /** Our own status now (own-status.ts). */
  status(): UserStatus
  /** A user's online devices (cached lookups). */
  devicesOf(username: string): Promise<Presence[]>
  push(device: Reachable, events: Uint8Array[]): Promise<PushResult>
  /** Over the connection already open to a device. */
  pushTo(deviceId: string, events: Uint8Array[]): Promise<PushResult>
  log?: Pick<Logger, 'debug'>
}

export class PresenceBroadcast {
  constructor(private readonly c: PresenceComponents) {}

  /** Pushes our presence to every accepted contact's online devices and to our own. */
  async broadcast(status = wireStatus(this.c.status())): Promise<void> {
    const contacts = this.c.store.contacts(['accepted']).map((c) => c.username)
    await Promise.all([...contacts, this.c.me.username].map((u) => this.to(u, undefined, status)))
  }

  /** An event was applied: a contact's device that told us its presence gets ours, unless it was an answer. */
  heard(e: VerifiedChatEvent): void {
    if (e.kind === ChatKind.PRESENCE && e.from !== this.c.me.username && e.text !== PRESENCE_ANSWER)
      void this.to(e.from, e.deviceId)
  }

  /** Pushes our presence to a user's online devices (or, as an answer, only to one that just told us its own). */
  async to(username: string, onlyDevice?: string, status = wireStatus(this.c.status())): Promise<void> {
    this.c.log?.debug({ username, onlyDevice, status }, 'presence: to')
    if (onlyDevice !== undefined) {
      // An answer to a device that just told us its presence: its connection is open.
      const event = this.c.chat.live(ChatKind.PRESENCE, username, status, PRESENCE_ANSWER)
      await this.c.pushTo(onlyDevice, [event]).then(
        (r) =>
          this.c.log?.debug(
            { username, device: onlyDevice, committed: r.committed.length, refused: r.refused.length },
            'presence answer pushed',
          ),
        (err: Error) =>
          this.c.log?.debug({ username, device: onlyDevice, err: err.message }, 'presence answer failed'),
      )
      return
    }
    const devices = (
      await this.c.devicesOf(username).catch((err: Error) => {
        this.c.log?.debug({ username, err: err.message }, 'presence: lookup failed')
        return []
      })
    ).filter((d) => d.deviceId !== this.c.me.deviceId)
    this.c.log?.debug({ username, devices: devices.map((d) => d.deviceId) }, 'presence: pushing')
    const event = this.c.chat.live(ChatKind.PRESENCE, username, status)
    await Promise.all(
      devices.map((d) =>
        this.c.push(d, [event]).then(
          (r) =>
            this.c.log?.debug(
              { username, device: d.deviceId, committed: r.committed.length, refused: r.refused.length },
              'presence pushed',
            ),
          (err: Error) =>
            this.c.log?.debug({ username, device: d.deviceId, err: err.message }, 'presence push failed'),
        ),
      ),
    )
  }

  /** Live typing indicator to the contact's online devices. */
  async typing(to: string): Promise<void> {
    const event = this.c.chat.live(ChatKind.TYPING, to)
    const devices = await this.c.devicesOf(to).catch(() => [])
    await Promise.all(devices.map((d) => this.c.push(d, [event]).catch(() => undefined)))
  }
}
