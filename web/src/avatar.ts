/**
 * Avatars in the page (issue 17): a picture the user picks is made small
 * here (96 px, cropped to a square, WebP or else JPEG, at most 32 KiB)
 * before it goes to the device; contacts' avatars are fetched from the device
 * (with the session's header) once per version and kept as blob URLs.
 */
import { useEffect, useState } from 'react'
import { api } from './api.js'

export const AVATAR_PX = 96
const MAX_BYTES = 32 * 1024

export class AvatarError extends Error {}

/** The picture as a small square image's bytes; AvatarError in words when it is not a picture. */
export async function resizeAvatar(file: Blob): Promise<Uint8Array> {
  let bitmap: ImageBitmap
  try {
    bitmap = await createImageBitmap(file)
  } catch {
    throw new AvatarError('That file is not a picture: choose a PNG, JPEG, WebP or GIF image.')
  }
  const canvas = document.createElement('canvas')
  canvas.width = AVATAR_PX
  canvas.height = AVATAR_PX
  const side = Math.min(bitmap.width, bitmap.height)
  canvas
    .getContext('2d')!
    .drawImage(
      bitmap,
      (bitmap.width - side) / 2,
      (bitmap.height - side) / 2,
      side,
      side,
      0,
      0,
      AVATAR_PX,
      AVATAR_PX,
    )
  bitmap.close()
  for (const quality of [0.85, 0.6, 0.4]) {
    for (const type of ['image/webp', 'image/jpeg']) {
      const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, type, quality))
      if (blob === null || blob.type !== type) continue
      if (blob.size <= MAX_BYTES) return new Uint8Array(await blob.arrayBuffer())
    }
  }
  throw new AvatarError('That picture could not be made small enough.')
}

export function base64Of(bytes: Uint8Array): string {
  let s = ''
  for (const b of bytes) s += String.fromCharCode(b)
  return btoa(s)
}

const cache = new Map<string, Promise<string | undefined>>()

/** The blob URL of a user's avatar at a version (`avatarAt`, 0 for none), loaded once. */
export function useAvatar(username: string, avatarAt: number): string | undefined {
  const key = `${username}:${avatarAt}`
  const [url, setUrl] = useState<{ key: string; url: string | undefined }>()
  useEffect(() => {
    if (avatarAt === 0) return
    let current = true
    let load = cache.get(key)
    if (load === undefined) {
      load = api.avatar(username).then(
        (blob) => (blob === undefined ? undefined : URL.createObjectURL(blob)),
        () => undefined,
      )
      cache.set(key, load)
    }
    void load.then((u) => current && setUrl({ key, url: u }))
    return () => {
      current = false
    }
  }, [key, username, avatarAt])
  return avatarAt === 0 || url?.key !== key ? undefined : url.url
}
