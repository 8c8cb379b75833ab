/**
 * Issue 10, M3: the authority client's transport trust, against a real
 * authority process serving https with a certificate from a private CA
 * (made here with Debian's openssl).
 */
import { execFileSync } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { initAuthorityDir } from '../support/authority.js'
import { freePort, run, startDaemon, tempDir, type Daemon } from '../support/process.js'

const dir = tempDir('parley-tls-')
const home = join(dir.path, 'home')
const passwordFile = join(dir.path, 'password')
const caFile = join(dir.path, 'ca.pem')
let authority: Daemon & { match: RegExpMatchArray }
let url = ''
let fingerprint = ''

/** A private CA and a server certificate it signed for IP 127.0.0.1. */
function makeCertificates(): { cert: string; key: string } {
  const at = (f: string) => join(dir.path, f)
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' })
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']
  ssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    at('ca.key'),
    '-out',
    caFile,
    '-days',
    '2',
    '-subj',
    '/CN=Parley test CA',
  )
  ssl('req', ...ec, '-keyout', at('server.key'), '-out', at('server.csr'), '-subj', '/CN=127.0.0.1')
  writeFileSync(
    at('server.ext'),
    'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n',
  )
  ssl(
    'x509',
    '-req',
    '-in',
    at('server.csr'),
    '-CA',
    caFile,
    '-CAkey',
    at('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    at('server.ext'),
    '-out',
    at('server.pem'),
  )
  return { cert: at('server.pem'), key: at('server.key') }
}

writeFileSync(passwordFile, 'correct horse battery\n')
afterAll(() => dir.remove())

const parley = (args: string[]) => run(args, { env: { PARLEY_HOME: home, PARLEY_AUTHORITY: '' } })

function expectOneClearLine(res: { code: number | null; stderr: string }, message: RegExp): void {
  expect(res.stderr).toMatch(message)
  expect(res.code).toBe(1)
  expect(res.stderr).not.toMatch(/\n\s+at /) // no stack trace
  expect(res.stderr).not.toMatch(/unexpected failure/)
}

describe('a client speaking to the authority over the network', () => {
  it('refuses plain http to a host that is not loopback, before sending anything', async () => {
    const res = await parley([
      'login',
      'erin',
      '--authority',
      'http://authority.example:7700',
      '--password-file',
      passwordFile,
    ])
    expectOneClearLine(
      res,
      /refusing http:\/\/authority\.example:7700: plain http is allowed only on loopback; use https:\/\/authority\.example:7700/,
    )
  })
})

describe('an authority serving https with a private CA', () => {
  beforeAll(async () => {
    const tls = makeCertificates()
    const { dataDir } = await initAuthorityDir()
    const args = ['authority', '--data-dir', dataDir, '--listen', `127.0.0.1:${await freePort()}`]
    authority = await startDaemon(
      [...args, '--password-cost', '12', '--tls-cert', tls.cert, '--tls-key', tls.key],
      /network key (SHA256:\S+)/,
      { env: { DATABASE_URL: '' } },
    )
    fingerprint = authority.match[1] ?? ''
    url = /listening at (\S+)/.exec(authority.output())?.[1] ?? ''
  })
  afterAll(() => authority.stop())

  it('serves https itself, and a client trusting the private CA with --authority-ca signs in and renews', async () => {
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    const reg = await parley([
      'register',
      'erin',
      '--authority',
      url,
      '--authority-ca',
      caFile,
      '--password-file',
      passwordFile,
      '--profile',
      'laptop',
    ])
    expect(reg.stderr).toBe('')
    expect(reg.code).toBe(0)
    // The CLI shows the key it pinned, for the user to compare with the operator's.
    expect(reg.stdout).toContain(`network key ${fingerprint} (compare it`)
    // The CA is kept in the profile: later commands need no flag.
    const renew = await parley(['renew', '--profile', 'laptop'])
    expect(renew.stderr).toBe('')
    expect(renew.code).toBe(0)
  })

  it('refuses the certificate without --authority-ca, with one clear line', async () => {
    const res = await parley([
      'login',
      'erin',
      '--authority',
      url,
      '--password-file',
      passwordFile,
      '--profile',
      'x',
    ])
    expectOneClearLine(
      res,
      /its TLS certificate is not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\); if it uses a private CA, pass --authority-ca FILE/,
    )
  })

  it('stops at a wrong --network-key and pins nothing; the right one signs in', async () => {
    const wrong = 'SHA256:' + 'A'.repeat(43)
    const login = (profile: string, key: string) =>
      parley([
        'login',
        'erin',
        '--authority',
        url,
        '--authority-ca',
        caFile,
        '--network-key',
        key,
        '--password-file',
        passwordFile,
        '--profile',
        profile,
      ])
    const refused = await login('phone', wrong)
    expectOneClearLine(
      refused,
      new RegExp(
        `the authority's network key is ${fingerprint.replace(/[+/]/g, '\\$&')}, not the ${wrong} you gave.*\\[unknown_signer\\]`,
      ),
    )
    expect(existsSync(join(home, 'profiles', 'phone', 'network-config.bin'))).toBe(false)
    expect((await parley(['whoami', '--profile', 'phone'])).stderr).toMatch(/not signed in/)

    const accepted = await login('phone', fingerprint)
    expect(accepted.stderr).toBe('')
    expect(accepted.code).toBe(0)
    expect(accepted.stdout).toContain(`network key ${fingerprint} (matches --network-key)`)
  })
})
