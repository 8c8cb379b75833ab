/**
 * Settings' profile (issue 17): the display name and mood message contacts
 * see, and a picture made small here (avatar.ts). The device checks it all
 * again; what it refuses shows in words.
 */
import { useEffect, useState, type FormEvent } from 'react'
import { api, messageOf } from './api.js'
import { Avatar } from './Avatar.js'
import { AvatarError, base64Of, resizeAvatar } from './avatar.js'

export function ProfileForm({ me }: { me: string }) {
  const [name, setName] = useState('')
  const [mood, setMood] = useState('')
  const [avatarAt, setAvatarAt] = useState(0)
  const [picked, setPicked] = useState<{ bytes: Uint8Array; url: string } | 'none'>()
  const [note, setNote] = useState<{ ok: boolean; text: string }>()
  const [busy, setBusy] = useState(false)

  useEffect(() => {
    let current = true
    api.profile().then(
      (p) => {
        if (!current) return
        setName(p.name)
        setMood(p.mood)
        setAvatarAt(p.avatarAt)
      },
      (err: unknown) => current && setNote({ ok: false, text: messageOf(err) }),
    )
    return () => {
      current = false
    }
  }, [])

  const pick = async (file: File | undefined) => {
    if (file === undefined) return
    try {
      const bytes = await resizeAvatar(file)
      setPicked({ bytes, url: URL.createObjectURL(new Blob([bytes.slice()])) })
      setNote(undefined)
    } catch (err) {
      setNote({
        ok: false,
        text: err instanceof AvatarError ? err.message : 'That picture could not be read.',
      })
    }
  }

  const save = async (e: FormEvent) => {
    e.preventDefault()
    setBusy(true)
    try {
      const avatar = picked === undefined ? undefined : picked === 'none' ? '' : base64Of(picked.bytes)
      const saved = await api.setProfile({ name, mood, ...(avatar === undefined ? {} : { avatar }) })
      setAvatarAt(saved.avatarAt)
      setPicked(undefined)
      setNote({ ok: true, text: 'Saved: your contacts will see it.' })
    } catch (err) {
      setNote({ ok: false, text: messageOf(err) })
    } finally {
      setBusy(false)
    }
  }

  return (
    <form className="profile-form" onSubmit={(e) => void save(e)} data-testid="profile-form">
      <div className="picture">
        <Avatar
          username={me}
          name={name}
          avatarAt={picked === 'none' ? 0 : avatarAt}
          src={picked === undefined || picked === 'none' ? undefined : picked.url}
          large
          testId="profile-avatar"
        />
        <label>
          Picture{' '}
          <input
            type="file"
            accept="image/*"
            onChange={(e) => void pick(e.target.files?.[0])}
            data-testid="profile-avatar-input"
          />
        </label>
        {(avatarAt > 0 || (picked !== undefined && picked !== 'none')) && (
          <button
            type="button"
            className="link"
            onClick={() => setPicked('none')}
            data-testid="profile-avatar-remove"
          >
            Remove picture
          </button>
        )}
      </div>
      <label>
        Display name
        <input
          value={name}
          maxLength={64}
          onChange={(e) => setName(e.target.value)}
          data-testid="profile-name"
        />
      </label>
      <label>
        Mood message
        <input
          value={mood}
          maxLength={140}
          onChange={(e) => setMood(e.target.value)}
          data-testid="profile-mood"
        />
      </label>
      <button type="submit" className="primary" disabled={busy} data-testid="profile-save">
        Save profile
      </button>
      {note !== undefined && (
        <p
          className={note.ok ? 'hint' : 'error'}
          role={note.ok ? 'status' : 'alert'}
          data-testid="profile-note"
        >
          {note.text}
        </p>
      )}
    </form>
  )
}
