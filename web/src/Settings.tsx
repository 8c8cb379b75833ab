/**
 * Settings, in the conversation's place (the whole screen when narrow): the
 * profile (ProfileForm.tsx), the theme, notifications, installing the app, and signing out. The away timer
 * is not here: the device takes it at start (`parley up --away-after`) and
 * its local API does not expose it.
 */
import { useState } from 'react'
import { install, useInstallOffer } from './install.js'
import { askPermission, usePermission, type Permission } from './notifications.js'
import { ProfileForm } from './ProfileForm.js'
import { chooseTheme, themeChoice, THEMES, type ThemeChoice } from './theme.js'

const THEME_LABEL: Record<ThemeChoice, string> = { light: 'Light', dark: 'Dark', system: 'System' }

const PERMISSION_TEXT: Record<Exclude<Permission, 'default'>, string> = {
  granted: 'On: new messages notify you while Parley is in the background.',
  denied: "Blocked: allow notifications for this page in your browser's site settings.",
  unsupported: 'This browser cannot show notifications here.',
}

export interface SettingsProps {
  me: string
  onClose: () => void
  onSignOut: () => Promise<void>
}

export function Settings({ me, onClose, onSignOut }: SettingsProps) {
  const [theme, setTheme] = useState(themeChoice)
  const permission = usePermission()
  const canInstall = useInstallOffer()
  const pick = (choice: ThemeChoice) => {
    chooseTheme(choice)
    setTheme(choice)
  }
  return (
    <section className="conversation settings" data-testid="settings" aria-labelledby="settings-title">
      <header>
        <button type="button" className="back" aria-label="Back to contacts" onClick={onClose}>
          ←
        </button>
        <h2 id="settings-title">Settings</h2>
      </header>
      <div className="settings-body">
        <fieldset>
          <legend>Profile</legend>
          <ProfileForm me={me} />
        </fieldset>
        <fieldset>
          <legend>Theme</legend>
          {THEMES.map((t) => (
            <label key={t}>
              <input
                type="radio"
                name="theme"
                value={t}
                checked={theme === t}
                onChange={() => pick(t)}
                data-testid={`theme-${t}`}
              />
              {THEME_LABEL[t]}
            </label>
          ))}
          <p className="hint">System follows your device&apos;s light or dark setting.</p>
        </fieldset>
        <fieldset>
          <legend>Notifications</legend>
          {permission === 'default' ? (
            <button type="button" onClick={() => void askPermission()} data-testid="settings-notify">
              Turn on notifications
            </button>
          ) : (
            <p data-testid="settings-notify-state">{PERMISSION_TEXT[permission]}</p>
          )}
        </fieldset>
        <fieldset>
          <legend>App</legend>
          {canInstall && (
            <button type="button" onClick={() => void install()} data-testid="settings-install">
              Install Parley
            </button>
          )}
          <p className="hint">
            Installed, Parley opens in its own window on your last conversation. Your device still does the
            work: while it is stopped, the app opens and says it cannot reach it.
          </p>
        </fieldset>
        <fieldset>
          <legend>Account</legend>
          <p>
            Signed in as <strong>{me}</strong> on this device.
          </p>
          <button type="button" onClick={() => void onSignOut()} data-testid="settings-sign-out">
            Sign out
          </button>
        </fieldset>
      </div>
    </section>
  )
}
