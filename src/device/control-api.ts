/**
 * The local API for a device already signed in (the devnet's device pools
 * and tests): a LocalApi in the ready state. See local-api.ts.
 */
import type { ChatService } from '../chat/service.js'
import { API_FILE, LocalApi, type ApiInfo } from './local-api.js'
import type { DeviceNode } from './node.js'

export { API_FILE, type ApiInfo }

export async function startControlApi(
  device: DeviceNode,
  profileDir: string,
  chat?: ChatService,
  webRoot?: string,
): Promise<{ info: ApiInfo; api: LocalApi; close: () => Promise<void> }> {
  const api = await LocalApi.start({ profileDir, state: 'starting', webRoot })
  api.ready(device, chat)
  return { info: api.info, api, close: () => api.close() }
}
