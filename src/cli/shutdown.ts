/** Clean shutdown on SIGINT/SIGTERM: run the cleanup once, then exit; a second signal exits at once. */
export function onShutdown(cleanup: () => Promise<void>): void {
  let stopping = false
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(130)
    stopping = true
    cleanup().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(`parley: stopping after ${signal} failed: ${(err as Error).message}`)
        process.exit(1)
      },
    )
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}
