/**
 * An image file's thumbnail in the conversation (preview.ts makes it in this
 * page). Nothing shows until it is made, and nothing at all for a file that
 * is not an image, whatever its name says.
 */
import { useEffect, useState } from 'react'
import { previewOf, type Preview } from './preview.js'

export interface FilePreviewProps {
  /** Names the preview: one per transfer (or per pasted file waiting to go). */
  id: string
  name: string
  size: number
  /** The bytes: the File itself, or the device's download of it. */
  source: () => Promise<Blob>
}

export function FilePreview({ id, name, size, source }: FilePreviewProps) {
  const [preview, setPreview] = useState<{ id: string; url: Preview }>()
  useEffect(() => {
    let live = true
    void previewOf(id, size, source).then((url) => live && setPreview({ id, url }))
    return () => {
      live = false
    }
    // The source is judged once per id: a new function each render is the same bytes.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id, size])
  const state = preview?.id !== id ? 'pending' : preview.url === undefined ? 'none' : 'shown'
  return (
    <div className="file-preview" data-testid="file-preview" data-preview={state}>
      {state === 'shown' && (
        <img src={preview!.url} alt={`Preview of ${name}`} data-testid="file-preview-image" />
      )}
    </div>
  )
}
