/**
 * Search: contacts by name, and full text over every conversation on this
 * device; a result opens its conversation. Ctrl+K (⌘K on a Mac) jumps here
 * from anywhere on the page.
 */
import { useEffect, useRef, useState } from 'react'
import { api } from './api.js'
import type { Message } from './types.js'

const DEBOUNCE_MS = 250

/** Ctrl+K or ⌘K, whatever has the focus. */
export function isSearchKey(e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey'>) {
  return e.key.toLowerCase() === 'k' && (e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey
}

export function Search({
  contacts,
  onOpen,
  onError,
}: {
  /** The contacts one can open a conversation with. */
  contacts: readonly string[]
  onOpen: (username: string) => void
  onError: (err: unknown) => void
}) {
  const [query, setQuery] = useState('')
  const input = useRef<HTMLInputElement>(null)

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!isSearchKey(e)) return
      e.preventDefault()
      input.current?.focus()
      input.current?.select()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])
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
  const q = query.trim().toLowerCase()
  const people = q === '' ? [] : contacts.filter((c) => c.includes(q))
  const open = (username: string) => {
    setQuery('')
    onOpen(username)
  }
  return (
    <div className="search">
      <input
        type="search"
        placeholder="Search (Ctrl+K)"
        aria-label="Search contacts and messages"
        aria-keyshortcuts="Control+K Meta+K"
        ref={input}
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        data-testid="search-input"
      />
      {people.length > 0 && (
        <ul className="results" data-testid="search-contacts">
          {people.map((c) => (
            <li key={c}>
              <button type="button" className="result" data-testid="search-contact" onClick={() => open(c)}>
                <span className="who">{c}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {shown !== undefined && (
        <ul className="results" data-testid="search-results">
          {shown.messages.length === 0 && people.length === 0 && (
            <li className="hint">Nothing found for “{shown.query}”.</li>
          )}
          {shown.messages.map((m) => (
            <li key={m.id}>
              <button
                type="button"
                className="result"
                data-testid="search-result"
                data-conversation={m.conversation}
                onClick={() => open(m.conversation)}
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
