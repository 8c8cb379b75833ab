/** The send box: Enter sends, Shift+Enter is a new line; typing is signalled (the caller throttles). */
import { useState, type KeyboardEvent } from 'react'

export interface ComposerProps {
  initial: string
  editing: boolean
  /** The message being replied to, shown above the box with a way to drop it. */
  replyingTo?: { sender: string; text: string } | undefined
  onDropReply?: () => void
  disabled: boolean
  /** Resolves to whether it went through; the text is kept when it did not. */
  onSubmit: (text: string) => Promise<boolean>
  onCancel: () => void
  onTyping: () => void
}

export function Composer({
  initial,
  editing,
  replyingTo,
  onDropReply,
  disabled,
  onSubmit,
  onCancel,
  onTyping,
}: ComposerProps) {
  const [text, setText] = useState(initial)
  const [busy, setBusy] = useState(false)

  const submit = async () => {
    if (busy || disabled || text.trim() === '') return
    // Cleared at once so the user can type on; given back if the device refused it.
    setBusy(true)
    setText('')
    const ok = await onSubmit(text)
    setBusy(false)
    if (!ok) setText((now) => (now === '' ? text : now))
  }
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault()
      void submit()
    } else if (e.key === 'Escape' && editing) onCancel()
    else if (e.key === 'Escape' && replyingTo !== undefined) onDropReply?.()
  }

  return (
    <form
      className="composer"
      onSubmit={(e) => {
        e.preventDefault()
        void submit()
      }}
    >
      {replyingTo !== undefined && !editing && (
        <p className="editing" data-testid="replying-to">
          Replying to {replyingTo.sender}: <span className="excerpt">{replyingTo.text}</span> ·{' '}
          <button type="button" className="link" onClick={onDropReply} data-testid="reply-cancel">
            cancel
          </button>
        </p>
      )}
      {editing && (
        <p className="editing">
          Editing your message ·{' '}
          <button type="button" className="link" onClick={onCancel}>
            cancel
          </button>
        </p>
      )}
      <textarea
        rows={2}
        placeholder={disabled ? '' : 'Type a message'}
        aria-label="Message"
        value={text}
        disabled={disabled}
        autoFocus
        onChange={(e) => {
          setText(e.target.value)
          if (e.target.value.trim() !== '') onTyping()
        }}
        onKeyDown={onKeyDown}
        data-testid="message-input"
      />
      <button type="submit" className="primary" disabled={disabled || busy} data-testid="message-send">
        {editing ? 'Save' : 'Send'}
      </button>
    </form>
  )
}
