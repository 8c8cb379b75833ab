/**
 * A file offer in the conversation: its name and size, Accept / Decline for
 * the receiver, a progress bar while it crosses, a download link when it is
 * here (or, for the sender, while it is on offer), Cancel while it is under
 * way on either side.
 */
import { useState } from 'react'
import { FilePreview } from './FilePreview.js'
import { filesApi, messageOf, parseOfferText, sizeText, useTransfer, type Transfer } from './files.js'
import { fromDevice, sentFile } from './preview.js'
import type { Message } from './types.js'
import './files.css'

/** Whether a conversation entry is a file offer (the message's kind is 'file'). */
export function isFileMessage(m: Message): boolean {
  return (m as { kind?: string }).kind === 'file'
}

/** Where a preview's bytes come from: the File this page sent, else the device's own download once it has them. */
function previewSource(id: string, t: Transfer | undefined, downloadable: boolean) {
  const file = sentFile(id)
  if (file !== undefined) return () => Promise.resolve<Blob>(file)
  if (t === undefined || !downloadable || (t.direction === 'in' && t.state !== 'done')) return undefined
  return () => fromDevice(filesApi.contentUrl(id))
}

const STATE_TEXT: Record<string, string> = {
  offered: 'waiting for an answer',
  accepted: 'accepted',
  declined: 'declined',
  cancelled: 'cancelled',
  expired: 'expired (not received within 30 days)',
  done: 'received',
  failed: 'failed',
}

export function FileEntry({ message, mine }: { message: Message; mine: boolean }) {
  const offer = parseOfferText(message.text)
  const t = useTransfer(offer?.transfer ?? '')
  const [error, setError] = useState<string>()
  if (offer === undefined) return null
  const state = t?.state ?? 'offered'
  const act = (what: 'accept' | 'decline' | 'cancel') => {
    setError(undefined)
    filesApi[what](offer.transfer).catch((err: unknown) => setError(messageOf(err)))
  }
  const under = state === 'offered' || state === 'accepted'
  const downloadable = t !== undefined && (state === 'done' || (t.direction === 'out' && under))
  // The receiver answers an offer with Accept or Decline; after that, either side may cancel.
  const cancellable = t !== undefined && under && (t.direction === 'out' || state === 'accepted')
  const preview = previewSource(offer.transfer, t, downloadable)
  return (
    <li
      className={`message file-entry ${mine ? 'mine' : 'theirs'}`}
      data-testid="message"
      data-id={message.id}
      data-kind="file"
      data-transfer={offer.transfer}
      data-file-state={state}
    >
      <div className="file-name" data-testid="file-name">
        📎 {offer.name} <span className="hint">{sizeText(offer.size)}</span>
      </div>
      <div className="hint" data-testid="file-state">
        {mine && state === 'accepted'
          ? 'accepted by the receiver'
          : mine && state === 'done'
            ? 'sent in full'
            : (STATE_TEXT[state] ?? state)}
        {t?.error !== undefined && ` (${t.error})`}
      </div>
      {!mine && t?.direction === 'in' && state === 'offered' && (
        <div className="actions">
          <button type="button" data-testid="file-accept" onClick={() => act('accept')}>
            Accept
          </button>
          <button type="button" data-testid="file-decline" onClick={() => act('decline')}>
            Decline
          </button>
        </div>
      )}
      {t?.direction === 'in' && (state === 'accepted' || state === 'done') && (
        <progress data-testid="file-progress" value={t.received} max={t.size}>
          {Math.floor((100 * t.received) / Math.max(1, t.size))}%
        </progress>
      )}
      {cancellable && (
        <div className="actions">
          <button type="button" data-testid="file-cancel" onClick={() => act('cancel')}>
            Cancel
          </button>
        </div>
      )}
      {downloadable && (
        <a data-testid="file-download" href={filesApi.contentUrl(offer.transfer)} download={offer.name}>
          Download
        </a>
      )}
      {preview !== undefined && (
        <FilePreview id={offer.transfer} name={offer.name} size={offer.size} source={preview} />
      )}
      {error !== undefined && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </li>
  )
}
