import { describe, expect, it } from 'vitest'
import { listeningInodes, portInUseMessage } from './port-holder.js'

// /proc/net/tcp as Linux writes it: 127.0.0.1:7700 listening (inode 4242), a connection from it, another port.
const TABLE = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1E14 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0
   1: 0100007F:1E14 0100007F:A1B2 01 00000000:00000000 00:00000000 00000000     0        0 4343 1 0000000000000000 20 4 30 10 -1
   2: 0100007F:1E15 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4444 1 0000000000000000 100 0 0 10 0
`

describe('who holds a port', () => {
  it('finds the listening socket of a port, not its connections or other ports', () => {
    expect(listeningInodes(TABLE, 7700)).toEqual(['4242'])
    expect(listeningInodes(TABLE, 7701)).toEqual(['4444'])
    expect(listeningInodes(TABLE, 80)).toEqual([])
    expect(listeningInodes('', 7700)).toEqual([])
    expect(listeningInodes('header only\n   0: garbage', 7700)).toEqual([])
  })

  it('names the port and its holder, and says a Parley holder is probably a network left running', () => {
    const parley = portInUseMessage('127.0.0.1', 7700, {
      pid: 123,
      command: 'node /x/bin/parley.js authority',
    })
    expect(parley).toBe(
      'port 127.0.0.1:7700 is already in use by pid 123 (node /x/bin/parley.js authority), probably a Parley ' +
        'network left running from an earlier start; stop it (kill 123) or choose another port',
    )
    expect(portInUseMessage('::1', 80, { pid: 9, command: 'nginx' })).toBe(
      'port [::1]:80 is already in use by pid 9 (nginx); stop it (kill 9) or choose another port',
    )
  })

  it('says how to find the holder when it cannot be seen', () => {
    expect(portInUseMessage('127.0.0.1', 7700, undefined)).toContain("ss -ltnp 'sport = :7700'")
  })
})
