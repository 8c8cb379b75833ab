/**
 * Builds the web client into dist/web/, which the device node serves on its
 * own origin. Asset paths are relative so the page works under any prefix.
 * `PARLEY_DEVICE=http://127.0.0.1:PORT npx vite --config web/vite.config.ts`
 * serves it with hot reload, passing the API and the WebSocket through to
 * that device; the sign-in link's page (`/signin?code=…`) is the client's own.
 * appShell adds what makes it an installable app: the icons and the service worker.
 */
import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'
import { appShell } from './build/app-shell.js'

const device = process.env.PARLEY_DEVICE ?? 'http://127.0.0.1:7300'

// The device accepts only its own Host and Origin: the dev server speaks for the page as the device.
const asDevice = { target: device, changeOrigin: true, headers: { origin: device } }

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  plugins: [react(), appShell()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
  },
  server: {
    proxy: {
      '/v1': { ...asDevice, ws: true },
    },
  },
})
