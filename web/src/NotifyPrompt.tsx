/** The sidebar's offer to turn notifications on: shown until the browser has been asked, never asking by itself. */
import { askPermission, usePermission } from './notifications.js'

export function NotifyPrompt() {
  const permission = usePermission()
  if (permission !== 'default') return null
  return (
    <p className="hint pad notify-prompt" data-testid="notify-prompt">
      Hear about new messages while Parley is in the background.{' '}
      <button type="button" className="link" data-testid="notify-enable" onClick={() => void askPermission()}>
        Turn on notifications
      </button>
    </p>
  )
}
