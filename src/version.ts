/** This client's version, from package.json: announced by supernodes, checked against the network config's bans. */
import { readFileSync } from 'node:fs'

export const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version
