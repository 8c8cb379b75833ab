/** Full-text search over every conversation on this device; a result opens its conversation. */
import { useEffect, useState } from 'react'
import { api } from './api.js'
import type { Message } from './types.js'

const DEBOUNCE_MS = 250

export function Search({
  onOpen,
  onError,
}: {
  onOpen: (username: string) => void
  onError: (err: unknown) => void
}) {
  const [query, setQuery] = useState('')
  const [results, setResults] = useState<{ query: string; messages: Message[] }>()

  useEffect(() => {
    const q = query.trim()
    if (q === '') return
    let current = true
    const timer = setTimeout(() => {
      api.search(q).then(
        (messages) => current && setResults({ query: q, messages }),
        (err: unknown) => current && onError(err),
      )
    }, DEBOUNCE_MS)
    return () => {
      current = false
      clearTimeout(timer)
    }
  }, [query, onError])

  const shown = query.trim() === '' ? undefined : results
  return (
    <div className="search">
      <input
        type="search"
        placeholder="Search messages"
        aria-label="Search messages"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        data-testid="search-input"
      />
      {shown !== undefined && (
        <ul className="results" data-testid="search-results">
          {shown.messages.length === 0 && <li className="hint">Nothing found for “{shown.query}”.</li>}
          {shown.messages.map((m) => (
            <li key={m.id}>
              <button
                type="button"
                className="result"
                data-testid="search-result"
                data-conversation={m.conversation}
                onClick={() => {
                  setQuery('')
                  onOpen(m.conversation)
                }}
              >
                <span className="who">
                  {m.sender === m.conversation ? `${m.sender} → you` : `you → ${m.conversation}`}
                </span>
                <span className="text">{m.text}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}
