/** register → login → whoami through the real CLI against a real authority process on loopback. */
import { statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestAuthority, type TestAuthority } from './support/authority.js'
import { run, tempDir } from './support/process.js'

let authority: TestAuthority
const home = tempDir('parley-home-')
const passwordFile = join(home.path, 'password')
const wrongPasswordFile = join(home.path, 'wrong')

beforeAll(async () => {
  authority = await startTestAuthority()
  writeFileSync(passwordFile, 'correct horse battery\n')
  writeFileSync(wrongPasswordFile, 'wrong horse battery\n')
})
afterAll(async () => {
  await authority.stop()
  home.remove()
})

const parley = (args: string[], input?: string) =>
  run(args, { env: { PARLEY_HOME: home.path, PARLEY_AUTHORITY: authority.url }, input })

describe('a new user', () => {
  it('registers, signs in a second device and sees both identities with whoami', async () => {
    const reg = await parley([
      'register',
      'alice',
      '--password-file',
      passwordFile,
      '--profile',
      'laptop',
      '--device-name',
      'Laptop',
    ])
    expect(reg.stderr).toBe('')
    expect(reg.code).toBe(0)
    expect(reg.stdout).toMatch(/registered alice/)

    const login = await parley(
      ['login', 'alice', '--profile', 'phone', '--device-name', 'Phone'],
      'correct horse battery\n',
    )
    expect(login.code).toBe(0)
    expect(login.stdout).toMatch(/signed in as alice on device "Phone"/)

    const laptop = JSON.parse((await parley(['whoami', '--profile', 'laptop', '--json'])).stdout) as Record<
      string,
      unknown
    >
    const phone = JSON.parse((await parley(['whoami', '--profile', 'phone', '--json'])).stdout) as Record<
      string,
      unknown
    >
    expect(laptop.username).toBe('alice')
    expect(phone.username).toBe('alice')
    expect(laptop.deviceName).toBe('Laptop')
    expect(laptop.deviceId).toMatch(/^12D3KooW/)
    expect(phone.deviceId).not.toBe(laptop.deviceId)
    // Default validity: seven days.
    const days = ((laptop.notAfter as number) - Date.now()) / 86_400_000
    expect(days).toBeGreaterThan(6.9)
    expect(days).toBeLessThanOrEqual(7)

    const text = await parley(['whoami', '--profile', 'laptop'])
    expect(text.stdout).toMatch(/^user\s+alice$/m)
    expect(text.stdout).toMatch(/certificate\s+valid until \d{4}-/m)
  })

  it('keeps the device key private to its owner', () => {
    const mode = statSync(join(home.path, 'profiles', 'laptop', 'device.key')).mode & 0o777
    expect(mode).toBe(0o600)
  })

  it('lists its devices and revokes one; the revoked device cannot sign in again', async () => {
    const list = await parley(['devices', '--profile', 'laptop', '--password-file', passwordFile])
    expect(list.code).toBe(0)
    expect(list.stdout.trim().split('\n')).toHaveLength(2)
    const phone = JSON.parse((await parley(['whoami', '--profile', 'phone', '--json'])).stdout) as {
      deviceId: string
    }

    const revoke = await parley([
      'revoke',
      phone.deviceId,
      '--profile',
      'laptop',
      '--password-file',
      passwordFile,
    ])
    expect(revoke.code).toBe(0)
    const again = await parley(['login', 'alice', '--profile', 'phone', '--password-file', passwordFile])
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/\[device_revoked\]/)
    const renew = await parley(['renew', '--profile', 'phone'])
    expect(renew.code).toBe(1)
    expect(renew.stderr).toMatch(/\[device_revoked\]/)
  })
})

describe('mistakes get one clear line and a non-zero exit', () => {
  it.each([
    [['login', 'alice', '--profile', 'x1', '--password-file', 'WRONG'], /\[invalid_credentials\]/, 1],
    [['login', 'nobody', '--profile', 'x2', '--password-file', 'WRONG'], /\[invalid_credentials\]/, 1],
    [['register', 'Bad Name', '--profile', 'x3', '--password-file', 'RIGHT'], /\[invalid_username\]/, 1],
    [['register', 'alice', '--profile', 'x4', '--password-file', 'RIGHT'], /\[username_taken\]/, 1],
    [['whoami', '--profile', 'never'], /not signed in; run: parley login/, 1],
    [
      ['login', 'alice', '--profile', 'x5', '--authority', 'http://127.0.0.1:1', '--password-file', 'RIGHT'],
      /cannot reach the authority/,
      1,
    ],
    [['frobnicate'], /unknown command/, 2],
    [['login'], /missing required argument/, 2],
  ])('parley %j', async (args, message, code) => {
    const resolved = args.map((a) => (a === 'WRONG' ? wrongPasswordFile : a === 'RIGHT' ? passwordFile : a))
    const res = await parley(resolved)
    expect(res.code).toBe(code)
    expect(res.stderr).toMatch(message)
    expect(res.stderr).not.toMatch(/\n\s+at /) // no stack trace
  })

  it('every command has help', async () => {
    for (const cmd of [
      'dev',
      'devnet',
      'authority',
      'authority init',
      'authority config',
      'register',
      'login',
      'whoami',
      'renew',
      'devices',
      'revoke',
      'up',
      'supernode',
      'status',
      'lookup',
      'link',
      'contacts',
      'add',
      'requests',
      'accept',
      'decline',
      'block',
      'remove',
      'send',
      'chat',
      'history',
      'search',
      'file',
      'file send',
    ]) {
      const res = await parley([...cmd.split(' '), '--help'])
      expect(res.code, cmd).toBe(0)
      expect(res.stdout, cmd).toMatch(/^Usage: parley /)
    }
  })
})
