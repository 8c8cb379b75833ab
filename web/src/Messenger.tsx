/**
 * The signed-in messenger: keeps the chat state (state.ts), loads it from the
 * device, follows the live socket, and turns the user's actions into API
 * calls. Two panes on a wide screen; on a narrow one the contact list or the
 * open conversation.
 */
import { useCallback, useEffect, useEffectEvent, useReducer, useRef, useState } from 'react'
import { api, isSignedOut, messageOf, type ApiError, type ContactAction } from './api.js'
import { Call } from './Call.js'
import { useRecentCalls } from './Calls.js'
import { parseSignals } from './call-signal.js'
import { Conversation } from './Conversation.js'
import { useFocused } from './focus.js'
import { connectLive } from './live.js'
import { showNotification, useUnreadTitle } from './notifications.js'
import { messageNotification, unreadTotal } from './notify.js'
import { Sidebar } from './Sidebar.js'
import { RevokedBanner } from './revoked.js'
import { Ringer } from './Ringer.js'
import { keepOpen, lastOpen } from './last-open.js'
import { Settings } from './Settings.js'
import { initialState, reduce, unreadIds, type ChatState } from './state.js'
import type { Notice, SignedOut, Status } from './types.js'
import { useCall } from './useCall.js'

/** At most one typing signal per this interval while the user types. */
export const TYPING_EVERY_MS = 2_000

/** A new messenger's state: open on the conversation that was open last. */
function opening(me: string): ChatState {
  return { ...initialState(me), open: lastOpen(me) }
}

export interface MessengerProps {
  me: string
  /** This device was revoked: its history stays readable, nothing can be sent. */
  signedOut?: SignedOut | undefined
  onSignedOut: (err: ApiError) => void
  /** The user pressed Sign out. */
  onSignOut: () => Promise<void>
}

export function Messenger({ me, signedOut, onSignedOut, onSignOut }: MessengerProps) {
  const [state, dispatch] = useReducer(reduce, me, opening)
  const [settings, setSettings] = useState(false)
  const [revoked, setRevoked] = useState(signedOut)
  const [error, setError] = useState<string>()
  const [historyRound, setHistoryRound] = useState(0)
  const focused = useFocused()
  const lastTyping = useRef({ to: '', at: 0 })

  const report = useCallback(
    (err: unknown) => {
      if (isSignedOut(err)) onSignedOut(err)
      else setError(messageOf(err))
    },
    [onSignedOut],
  )
  /** Runs an API call; a refusal shows in the banner. Resolves to whether it went through. */
  const attempt = useCallback(
    async (call: () => Promise<void>): Promise<boolean> => {
      try {
        await call()
        return true
      } catch (err) {
        report(err)
        return false
      }
    },
    [report],
  )
  const loadRequests = useCallback(
    () => attempt(async () => dispatch({ type: 'requests', requests: await api.requests() })),
    [attempt],
  )

  // The socket lives as long as the messenger; each (re)open reloads what notices may have missed.
  const onOpen = useEffectEvent(() => {
    dispatch({ type: 'connected', connected: true })
    void attempt(async () => {
      const [contacts, requests, status, session] = await Promise.all([
        api.contacts(),
        api.requests(),
        api.status(),
        api.session(),
      ])
      if (session.signedOut !== undefined) setRevoked(session.signedOut)
      dispatch({ type: 'contacts', contacts })
      dispatch({ type: 'requests', requests })
      dispatch({ type: 'status', status })
    })
    setHistoryRound((r) => r + 1)
  })
  const call = useCall(me, report)
  const recent = useRecentCalls(historyRound, report)
  useUnreadTitle(unreadTotal(state))
  const onNotice = useEffectEvent((notice: Notice) => {
    if (notice.type === 'signed-out') {
      setRevoked({ at: notice.at, by: notice.by })
      return
    }
    if (notice.type === 'call-signal') {
      for (const signal of parseSignals(notice.payload))
        call.engine.onSignal(notice.username, signal, notice.deviceId)
      return
    }
    if (notice.type === 'call-signal-sent' || notice.type === 'call-signal-error') {
      if (notice.id !== undefined)
        call.signals.answered({
          id: notice.id,
          contactDevices: notice.type === 'call-signal-sent' ? notice.contactDevices : undefined,
        })
      return
    }
    recent.onNotice(notice)
    // A message while the user is not looking: a notification (none in Do not disturb).
    const shown = messageNotification(notice, { me, open: state.open, focused, status: state.status })
    if (shown !== undefined) showNotification(shown, (username) => dispatch({ type: 'open', username }))
    dispatch({ type: 'notice', notice, now: Date.now(), focused })
    // A name, mood or picture changed: the contact list carries them.
    if (notice.type === 'profile')
      void attempt(async () => dispatch({ type: 'contacts', contacts: await api.contacts() }))
    const request =
      (notice.type === 'contact' && notice.contact.state === 'pending') ||
      (notice.type === 'message' && notice.message.held)
    if (request) void loadRequests()
  })
  // A session that ended (signed out elsewhere, expired; or a device that restarted and forgot it)
  // closes or refuses the socket, and a call says why.
  const onClose = useEffectEvent(() => {
    dispatch({ type: 'connected', connected: false })
    api.session().catch(report)
  })
  const { signals } = call
  useEffect(() => {
    const live = connectLive({
      onOpen: () => {
        // Call signals go on the socket while it is open, over HTTP while it is not.
        signals.attach(live.send)
        onOpen()
      },
      onClose: () => {
        signals.detach()
        onClose()
      },
      onNotice: (n) => onNotice(n),
    })
    return () => {
      signals.detach()
      live.stop()
    }
  }, [signals])

  const { open } = state
  // The page (and the installed app) opens on the conversation that was open last.
  useEffect(() => {
    if (open !== undefined) keepOpen(me, open)
  }, [me, open])
  useEffect(() => {
    if (open === undefined) return
    let current = true
    api.messages(open).then(({ messages, presence }) => {
      if (current) dispatch({ type: 'history', username: open, messages, presence })
    }, report)
    return () => {
      current = false
    }
  }, [open, historyRound, report])

  // Read while the conversation is open and the window has focus; the sender sees "read".
  const unread = unreadIds(state)
  const unreadKey = unread === undefined ? '' : `${unread.count}:${unread.ids.join(',')}`
  useEffect(() => {
    if (open === undefined || !focused || unreadKey === '') return
    const ids = unreadKey.slice(unreadKey.indexOf(':') + 1).split(',')
    api.read(open).then(() => dispatch({ type: 'read', username: open, ids }), report)
  }, [open, focused, unreadKey, report])

  // "typing…" fades out by itself when no new signal comes.
  const nextExpiry = Math.min(...Object.values(state.typing))
  useEffect(() => {
    if (!Number.isFinite(nextExpiry)) return
    const timer = setTimeout(() => dispatch({ type: 'tick', now: Date.now() }), nextExpiry - Date.now() + 50)
    return () => clearTimeout(timer)
  }, [nextExpiry])

  const openConversation = useCallback((username: string | undefined) => {
    setSettings(false)
    dispatch({ type: 'open', username })
  }, [])
  const openSettings = useCallback(() => {
    // Settings takes the conversation's place: none is in view (what arrives notifies, stays unread).
    dispatch({ type: 'open', username: undefined })
    setSettings(true)
  }, [])
  const addContact = useCallback(
    (username: string, greeting: string) =>
      attempt(async () => dispatch({ type: 'contact', contact: await api.addContact(username, greeting) })),
    [attempt],
  )
  const contactAction = useCallback(
    (username: string, action: ContactAction) =>
      attempt(async () => dispatch({ type: 'contact', contact: await api.contactAction(username, action) })),
    [attempt],
  )
  const setStatus = useCallback(
    (status: Status) =>
      attempt(async () => dispatch({ type: 'status', status: await api.setStatus(status) })),
    [attempt],
  )
  const send = useCallback(
    (to: string, text: string, replyTo?: string) =>
      attempt(async () => dispatch({ type: 'message', message: await api.send(to, text, replyTo) })),
    [attempt],
  )
  const react = useCallback(
    (id: string, emoji: string) =>
      attempt(async () => dispatch({ type: 'message', message: await api.react(id, emoji) })),
    [attempt],
  )
  const edit = useCallback(
    (id: string, text: string) =>
      attempt(async () => dispatch({ type: 'message', message: await api.edit(id, text) })),
    [attempt],
  )
  const remove = useCallback(
    (id: string) => attempt(async () => dispatch({ type: 'message', message: await api.delete(id) })),
    [attempt],
  )
  const typing = useCallback((to: string) => {
    const now = Date.now()
    if (lastTyping.current.to === to && now - lastTyping.current.at < TYPING_EVERY_MS) return
    lastTyping.current = { to, at: now }
    // A lost typing signal is not worth a banner.
    api.typing(to).catch(() => undefined)
  }, [])

  const contact = state.contacts.find((c) => c.username === open)
  return (
    <div className={open === undefined && !settings ? 'messenger' : 'messenger has-open'}>
      <div className="banners">
        {revoked !== undefined && <RevokedBanner signedOut={revoked} />}
        {error !== undefined && (
          <div className="banner error" role="alert" data-testid="error">
            <span>{error}</span>
            <button type="button" aria-label="Dismiss" onClick={() => setError(undefined)}>
              ×
            </button>
          </div>
        )}
        {!state.connected && (
          <div className="banner" data-testid="offline">
            Connecting to the device…
          </div>
        )}
      </div>
      <div className="panes">
        <Sidebar
          state={state}
          onOpen={openConversation}
          onAdd={addContact}
          onContactAction={contactAction}
          onStatus={setStatus}
          onError={report}
          onSignOut={onSignOut}
          calls={recent.calls}
          onSettings={openSettings}
        />
        {settings ? (
          <Settings me={me} onClose={() => setSettings(false)} onSignOut={onSignOut} />
        ) : open === undefined ? (
          <section className="conversation empty">
            <p>Pick a contact to chat with, or add one by username.</p>
          </section>
        ) : (
          <Conversation
            key={open}
            me={me}
            peer={open}
            contact={contact}
            closed={revoked === undefined ? undefined : 'Signed out: this device can no longer send.'}
            messages={state.messages}
            typing={(state.typing[open] ?? 0) > 0}
            onBack={() => openConversation(undefined)}
            onSend={(text, replyTo) => send(open, text, replyTo)}
            onReact={react}
            onEdit={edit}
            onDelete={remove}
            onTyping={() => typing(open)}
            onCall={call.view === undefined ? (kind) => void call.engine.start(open, kind) : undefined}
          />
        )}
      </div>
      {call.view !== undefined && <Call view={call.view} engine={call.engine} />}
      <Ringer
        view={call.view}
        engine={call.engine}
        status={state.status}
        focused={focused}
        onOpen={openConversation}
      />
    </div>
  )
}
