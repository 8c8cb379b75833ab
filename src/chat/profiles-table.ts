/** Profiles in the chat store (issue 17): one per user, the newest by Lamport time then device id. */
import type Database from 'better-sqlite3'
import type { Profile } from './profile.js'

export interface StoredProfile extends Profile {
  /** The Lamport time it was set at: a version for caches. */
  lamport: number
}

export class ProfilesTable {
  constructor(private readonly sql: (text: string) => Database.Statement) {}

  /** Keeps a user's profile unless a newer one is there; true when it changed. */
  set(username: string, p: Profile, lamport: number, deviceId: string): boolean {
    return (
      this.sql(
        `INSERT INTO profiles (username, name, mood, avatar, lamport, device_id) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (username) DO UPDATE
             SET name = excluded.name, mood = excluded.mood, avatar = excluded.avatar,
                 lamport = excluded.lamport, device_id = excluded.device_id
             WHERE excluded.lamport > profiles.lamport
               OR (excluded.lamport = profiles.lamport AND excluded.device_id > profiles.device_id)`,
      ).run(username, p.name, p.mood, Buffer.from(p.avatar), lamport, deviceId).changes > 0
    )
  }

  get(username: string): StoredProfile | undefined {
    const r = this.sql('SELECT name, mood, avatar, lamport FROM profiles WHERE username = ?').get(
      username,
    ) as { name: string; mood: string; avatar: Buffer; lamport: number } | undefined
    return r && { name: r.name, mood: r.mood, avatar: new Uint8Array(r.avatar), lamport: r.lamport }
  }

  /** Every user's name and mood, and whether (and since when) they have an avatar: for the contact list. */
  summaries(): Map<string, { name: string; mood: string; avatarAt: number }> {
    const rows = this.sql(
      'SELECT username, name, mood, lamport, length(avatar) > 0 AS has FROM profiles',
    ).all() as { username: string; name: string; mood: string; lamport: number; has: number }[]
    return new Map(
      rows.map((r) => [r.username, { name: r.name, mood: r.mood, avatarAt: r.has ? r.lamport : 0 }]),
    )
  }
}
