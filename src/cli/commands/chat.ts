/** The chat commands: clients of the running device's local API (`parley up`). */
import { createInterface } from 'node:readline'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Command } from 'commander'
import { API_FILE, type ApiInfo } from '../../device/api-file.js'
import { CliError } from '../errors.js'
import { profileOf, withProfile, type DeviceOptions } from '../options.js'
import { callNode } from '../node-api.js'

interface Message {
  id: string
  conversation: string
  sender: string
  sentAt: number
  text: string
  edited: boolean
  deleted: boolean
  state: string
}

interface Contact {
  username: string
  state: string
  greeting: string
  presence: string
  unread?: number
}

type Opts = DeviceOptions & { json?: boolean }

const post = (opts: DeviceOptions, path: string, body?: unknown) =>
  callNode(opts, path, { method: 'POST', body })
const user = (u: string) => encodeURIComponent(u)

function time(ms: number): string {
  const d = new Date(ms)
  return d.toTimeString().slice(0, 5)
}

export function formatMessage(m: Message, self: string): string {
  const mark =
    m.sender === self
      ? ({ sending: '…', sent: '✓', delivered: '✓✓', read: '✓✓ read' }[m.state as 'sent'] ?? m.state)
      : ''
  const text = m.deleted ? '(deleted)' : m.text + (m.edited ? ' (edited)' : '')
  return `[${time(m.sentAt)}] ${m.sender}: ${text}${mark ? `  ${mark}` : ''}`
}

async function whoami(opts: DeviceOptions): Promise<string> {
  const s = (await callNode(opts, '/v1/status')) as { chat?: { username: string } }
  return s.chat?.username ?? ''
}

function simple(name: string, description: string, path: (u: string) => string, done: string): Command {
  return withProfile(new Command(name))
    .description(description)
    .argument('<user>')
    .action(async (u: string, opts: DeviceOptions) => {
      await post(opts, path(u))
      console.log(done.replace('%s', u))
    })
}

export function chatCommands(): Command[] {
  const contacts = withProfile(new Command('contacts'))
    .description('list your contacts with their presence and unread counts')
    .option('--json', 'print JSON')
    .action(async (opts: Opts) => {
      const r = (await callNode(opts, '/v1/chat/contacts')) as { contacts: Contact[] }
      if (opts.json === true) return console.log(JSON.stringify(r))
      if (r.contacts.length === 0) return console.log('no contacts yet; add one with: parley add <user>')
      for (const c of r.contacts) {
        const shown = c.state === 'accepted' ? c.presence : c.state
        console.log(`${c.username.padEnd(20)} ${shown}${c.unread ? `  (${c.unread} unread)` : ''}`)
      }
    })

  const add = withProfile(new Command('add'))
    .description('send a contact request, with an optional short greeting')
    .argument('<user>')
    .argument('[greeting...]')
    .action(async (u: string, greeting: string[], opts: DeviceOptions) => {
      const r = (await post(opts, `/v1/chat/contacts/${user(u)}`, { greeting: greeting.join(' ') })) as {
        contact: Contact
      }
      console.log(
        r.contact.state === 'accepted'
          ? `${u} is now a contact`
          : `contact request sent to ${u}; waiting for them`,
      )
    })

  const requests = withProfile(new Command('requests'))
    .description('list contact requests waiting for your answer')
    .option('--json', 'print JSON')
    .action(async (opts: Opts) => {
      const r = (await callNode(opts, '/v1/chat/requests')) as { requests: (Contact & { held: Message[] })[] }
      if (opts.json === true) return console.log(JSON.stringify(r))
      if (r.requests.length === 0) return console.log('no contact requests')
      for (const c of r.requests) {
        console.log(
          `${c.username}${c.greeting ? `: "${c.greeting}"` : ''}  (parley accept|decline|block ${c.username})`,
        )
        for (const m of c.held) console.log(`    held: ${m.text}`)
      }
    })

  const send = withProfile(new Command('send'))
    .description('send a message to a contact')
    .argument('<user>')
    .argument('<text...>')
    .option('--json', 'print JSON')
    .action(async (u: string, text: string[], opts: Opts) => {
      const r = (await post(opts, `/v1/chat/messages/${user(u)}`, { text: text.join(' ') })) as {
        message: Message
      }
      if (opts.json === true) return console.log(JSON.stringify(r))
      console.log(`sent to ${u} (id ${r.message.id})`)
    })

  const history = withProfile(new Command('history'))
    .description('print your conversation with a contact')
    .argument('<user>')
    .option('-n, --limit <n>', 'how many recent messages', '50')
    .option('--json', 'print JSON')
    .action(async (u: string, opts: Opts & { limit: string }) => {
      const r = (await callNode(opts, `/v1/chat/messages/${user(u)}?limit=${Number(opts.limit) || 50}`)) as {
        messages: Message[]
      }
      if (opts.json === true) return console.log(JSON.stringify(r))
      const self = await whoami(opts)
      if (r.messages.length === 0) console.log(`no messages with ${u} yet`)
      for (const m of r.messages) console.log(formatMessage(m, self))
    })

  const search = withProfile(new Command('search'))
    .description('full-text search over all your conversations')
    .argument('<text...>')
    .option('--json', 'print JSON')
    .action(async (text: string[], opts: Opts) => {
      const r = (await callNode(opts, `/v1/chat/search?q=${encodeURIComponent(text.join(' '))}`)) as {
        messages: Message[]
      }
      if (opts.json === true) return console.log(JSON.stringify(r))
      if (r.messages.length === 0) return console.log('nothing found')
      const self = await whoami(opts)
      for (const m of r.messages) console.log(`(${m.conversation}) ${formatMessage(m, self)}`)
    })

  const chat = withProfile(new Command('chat'))
    .description(
      'talk with a contact: history, live messages and receipts; type a line to send, /quit to leave',
    )
    .argument('<user>')
    .action(async (u: string, opts: DeviceOptions) => interactive(u, opts))

  const link = withProfile(new Command('link'))
    .description('print a one-time link that opens the web client of the running device in a browser')
    .action(async (opts: DeviceOptions) => {
      const r = (await post(opts, '/v1/auth/link')) as { url: string }
      console.log(r.url)
    })

  return [
    link,
    contacts,
    add,
    requests,
    simple(
      'accept',
      'accept a contact request',
      (u) => `/v1/chat/contacts/${user(u)}/accept`,
      '%s is now a contact',
    ),
    simple(
      'decline',
      'decline a contact request',
      (u) => `/v1/chat/contacts/${user(u)}/decline`,
      'declined %s',
    ),
    simple(
      'block',
      'block a user: no messages, requests or presence from them',
      (u) => `/v1/chat/contacts/${user(u)}/block`,
      'blocked %s',
    ),
    simple('remove', 'remove a contact', (u) => `/v1/chat/contacts/${user(u)}/remove`, 'removed %s'),
    send,
    history,
    search,
    chat,
  ]
}

async function interactive(u: string, opts: DeviceOptions): Promise<void> {
  const self = await whoami(opts)
  const r = (await callNode(opts, `/v1/chat/messages/${user(u)}?limit=30`)) as {
    messages: Message[]
    presence: string
  }
  console.log(`— ${u} (${r.presence}) — type a message and press Enter; /quit to leave`)
  for (const m of r.messages) console.log(formatMessage(m, self))
  await post(opts, `/v1/chat/read/${user(u)}`)
  const file = join(profileOf(opts).dir, API_FILE)
  if (!existsSync(file)) throw new CliError('the device stopped')
  const api = JSON.parse(readFileSync(file, 'utf8')) as ApiInfo
  const abort = new AbortController()
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY })
  rl.on('line', (line) => {
    const text = line.trim()
    if (text === '/quit') return rl.close()
    if (text === '') return
    post(opts, `/v1/chat/messages/${user(u)}`, { text }).catch((err: Error) =>
      console.log(`! ${err.message}`),
    )
  })
  rl.on('close', () => {
    abort.abort()
    // A paused pipe would keep the process alive after /quit.
    process.stdin.destroy()
  })
  try {
    const res = await fetch(`${api.url}/v1/chat/events`, {
      headers: { authorization: `Bearer ${api.token}` },
      signal: abort.signal,
    })
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader()
    let buffer = ''
    for (;;) {
      const { value, done } = await reader.read()
      if (done) break
      buffer += value
      let cut
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const chunk = buffer.slice(0, cut)
        buffer = buffer.slice(cut + 2)
        const data = /^data: (.*)$/m.exec(chunk)?.[1]
        if (data !== undefined) await show(JSON.parse(data) as { type: string }, u, self, opts)
      }
    }
  } catch (err) {
    if (!abort.signal.aborted) throw new CliError(`lost the device: ${(err as Error).message}`)
  }
}

async function show(
  n: { type: string; message?: Message; username?: string; status?: string },
  peer: string,
  self: string,
  opts: DeviceOptions,
): Promise<void> {
  if (n.type === 'message' && n.message?.conversation === peer) {
    console.log(formatMessage(n.message, self))
    if (n.message.sender !== self) await post(opts, `/v1/chat/read/${user(peer)}`)
  } else if (n.type === 'message-updated' && n.message?.conversation === peer) {
    console.log(`  ↳ ${formatMessage(n.message, self)}`)
  } else if (n.type === 'presence' && n.username === peer) {
    console.log(`* ${peer} is ${n.status}`)
  } else if (n.type === 'typing' && n.username === peer) {
    console.log(`* ${peer} is typing…`)
  }
}
