/**
 * `npm start` (`parley dev`): the README's main job. A whole local network
 * with alice and bob, who are contacts and can chat at once; Ctrl-C stops
 * everything; running it again reuses the data.
 */
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { api, conversation, send } from './support/chat.js'
import { eventually } from './support/devnet.js'
import { freePort, startDaemon, tempDir, type Daemon } from './support/process.js'

const dir = tempDir('parley-dev-')
let dev: Daemon | undefined

afterAll(async () => {
  await dev?.stop('SIGKILL')
  dir.remove()
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
