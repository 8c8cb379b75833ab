import { describe, expect, it } from 'vitest'
import { AuthorityClient, InsecureAuthorityError } from './authority-client.js'
import { isLoopback } from './authority-transport.js'

describe('the authority URL', () => {
  it.each(['127.0.0.1', '127.3.2.1', '[::1]', 'localhost'])('%s is loopback', (host) => {
    expect(isLoopback(host)).toBe(true)
  })

  it.each(['128.0.0.1', '10.0.0.1', '[::2]', 'localhost.example', '127.0.0.1.example'])(
    '%s is not loopback',
    (host) => expect(isLoopback(host)).toBe(false),
  )

  it('may be plain http on loopback only', () => {
    expect(new AuthorityClient('http://127.0.0.1:7700/x').url).toBe('http://127.0.0.1:7700')
    expect(new AuthorityClient('https://authority.example').url).toBe('https://authority.example')
    expect(() => new AuthorityClient('http://authority.example:7700')).toThrow(InsecureAuthorityError)
    expect(() => new AuthorityClient('http://10.0.0.1')).toThrow(/plain http is allowed only on loopback/)
    expect(() => new AuthorityClient('ftp://127.0.0.1')).toThrow(/must be https/)
  })
})
