/** The paperclip: picks a file and offers it to the contact. */
import { useRef, useState } from 'react'
import { filesApi, messageOf, refreshTransfers } from './files.js'

export function SendFile({ peer, disabled }: { peer: string; disabled: boolean }) {
  const input = useRef<HTMLInputElement>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string>()
  const send = async (file: File) => {
    setBusy(true)
    setError(undefined)
    try {
      await filesApi.send(peer, file)
      await refreshTransfers()
    } catch (err) {
      setError(messageOf(err))
    } finally {
      setBusy(false)
      if (input.current !== null) input.current.value = ''
    }
  }
  return (
    <div className="send-file">
      <button
        type="button"
        aria-label="Send a file"
        title="Send a file"
        disabled={disabled || busy}
        onClick={() => input.current?.click()}
        data-testid="send-file"
      >
        📎
      </button>
      <input
        ref={input}
        type="file"
        hidden
        data-testid="file-input"
        onChange={(e) => {
          const file = e.target.files?.[0]
          if (file !== undefined) void send(file)
        }}
      />
      {error !== undefined && (
        <span className="error" role="alert" data-testid="send-file-error">
          {error}
        </span>
      )}
    </div>
  )
}
