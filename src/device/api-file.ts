/**
 * Where a running device's local API can be found: `api.json` in the
 * profile folder, written when the API starts and removed when it stops.
 * Read by the CLI's commands, which must not load the device to do so.
 */
export const API_FILE = 'api.json'

export interface ApiInfo {
  url: string
  token: string
  pid: number
}
