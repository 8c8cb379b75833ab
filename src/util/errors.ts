/**
 * A core was built with options that cannot work (a negative capacity, a cap
 * below the base). Thrown by constructors only, so a bad configuration fails
 * at start-up and never in the middle of serving.
 */
export class InvalidOptionError extends Error {
  override name = 'InvalidOptionError'
}
