/**
 * The device has no account yet: sign up (a new user) or sign in (an
 * existing user, this becoming one more of their devices). The device itself
 * talks to the authority; the password goes only to it, over this origin.
 */
import { useState, type FormEvent } from 'react'
import { api, messageOf } from './api.js'
import { MIN_PASSWORD, USERNAME, type Credentials } from './types.js'

type Mode = 'signup' | 'signin'

/** What is wrong with the form, in words, or undefined when it can be sent. */
export function checkCredentials(c: Credentials): string | undefined {
  if (!USERNAME.test(c.username))
    return 'A username is 3 to 32 characters: lower-case letters, digits, dot, underscore or hyphen.'
  if (c.password.length < MIN_PASSWORD) return `A password has at least ${MIN_PASSWORD} characters.`
  if ((c.deviceName ?? '').length > 64) return 'A device name has at most 64 characters.'
  return undefined
}

export function Setup({ onStarted }: { onStarted: () => void }) {
  const [mode, setMode] = useState<Mode>('signup')
  const [error, setError] = useState<string>()
  const [busy, setBusy] = useState(false)

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    const form = new FormData(e.currentTarget)
    const field = (name: string) => {
      const value = form.get(name)
      return typeof value === 'string' ? value : ''
    }
    const deviceName = field('deviceName').trim()
    const c: Credentials = {
      username: field('username').trim(),
      password: field('password'),
      ...(deviceName === '' ? {} : { deviceName }),
    }
    const problem = checkCredentials(c)
    setError(problem)
    if (problem !== undefined) return
    setBusy(true)
    try {
      await (mode === 'signup' ? api.register(c) : api.login(c))
      onStarted()
    } catch (err) {
      setError(messageOf(err))
      setBusy(false)
    }
  }

  const tab = (m: Mode, label: string) => (
    <button
      type="button"
      role="tab"
      aria-selected={mode === m}
      className={mode === m ? 'tab active' : 'tab'}
      data-testid={`setup-${m}`}
      onClick={() => {
        setMode(m)
        setError(undefined)
      }}
    >
      {label}
    </button>
  )

  return (
    <main className="splash">
      <h1>Parley</h1>
      <p>This device has no account yet.</p>
      <div role="tablist" className="tabs">
        {tab('signup', 'Sign up')}
        {tab('signin', 'Sign in')}
      </div>
      {/* One form per mode, so each keeps its own test ids and the browser's password manager tells them apart. */}
      <form key={mode} className="setup" onSubmit={(e) => void submit(e)} noValidate>
        <label>
          Username
          <input
            name="username"
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            required
            data-testid={`${mode}-username`}
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete={mode === 'signup' ? 'new-password' : 'current-password'}
            required
            minLength={MIN_PASSWORD}
            data-testid={`${mode}-password`}
          />
        </label>
        <label>
          Device name <span className="hint">(optional)</span>
          <input name="deviceName" maxLength={64} data-testid={`${mode}-device`} />
        </label>
        {error !== undefined && (
          <p className="error" role="alert" data-testid="error">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy} data-testid={`${mode}-submit`}>
          {mode === 'signup' ? 'Sign up' : 'Sign in'}
        </button>
      </form>
    </main>
  )
}
