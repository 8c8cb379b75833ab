/**
 * The service worker: it keeps the app shell (index.html, the built scripts
 * and styles, the icons, the manifest) so that the installed app opens, and
 * says it cannot reach the device, while the device is stopped. It never
 * caches or answers the device's API (shell-route.ts decides). Built as its
 * own file, sw.js, by web/build/app-shell.ts, which writes the shell's list
 * in place of __PARLEY_SHELL__. It imports nothing at run time but
 * shell-route.ts, which the build inlines: a worker's script is classic.
 */
import { cacheName, CACHE_PREFIX, routeOf, SHELL_PAGE } from './shell-route.js'
import { listenForCallChoices, type CallWorkerScope } from './sw-call.js'

declare const __PARLEY_SHELL__: { version: string; files: string[] }

/** The little of the worker's scope used here (web/tsconfig.json has the DOM's types, not the worker's). */
interface ExtendableEvent extends Event {
  waitUntil(done: Promise<unknown>): void
}
interface FetchEvent extends ExtendableEvent {
  readonly request: Request
  respondWith(answer: Promise<Response>): void
}
interface WorkerScope {
  readonly registration: { readonly scope: string }
  readonly clients: { claim(): Promise<void> }
  skipWaiting(): Promise<void>
  addEventListener(type: 'install' | 'activate', on: (e: ExtendableEvent) => void): void
  addEventListener(type: 'fetch', on: (e: FetchEvent) => void): void
}

const worker = self as unknown as WorkerScope
const shell = __PARLEY_SHELL__
const CACHE = cacheName(shell.version)
const inScope = (file: string) => new URL(file, worker.registration.scope).href

worker.addEventListener('install', (e) => {
  e.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE)
      await cache.addAll(shell.files.map(inScope))
      // A new build takes over at once: its cache holds the whole shell already.
      await worker.skipWaiting()
    })(),
  )
})

worker.addEventListener('activate', (e) => {
  e.waitUntil(
    (async () => {
      for (const name of await caches.keys())
        if (name.startsWith(CACHE_PREFIX) && name !== CACHE) await caches.delete(name)
      // The page that registered the worker is served by it from now on, without a reload.
      await worker.clients.claim()
    })(),
  )
})

worker.addEventListener('fetch', (e) => {
  const route = routeOf(e.request, worker.registration.scope, shell.files)
  if (route.kind === 'network') return
  if (route.kind === 'page') e.respondWith(page(e.request))
  else e.respondWith(fromShell(e.request, route.file))
})

/**
 * A page load: the device's own answer while it answers, else the kept shell page. The kept page is
 * the one installed with this worker, never refreshed from an answer, so it always matches the
 * scripts and styles kept beside it (a new build comes with its own worker and cache).
 */
async function page(request: Request): Promise<Response> {
  try {
    return await fetch(request)
  } catch {
    return (await caches.match(inScope(SHELL_PAGE), { cacheName: CACHE })) ?? Response.error()
  }
}

async function fromShell(request: Request, file: string): Promise<Response> {
  const kept = await caches.match(inScope(file), { cacheName: CACHE })
  return kept ?? fetch(request)
}

// A ringing call's notification: its Accept and Decline go to the page that showed it (sw-call.ts).
listenForCallChoices(self as unknown as CallWorkerScope)
