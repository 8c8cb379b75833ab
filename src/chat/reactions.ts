/** What a reaction may be (issue 17): one emoji, or nothing to take ours back. Checked on sending and on receiving. */

/** The most bytes a reaction's text may hold: a family or flag sequence fits, a sentence does not. */
export const REACTION_BYTES = 32

/** The quick choices a client offers first; any other emoji is allowed. */
export const QUICK_REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🙏'] as const

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' })
/** A pictograph, a regional-indicator flag or a keycap: what a person calls an emoji. */
const EMOJI = /^(?:\p{Extended_Pictographic}|\p{Regional_Indicator}{2}|[0-9#*]\uFE0F?\u20E3)/u

/** Why `text` is not a reaction, or undefined when it is one ("" is: it takes a reaction back). */
export function reactionProblem(text: string): string | undefined {
  if (text === '') return undefined
  if (new TextEncoder().encode(text).byteLength > REACTION_BYTES) return 'a reaction is one emoji'
  const graphemes = [...segmenter.segment(text)]
  if (graphemes.length !== 1 || !EMOJI.test(text)) return 'a reaction is one emoji'
  return undefined
}
