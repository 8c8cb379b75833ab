/** The left pane: who I am and my status, search, add a contact, requests, contacts. */
import { useState, type FormEvent } from 'react'
import type { ContactAction } from './api.js'
import { CallsSection } from './Calls.js'
import { Avatar } from './Avatar.js'
import { NotifyPrompt } from './NotifyPrompt.js'
import { Search } from './Search.js'
import type { ChatState } from './state.js'
import {
  STATUSES,
  USERNAME,
  type ContactRequest,
  type ListedContact,
  type Message,
  type Status,
} from './types.js'

const STATUS_LABEL: Record<Status, string> = {
  online: 'Online',
  away: 'Away',
  dnd: 'Do not disturb',
  invisible: 'Invisible',
}

const CONTACT_NOTE: Partial<Record<ListedContact['state'], string>> = {
  requested: 'request sent',
  declined: 'declined',
  removed: 'removed',
  blocked: 'blocked',
}

/** Under a contact's name: their mood, else when they were last seen (offline), else nothing. */
export function contactLine(c: Pick<ListedContact, 'mood' | 'presence' | 'presenceAt'>): string {
  if (c.mood !== '') return c.mood
  if (c.presence !== 'offline' || c.presenceAt === 0) return ''
  const at = new Date(c.presenceAt)
  return `last seen ${at.toLocaleDateString([], { day: 'numeric', month: 'short' })}, ${at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}`
}

export interface SidebarProps {
  state: ChatState
  onOpen: (username: string) => void
  onAdd: (username: string, greeting: string) => Promise<boolean>
  onContactAction: (username: string, action: ContactAction) => Promise<boolean>
  onStatus: (status: Status) => Promise<boolean>
  onError: (err: unknown) => void
  /** Ends this page's session on the device. */
  onSignOut: () => Promise<void>
  /** The newest call events over every contact (the Calls list). */
  calls: Message[]
  /** Shows Settings in the conversation's place. */
  onSettings: () => void
}

export function Sidebar({
  state,
  onOpen,
  onAdd,
  onContactAction,
  onStatus,
  onError,
  onSignOut,
  calls,
  onSettings,
}: SidebarProps) {
  const listed = state.contacts.filter((c) => c.state !== 'pending')
  return (
    <aside className="sidebar">
      <header className="me">
        <span className={`dot ${state.status === 'invisible' ? 'offline' : (state.status ?? 'offline')}`} />
        <strong data-testid="me">{state.me}</strong>
        <select
          aria-label="Your status"
          data-testid="status-select"
          value={state.status ?? 'online'}
          onChange={(e) => void onStatus(e.target.value as Status)}
        >
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {STATUS_LABEL[s]}
            </option>
          ))}
        </select>
        <button type="button" className="link sign-out" data-testid="settings-open" onClick={onSettings}>
          Settings
        </button>
        <button
          type="button"
          className="link sign-out"
          data-testid="sign-out"
          onClick={() => void onSignOut()}
        >
          Sign out
        </button>
      </header>
      <NotifyPrompt />
      <Search
        contacts={state.contacts.filter((c) => c.state === 'accepted').map((c) => c.username)}
        onOpen={onOpen}
        onError={onError}
      />
      <AddContact me={state.me} onAdd={onAdd} />
      {state.requests.length > 0 && <Requests requests={state.requests} onAction={onContactAction} />}
      <h2 className="section">Contacts</h2>
      {listed.length === 0 ? (
        <p className="hint pad">No contacts yet. Add someone by username.</p>
      ) : (
        <ul className="contacts" data-testid="contacts">
          {listed.map((c) => (
            <li key={c.username}>
              <button
                type="button"
                className={c.username === state.open ? 'contact open' : 'contact'}
                data-testid={`contact-${c.username}`}
                data-state={c.state}
                onClick={() => onOpen(c.username)}
              >
                <Avatar
                  username={c.username}
                  name={c.name}
                  avatarAt={c.avatarAt}
                  testId={`contact-${c.username}-avatar`}
                />
                <Presence presence={c.presence} testId={`contact-${c.username}-presence`} />
                <span className="who">
                  <span className="name" data-testid={`contact-${c.username}-name`}>
                    {c.name !== '' ? c.name : c.username}
                  </span>
                  {contactLine(c) !== '' && (
                    <span className="line" data-testid={`contact-${c.username}-line`}>
                      {contactLine(c)}
                    </span>
                  )}
                </span>
                {CONTACT_NOTE[c.state] !== undefined && <span className="note">{CONTACT_NOTE[c.state]}</span>}
                {c.unread > 0 && (
                  <span className="badge" data-testid={`contact-${c.username}-unread`}>
                    {c.unread}
                  </span>
                )}
              </button>
            </li>
          ))}
        </ul>
      )}
      <CallsSection
        me={state.me}
        calls={calls}
        read={new Set(state.contacts.filter((c) => c.unread === 0).map((c) => c.username))}
        onOpen={onOpen}
      />
    </aside>
  )
}

export function Presence({ presence, testId }: { presence: string; testId: string }) {
  return (
    <span
      className={`dot ${presence}`}
      role="img"
      title={presence}
      aria-label={presence}
      data-testid={testId}
      data-presence={presence}
    />
  )
}

function AddContact({ me, onAdd }: { me: string; onAdd: SidebarProps['onAdd'] }) {
  const [username, setUsername] = useState('')
  const [greeting, setGreeting] = useState('')
  const [problem, setProblem] = useState<string>()
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const u = username.trim()
    const wrong = !USERNAME.test(u) ? 'Not a valid username.' : u === me ? 'That is you.' : undefined
    setProblem(wrong)
    if (wrong === undefined && (await onAdd(u, greeting.trim()))) {
      setUsername('')
      setGreeting('')
    }
  }
  return (
    <form className="add-contact" onSubmit={(e) => void submit(e)}>
      <input
        placeholder="Add a contact: username"
        aria-label="Username to add"
        autoCapitalize="none"
        spellCheck={false}
        value={username}
        onChange={(e) => setUsername(e.target.value)}
        data-testid="add-contact-username"
      />
      <input
        placeholder="Greeting (optional)"
        aria-label="Greeting"
        maxLength={500}
        value={greeting}
        onChange={(e) => setGreeting(e.target.value)}
        data-testid="add-contact-greeting"
      />
      <button type="submit" data-testid="add-contact-submit">
        Add
      </button>
      {problem !== undefined && (
        <p className="error" data-testid="add-contact-error">
          {problem}
        </p>
      )}
    </form>
  )
}

function Requests({
  requests,
  onAction,
}: {
  requests: ContactRequest[]
  onAction: SidebarProps['onContactAction']
}) {
  return (
    <>
      <h2 className="section">Contact requests</h2>
      <ul className="requests">
        {requests.map((r) => (
          <li key={r.username} className="request" data-testid={`request-${r.username}`}>
            <p>
              <strong>{r.username}</strong> wants to add you
            </p>
            {r.greeting !== '' && (
              <blockquote data-testid={`request-${r.username}-greeting`}>{r.greeting}</blockquote>
            )}
            {r.held.map((m) => (
              <blockquote key={m.id} className="held">
                {m.text}
              </blockquote>
            ))}
            <div className="actions">
              {(['accept', 'decline', 'block'] as const).map((action) => (
                <button
                  key={action}
                  type="button"
                  className={action === 'accept' ? 'primary' : ''}
                  data-testid={`request-${r.username}-${action}`}
                  onClick={() => void onAction(r.username, action)}
                >
                  {action[0]?.toUpperCase() + action.slice(1)}
                </button>
              ))}
            </div>
          </li>
        ))}
      </ul>
    </>
  )
}
