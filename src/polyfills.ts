// Loaded first by every entry point, before libp2p is imported.
// libp2p 3 calls Promise.withResolvers (Node 22+); without it every inbound
// connection fails on Node 20 during the upgrade. Node 20 also lacks a global
// WebSocket, which the libp2p WebSockets dialer expects.

interface Resolvers<T> {
  promise: Promise<T>
  resolve: (value: T | PromiseLike<T>) => void
  reject: (reason?: unknown) => void
}

const P = Promise as unknown as { withResolvers?: <T>() => Resolvers<T> }
if (typeof P.withResolvers !== 'function') {
  P.withResolvers = function withResolvers<T>(): Resolvers<T> {
    let resolve!: Resolvers<T>['resolve']
    let reject!: Resolvers<T>['reject']
    const promise = new Promise<T>((res, rej) => {
      resolve = res
      reject = rej
    })
    return { promise, resolve, reject }
  }
}

export {}
