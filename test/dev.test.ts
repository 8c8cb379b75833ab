/**
 * `npm start` (`parley dev`): the README's main job. A whole local network
 * with alice and bob, who are contacts and can chat at once; Ctrl-C stops
 * everything; running it again reuses the data. Killed outright, it leaves
 * nothing running; and a port in use is named, with what holds it.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { api, conversation, send } from './support/chat.js'
import { eventually } from './support/devnet.js'
import { freePort, run, startDaemon, tempDir, type Daemon } from './support/process.js'

const dir = tempDir('parley-dev-')
let dev: Daemon | undefined

let holder: Server | undefined

afterAll(async () => {
  await dev?.stop('SIGKILL')
  await new Promise((resolve) => (holder === undefined ? resolve(undefined) : holder.close(resolve)))
  dir.remove()
})

/** The deadline the design promises: a killed network's children are gone within 5 s. */
const ORPHANS_GONE_MS = 5_000

/** Live (not zombie) processes below `root`, from /proc: pid → its command line. */
function descendants(root: number): Map<number, string> {
  const parents = new Map<number, { ppid: number; state: string }>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      parents.set(Number(entry), { ppid: Number(ppid), state: state! })
    } catch {
      // gone meanwhile
    }
  }
  const found = new Map<number, string>()
  const queue = [root]
  while (queue.length > 0) {
    const parent = queue.shift()!
    for (const [pid, p] of parents)
      if (p.ppid === parent && !found.has(pid)) {
        queue.push(pid)
        if (p.state !== 'Z') found.set(pid, cmdline(pid))
      }
  }
  return found
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim()
  } catch {
    return '(gone)'
  }
}

function alive(pid: number): boolean {
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return false
  }
}

const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const probe = createServer()
    probe.once('error', () => resolve(false))
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)))
  })

async function start(port: number): Promise<Daemon> {
  return startDaemon(
    ['dev', '--dir', dir.path, '--authority-port', String(port)],
    /Ctrl-C stops everything/,
    {
      timeoutMs: 120_000,
    },
  )
}

describe('npm start', () => {
  it('runs the network with alice and bob as contacts, stops on Ctrl-C, and keeps the data', async () => {
    const port = await freePort()
    dev = await start(port)
    const out = dev.output()
    expect(out).toContain(`authority   http://127.0.0.1:${port}`)
    for (const name of ['mega-1', 'sn-1', 'sn-2', 'sn-3', 'alice', 'bob'])
      expect(out).toMatch(new RegExp(`^  ${name}\\s`, 'm'))
    expect(out).toContain('(alice and bob are contacts)')
    const home = join(dir.path, 'home')
    const { message } = await send(home, 'alice', 'bob', 'hello from npm start')
    await eventually(
      async () => (await conversation(home, 'bob', 'alice')).find((m) => m.id === message.id),
      20_000,
    )

    expect(await dev.stop('SIGINT')).toBe(0)
    dev = await start(port)
    const contacts = await api<{ contacts: { username: string; state: string }[] }>(
      home,
      'alice',
      '/v1/chat/contacts',
    )
    expect(contacts.contacts).toContainEqual(expect.objectContaining({ username: 'bob', state: 'accepted' }))
    expect((await conversation(home, 'bob', 'alice')).map((m) => m.text)).toContain('hello from npm start')
    expect(await dev.stop('SIGINT')).toBe(0)
    dev = undefined
  })
})

describe('npm start, killed or blocked', () => {
  it('SIGKILLed, it leaves no child running: within 5 s every process it started is gone and its port is free', async () => {
    const port = await freePort()
    dev = await start(port)
    const children = descendants(dev.child.pid!)
    // The authority, 4 supernodes, alice and bob (and coturn where it is installed).
    expect(children.size).toBeGreaterThanOrEqual(7)
    await dev.stop('SIGKILL')
    dev = undefined
    await eventually(
      async () => ([...children.keys()].every((pid) => !alive(pid)) && (await portFree(port))) || undefined,
      ORPHANS_GONE_MS,
    ).catch(() => undefined)
    const left = [...children].filter(([pid]) => alive(pid)).map(([pid, cmd]) => `${pid} ${cmd}`)
    expect(left, 'processes left running after the parent was killed').toEqual([])
    expect(await portFree(port)).toBe(true)
  }, 120_000)

  it('a port in use says which port and what holds it, in one line', async () => {
    holder = createServer()
    const port = await new Promise<number>((resolve) =>
      holder!.listen(0, '127.0.0.1', () => resolve((holder!.address() as { port: number }).port)),
    )
    const blocked = await run(['dev', '--dir', join(dir.path, 'blocked'), '--authority-port', String(port)], {
      timeoutMs: 60_000,
    })
    expect(blocked.code).toBe(1)
    expect(blocked.stderr).toContain(`port 127.0.0.1:${port} is already in use by pid ${process.pid}`)
    expect(blocked.stderr).toContain(`kill ${process.pid}`)
    expect(blocked.stderr).not.toMatch(/unexpected failure|at .*\.js:\d+/)
  }, 90_000)
})
