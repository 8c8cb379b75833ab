/** A user's picture, or their initials in a circle when they have none (issue 17). */
import { useAvatar } from './avatar.js'
import { initials } from './initials.js'
import './profile.css'

export function Avatar({
  username,
  name,
  avatarAt,
  testId,
  large = false,
  src,
}: {
  username: string
  name: string
  avatarAt: number
  testId?: string
  large?: boolean
  /** A picture to show instead (a preview not saved yet). */
  src?: string | undefined
}) {
  const loaded = useAvatar(username, avatarAt)
  const url = src ?? loaded
  const size = large ? 96 : 32
  return url === undefined ? (
    <span
      className={large ? 'avatar initials large' : 'avatar initials'}
      aria-hidden="true"
      data-testid={testId}
    >
      {initials(name !== '' ? name.replace(/\s+/g, '.') : username)}
    </span>
  ) : (
    <img
      className={large ? 'avatar large' : 'avatar'}
      src={url}
      alt=""
      width={size}
      height={size}
      data-testid={testId}
    />
  )
}
