/** One conversation: its messages with receipts, "typing…", and the send box. */
import { useLayoutEffect, useRef, useState } from 'react'
import { callEventText, type CallKind } from './call-signal.js'
import { Composer } from './Composer.js'
import { FileEntry, isFileMessage } from './FileEntry.js'
import { linkParts } from './links.js'
import './messages.css'
import { SendFile } from './SendFile.js'
import { Presence } from './Sidebar.js'
import { shownState } from './state.js'
import { timeline } from './timeline.js'
import type { ListedContact, Message } from './types.js'

export interface ConversationProps {
  me: string
  peer: string
  contact: ListedContact | undefined
  /** Why nothing can be sent from this device at all (it was signed out), whoever the peer is. */
  closed?: string | undefined
  messages: Message[]
  typing: boolean
  onBack: () => void
  onSend: (text: string) => Promise<boolean>
  onEdit: (id: string, text: string) => Promise<boolean>
  onDelete: (id: string) => Promise<boolean>
  onTyping: () => void
  /** starts an audio-only or a video call; undefined while a call is on */
  onCall?: ((kind: CallKind) => void) | undefined
}

const RECEIPT: Record<Message['state'], { mark: string; label: string }> = {
  sending: { mark: '…', label: 'sending' },
  sent: { mark: '✓', label: 'sent' },
  delivered: { mark: '✓✓', label: 'delivered' },
  read: { mark: '✓✓', label: 'read' },
  received: { mark: '', label: '' },
}

const PRESENCE_LABEL: Record<string, string> = {
  online: 'online',
  away: 'away',
  dnd: 'do not disturb',
  offline: 'offline',
}

/** A message's text with its web and mail links clickable, opened in a new tab that learns nothing of this page. */
function LinkedText({ text }: { text: string }) {
  return linkParts(text).map((part, i) =>
    typeof part === 'string' ? (
      part
    ) : (
      <a
        key={i}
        href={part.href}
        target="_blank"
        rel="noopener noreferrer"
        data-testid="message-link"
        onClick={(e) => e.stopPropagation()}
      >
        {part.text}
      </a>
    ),
  )
}

function hint(peer: string, contact: ListedContact | undefined): string | undefined {
  switch (contact?.state) {
    case 'accepted':
      return undefined
    case 'requested':
      return `Waiting for ${peer} to accept your contact request.`
    case 'pending':
      return `${peer} wants to add you: accept the request to chat.`
    case 'blocked':
      return `You blocked ${peer}.`
    default:
      return `${peer} is not a contact. Add them to chat.`
  }
}

export function Conversation(p: ConversationProps) {
  const { me, peer, contact, messages } = p
  const [selected, setSelected] = useState<string>()
  const [editing, setEditing] = useState<Message>()
  // "New messages" marks what was unread when the conversation opened, for as long as it stays open.
  const [unreadAtOpen] = useState(contact?.unread ?? 0)
  const [openedAt] = useState(() => Date.now())
  const list = useRef<HTMLOListElement>(null)
  const last = messages.at(-1)?.id

  // Keep the newest message in view.
  useLayoutEffect(() => {
    const el = list.current
    if (el !== null) el.scrollTop = el.scrollHeight
  }, [last, p.typing])

  const disabled = p.closed ?? hint(peer, contact)
  const presence = contact?.presence ?? 'offline'
  const canCall = p.onCall !== undefined && contact?.state === 'accepted'
  return (
    <section className="conversation" data-testid="conversation" data-peer={peer}>
      <header>
        <button
          type="button"
          className="back"
          aria-label="Back to contacts"
          onClick={p.onBack}
          data-testid="back"
        >
          ←
        </button>
        <Presence presence={presence} testId="conversation-presence" />
        <h2 data-testid="conversation-title">{peer}</h2>
        <span className="hint">{PRESENCE_LABEL[presence] ?? presence}</span>
        <button
          type="button"
          className="call-button"
          aria-label={`Audio call ${peer}`}
          disabled={!canCall}
          onClick={() => p.onCall?.('audio')}
          data-testid="call-audio"
        >
          Audio call
        </button>
        <button
          type="button"
          className="call-button"
          aria-label={`Video call ${peer}`}
          disabled={!canCall}
          onClick={() => p.onCall?.('video')}
          data-testid="call-audio-video"
        >
          Video call
        </button>
      </header>
      <ol className="messages" ref={list} data-testid="messages">
        {timeline(messages, me, unreadAtOpen, openedAt).map((row) => {
          if (row.type !== 'message')
            return (
              <li
                key={row.key}
                className={`separator ${row.type}`}
                data-testid={row.type === 'day' ? 'day-separator' : 'unread-marker'}
              >
                <span>{row.type === 'day' ? row.label : 'New messages'}</span>
              </li>
            )
          const m = row.message
          if (isFileMessage(m)) return <FileEntry key={m.id} message={m} mine={m.sender === me} />
          const mine = m.sender === me
          const state = shownState(m, me)
          const canChange = mine && !m.deleted
          if (m.kind === 'call')
            return (
              <li
                key={m.id}
                className="message call-event"
                data-testid="message"
                data-id={m.id}
                data-kind="call"
              >
                <div className="text" data-testid="message-text">
                  {callEventText(m.text, mine)}
                </div>
              </li>
            )
          return (
            <li
              key={m.id}
              className={`message ${mine ? 'mine' : 'theirs'}${m.deleted ? ' deleted' : ''}`}
              data-testid="message"
              data-id={m.id}
              data-state={state}
              data-sender={m.sender}
              onClick={() => canChange && setSelected(selected === m.id ? undefined : m.id)}
            >
              <div className="text" data-testid="message-text">
                {m.deleted ? 'message deleted' : <LinkedText text={m.text} />}
              </div>
              <div className="meta">
                <time dateTime={new Date(m.sentAt).toISOString()}>
                  {new Date(m.sentAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}
                </time>
                {m.edited && !m.deleted && <span> · edited</span>}
                {mine && (
                  <span
                    className={`receipt ${state}`}
                    role="img"
                    title={RECEIPT[state].label}
                    aria-label={RECEIPT[state].label}
                    data-testid="receipt"
                  >
                    {RECEIPT[state].mark}
                  </span>
                )}
              </div>
              {canChange && selected === m.id && (
                <div className="actions">
                  <button
                    type="button"
                    data-testid="message-edit"
                    onClick={(e) => {
                      e.stopPropagation()
                      setEditing(m)
                      setSelected(undefined)
                    }}
                  >
                    Edit
                  </button>
                  <button
                    type="button"
                    data-testid="message-delete"
                    onClick={(e) => {
                      e.stopPropagation()
                      setSelected(undefined)
                      void p.onDelete(m.id)
                    }}
                  >
                    Delete
                  </button>
                </div>
              )}
            </li>
          )
        })}
      </ol>
      {p.typing && (
        <p className="typing" data-testid="typing-indicator">
          {peer} is typing…
        </p>
      )}
      {disabled !== undefined && (
        <p className="hint pad" data-testid="conversation-hint">
          {disabled}
        </p>
      )}
      <SendFile peer={peer} disabled={disabled !== undefined} />
      <Composer
        key={editing?.id ?? 'new'}
        initial={editing?.text ?? ''}
        editing={editing !== undefined}
        disabled={disabled !== undefined}
        onSubmit={async (text) => {
          if (editing === undefined) return p.onSend(text)
          const ok = await p.onEdit(editing.id, text)
          if (ok) setEditing(undefined)
          return ok
        }}
        onCancel={() => setEditing(undefined)}
        onTyping={p.onTyping}
      />
    </section>
  )
}
