/**
 * What a message bubble has beyond its text (issue 17): the message it
 * replies to, quoted; its reactions, each a button that adds or takes back
 * ours; and the actions of a selected message: reply, react (a quick choice
 * or any emoji), and edit and delete for one's own.
 */
import { useState } from 'react'
import { QUICK_REACTIONS, reactionProblem } from '../../src/chat/reactions.js'
import type { Message } from './types.js'

/** Shortened to one line for a quote or a reply bar. */
export function excerpt(text: string, chars = 80): string {
  const one = text.replace(/\s+/g, ' ').trim()
  return one.length > chars ? `${one.slice(0, chars - 1)}…` : one
}

/** The quoted message inside a reply; a message not loaded here is named, not guessed. */
export function Quote({ quoted, me }: { quoted: Message | undefined; me: string }) {
  return (
    <blockquote className="quote" data-testid="message-quote">
      {quoted === undefined ? (
        <span className="hint">a message not shown here</span>
      ) : (
        <>
          <strong>{quoted.sender === me ? 'You' : quoted.sender}</strong>{' '}
          <span>{quoted.deleted ? 'message deleted' : excerpt(quoted.text)}</span>
        </>
      )}
    </blockquote>
  )
}

/** The reactions under a bubble: a click on one adds ours or takes ours back. */
export function Reactions({
  message,
  me,
  onReact,
}: {
  message: Message
  me: string
  onReact: (emoji: string) => void
}) {
  const reactions = message.reactions ?? []
  if (reactions.length === 0) return null
  return (
    <div className="reactions">
      {reactions.map((r) => {
        const mine = r.users.includes(me)
        return (
          <button
            key={r.emoji}
            type="button"
            className={mine ? 'reaction mine' : 'reaction'}
            aria-pressed={mine}
            aria-label={`${r.emoji} ${r.users.length}, from ${r.users.join(', ')}`}
            title={r.users.join(', ')}
            data-testid="reaction"
            data-emoji={r.emoji}
            onClick={(e) => {
              e.stopPropagation()
              onReact(mine ? '' : r.emoji)
            }}
          >
            {r.emoji} {r.users.length}
          </button>
        )
      })}
    </div>
  )
}

export interface ActionsProps {
  mine: boolean
  onReply: () => void
  onReact: (emoji: string) => void
  onEdit: () => void
  onDelete: () => void
}

/** The actions of a selected message. */
export function MessageActions({ mine, onReply, onReact, onEdit, onDelete }: ActionsProps) {
  const [other, setOther] = useState<string>()
  // Esc in the "any emoji" box closes it alone (not the actions) and gives the focus back to its button.
  const [closedOther, setClosedOther] = useState(false)
  const problem = other === undefined || other === '' ? undefined : reactionProblem(other.trim())
  const act = (f: () => void) => (e: { stopPropagation: () => void }) => {
    e.stopPropagation()
    f()
  }
  return (
    <div className="actions" onClick={(e) => e.stopPropagation()}>
      <div className="quick" role="group" aria-label="React">
        {QUICK_REACTIONS.map((emoji) => (
          <button
            key={emoji}
            type="button"
            aria-label={`React ${emoji}`}
            data-testid="react-quick"
            data-emoji={emoji}
            onClick={act(() => onReact(emoji))}
          >
            {emoji}
          </button>
        ))}
        {other === undefined ? (
          <button
            type="button"
            aria-label="Another emoji"
            data-testid="react-other"
            autoFocus={closedOther}
            onClick={act(() => setOther(''))}
          >
            +
          </button>
        ) : (
          <form
            className="other"
            onSubmit={(e) => {
              e.preventDefault()
              const emoji = other.trim()
              if (emoji !== '' && reactionProblem(emoji) === undefined) onReact(emoji)
            }}
          >
            <input
              aria-label="Any emoji"
              placeholder="🙂"
              size={4}
              value={other}
              autoFocus
              aria-invalid={problem !== undefined}
              onChange={(e) => setOther(e.target.value)}
              onKeyDown={(e) => {
                if (e.key !== 'Escape') return
                // handled here: the conversation's Esc, which closes the actions, leaves them open
                e.preventDefault()
                setOther(undefined)
                setClosedOther(true)
              }}
              data-testid="react-other-input"
            />
            {problem !== undefined && (
              <span className="error" role="alert" data-testid="react-other-error">
                One emoji only
              </span>
            )}
          </form>
        )}
      </div>
      <button type="button" data-testid="message-reply" onClick={act(onReply)}>
        Reply
      </button>
      {mine && (
        <>
          <button type="button" data-testid="message-edit" onClick={act(onEdit)}>
            Edit
          </button>
          <button type="button" data-testid="message-delete" onClick={act(onDelete)}>
            Delete
          </button>
        </>
      )}
    </div>
  )
}
