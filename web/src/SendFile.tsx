/**
 * Sending files from the conversation: the paperclip (a file picker), the
 * row that asks before pasted files go, what the device refused, and the
 * overlay shown while files are dragged over the pane. The sending itself is
 * useFileSender's.
 */
import { useRef } from 'react'
import { FilePreview } from './FilePreview.js'
import { sizeText } from './files.js'
import type { FileSender } from './useFileSender.js'

export function SendFile({ sender, disabled }: { sender: FileSender; disabled: boolean }) {
  const input = useRef<HTMLInputElement>(null)
  return (
    <div className="send-file">
      {sender.pending.length > 0 && <Pasted sender={sender} />}
      <div className="send-file-row">
        <button
          type="button"
          aria-label="Send a file"
          title="Send a file"
          disabled={disabled || sender.busy}
          onClick={() => input.current?.click()}
          data-testid="send-file"
        >
          📎
        </button>
        <input
          ref={input}
          type="file"
          multiple
          hidden
          data-testid="file-input"
          onChange={(e) => {
            const files = Array.from(e.target.files ?? [])
            e.target.value = ''
            void sender.send(files)
          }}
        />
        {sender.errors.length > 0 && (
          <span className="error" role="alert" data-testid="send-file-error">
            {sender.errors.join('; ')}
          </span>
        )}
      </div>
    </div>
  )
}

/** Pasted files, with their preview, name and size, waiting for Send or Cancel. */
function Pasted({ sender }: { sender: FileSender }) {
  return (
    <div className="pasted" data-testid="pasted" role="group" aria-label="Pasted files">
      <ul>
        {sender.pending.map(({ key, file }) => (
          <li key={key} data-testid="pasted-file">
            <FilePreview id={key} name={file.name} size={file.size} source={() => Promise.resolve(file)} />
            <span className="file-name" data-testid="pasted-name">
              {file.name}
            </span>{' '}
            <span className="hint" data-testid="pasted-size">
              {sizeText(file.size)}
            </span>
          </li>
        ))}
      </ul>
      <div className="actions">
        <button type="button" className="primary" onClick={sender.confirm} data-testid="pasted-send">
          Send
        </button>
        <button type="button" onClick={sender.discard} data-testid="pasted-cancel">
          Cancel
        </button>
      </div>
    </div>
  )
}

/** Covers the pane while files are dragged over it. */
export function DropOverlay({ peer }: { peer: string }) {
  return (
    <div className="drop-overlay" data-testid="drop-overlay">
      <p>Drop to send to {peer}</p>
    </div>
  )
}
