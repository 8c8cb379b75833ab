/** One conversation: its messages with receipts, "typing…", and the send box. */
import { useEffect, useLayoutEffect, useRef, useState } from 'react'
import { Avatar } from './Avatar.js'
import { callEventText, type CallKind } from './call-signal.js'
import { Composer } from './Composer.js'
import { FileEntry, isFileMessage } from './FileEntry.js'
import { linkParts } from './links.js'
import { excerpt, MessageActions, Quote, Reactions } from './MessageExtras.js'
import './messages.css'
import { DropOverlay, SendFile } from './SendFile.js'
import { Presence } from './Sidebar.js'
import { shownState } from './state.js'
import { timeline } from './timeline.js'
import type { ListedContact, Message } from './types.js'
import { useFileSender } from './useFileSender.js'

export interface ConversationProps {
  me: string
  peer: string
  contact: ListedContact | undefined
  /** Why nothing can be sent from this device at all (it was signed out), whoever the peer is. */
  closed?: string | undefined
  messages: Message[]
  typing: boolean
  onBack: () => void
  /** Sends a message; `replyTo` quotes one of the conversation's. */
  onSend: (text: string, replyTo?: string) => Promise<boolean>
  /** Our reaction on a message ("" takes it back). */
  onReact: (id: string, emoji: string) => Promise<boolean>
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
  const [replyingTo, setReplyingTo] = useState<Message>()
  // "New messages" marks what was unread when the conversation opened, for as long as it stays open.
  const [unreadAtOpen] = useState(contact?.unread ?? 0)
  const [openedAt] = useState(() => Date.now())
  const list = useRef<HTMLOListElement>(null)
  const last = messages.at(-1)?.id

  // Esc closes an open message's actions, wherever the focus is, unless something inside handled it first.
  useEffect(() => {
    if (selected === undefined) return
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !e.defaultPrevented) setSelected(undefined)
    }
    document.addEventListener('keydown', onKey)
    return () => document.removeEventListener('keydown', onKey)
  }, [selected])

  // Keep the newest message in view.
  useLayoutEffect(() => {
    const el = list.current
    if (el !== null) el.scrollTop = el.scrollHeight
  }, [last, p.typing])

  const disabled = p.closed ?? hint(peer, contact)
  const presence = contact?.presence ?? 'offline'
  const named = contact !== undefined && contact.name !== ''
  const canCall = p.onCall !== undefined && contact?.state === 'accepted'
  // Files dropped on the pane or pasted in the message box are offered to the peer.
  const files = useFileSender(peer, disabled !== undefined)
  return (
    <section className="conversation" data-testid="conversation" data-peer={peer} {...files.paneProps}>
      {files.dragging && <DropOverlay peer={peer} />}
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
        <Avatar
          username={peer}
          name={contact?.name ?? ''}
          avatarAt={contact?.avatarAt ?? 0}
          testId="conversation-avatar"
        />
        <Presence presence={presence} testId="conversation-presence" />
        <h2 className={named ? 'title named' : 'title'}>
          {named && <span data-testid="conversation-name">{contact.name}</span>}
          <span className="username" data-testid="conversation-title">
            {peer}
          </span>
        </h2>
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
          const canAct = !m.deleted && !m.held
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
              onClick={() => canAct && setSelected(selected === m.id ? undefined : m.id)}
            >
              {m.replyTo !== undefined && <Quote quoted={messages.find((q) => q.id === m.replyTo)} me={me} />}
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
              <Reactions message={m} me={me} onReact={(emoji) => void p.onReact(m.id, emoji)} />
              {canAct && selected === m.id && (
                <MessageActions
                  mine={canChange}
                  onReply={() => {
                    setReplyingTo(m)
                    setEditing(undefined)
                    setSelected(undefined)
                  }}
                  onReact={(emoji) => {
                    setSelected(undefined)
                    void p.onReact(m.id, emoji)
                  }}
                  onEdit={() => {
                    setEditing(m)
                    setReplyingTo(undefined)
                    setSelected(undefined)
                  }}
                  onDelete={() => {
                    setSelected(undefined)
                    void p.onDelete(m.id)
                  }}
                />
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
      <SendFile sender={files} disabled={disabled !== undefined} />
      <Composer
        key={editing?.id ?? 'new'}
        initial={editing?.text ?? ''}
        editing={editing !== undefined}
        replyingTo={
          replyingTo === undefined
            ? undefined
            : {
                sender: replyingTo.sender === me ? 'yourself' : replyingTo.sender,
                text: excerpt(replyingTo.text, 60),
              }
        }
        onDropReply={() => setReplyingTo(undefined)}
        disabled={disabled !== undefined}
        onSubmit={async (text) => {
          if (editing === undefined) {
            const ok = await p.onSend(text, replyingTo?.id)
            if (ok) setReplyingTo(undefined)
            return ok
          }
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
