/** Attachment: how devices attach to supernodes and how supernodes admit them. See docs/attachment.md. */
export { Admission, ADMISSION_DEFAULTS, type AdmissionInit, type AdmissionVerdict } from './admission.js'
export { Attacher, ATTACHER_DEFAULTS, type AttacherAction, type AttacherInit } from './attacher.js'
export { HintLedger, HINT_DEFAULTS, type HintAnswer, type HintLedgerInit, type HintOutcome } from './hints.js'
export {
  HostCache,
  HOST_CACHE_DEFAULTS,
  type HostCacheInit,
  type HostEntry,
  type HostHint,
  type LearnOutcome,
} from './host-cache.js'
export { compareHosts, hasRoom, loadRatio, pickByHeadroom } from './rank.js'
