export { Membership, type Transmit } from './membership.js'
export { DEFAULTS as MEMBERSHIP_DEFAULTS } from './constants.js'
export { MembershipOptionsError, StaleIncarnationError, WrongPeerError } from './errors.js'
export type {
  MemberAnnouncement,
  MembershipEvent,
  MembershipMessage,
  MembershipOptions,
  MembershipRefusal,
  MembershipStats,
  MemberState,
  MemberUpdate,
  MemberView,
} from './types.js'
// The simulator and the upkeep model are products too: other cores' tests and benches use them.
export { Sim, announcementFor, type SimNode, type SimOptions } from './sim.js'
export { messageBytes, upkeepFormula, WIRE_SIZES, type Upkeep, type UpkeepParams } from './upkeep.js'
export { measureUpkeep, type UpkeepMeasure, type UpkeepRun } from './upkeep-sim.js'
