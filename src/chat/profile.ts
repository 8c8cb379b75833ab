/**
 * A user's profile (issue 17): a display name, a mood message (as Skype had)
 * and an avatar, sent to each accepted contact as a PROFILE event whose text
 * is this JSON, the newest by Lamport time winning on every device. Checked
 * on sending (a clear refusal) and on receiving (a bad one is dropped).
 * Sans-IO: bytes and strings in, a verdict out.
 */

export interface Profile {
  /** What contacts see instead of the username; "" for none. */
  name: string
  mood: string
  /** A small PNG, JPEG or WebP image (the web client makes 96 px WebP), or empty for none. */
  avatar: Uint8Array
}

export const ProfileLimits = {
  nameChars: 64,
  moodChars: 140,
  /** Bytes of the image itself (base64 in the event adds a third). */
  avatarBytes: 32 * 1024,
} as const

export type AvatarType = 'image/png' | 'image/jpeg' | 'image/webp'

/** The image type an avatar's bytes say they are (never its name or a declared type), or undefined. */
export function avatarType(b: Uint8Array): AvatarType | undefined {
  const at = (i: number, ...xs: number[]) => xs.every((x, j) => b[i + j] === x)
  if (at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png'
  if (at(0, 0xff, 0xd8, 0xff)) return 'image/jpeg'
  if (at(0, 0x52, 0x49, 0x46, 0x46) && at(8, 0x57, 0x45, 0x42, 0x50)) return 'image/webp'
  return undefined
}

const CONTROL = /[\p{Cc}\u2028\u2029]/u

/** Why a profile cannot be sent, in words, or undefined when it can. */
export function profileProblem(p: Profile): string | undefined {
  if ([...p.name].length > ProfileLimits.nameChars)
    return `a display name is at most ${ProfileLimits.nameChars} characters`
  if ([...p.mood].length > ProfileLimits.moodChars)
    return `a mood message is at most ${ProfileLimits.moodChars} characters`
  if (CONTROL.test(p.name) || CONTROL.test(p.mood))
    return 'a name or mood holds no control characters or line breaks'
  if (p.avatar.byteLength > ProfileLimits.avatarBytes)
    return `an avatar is at most ${ProfileLimits.avatarBytes / 1024} KiB (${Math.ceil(p.avatar.byteLength / 1024)} KiB given)`
  if (p.avatar.byteLength > 0 && avatarType(p.avatar) === undefined)
    return 'an avatar is a PNG, JPEG or WebP image'
  return undefined
}

/** The text of a PROFILE event. */
export function encodeProfile(p: Profile): string {
  return JSON.stringify({ name: p.name, mood: p.mood, avatar: Buffer.from(p.avatar).toString('base64') })
}

/** A PROFILE event's text as a profile, or undefined when it is not a valid one. */
export function decodeProfile(text: string): Profile | undefined {
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch {
    return undefined
  }
  if (typeof v !== 'object' || v === null) return undefined
  const { name, mood, avatar } = v as Record<string, unknown>
  if (typeof name !== 'string' || typeof mood !== 'string' || typeof avatar !== 'string') return undefined
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(avatar) || avatar.length > ((ProfileLimits.avatarBytes + 2) / 3) * 4 + 4)
    return undefined
  const p = { name, mood, avatar: new Uint8Array(Buffer.from(avatar, 'base64')) }
  return profileProblem(p) === undefined ? p : undefined
}
