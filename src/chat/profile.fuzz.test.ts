/**
 * Fuzzing what a peer's PROFILE and REACTION texts go through (issue 17):
 * whatever the text, the decoders return a valid value or nothing, never
 * throw, and stay within their caps; a decoded profile encodes back to
 * itself.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { avatarType, decodeProfile, encodeProfile, profileProblem, ProfileLimits } from './profile.js'
import { REACTION_BYTES, reactionProblem } from './reactions.js'

const PNG_HEAD = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

/** Profile texts a hostile peer might send: JSON of any shape, near-valid profiles, and garbage. */
const profileTexts = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.json({ maxDepth: 3 }),
  fc
    .record({
      name: fc.oneof(fc.string({ maxLength: 80 }), fc.integer(), fc.constant(null)),
      mood: fc.oneof(fc.string({ maxLength: 160 }), fc.boolean()),
      avatar: fc.oneof(
        fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from([...PNG_HEAD, ...b]).toString('base64')),
        fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString('base64')),
        fc.string({ maxLength: 64 }),
        fc.constant('A'.repeat(ProfileLimits.avatarBytes * 2)),
      ),
    })
    .map((r) => JSON.stringify(r)),
)

describe('decodeProfile', () => {
  it('gives a valid profile or nothing, never throws, and what it gives encodes back to itself', () => {
    fc.assert(
      fc.property(profileTexts, (text) => {
        const p = decodeProfile(text)
        if (p === undefined) return
        expect(profileProblem(p)).toBeUndefined()
        expect(p.avatar.byteLength).toBeLessThanOrEqual(ProfileLimits.avatarBytes)
        if (p.avatar.byteLength > 0) expect(avatarType(p.avatar)).toBeDefined()
        expect(decodeProfile(encodeProfile(p))).toEqual(p)
      }),
      { numRuns: 2_000 },
    )
  })
})

describe('reactionProblem', () => {
  it('passes only one emoji within its byte cap, whatever the text', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 4 })),
        (text) => {
          const problem = reactionProblem(text)
          if (problem === undefined && text !== '')
            expect(new TextEncoder().encode(text).byteLength).toBeLessThanOrEqual(REACTION_BYTES)
          else if (text !== '') expect(problem).toBe('a reaction is one emoji')
        },
      ),
      { numRuns: 2_000 },
    )
  })
})
