import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from '../empty.js'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface SignedEnvelope {
  payloadType: string
  payload: Uint8Array<ArrayBuffer>
  keyId: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
}

export namespace SignedEnvelope {
  let _codec: Codec<SignedEnvelope>

  export const codec = (): Codec<SignedEnvelope> => {
    if (_codec == null) {
      _codec = message<SignedEnvelope>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.payloadType != null && obj.payloadType !== '')) {
          w.uint32(10)
          w.string(obj.payloadType)
        }

        if ((obj.payload != null && obj.payload.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.payload)
        }

        if ((obj.keyId != null && obj.keyId.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.keyId)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          payloadType: '',
          payload: uint8ArrayAlloc(0),
          keyId: uint8ArrayAlloc(0),
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.payloadType = reader.string()
              break
            }
            case 2: {
              obj.payload = reader.bytes()
              break
            }
            case 3: {
              obj.keyId = reader.bytes()
              break
            }
            case 4: {
              obj.signature = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.payloadType`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.payload`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.keyId`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.signature`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SignedEnvelopePayloadTypeFieldEvent {
    field: '$.payloadType'
    value: string
  }

  export interface SignedEnvelopePayloadFieldEvent {
    field: '$.payload'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SignedEnvelopeKeyIdFieldEvent {
    field: '$.keyId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SignedEnvelopeSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SignedEnvelope>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SignedEnvelope.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedEnvelope>): SignedEnvelope {
    return decodeMessage(buf, SignedEnvelope.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedEnvelope>): Generator<SignedEnvelopePayloadTypeFieldEvent | SignedEnvelopePayloadFieldEvent | SignedEnvelopeKeyIdFieldEvent | SignedEnvelopeSignatureFieldEvent> {
    return streamMessage(buf, SignedEnvelope.codec(), opts)
  }
}

export interface DevicePolicy {
  maySupernode: boolean
  mayRelay: boolean
  maySendFiles: boolean
}

export namespace DevicePolicy {
  let _codec: Codec<DevicePolicy>

  export const codec = (): Codec<DevicePolicy> => {
    if (_codec == null) {
      _codec = message<DevicePolicy>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.maySupernode != null && obj.maySupernode !== false)) {
          w.uint32(8)
          w.bool(obj.maySupernode)
        }

        if ((obj.mayRelay != null && obj.mayRelay !== false)) {
          w.uint32(16)
          w.bool(obj.mayRelay)
        }

        if ((obj.maySendFiles != null && obj.maySendFiles !== false)) {
          w.uint32(24)
          w.bool(obj.maySendFiles)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          maySupernode: false,
          mayRelay: false,
          maySendFiles: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.maySupernode = reader.bool()
              break
            }
            case 2: {
              obj.mayRelay = reader.bool()
              break
            }
            case 3: {
              obj.maySendFiles = reader.bool()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.maySupernode`,
                value: reader.bool()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.mayRelay`,
                value: reader.bool()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.maySendFiles`,
                value: reader.bool()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface DevicePolicyMaySupernodeFieldEvent {
    field: '$.maySupernode'
    value: boolean
  }

  export interface DevicePolicyMayRelayFieldEvent {
    field: '$.mayRelay'
    value: boolean
  }

  export interface DevicePolicyMaySendFilesFieldEvent {
    field: '$.maySendFiles'
    value: boolean
  }

  export function encode (obj: Partial<DevicePolicy>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DevicePolicy.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DevicePolicy>): DevicePolicy {
    return decodeMessage(buf, DevicePolicy.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DevicePolicy>): Generator<DevicePolicyMaySupernodeFieldEvent | DevicePolicyMayRelayFieldEvent | DevicePolicyMaySendFilesFieldEvent> {
    return streamMessage(buf, DevicePolicy.codec(), opts)
  }
}

export interface CertificateBody {
  networkId: string
  serial: bigint
  username: string
  devicePublicKey: Uint8Array<ArrayBuffer>
  deviceName: string
  policy?: DevicePolicy
  organisation: string
  notBefore: bigint
  notAfter: bigint
}

export namespace CertificateBody {
  let _codec: Codec<CertificateBody>

  export const codec = (): Codec<CertificateBody> => {
    if (_codec == null) {
      _codec = message<CertificateBody>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.networkId != null && obj.networkId !== '')) {
          w.uint32(10)
          w.string(obj.networkId)
        }

        if ((obj.serial != null && obj.serial !== 0n)) {
          w.uint32(16)
          w.uint64(obj.serial)
        }

        if ((obj.username != null && obj.username !== '')) {
          w.uint32(26)
          w.string(obj.username)
        }

        if ((obj.devicePublicKey != null && obj.devicePublicKey.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.devicePublicKey)
        }

        if ((obj.deviceName != null && obj.deviceName !== '')) {
          w.uint32(42)
          w.string(obj.deviceName)
        }

        if (obj.policy != null) {
          w.uint32(50)
          DevicePolicy.codec().encode(obj.policy, w)
        }

        if ((obj.organisation != null && obj.organisation !== '')) {
          w.uint32(58)
          w.string(obj.organisation)
        }

        if ((obj.notBefore != null && obj.notBefore !== 0n)) {
          w.uint32(64)
          w.uint64(obj.notBefore)
        }

        if ((obj.notAfter != null && obj.notAfter !== 0n)) {
          w.uint32(72)
          w.uint64(obj.notAfter)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          networkId: '',
          serial: 0n,
          username: '',
          devicePublicKey: uint8ArrayAlloc(0),
          deviceName: '',
          organisation: '',
          notBefore: 0n,
          notAfter: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.networkId = reader.string()
              break
            }
            case 2: {
              obj.serial = reader.uint64()
              break
            }
            case 3: {
              obj.username = reader.string()
              break
            }
            case 4: {
              obj.devicePublicKey = reader.bytes()
              break
            }
            case 5: {
              obj.deviceName = reader.string()
              break
            }
            case 6: {
              obj.policy = DevicePolicy.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.policy
              })
              break
            }
            case 7: {
              obj.organisation = reader.string()
              break
            }
            case 8: {
              obj.notBefore = reader.uint64()
              break
            }
            case 9: {
              obj.notAfter = reader.uint64()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.networkId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.serial`,
                value: reader.uint64()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.username`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.devicePublicKey`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.deviceName`,
                value: reader.string()
              }
              break
            }
            case 6: {
              yield * DevicePolicy.codec().stream(reader, reader.uint32(), `${prefix}.policy`, {
                limits: opts.limits?.policy
              })

              break
            }
            case 7: {
              yield {
                field: `${prefix}.organisation`,
                value: reader.string()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.notBefore`,
                value: reader.uint64()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.notAfter`,
                value: reader.uint64()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface CertificateBodyNetworkIdFieldEvent {
    field: '$.networkId'
    value: string
  }

  export interface CertificateBodySerialFieldEvent {
    field: '$.serial'
    value: bigint
  }

  export interface CertificateBodyUsernameFieldEvent {
    field: '$.username'
    value: string
  }

  export interface CertificateBodyDevicePublicKeyFieldEvent {
    field: '$.devicePublicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CertificateBodyDeviceNameFieldEvent {
    field: '$.deviceName'
    value: string
  }

  export interface CertificateBodyPolicyMaySupernodeFieldEvent {
    field: '$.policy.maySupernode'
    value: boolean
  }

  export interface CertificateBodyPolicyMayRelayFieldEvent {
    field: '$.policy.mayRelay'
    value: boolean
  }

  export interface CertificateBodyPolicyMaySendFilesFieldEvent {
    field: '$.policy.maySendFiles'
    value: boolean
  }

  export interface CertificateBodyOrganisationFieldEvent {
    field: '$.organisation'
    value: string
  }

  export interface CertificateBodyNotBeforeFieldEvent {
    field: '$.notBefore'
    value: bigint
  }

  export interface CertificateBodyNotAfterFieldEvent {
    field: '$.notAfter'
    value: bigint
  }

  export function encode (obj: Partial<CertificateBody>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CertificateBody.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CertificateBody>): CertificateBody {
    return decodeMessage(buf, CertificateBody.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CertificateBody>): Generator<CertificateBodyNetworkIdFieldEvent | CertificateBodySerialFieldEvent | CertificateBodyUsernameFieldEvent | CertificateBodyDevicePublicKeyFieldEvent | CertificateBodyDeviceNameFieldEvent | CertificateBodyPolicyMaySupernodeFieldEvent | CertificateBodyPolicyMayRelayFieldEvent | CertificateBodyPolicyMaySendFilesFieldEvent | CertificateBodyOrganisationFieldEvent | CertificateBodyNotBeforeFieldEvent | CertificateBodyNotAfterFieldEvent> {
    return streamMessage(buf, CertificateBody.codec(), opts)
  }
}

export interface Seed {
  peerId: string
  addrs: string[]
}

export namespace Seed {
  let _codec: Codec<Seed>

  export const codec = (): Codec<Seed> => {
    if (_codec == null) {
      _codec = message<Seed>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peerId != null && obj.peerId !== '')) {
          w.uint32(10)
          w.string(obj.peerId)
        }

        if (obj.addrs != null && obj.addrs.length > 0) {
          for (const value of obj.addrs) {
            w.uint32(18)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peerId: '',
          addrs: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.peerId = reader.string()
              break
            }
            case 2: {
              if (opts.limits?.addrs != null && obj.addrs.length === opts.limits.addrs) {
                throw new MaxLengthError('Decode error - repeated field "addrs" had too many elements')
              }

              obj.addrs.push(reader.string())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          addrs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.peerId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              if (opts.limits?.addrs != null && obj.addrs === opts.limits.addrs) {
                throw new MaxLengthError('Streaming decode error - repeated field "addrs" had too many elements')
              }

              yield {
                field: `${prefix}.addrs[]`,
                index: obj.addrs,
                value: reader.string()
              }

              obj.addrs++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SeedPeerIdFieldEvent {
    field: '$.peerId'
    value: string
  }

  export interface SeedAddrsFieldEvent {
    field: '$.addrs[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<Seed>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Seed.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Seed>): Seed {
    return decodeMessage(buf, Seed.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Seed>): Generator<SeedPeerIdFieldEvent | SeedAddrsFieldEvent> {
    return streamMessage(buf, Seed.codec(), opts)
  }
}

export interface NetworkPolicies {
  certificateValiditySeconds: number
  defaultDevicePolicy?: DevicePolicy
  supernodeBannedVersions: string[]
}

export namespace NetworkPolicies {
  let _codec: Codec<NetworkPolicies>

  export const codec = (): Codec<NetworkPolicies> => {
    if (_codec == null) {
      _codec = message<NetworkPolicies>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.certificateValiditySeconds != null && obj.certificateValiditySeconds !== 0)) {
          w.uint32(8)
          w.uint32(obj.certificateValiditySeconds)
        }

        if (obj.defaultDevicePolicy != null) {
          w.uint32(18)
          DevicePolicy.codec().encode(obj.defaultDevicePolicy, w)
        }

        if (obj.supernodeBannedVersions != null && obj.supernodeBannedVersions.length > 0) {
          for (const value of obj.supernodeBannedVersions) {
            w.uint32(26)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          certificateValiditySeconds: 0,
          supernodeBannedVersions: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.certificateValiditySeconds = reader.uint32()
              break
            }
            case 2: {
              obj.defaultDevicePolicy = DevicePolicy.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.defaultDevicePolicy
              })
              break
            }
            case 3: {
              if (opts.limits?.supernodeBannedVersions != null && obj.supernodeBannedVersions.length === opts.limits.supernodeBannedVersions) {
                throw new MaxLengthError('Decode error - repeated field "supernodeBannedVersions" had too many elements')
              }

              obj.supernodeBannedVersions.push(reader.string())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          supernodeBannedVersions: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.certificateValiditySeconds`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield * DevicePolicy.codec().stream(reader, reader.uint32(), `${prefix}.defaultDevicePolicy`, {
                limits: opts.limits?.defaultDevicePolicy
              })

              break
            }
            case 3: {
              if (opts.limits?.supernodeBannedVersions != null && obj.supernodeBannedVersions === opts.limits.supernodeBannedVersions) {
                throw new MaxLengthError('Streaming decode error - repeated field "supernodeBannedVersions" had too many elements')
              }

              yield {
                field: `${prefix}.supernodeBannedVersions[]`,
                index: obj.supernodeBannedVersions,
                value: reader.string()
              }

              obj.supernodeBannedVersions++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface NetworkPoliciesCertificateValiditySecondsFieldEvent {
    field: '$.certificateValiditySeconds'
    value: number
  }

  export interface NetworkPoliciesDefaultDevicePolicyMaySupernodeFieldEvent {
    field: '$.defaultDevicePolicy.maySupernode'
    value: boolean
  }

  export interface NetworkPoliciesDefaultDevicePolicyMayRelayFieldEvent {
    field: '$.defaultDevicePolicy.mayRelay'
    value: boolean
  }

  export interface NetworkPoliciesDefaultDevicePolicyMaySendFilesFieldEvent {
    field: '$.defaultDevicePolicy.maySendFiles'
    value: boolean
  }

  export interface NetworkPoliciesSupernodeBannedVersionsFieldEvent {
    field: '$.supernodeBannedVersions[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<NetworkPolicies>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, NetworkPolicies.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<NetworkPolicies>): NetworkPolicies {
    return decodeMessage(buf, NetworkPolicies.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<NetworkPolicies>): Generator<NetworkPoliciesCertificateValiditySecondsFieldEvent | NetworkPoliciesDefaultDevicePolicyMaySupernodeFieldEvent | NetworkPoliciesDefaultDevicePolicyMayRelayFieldEvent | NetworkPoliciesDefaultDevicePolicyMaySendFilesFieldEvent | NetworkPoliciesSupernodeBannedVersionsFieldEvent> {
    return streamMessage(buf, NetworkPolicies.codec(), opts)
  }
}

export interface NetworkConfigBody {
  networkId: string
  networkPublicKey: Uint8Array<ArrayBuffer>
  sequence: bigint
  issuedAt: bigint
  seeds: Seed[]
  minClientVersion: string
  policies?: NetworkPolicies
}

export namespace NetworkConfigBody {
  let _codec: Codec<NetworkConfigBody>

  export const codec = (): Codec<NetworkConfigBody> => {
    if (_codec == null) {
      _codec = message<NetworkConfigBody>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.networkId != null && obj.networkId !== '')) {
          w.uint32(10)
          w.string(obj.networkId)
        }

        if ((obj.networkPublicKey != null && obj.networkPublicKey.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.networkPublicKey)
        }

        if ((obj.sequence != null && obj.sequence !== 0n)) {
          w.uint32(24)
          w.uint64(obj.sequence)
        }

        if ((obj.issuedAt != null && obj.issuedAt !== 0n)) {
          w.uint32(32)
          w.uint64(obj.issuedAt)
        }

        if (obj.seeds != null && obj.seeds.length > 0) {
          for (const value of obj.seeds) {
            w.uint32(42)
            Seed.codec().encode(value, w)
          }
        }

        if ((obj.minClientVersion != null && obj.minClientVersion !== '')) {
          w.uint32(50)
          w.string(obj.minClientVersion)
        }

        if (obj.policies != null) {
          w.uint32(58)
          NetworkPolicies.codec().encode(obj.policies, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          networkId: '',
          networkPublicKey: uint8ArrayAlloc(0),
          sequence: 0n,
          issuedAt: 0n,
          seeds: [],
          minClientVersion: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.networkId = reader.string()
              break
            }
            case 2: {
              obj.networkPublicKey = reader.bytes()
              break
            }
            case 3: {
              obj.sequence = reader.uint64()
              break
            }
            case 4: {
              obj.issuedAt = reader.uint64()
              break
            }
            case 5: {
              if (opts.limits?.seeds != null && obj.seeds.length === opts.limits.seeds) {
                throw new MaxLengthError('Decode error - repeated field "seeds" had too many elements')
              }

              obj.seeds.push(Seed.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.seeds$
              }))
              break
            }
            case 6: {
              obj.minClientVersion = reader.string()
              break
            }
            case 7: {
              obj.policies = NetworkPolicies.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.policies
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          seeds: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.networkId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.networkPublicKey`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.sequence`,
                value: reader.uint64()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.issuedAt`,
                value: reader.uint64()
              }
              break
            }
            case 5: {
              if (opts.limits?.seeds != null && obj.seeds === opts.limits.seeds) {
                throw new MaxLengthError('Streaming decode error - repeated field "seeds" had too many elements')
              }

              for (const evt of Seed.codec().stream(reader, reader.uint32(), `${prefix}.seeds[]`, {
                limits: opts.limits?.seeds$
              })) {
                yield {
                  ...evt,
                  index: obj.seeds
                }
              }

              obj.seeds++

              break
            }
            case 6: {
              yield {
                field: `${prefix}.minClientVersion`,
                value: reader.string()
              }
              break
            }
            case 7: {
              yield * NetworkPolicies.codec().stream(reader, reader.uint32(), `${prefix}.policies`, {
                limits: opts.limits?.policies
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface NetworkConfigBodyNetworkIdFieldEvent {
    field: '$.networkId'
    value: string
  }

  export interface NetworkConfigBodyNetworkPublicKeyFieldEvent {
    field: '$.networkPublicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface NetworkConfigBodySequenceFieldEvent {
    field: '$.sequence'
    value: bigint
  }

  export interface NetworkConfigBodyIssuedAtFieldEvent {
    field: '$.issuedAt'
    value: bigint
  }

  export interface NetworkConfigBodySeedsPeerIdFieldEvent {
    field: '$.seeds[].peerId'
    value: string
    index: number
  }

  export interface NetworkConfigBodySeedsAddrsFieldEvent {
    field: '$.seeds[].addrs[]'
    index: number
    value: string
  }

  export interface NetworkConfigBodyMinClientVersionFieldEvent {
    field: '$.minClientVersion'
    value: string
  }

  export interface NetworkConfigBodyPoliciesCertificateValiditySecondsFieldEvent {
    field: '$.policies.certificateValiditySeconds'
    value: number
  }

  export interface NetworkConfigBodyPoliciesDefaultDevicePolicyMaySupernodeFieldEvent {
    field: '$.policies.defaultDevicePolicy.maySupernode'
    value: boolean
  }

  export interface NetworkConfigBodyPoliciesDefaultDevicePolicyMayRelayFieldEvent {
    field: '$.policies.defaultDevicePolicy.mayRelay'
    value: boolean
  }

  export interface NetworkConfigBodyPoliciesDefaultDevicePolicyMaySendFilesFieldEvent {
    field: '$.policies.defaultDevicePolicy.maySendFiles'
    value: boolean
  }

  export interface NetworkConfigBodyPoliciesSupernodeBannedVersionsFieldEvent {
    field: '$.policies.supernodeBannedVersions[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<NetworkConfigBody>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, NetworkConfigBody.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<NetworkConfigBody>): NetworkConfigBody {
    return decodeMessage(buf, NetworkConfigBody.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<NetworkConfigBody>): Generator<NetworkConfigBodyNetworkIdFieldEvent | NetworkConfigBodyNetworkPublicKeyFieldEvent | NetworkConfigBodySequenceFieldEvent | NetworkConfigBodyIssuedAtFieldEvent | NetworkConfigBodySeedsPeerIdFieldEvent | NetworkConfigBodySeedsAddrsFieldEvent | NetworkConfigBodyMinClientVersionFieldEvent | NetworkConfigBodyPoliciesCertificateValiditySecondsFieldEvent | NetworkConfigBodyPoliciesDefaultDevicePolicyMaySupernodeFieldEvent | NetworkConfigBodyPoliciesDefaultDevicePolicyMayRelayFieldEvent | NetworkConfigBodyPoliciesDefaultDevicePolicyMaySendFilesFieldEvent | NetworkConfigBodyPoliciesSupernodeBannedVersionsFieldEvent> {
    return streamMessage(buf, NetworkConfigBody.codec(), opts)
  }
}

export interface Revocation {
  deviceId: string
  revokedAt: bigint
}

export namespace Revocation {
  let _codec: Codec<Revocation>

  export const codec = (): Codec<Revocation> => {
    if (_codec == null) {
      _codec = message<Revocation>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.deviceId != null && obj.deviceId !== '')) {
          w.uint32(10)
          w.string(obj.deviceId)
        }

        if ((obj.revokedAt != null && obj.revokedAt !== 0n)) {
          w.uint32(16)
          w.uint64(obj.revokedAt)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          deviceId: '',
          revokedAt: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.deviceId = reader.string()
              break
            }
            case 2: {
              obj.revokedAt = reader.uint64()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.deviceId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.revokedAt`,
                value: reader.uint64()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface RevocationDeviceIdFieldEvent {
    field: '$.deviceId'
    value: string
  }

  export interface RevocationRevokedAtFieldEvent {
    field: '$.revokedAt'
    value: bigint
  }

  export function encode (obj: Partial<Revocation>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Revocation.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Revocation>): Revocation {
    return decodeMessage(buf, Revocation.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Revocation>): Generator<RevocationDeviceIdFieldEvent | RevocationRevokedAtFieldEvent> {
    return streamMessage(buf, Revocation.codec(), opts)
  }
}

export interface RevocationListBody {
  networkId: string
  sequence: bigint
  issuedAt: bigint
  revocations: Revocation[]
}

export namespace RevocationListBody {
  let _codec: Codec<RevocationListBody>

  export const codec = (): Codec<RevocationListBody> => {
    if (_codec == null) {
      _codec = message<RevocationListBody>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.networkId != null && obj.networkId !== '')) {
          w.uint32(10)
          w.string(obj.networkId)
        }

        if ((obj.sequence != null && obj.sequence !== 0n)) {
          w.uint32(16)
          w.uint64(obj.sequence)
        }

        if ((obj.issuedAt != null && obj.issuedAt !== 0n)) {
          w.uint32(24)
          w.uint64(obj.issuedAt)
        }

        if (obj.revocations != null && obj.revocations.length > 0) {
          for (const value of obj.revocations) {
            w.uint32(34)
            Revocation.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          networkId: '',
          sequence: 0n,
          issuedAt: 0n,
          revocations: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.networkId = reader.string()
              break
            }
            case 2: {
              obj.sequence = reader.uint64()
              break
            }
            case 3: {
              obj.issuedAt = reader.uint64()
              break
            }
            case 4: {
              if (opts.limits?.revocations != null && obj.revocations.length === opts.limits.revocations) {
                throw new MaxLengthError('Decode error - repeated field "revocations" had too many elements')
              }

              obj.revocations.push(Revocation.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.revocations$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          revocations: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.networkId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.sequence`,
                value: reader.uint64()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.issuedAt`,
                value: reader.uint64()
              }
              break
            }
            case 4: {
              if (opts.limits?.revocations != null && obj.revocations === opts.limits.revocations) {
                throw new MaxLengthError('Streaming decode error - repeated field "revocations" had too many elements')
              }

              for (const evt of Revocation.codec().stream(reader, reader.uint32(), `${prefix}.revocations[]`, {
                limits: opts.limits?.revocations$
              })) {
                yield {
                  ...evt,
                  index: obj.revocations
                }
              }

              obj.revocations++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface RevocationListBodyNetworkIdFieldEvent {
    field: '$.networkId'
    value: string
  }

  export interface RevocationListBodySequenceFieldEvent {
    field: '$.sequence'
    value: bigint
  }

  export interface RevocationListBodyIssuedAtFieldEvent {
    field: '$.issuedAt'
    value: bigint
  }

  export interface RevocationListBodyRevocationsDeviceIdFieldEvent {
    field: '$.revocations[].deviceId'
    value: string
    index: number
  }

  export interface RevocationListBodyRevocationsRevokedAtFieldEvent {
    field: '$.revocations[].revokedAt'
    value: bigint
    index: number
  }

  export function encode (obj: Partial<RevocationListBody>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RevocationListBody.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RevocationListBody>): RevocationListBody {
    return decodeMessage(buf, RevocationListBody.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RevocationListBody>): Generator<RevocationListBodyNetworkIdFieldEvent | RevocationListBodySequenceFieldEvent | RevocationListBodyIssuedAtFieldEvent | RevocationListBodyRevocationsDeviceIdFieldEvent | RevocationListBodyRevocationsRevokedAtFieldEvent> {
    return streamMessage(buf, RevocationListBody.codec(), opts)
  }
}

export interface RevocationEntry {
  deviceId: string
  revokedAt: bigint
  by: number
}

export namespace RevocationEntry {
  let _codec: Codec<RevocationEntry>

  export const codec = (): Codec<RevocationEntry> => {
    if (_codec == null) {
      _codec = message<RevocationEntry>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.deviceId != null && obj.deviceId !== '')) {
          w.uint32(10)
          w.string(obj.deviceId)
        }

        if ((obj.revokedAt != null && obj.revokedAt !== 0n)) {
          w.uint32(16)
          w.uint64(obj.revokedAt)
        }

        if ((obj.by != null && obj.by !== 0)) {
          w.uint32(24)
          w.uint32(obj.by)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          deviceId: '',
          revokedAt: 0n,
          by: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.deviceId = reader.string()
              break
            }
            case 2: {
              obj.revokedAt = reader.uint64()
              break
            }
            case 3: {
              obj.by = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.deviceId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.revokedAt`,
                value: reader.uint64()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.by`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface RevocationEntryDeviceIdFieldEvent {
    field: '$.deviceId'
    value: string
  }

  export interface RevocationEntryRevokedAtFieldEvent {
    field: '$.revokedAt'
    value: bigint
  }

  export interface RevocationEntryByFieldEvent {
    field: '$.by'
    value: number
  }

  export function encode (obj: Partial<RevocationEntry>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RevocationEntry.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RevocationEntry>): RevocationEntry {
    return decodeMessage(buf, RevocationEntry.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RevocationEntry>): Generator<RevocationEntryDeviceIdFieldEvent | RevocationEntryRevokedAtFieldEvent | RevocationEntryByFieldEvent> {
    return streamMessage(buf, RevocationEntry.codec(), opts)
  }
}

export interface RevocationListV2Body {
  networkId: string
  sequence: bigint
  issuedAt: bigint
  revocations: RevocationEntry[]
}

export namespace RevocationListV2Body {
  let _codec: Codec<RevocationListV2Body>

  export const codec = (): Codec<RevocationListV2Body> => {
    if (_codec == null) {
      _codec = message<RevocationListV2Body>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.networkId != null && obj.networkId !== '')) {
          w.uint32(10)
          w.string(obj.networkId)
        }

        if ((obj.sequence != null && obj.sequence !== 0n)) {
          w.uint32(16)
          w.uint64(obj.sequence)
        }

        if ((obj.issuedAt != null && obj.issuedAt !== 0n)) {
          w.uint32(24)
          w.uint64(obj.issuedAt)
        }

        if (obj.revocations != null && obj.revocations.length > 0) {
          for (const value of obj.revocations) {
            w.uint32(34)
            RevocationEntry.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          networkId: '',
          sequence: 0n,
          issuedAt: 0n,
          revocations: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.networkId = reader.string()
              break
            }
            case 2: {
              obj.sequence = reader.uint64()
              break
            }
            case 3: {
              obj.issuedAt = reader.uint64()
              break
            }
            case 4: {
              if (opts.limits?.revocations != null && obj.revocations.length === opts.limits.revocations) {
                throw new MaxLengthError('Decode error - repeated field "revocations" had too many elements')
              }

              obj.revocations.push(RevocationEntry.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.revocations$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          revocations: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.networkId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.sequence`,
                value: reader.uint64()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.issuedAt`,
                value: reader.uint64()
              }
              break
            }
            case 4: {
              if (opts.limits?.revocations != null && obj.revocations === opts.limits.revocations) {
                throw new MaxLengthError('Streaming decode error - repeated field "revocations" had too many elements')
              }

              for (const evt of RevocationEntry.codec().stream(reader, reader.uint32(), `${prefix}.revocations[]`, {
                limits: opts.limits?.revocations$
              })) {
                yield {
                  ...evt,
                  index: obj.revocations
                }
              }

              obj.revocations++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface RevocationListV2BodyNetworkIdFieldEvent {
    field: '$.networkId'
    value: string
  }

  export interface RevocationListV2BodySequenceFieldEvent {
    field: '$.sequence'
    value: bigint
  }

  export interface RevocationListV2BodyIssuedAtFieldEvent {
    field: '$.issuedAt'
    value: bigint
  }

  export interface RevocationListV2BodyRevocationsDeviceIdFieldEvent {
    field: '$.revocations[].deviceId'
    value: string
    index: number
  }

  export interface RevocationListV2BodyRevocationsRevokedAtFieldEvent {
    field: '$.revocations[].revokedAt'
    value: bigint
    index: number
  }

  export interface RevocationListV2BodyRevocationsByFieldEvent {
    field: '$.revocations[].by'
    value: number
    index: number
  }

  export function encode (obj: Partial<RevocationListV2Body>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RevocationListV2Body.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RevocationListV2Body>): RevocationListV2Body {
    return decodeMessage(buf, RevocationListV2Body.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RevocationListV2Body>): Generator<RevocationListV2BodyNetworkIdFieldEvent | RevocationListV2BodySequenceFieldEvent | RevocationListV2BodyIssuedAtFieldEvent | RevocationListV2BodyRevocationsDeviceIdFieldEvent | RevocationListV2BodyRevocationsRevokedAtFieldEvent | RevocationListV2BodyRevocationsByFieldEvent> {
    return streamMessage(buf, RevocationListV2Body.codec(), opts)
  }
}

export interface RevocationsRequest {
  sequence: bigint
}

export namespace RevocationsRequest {
  let _codec: Codec<RevocationsRequest>

  export const codec = (): Codec<RevocationsRequest> => {
    if (_codec == null) {
      _codec = message<RevocationsRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.sequence != null && obj.sequence !== 0n)) {
          w.uint32(8)
          w.uint64(obj.sequence)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          sequence: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.sequence = reader.uint64()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.sequence`,
                value: reader.uint64()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface RevocationsRequestSequenceFieldEvent {
    field: '$.sequence'
    value: bigint
  }

  export function encode (obj: Partial<RevocationsRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RevocationsRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RevocationsRequest>): RevocationsRequest {
    return decodeMessage(buf, RevocationsRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RevocationsRequest>): Generator<RevocationsRequestSequenceFieldEvent> {
    return streamMessage(buf, RevocationsRequest.codec(), opts)
  }
}

export interface RevocationsResponse {
  list: Uint8Array<ArrayBuffer>
}

export namespace RevocationsResponse {
  let _codec: Codec<RevocationsResponse>

  export const codec = (): Codec<RevocationsResponse> => {
    if (_codec == null) {
      _codec = message<RevocationsResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.list != null && obj.list.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.list)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          list: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.list = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.list`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface RevocationsResponseListFieldEvent {
    field: '$.list'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<RevocationsResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RevocationsResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RevocationsResponse>): RevocationsResponse {
    return decodeMessage(buf, RevocationsResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RevocationsResponse>): Generator<RevocationsResponseListFieldEvent> {
    return streamMessage(buf, RevocationsResponse.codec(), opts)
  }
}

export interface SupernodeGrant {
  username: string
  grantedAt: bigint
}

export namespace SupernodeGrant {
  let _codec: Codec<SupernodeGrant>

  export const codec = (): Codec<SupernodeGrant> => {
    if (_codec == null) {
      _codec = message<SupernodeGrant>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.username != null && obj.username !== '')) {
          w.uint32(10)
          w.string(obj.username)
        }

        if ((obj.grantedAt != null && obj.grantedAt !== 0n)) {
          w.uint32(16)
          w.uint64(obj.grantedAt)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          username: '',
          grantedAt: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.username = reader.string()
              break
            }
            case 2: {
              obj.grantedAt = reader.uint64()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.username`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.grantedAt`,
                value: reader.uint64()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SupernodeGrantUsernameFieldEvent {
    field: '$.username'
    value: string
  }

  export interface SupernodeGrantGrantedAtFieldEvent {
    field: '$.grantedAt'
    value: bigint
  }

  export function encode (obj: Partial<SupernodeGrant>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SupernodeGrant.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SupernodeGrant>): SupernodeGrant {
    return decodeMessage(buf, SupernodeGrant.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SupernodeGrant>): Generator<SupernodeGrantUsernameFieldEvent | SupernodeGrantGrantedAtFieldEvent> {
    return streamMessage(buf, SupernodeGrant.codec(), opts)
  }
}

export interface SupernodeGrantListBody {
  networkId: string
  sequence: bigint
  issuedAt: bigint
  grants: SupernodeGrant[]
}

export namespace SupernodeGrantListBody {
  let _codec: Codec<SupernodeGrantListBody>

  export const codec = (): Codec<SupernodeGrantListBody> => {
    if (_codec == null) {
      _codec = message<SupernodeGrantListBody>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.networkId != null && obj.networkId !== '')) {
          w.uint32(10)
          w.string(obj.networkId)
        }

        if ((obj.sequence != null && obj.sequence !== 0n)) {
          w.uint32(16)
          w.uint64(obj.sequence)
        }

        if ((obj.issuedAt != null && obj.issuedAt !== 0n)) {
          w.uint32(24)
          w.uint64(obj.issuedAt)
        }

        if (obj.grants != null && obj.grants.length > 0) {
          for (const value of obj.grants) {
            w.uint32(34)
            SupernodeGrant.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          networkId: '',
          sequence: 0n,
          issuedAt: 0n,
          grants: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.networkId = reader.string()
              break
            }
            case 2: {
              obj.sequence = reader.uint64()
              break
            }
            case 3: {
              obj.issuedAt = reader.uint64()
              break
            }
            case 4: {
              if (opts.limits?.grants != null && obj.grants.length === opts.limits.grants) {
                throw new MaxLengthError('Decode error - repeated field "grants" had too many elements')
              }

              obj.grants.push(SupernodeGrant.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.grants$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          grants: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.networkId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.sequence`,
                value: reader.uint64()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.issuedAt`,
                value: reader.uint64()
              }
              break
            }
            case 4: {
              if (opts.limits?.grants != null && obj.grants === opts.limits.grants) {
                throw new MaxLengthError('Streaming decode error - repeated field "grants" had too many elements')
              }

              for (const evt of SupernodeGrant.codec().stream(reader, reader.uint32(), `${prefix}.grants[]`, {
                limits: opts.limits?.grants$
              })) {
                yield {
                  ...evt,
                  index: obj.grants
                }
              }

              obj.grants++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SupernodeGrantListBodyNetworkIdFieldEvent {
    field: '$.networkId'
    value: string
  }

  export interface SupernodeGrantListBodySequenceFieldEvent {
    field: '$.sequence'
    value: bigint
  }

  export interface SupernodeGrantListBodyIssuedAtFieldEvent {
    field: '$.issuedAt'
    value: bigint
  }

  export interface SupernodeGrantListBodyGrantsUsernameFieldEvent {
    field: '$.grants[].username'
    value: string
    index: number
  }

  export interface SupernodeGrantListBodyGrantsGrantedAtFieldEvent {
    field: '$.grants[].grantedAt'
    value: bigint
    index: number
  }

  export function encode (obj: Partial<SupernodeGrantListBody>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SupernodeGrantListBody.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SupernodeGrantListBody>): SupernodeGrantListBody {
    return decodeMessage(buf, SupernodeGrantListBody.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SupernodeGrantListBody>): Generator<SupernodeGrantListBodyNetworkIdFieldEvent | SupernodeGrantListBodySequenceFieldEvent | SupernodeGrantListBodyIssuedAtFieldEvent | SupernodeGrantListBodyGrantsUsernameFieldEvent | SupernodeGrantListBodyGrantsGrantedAtFieldEvent> {
    return streamMessage(buf, SupernodeGrantListBody.codec(), opts)
  }
}

export interface SupernodeGrantV2 {
  username: string
  grantedAt: bigint
  seat: Uint8Array<ArrayBuffer>
  places: number
}

export namespace SupernodeGrantV2 {
  let _codec: Codec<SupernodeGrantV2>

  export const codec = (): Codec<SupernodeGrantV2> => {
    if (_codec == null) {
      _codec = message<SupernodeGrantV2>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.username != null && obj.username !== '')) {
          w.uint32(10)
          w.string(obj.username)
        }

        if ((obj.grantedAt != null && obj.grantedAt !== 0n)) {
          w.uint32(16)
          w.uint64(obj.grantedAt)
        }

        if ((obj.seat != null && obj.seat.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.seat)
        }

        if ((obj.places != null && obj.places !== 0)) {
          w.uint32(32)
          w.uint32(obj.places)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          username: '',
          grantedAt: 0n,
          seat: uint8ArrayAlloc(0),
          places: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.username = reader.string()
              break
            }
            case 2: {
              obj.grantedAt = reader.uint64()
              break
            }
            case 3: {
              obj.seat = reader.bytes()
              break
            }
            case 4: {
              obj.places = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.username`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.grantedAt`,
                value: reader.uint64()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.seat`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.places`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SupernodeGrantV2UsernameFieldEvent {
    field: '$.username'
    value: string
  }

  export interface SupernodeGrantV2GrantedAtFieldEvent {
    field: '$.grantedAt'
    value: bigint
  }

  export interface SupernodeGrantV2SeatFieldEvent {
    field: '$.seat'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SupernodeGrantV2PlacesFieldEvent {
    field: '$.places'
    value: number
  }

  export function encode (obj: Partial<SupernodeGrantV2>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SupernodeGrantV2.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SupernodeGrantV2>): SupernodeGrantV2 {
    return decodeMessage(buf, SupernodeGrantV2.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SupernodeGrantV2>): Generator<SupernodeGrantV2UsernameFieldEvent | SupernodeGrantV2GrantedAtFieldEvent | SupernodeGrantV2SeatFieldEvent | SupernodeGrantV2PlacesFieldEvent> {
    return streamMessage(buf, SupernodeGrantV2.codec(), opts)
  }
}

export interface SupernodeGrantListV2Body {
  networkId: string
  sequence: bigint
  issuedAt: bigint
  grants: SupernodeGrantV2[]
}

export namespace SupernodeGrantListV2Body {
  let _codec: Codec<SupernodeGrantListV2Body>

  export const codec = (): Codec<SupernodeGrantListV2Body> => {
    if (_codec == null) {
      _codec = message<SupernodeGrantListV2Body>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.networkId != null && obj.networkId !== '')) {
          w.uint32(10)
          w.string(obj.networkId)
        }

        if ((obj.sequence != null && obj.sequence !== 0n)) {
          w.uint32(16)
          w.uint64(obj.sequence)
        }

        if ((obj.issuedAt != null && obj.issuedAt !== 0n)) {
          w.uint32(24)
          w.uint64(obj.issuedAt)
        }

        if (obj.grants != null && obj.grants.length > 0) {
          for (const value of obj.grants) {
            w.uint32(34)
            SupernodeGrantV2.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          networkId: '',
          sequence: 0n,
          issuedAt: 0n,
          grants: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.networkId = reader.string()
              break
            }
            case 2: {
              obj.sequence = reader.uint64()
              break
            }
            case 3: {
              obj.issuedAt = reader.uint64()
              break
            }
            case 4: {
              if (opts.limits?.grants != null && obj.grants.length === opts.limits.grants) {
                throw new MaxLengthError('Decode error - repeated field "grants" had too many elements')
              }

              obj.grants.push(SupernodeGrantV2.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.grants$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          grants: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.networkId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.sequence`,
                value: reader.uint64()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.issuedAt`,
                value: reader.uint64()
              }
              break
            }
            case 4: {
              if (opts.limits?.grants != null && obj.grants === opts.limits.grants) {
                throw new MaxLengthError('Streaming decode error - repeated field "grants" had too many elements')
              }

              for (const evt of SupernodeGrantV2.codec().stream(reader, reader.uint32(), `${prefix}.grants[]`, {
                limits: opts.limits?.grants$
              })) {
                yield {
                  ...evt,
                  index: obj.grants
                }
              }

              obj.grants++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SupernodeGrantListV2BodyNetworkIdFieldEvent {
    field: '$.networkId'
    value: string
  }

  export interface SupernodeGrantListV2BodySequenceFieldEvent {
    field: '$.sequence'
    value: bigint
  }

  export interface SupernodeGrantListV2BodyIssuedAtFieldEvent {
    field: '$.issuedAt'
    value: bigint
  }

  export interface SupernodeGrantListV2BodyGrantsUsernameFieldEvent {
    field: '$.grants[].username'
    value: string
    index: number
  }

  export interface SupernodeGrantListV2BodyGrantsGrantedAtFieldEvent {
    field: '$.grants[].grantedAt'
    value: bigint
    index: number
  }

  export interface SupernodeGrantListV2BodyGrantsSeatFieldEvent {
    field: '$.grants[].seat'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SupernodeGrantListV2BodyGrantsPlacesFieldEvent {
    field: '$.grants[].places'
    value: number
    index: number
  }

  export function encode (obj: Partial<SupernodeGrantListV2Body>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SupernodeGrantListV2Body.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SupernodeGrantListV2Body>): SupernodeGrantListV2Body {
    return decodeMessage(buf, SupernodeGrantListV2Body.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SupernodeGrantListV2Body>): Generator<SupernodeGrantListV2BodyNetworkIdFieldEvent | SupernodeGrantListV2BodySequenceFieldEvent | SupernodeGrantListV2BodyIssuedAtFieldEvent | SupernodeGrantListV2BodyGrantsUsernameFieldEvent | SupernodeGrantListV2BodyGrantsGrantedAtFieldEvent | SupernodeGrantListV2BodyGrantsSeatFieldEvent | SupernodeGrantListV2BodyGrantsPlacesFieldEvent> {
    return streamMessage(buf, SupernodeGrantListV2Body.codec(), opts)
  }
}

export interface SignInProof {
  networkId: string
  challenge: Uint8Array<ArrayBuffer>
  username: string
  devicePublicKey: Uint8Array<ArrayBuffer>
}

export namespace SignInProof {
  let _codec: Codec<SignInProof>

  export const codec = (): Codec<SignInProof> => {
    if (_codec == null) {
      _codec = message<SignInProof>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.networkId != null && obj.networkId !== '')) {
          w.uint32(10)
          w.string(obj.networkId)
        }

        if ((obj.challenge != null && obj.challenge.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.challenge)
        }

        if ((obj.username != null && obj.username !== '')) {
          w.uint32(26)
          w.string(obj.username)
        }

        if ((obj.devicePublicKey != null && obj.devicePublicKey.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.devicePublicKey)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          networkId: '',
          challenge: uint8ArrayAlloc(0),
          username: '',
          devicePublicKey: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.networkId = reader.string()
              break
            }
            case 2: {
              obj.challenge = reader.bytes()
              break
            }
            case 3: {
              obj.username = reader.string()
              break
            }
            case 4: {
              obj.devicePublicKey = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.networkId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.challenge`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.username`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.devicePublicKey`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SignInProofNetworkIdFieldEvent {
    field: '$.networkId'
    value: string
  }

  export interface SignInProofChallengeFieldEvent {
    field: '$.challenge'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SignInProofUsernameFieldEvent {
    field: '$.username'
    value: string
  }

  export interface SignInProofDevicePublicKeyFieldEvent {
    field: '$.devicePublicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SignInProof>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SignInProof.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignInProof>): SignInProof {
    return decodeMessage(buf, SignInProof.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignInProof>): Generator<SignInProofNetworkIdFieldEvent | SignInProofChallengeFieldEvent | SignInProofUsernameFieldEvent | SignInProofDevicePublicKeyFieldEvent> {
    return streamMessage(buf, SignInProof.codec(), opts)
  }
}

export enum PresenceStatus {
  OFFLINE = 'OFFLINE',
  ONLINE = 'ONLINE',
  AWAY = 'AWAY',
  DO_NOT_DISTURB = 'DO_NOT_DISTURB'
}

enum __PresenceStatusValues {
  OFFLINE = 0,
  ONLINE = 1,
  AWAY = 2,
  DO_NOT_DISTURB = 3
}

export namespace PresenceStatus {
  export const codec = (): Codec<PresenceStatus> => {
    return enumeration<PresenceStatus>(__PresenceStatusValues)
  }
}

export interface PresenceRecord {
  certificate: Uint8Array<ArrayBuffer>
  addrs: string[]
  status: PresenceStatus
  sequence: bigint
  expiresAt: bigint
}

export namespace PresenceRecord {
  let _codec: Codec<PresenceRecord>

  export const codec = (): Codec<PresenceRecord> => {
    if (_codec == null) {
      _codec = message<PresenceRecord>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.certificate != null && obj.certificate.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.certificate)
        }

        if (obj.addrs != null && obj.addrs.length > 0) {
          for (const value of obj.addrs) {
            w.uint32(18)
            w.string(value)
          }
        }

        if (obj.status != null && __PresenceStatusValues[obj.status] !== 0) {
          w.uint32(24)
          PresenceStatus.codec().encode(obj.status, w)
        }

        if ((obj.sequence != null && obj.sequence !== 0n)) {
          w.uint32(32)
          w.uint64(obj.sequence)
        }

        if ((obj.expiresAt != null && obj.expiresAt !== 0n)) {
          w.uint32(40)
          w.uint64(obj.expiresAt)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          certificate: uint8ArrayAlloc(0),
          addrs: [],
          status: PresenceStatus.OFFLINE,
          sequence: 0n,
          expiresAt: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.certificate = reader.bytes()
              break
            }
            case 2: {
              if (opts.limits?.addrs != null && obj.addrs.length === opts.limits.addrs) {
                throw new MaxLengthError('Decode error - repeated field "addrs" had too many elements')
              }

              obj.addrs.push(reader.string())
              break
            }
            case 3: {
              obj.status = PresenceStatus.codec().decode(reader)
              break
            }
            case 4: {
              obj.sequence = reader.uint64()
              break
            }
            case 5: {
              obj.expiresAt = reader.uint64()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          addrs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.certificate`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              if (opts.limits?.addrs != null && obj.addrs === opts.limits.addrs) {
                throw new MaxLengthError('Streaming decode error - repeated field "addrs" had too many elements')
              }

              yield {
                field: `${prefix}.addrs[]`,
                index: obj.addrs,
                value: reader.string()
              }

              obj.addrs++

              break
            }
            case 3: {
              yield {
                field: `${prefix}.status`,
                value: PresenceStatus.codec().decode(reader)
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.sequence`,
                value: reader.uint64()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.expiresAt`,
                value: reader.uint64()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface PresenceRecordCertificateFieldEvent {
    field: '$.certificate'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PresenceRecordAddrsFieldEvent {
    field: '$.addrs[]'
    index: number
    value: string
  }

  export interface PresenceRecordStatusFieldEvent {
    field: '$.status'
    value: PresenceStatus
  }

  export interface PresenceRecordSequenceFieldEvent {
    field: '$.sequence'
    value: bigint
  }

  export interface PresenceRecordExpiresAtFieldEvent {
    field: '$.expiresAt'
    value: bigint
  }

  export function encode (obj: Partial<PresenceRecord>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PresenceRecord.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PresenceRecord>): PresenceRecord {
    return decodeMessage(buf, PresenceRecord.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PresenceRecord>): Generator<PresenceRecordCertificateFieldEvent | PresenceRecordAddrsFieldEvent | PresenceRecordStatusFieldEvent | PresenceRecordSequenceFieldEvent | PresenceRecordExpiresAtFieldEvent> {
    return streamMessage(buf, PresenceRecord.codec(), opts)
  }
}

export interface Announcement {
  certificate: Uint8Array<ArrayBuffer>
  addrs: string[]
  capacity: number
  load: number
  version: string
  incarnation: bigint
  metricsUrl: string
}

export namespace Announcement {
  let _codec: Codec<Announcement>

  export const codec = (): Codec<Announcement> => {
    if (_codec == null) {
      _codec = message<Announcement>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.certificate != null && obj.certificate.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.certificate)
        }

        if (obj.addrs != null && obj.addrs.length > 0) {
          for (const value of obj.addrs) {
            w.uint32(18)
            w.string(value)
          }
        }

        if ((obj.capacity != null && obj.capacity !== 0)) {
          w.uint32(24)
          w.uint32(obj.capacity)
        }

        if ((obj.load != null && obj.load !== 0)) {
          w.uint32(32)
          w.uint32(obj.load)
        }

        if ((obj.version != null && obj.version !== '')) {
          w.uint32(42)
          w.string(obj.version)
        }

        if ((obj.incarnation != null && obj.incarnation !== 0n)) {
          w.uint32(48)
          w.uint64(obj.incarnation)
        }

        if ((obj.metricsUrl != null && obj.metricsUrl !== '')) {
          w.uint32(58)
          w.string(obj.metricsUrl)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          certificate: uint8ArrayAlloc(0),
          addrs: [],
          capacity: 0,
          load: 0,
          version: '',
          incarnation: 0n,
          metricsUrl: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.certificate = reader.bytes()
              break
            }
            case 2: {
              if (opts.limits?.addrs != null && obj.addrs.length === opts.limits.addrs) {
                throw new MaxLengthError('Decode error - repeated field "addrs" had too many elements')
              }

              obj.addrs.push(reader.string())
              break
            }
            case 3: {
              obj.capacity = reader.uint32()
              break
            }
            case 4: {
              obj.load = reader.uint32()
              break
            }
            case 5: {
              obj.version = reader.string()
              break
            }
            case 6: {
              obj.incarnation = reader.uint64()
              break
            }
            case 7: {
              obj.metricsUrl = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          addrs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.certificate`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              if (opts.limits?.addrs != null && obj.addrs === opts.limits.addrs) {
                throw new MaxLengthError('Streaming decode error - repeated field "addrs" had too many elements')
              }

              yield {
                field: `${prefix}.addrs[]`,
                index: obj.addrs,
                value: reader.string()
              }

              obj.addrs++

              break
            }
            case 3: {
              yield {
                field: `${prefix}.capacity`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.load`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.version`,
                value: reader.string()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.incarnation`,
                value: reader.uint64()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.metricsUrl`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface AnnouncementCertificateFieldEvent {
    field: '$.certificate'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AnnouncementAddrsFieldEvent {
    field: '$.addrs[]'
    index: number
    value: string
  }

  export interface AnnouncementCapacityFieldEvent {
    field: '$.capacity'
    value: number
  }

  export interface AnnouncementLoadFieldEvent {
    field: '$.load'
    value: number
  }

  export interface AnnouncementVersionFieldEvent {
    field: '$.version'
    value: string
  }

  export interface AnnouncementIncarnationFieldEvent {
    field: '$.incarnation'
    value: bigint
  }

  export interface AnnouncementMetricsUrlFieldEvent {
    field: '$.metricsUrl'
    value: string
  }

  export function encode (obj: Partial<Announcement>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Announcement.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Announcement>): Announcement {
    return decodeMessage(buf, Announcement.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Announcement>): Generator<AnnouncementCertificateFieldEvent | AnnouncementAddrsFieldEvent | AnnouncementCapacityFieldEvent | AnnouncementLoadFieldEvent | AnnouncementVersionFieldEvent | AnnouncementIncarnationFieldEvent | AnnouncementMetricsUrlFieldEvent> {
    return streamMessage(buf, Announcement.codec(), opts)
  }
}

export interface MemberUpdate {
  peerId: string
  incarnation: bigint
  state: number
  announcement: Uint8Array<ArrayBuffer>
}

export namespace MemberUpdate {
  let _codec: Codec<MemberUpdate>

  export const codec = (): Codec<MemberUpdate> => {
    if (_codec == null) {
      _codec = message<MemberUpdate>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peerId != null && obj.peerId !== '')) {
          w.uint32(10)
          w.string(obj.peerId)
        }

        if ((obj.incarnation != null && obj.incarnation !== 0n)) {
          w.uint32(16)
          w.uint64(obj.incarnation)
        }

        if ((obj.state != null && obj.state !== 0)) {
          w.uint32(24)
          w.uint32(obj.state)
        }

        if ((obj.announcement != null && obj.announcement.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.announcement)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peerId: '',
          incarnation: 0n,
          state: 0,
          announcement: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.peerId = reader.string()
              break
            }
            case 2: {
              obj.incarnation = reader.uint64()
              break
            }
            case 3: {
              obj.state = reader.uint32()
              break
            }
            case 4: {
              obj.announcement = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.peerId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.incarnation`,
                value: reader.uint64()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.state`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.announcement`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface MemberUpdatePeerIdFieldEvent {
    field: '$.peerId'
    value: string
  }

  export interface MemberUpdateIncarnationFieldEvent {
    field: '$.incarnation'
    value: bigint
  }

  export interface MemberUpdateStateFieldEvent {
    field: '$.state'
    value: number
  }

  export interface MemberUpdateAnnouncementFieldEvent {
    field: '$.announcement'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<MemberUpdate>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MemberUpdate.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MemberUpdate>): MemberUpdate {
    return decodeMessage(buf, MemberUpdate.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MemberUpdate>): Generator<MemberUpdatePeerIdFieldEvent | MemberUpdateIncarnationFieldEvent | MemberUpdateStateFieldEvent | MemberUpdateAnnouncementFieldEvent> {
    return streamMessage(buf, MemberUpdate.codec(), opts)
  }
}

export interface MembershipMessage {
  kind: number
  seq: bigint
  target: string
  updates: MemberUpdate[]
}

export namespace MembershipMessage {
  let _codec: Codec<MembershipMessage>

  export const codec = (): Codec<MembershipMessage> => {
    if (_codec == null) {
      _codec = message<MembershipMessage>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.kind != null && obj.kind !== 0)) {
          w.uint32(8)
          w.uint32(obj.kind)
        }

        if ((obj.seq != null && obj.seq !== 0n)) {
          w.uint32(16)
          w.uint64(obj.seq)
        }

        if ((obj.target != null && obj.target !== '')) {
          w.uint32(26)
          w.string(obj.target)
        }

        if (obj.updates != null && obj.updates.length > 0) {
          for (const value of obj.updates) {
            w.uint32(34)
            MemberUpdate.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          kind: 0,
          seq: 0n,
          target: '',
          updates: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.kind = reader.uint32()
              break
            }
            case 2: {
              obj.seq = reader.uint64()
              break
            }
            case 3: {
              obj.target = reader.string()
              break
            }
            case 4: {
              if (opts.limits?.updates != null && obj.updates.length === opts.limits.updates) {
                throw new MaxLengthError('Decode error - repeated field "updates" had too many elements')
              }

              obj.updates.push(MemberUpdate.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.updates$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          updates: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.kind`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.seq`,
                value: reader.uint64()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.target`,
                value: reader.string()
              }
              break
            }
            case 4: {
              if (opts.limits?.updates != null && obj.updates === opts.limits.updates) {
                throw new MaxLengthError('Streaming decode error - repeated field "updates" had too many elements')
              }

              for (const evt of MemberUpdate.codec().stream(reader, reader.uint32(), `${prefix}.updates[]`, {
                limits: opts.limits?.updates$
              })) {
                yield {
                  ...evt,
                  index: obj.updates
                }
              }

              obj.updates++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface MembershipMessageKindFieldEvent {
    field: '$.kind'
    value: number
  }

  export interface MembershipMessageSeqFieldEvent {
    field: '$.seq'
    value: bigint
  }

  export interface MembershipMessageTargetFieldEvent {
    field: '$.target'
    value: string
  }

  export interface MembershipMessageUpdatesPeerIdFieldEvent {
    field: '$.updates[].peerId'
    value: string
    index: number
  }

  export interface MembershipMessageUpdatesIncarnationFieldEvent {
    field: '$.updates[].incarnation'
    value: bigint
    index: number
  }

  export interface MembershipMessageUpdatesStateFieldEvent {
    field: '$.updates[].state'
    value: number
    index: number
  }

  export interface MembershipMessageUpdatesAnnouncementFieldEvent {
    field: '$.updates[].announcement'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export function encode (obj: Partial<MembershipMessage>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MembershipMessage.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MembershipMessage>): MembershipMessage {
    return decodeMessage(buf, MembershipMessage.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MembershipMessage>): Generator<MembershipMessageKindFieldEvent | MembershipMessageSeqFieldEvent | MembershipMessageTargetFieldEvent | MembershipMessageUpdatesPeerIdFieldEvent | MembershipMessageUpdatesIncarnationFieldEvent | MembershipMessageUpdatesStateFieldEvent | MembershipMessageUpdatesAnnouncementFieldEvent> {
    return streamMessage(buf, MembershipMessage.codec(), opts)
  }
}

export interface AttachRequest {
  certificate: Uint8Array<ArrayBuffer>
  version: string
}

export namespace AttachRequest {
  let _codec: Codec<AttachRequest>

  export const codec = (): Codec<AttachRequest> => {
    if (_codec == null) {
      _codec = message<AttachRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.certificate != null && obj.certificate.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.certificate)
        }

        if ((obj.version != null && obj.version !== '')) {
          w.uint32(18)
          w.string(obj.version)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          certificate: uint8ArrayAlloc(0),
          version: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.certificate = reader.bytes()
              break
            }
            case 2: {
              obj.version = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.certificate`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.version`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface AttachRequestCertificateFieldEvent {
    field: '$.certificate'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AttachRequestVersionFieldEvent {
    field: '$.version'
    value: string
  }

  export function encode (obj: Partial<AttachRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AttachRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AttachRequest>): AttachRequest {
    return decodeMessage(buf, AttachRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AttachRequest>): Generator<AttachRequestCertificateFieldEvent | AttachRequestVersionFieldEvent> {
    return streamMessage(buf, AttachRequest.codec(), opts)
  }
}

export interface SupernodeHint {
  peerId: string
  addrs: string[]
  load: number
  capacity: number
  mega: boolean
}

export namespace SupernodeHint {
  let _codec: Codec<SupernodeHint>

  export const codec = (): Codec<SupernodeHint> => {
    if (_codec == null) {
      _codec = message<SupernodeHint>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peerId != null && obj.peerId !== '')) {
          w.uint32(10)
          w.string(obj.peerId)
        }

        if (obj.addrs != null && obj.addrs.length > 0) {
          for (const value of obj.addrs) {
            w.uint32(18)
            w.string(value)
          }
        }

        if ((obj.load != null && obj.load !== 0)) {
          w.uint32(24)
          w.uint32(obj.load)
        }

        if ((obj.capacity != null && obj.capacity !== 0)) {
          w.uint32(32)
          w.uint32(obj.capacity)
        }

        if ((obj.mega != null && obj.mega !== false)) {
          w.uint32(40)
          w.bool(obj.mega)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peerId: '',
          addrs: [],
          load: 0,
          capacity: 0,
          mega: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.peerId = reader.string()
              break
            }
            case 2: {
              if (opts.limits?.addrs != null && obj.addrs.length === opts.limits.addrs) {
                throw new MaxLengthError('Decode error - repeated field "addrs" had too many elements')
              }

              obj.addrs.push(reader.string())
              break
            }
            case 3: {
              obj.load = reader.uint32()
              break
            }
            case 4: {
              obj.capacity = reader.uint32()
              break
            }
            case 5: {
              obj.mega = reader.bool()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          addrs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.peerId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              if (opts.limits?.addrs != null && obj.addrs === opts.limits.addrs) {
                throw new MaxLengthError('Streaming decode error - repeated field "addrs" had too many elements')
              }

              yield {
                field: `${prefix}.addrs[]`,
                index: obj.addrs,
                value: reader.string()
              }

              obj.addrs++

              break
            }
            case 3: {
              yield {
                field: `${prefix}.load`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.capacity`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.mega`,
                value: reader.bool()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SupernodeHintPeerIdFieldEvent {
    field: '$.peerId'
    value: string
  }

  export interface SupernodeHintAddrsFieldEvent {
    field: '$.addrs[]'
    index: number
    value: string
  }

  export interface SupernodeHintLoadFieldEvent {
    field: '$.load'
    value: number
  }

  export interface SupernodeHintCapacityFieldEvent {
    field: '$.capacity'
    value: number
  }

  export interface SupernodeHintMegaFieldEvent {
    field: '$.mega'
    value: boolean
  }

  export function encode (obj: Partial<SupernodeHint>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SupernodeHint.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SupernodeHint>): SupernodeHint {
    return decodeMessage(buf, SupernodeHint.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SupernodeHint>): Generator<SupernodeHintPeerIdFieldEvent | SupernodeHintAddrsFieldEvent | SupernodeHintLoadFieldEvent | SupernodeHintCapacityFieldEvent | SupernodeHintMegaFieldEvent> {
    return streamMessage(buf, SupernodeHint.codec(), opts)
  }
}

export interface AttachResponse {
  result: number
  code: string
  message: string
  hints: SupernodeHint[]
  load: number
  capacity: number
  configSequence: bigint
}

export namespace AttachResponse {
  let _codec: Codec<AttachResponse>

  export const codec = (): Codec<AttachResponse> => {
    if (_codec == null) {
      _codec = message<AttachResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.result != null && obj.result !== 0)) {
          w.uint32(8)
          w.uint32(obj.result)
        }

        if ((obj.code != null && obj.code !== '')) {
          w.uint32(18)
          w.string(obj.code)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(26)
          w.string(obj.message)
        }

        if (obj.hints != null && obj.hints.length > 0) {
          for (const value of obj.hints) {
            w.uint32(34)
            SupernodeHint.codec().encode(value, w)
          }
        }

        if ((obj.load != null && obj.load !== 0)) {
          w.uint32(40)
          w.uint32(obj.load)
        }

        if ((obj.capacity != null && obj.capacity !== 0)) {
          w.uint32(48)
          w.uint32(obj.capacity)
        }

        if ((obj.configSequence != null && obj.configSequence !== 0n)) {
          w.uint32(56)
          w.uint64(obj.configSequence)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          result: 0,
          code: '',
          message: '',
          hints: [],
          load: 0,
          capacity: 0,
          configSequence: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.result = reader.uint32()
              break
            }
            case 2: {
              obj.code = reader.string()
              break
            }
            case 3: {
              obj.message = reader.string()
              break
            }
            case 4: {
              if (opts.limits?.hints != null && obj.hints.length === opts.limits.hints) {
                throw new MaxLengthError('Decode error - repeated field "hints" had too many elements')
              }

              obj.hints.push(SupernodeHint.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.hints$
              }))
              break
            }
            case 5: {
              obj.load = reader.uint32()
              break
            }
            case 6: {
              obj.capacity = reader.uint32()
              break
            }
            case 7: {
              obj.configSequence = reader.uint64()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          hints: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.result`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.code`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.message`,
                value: reader.string()
              }
              break
            }
            case 4: {
              if (opts.limits?.hints != null && obj.hints === opts.limits.hints) {
                throw new MaxLengthError('Streaming decode error - repeated field "hints" had too many elements')
              }

              for (const evt of SupernodeHint.codec().stream(reader, reader.uint32(), `${prefix}.hints[]`, {
                limits: opts.limits?.hints$
              })) {
                yield {
                  ...evt,
                  index: obj.hints
                }
              }

              obj.hints++

              break
            }
            case 5: {
              yield {
                field: `${prefix}.load`,
                value: reader.uint32()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.capacity`,
                value: reader.uint32()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.configSequence`,
                value: reader.uint64()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface AttachResponseResultFieldEvent {
    field: '$.result'
    value: number
  }

  export interface AttachResponseCodeFieldEvent {
    field: '$.code'
    value: string
  }

  export interface AttachResponseMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export interface AttachResponseHintsPeerIdFieldEvent {
    field: '$.hints[].peerId'
    value: string
    index: number
  }

  export interface AttachResponseHintsAddrsFieldEvent {
    field: '$.hints[].addrs[]'
    index: number
    value: string
  }

  export interface AttachResponseHintsLoadFieldEvent {
    field: '$.hints[].load'
    value: number
    index: number
  }

  export interface AttachResponseHintsCapacityFieldEvent {
    field: '$.hints[].capacity'
    value: number
    index: number
  }

  export interface AttachResponseHintsMegaFieldEvent {
    field: '$.hints[].mega'
    value: boolean
    index: number
  }

  export interface AttachResponseLoadFieldEvent {
    field: '$.load'
    value: number
  }

  export interface AttachResponseCapacityFieldEvent {
    field: '$.capacity'
    value: number
  }

  export interface AttachResponseConfigSequenceFieldEvent {
    field: '$.configSequence'
    value: bigint
  }

  export function encode (obj: Partial<AttachResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AttachResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AttachResponse>): AttachResponse {
    return decodeMessage(buf, AttachResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AttachResponse>): Generator<AttachResponseResultFieldEvent | AttachResponseCodeFieldEvent | AttachResponseMessageFieldEvent | AttachResponseHintsPeerIdFieldEvent | AttachResponseHintsAddrsFieldEvent | AttachResponseHintsLoadFieldEvent | AttachResponseHintsCapacityFieldEvent | AttachResponseHintsMegaFieldEvent | AttachResponseLoadFieldEvent | AttachResponseCapacityFieldEvent | AttachResponseConfigSequenceFieldEvent> {
    return streamMessage(buf, AttachResponse.codec(), opts)
  }
}

export interface AttachAnswer {
  result: number
  code: string
  message: string
  load: number
  capacity: number
  configSequence: bigint
  announcement: Uint8Array<ArrayBuffer>
  hints: Uint8Array<ArrayBuffer>[]
}

export namespace AttachAnswer {
  let _codec: Codec<AttachAnswer>

  export const codec = (): Codec<AttachAnswer> => {
    if (_codec == null) {
      _codec = message<AttachAnswer>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.result != null && obj.result !== 0)) {
          w.uint32(8)
          w.uint32(obj.result)
        }

        if ((obj.code != null && obj.code !== '')) {
          w.uint32(18)
          w.string(obj.code)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(26)
          w.string(obj.message)
        }

        if ((obj.load != null && obj.load !== 0)) {
          w.uint32(32)
          w.uint32(obj.load)
        }

        if ((obj.capacity != null && obj.capacity !== 0)) {
          w.uint32(40)
          w.uint32(obj.capacity)
        }

        if ((obj.configSequence != null && obj.configSequence !== 0n)) {
          w.uint32(48)
          w.uint64(obj.configSequence)
        }

        if ((obj.announcement != null && obj.announcement.byteLength > 0)) {
          w.uint32(58)
          w.bytes(obj.announcement)
        }

        if (obj.hints != null && obj.hints.length > 0) {
          for (const value of obj.hints) {
            w.uint32(66)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          result: 0,
          code: '',
          message: '',
          load: 0,
          capacity: 0,
          configSequence: 0n,
          announcement: uint8ArrayAlloc(0),
          hints: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.result = reader.uint32()
              break
            }
            case 2: {
              obj.code = reader.string()
              break
            }
            case 3: {
              obj.message = reader.string()
              break
            }
            case 4: {
              obj.load = reader.uint32()
              break
            }
            case 5: {
              obj.capacity = reader.uint32()
              break
            }
            case 6: {
              obj.configSequence = reader.uint64()
              break
            }
            case 7: {
              obj.announcement = reader.bytes()
              break
            }
            case 8: {
              if (opts.limits?.hints != null && obj.hints.length === opts.limits.hints) {
                throw new MaxLengthError('Decode error - repeated field "hints" had too many elements')
              }

              obj.hints.push(reader.bytes())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          hints: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.result`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.code`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.message`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.load`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.capacity`,
                value: reader.uint32()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.configSequence`,
                value: reader.uint64()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.announcement`,
                value: reader.bytes()
              }
              break
            }
            case 8: {
              if (opts.limits?.hints != null && obj.hints === opts.limits.hints) {
                throw new MaxLengthError('Streaming decode error - repeated field "hints" had too many elements')
              }

              yield {
                field: `${prefix}.hints[]`,
                index: obj.hints,
                value: reader.bytes()
              }

              obj.hints++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface AttachAnswerResultFieldEvent {
    field: '$.result'
    value: number
  }

  export interface AttachAnswerCodeFieldEvent {
    field: '$.code'
    value: string
  }

  export interface AttachAnswerMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export interface AttachAnswerLoadFieldEvent {
    field: '$.load'
    value: number
  }

  export interface AttachAnswerCapacityFieldEvent {
    field: '$.capacity'
    value: number
  }

  export interface AttachAnswerConfigSequenceFieldEvent {
    field: '$.configSequence'
    value: bigint
  }

  export interface AttachAnswerAnnouncementFieldEvent {
    field: '$.announcement'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AttachAnswerHintsFieldEvent {
    field: '$.hints[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<AttachAnswer>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AttachAnswer.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AttachAnswer>): AttachAnswer {
    return decodeMessage(buf, AttachAnswer.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AttachAnswer>): Generator<AttachAnswerResultFieldEvent | AttachAnswerCodeFieldEvent | AttachAnswerMessageFieldEvent | AttachAnswerLoadFieldEvent | AttachAnswerCapacityFieldEvent | AttachAnswerConfigSequenceFieldEvent | AttachAnswerAnnouncementFieldEvent | AttachAnswerHintsFieldEvent> {
    return streamMessage(buf, AttachAnswer.codec(), opts)
  }
}

export interface DirectoryRequest {
  kind: number
  records: Uint8Array<ArrayBuffer>[]
  username: string
}

export namespace DirectoryRequest {
  let _codec: Codec<DirectoryRequest>

  export const codec = (): Codec<DirectoryRequest> => {
    if (_codec == null) {
      _codec = message<DirectoryRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.kind != null && obj.kind !== 0)) {
          w.uint32(8)
          w.uint32(obj.kind)
        }

        if (obj.records != null && obj.records.length > 0) {
          for (const value of obj.records) {
            w.uint32(18)
            w.bytes(value)
          }
        }

        if ((obj.username != null && obj.username !== '')) {
          w.uint32(26)
          w.string(obj.username)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          kind: 0,
          records: [],
          username: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.kind = reader.uint32()
              break
            }
            case 2: {
              if (opts.limits?.records != null && obj.records.length === opts.limits.records) {
                throw new MaxLengthError('Decode error - repeated field "records" had too many elements')
              }

              obj.records.push(reader.bytes())
              break
            }
            case 3: {
              obj.username = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          records: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.kind`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              if (opts.limits?.records != null && obj.records === opts.limits.records) {
                throw new MaxLengthError('Streaming decode error - repeated field "records" had too many elements')
              }

              yield {
                field: `${prefix}.records[]`,
                index: obj.records,
                value: reader.bytes()
              }

              obj.records++

              break
            }
            case 3: {
              yield {
                field: `${prefix}.username`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface DirectoryRequestKindFieldEvent {
    field: '$.kind'
    value: number
  }

  export interface DirectoryRequestRecordsFieldEvent {
    field: '$.records[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface DirectoryRequestUsernameFieldEvent {
    field: '$.username'
    value: string
  }

  export function encode (obj: Partial<DirectoryRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DirectoryRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DirectoryRequest>): DirectoryRequest {
    return decodeMessage(buf, DirectoryRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DirectoryRequest>): Generator<DirectoryRequestKindFieldEvent | DirectoryRequestRecordsFieldEvent | DirectoryRequestUsernameFieldEvent> {
    return streamMessage(buf, DirectoryRequest.codec(), opts)
  }
}

export interface DirectoryResponse {
  result: number
  code: string
  message: string
  records: Uint8Array<ArrayBuffer>[]
}

export namespace DirectoryResponse {
  let _codec: Codec<DirectoryResponse>

  export const codec = (): Codec<DirectoryResponse> => {
    if (_codec == null) {
      _codec = message<DirectoryResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.result != null && obj.result !== 0)) {
          w.uint32(8)
          w.uint32(obj.result)
        }

        if ((obj.code != null && obj.code !== '')) {
          w.uint32(18)
          w.string(obj.code)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(26)
          w.string(obj.message)
        }

        if (obj.records != null && obj.records.length > 0) {
          for (const value of obj.records) {
            w.uint32(34)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          result: 0,
          code: '',
          message: '',
          records: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.result = reader.uint32()
              break
            }
            case 2: {
              obj.code = reader.string()
              break
            }
            case 3: {
              obj.message = reader.string()
              break
            }
            case 4: {
              if (opts.limits?.records != null && obj.records.length === opts.limits.records) {
                throw new MaxLengthError('Decode error - repeated field "records" had too many elements')
              }

              obj.records.push(reader.bytes())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          records: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.result`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.code`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.message`,
                value: reader.string()
              }
              break
            }
            case 4: {
              if (opts.limits?.records != null && obj.records === opts.limits.records) {
                throw new MaxLengthError('Streaming decode error - repeated field "records" had too many elements')
              }

              yield {
                field: `${prefix}.records[]`,
                index: obj.records,
                value: reader.bytes()
              }

              obj.records++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface DirectoryResponseResultFieldEvent {
    field: '$.result'
    value: number
  }

  export interface DirectoryResponseCodeFieldEvent {
    field: '$.code'
    value: string
  }

  export interface DirectoryResponseMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export interface DirectoryResponseRecordsFieldEvent {
    field: '$.records[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<DirectoryResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DirectoryResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DirectoryResponse>): DirectoryResponse {
    return decodeMessage(buf, DirectoryResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DirectoryResponse>): Generator<DirectoryResponseResultFieldEvent | DirectoryResponseCodeFieldEvent | DirectoryResponseMessageFieldEvent | DirectoryResponseRecordsFieldEvent> {
    return streamMessage(buf, DirectoryResponse.codec(), opts)
  }
}

export enum ChatKind {
  CHAT_NONE = 'CHAT_NONE',
  TEXT = 'TEXT',
  EDIT = 'EDIT',
  DELETE = 'DELETE',
  DELIVERED = 'DELIVERED',
  READ = 'READ',
  CONTACT_REQUEST = 'CONTACT_REQUEST',
  CONTACT_ACCEPT = 'CONTACT_ACCEPT',
  CONTACT_DECLINE = 'CONTACT_DECLINE',
  CONTACT_REMOVE = 'CONTACT_REMOVE',
  CONTACT_BLOCK = 'CONTACT_BLOCK',
  PRESENCE = 'PRESENCE',
  TYPING = 'TYPING',
  CALL_SIGNAL = 'CALL_SIGNAL',
  CALL_EVENT = 'CALL_EVENT',
  FILE_OFFER = 'FILE_OFFER',
  FILE_ANSWER = 'FILE_ANSWER',
  REACTION = 'REACTION',
  PROFILE = 'PROFILE'
}

enum __ChatKindValues {
  CHAT_NONE = 0,
  TEXT = 1,
  EDIT = 2,
  DELETE = 3,
  DELIVERED = 4,
  READ = 5,
  CONTACT_REQUEST = 6,
  CONTACT_ACCEPT = 7,
  CONTACT_DECLINE = 8,
  CONTACT_REMOVE = 9,
  CONTACT_BLOCK = 10,
  PRESENCE = 11,
  TYPING = 12,
  CALL_SIGNAL = 13,
  CALL_EVENT = 14,
  FILE_OFFER = 15,
  FILE_ANSWER = 16,
  REACTION = 17,
  PROFILE = 18
}

export namespace ChatKind {
  export const codec = (): Codec<ChatKind> => {
    return enumeration<ChatKind>(__ChatKindValues)
  }
}

export interface ChatEvent {
  certificate: Uint8Array<ArrayBuffer>
  id: Uint8Array<ArrayBuffer>
  kind: ChatKind
  to: string
  lamport: bigint
  sentAt: bigint
  text: string
  refs: Uint8Array<ArrayBuffer>[]
  status: PresenceStatus
}

export namespace ChatEvent {
  let _codec: Codec<ChatEvent>

  export const codec = (): Codec<ChatEvent> => {
    if (_codec == null) {
      _codec = message<ChatEvent>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.certificate != null && obj.certificate.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.certificate)
        }

        if ((obj.id != null && obj.id.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.id)
        }

        if (obj.kind != null && __ChatKindValues[obj.kind] !== 0) {
          w.uint32(24)
          ChatKind.codec().encode(obj.kind, w)
        }

        if ((obj.to != null && obj.to !== '')) {
          w.uint32(34)
          w.string(obj.to)
        }

        if ((obj.lamport != null && obj.lamport !== 0n)) {
          w.uint32(40)
          w.uint64(obj.lamport)
        }

        if ((obj.sentAt != null && obj.sentAt !== 0n)) {
          w.uint32(48)
          w.uint64(obj.sentAt)
        }

        if ((obj.text != null && obj.text !== '')) {
          w.uint32(58)
          w.string(obj.text)
        }

        if (obj.refs != null && obj.refs.length > 0) {
          for (const value of obj.refs) {
            w.uint32(66)
            w.bytes(value)
          }
        }

        if (obj.status != null && __PresenceStatusValues[obj.status] !== 0) {
          w.uint32(72)
          PresenceStatus.codec().encode(obj.status, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          certificate: uint8ArrayAlloc(0),
          id: uint8ArrayAlloc(0),
          kind: ChatKind.CHAT_NONE,
          to: '',
          lamport: 0n,
          sentAt: 0n,
          text: '',
          refs: [],
          status: PresenceStatus.OFFLINE
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.certificate = reader.bytes()
              break
            }
            case 2: {
              obj.id = reader.bytes()
              break
            }
            case 3: {
              obj.kind = ChatKind.codec().decode(reader)
              break
            }
            case 4: {
              obj.to = reader.string()
              break
            }
            case 5: {
              obj.lamport = reader.uint64()
              break
            }
            case 6: {
              obj.sentAt = reader.uint64()
              break
            }
            case 7: {
              obj.text = reader.string()
              break
            }
            case 8: {
              if (opts.limits?.refs != null && obj.refs.length === opts.limits.refs) {
                throw new MaxLengthError('Decode error - repeated field "refs" had too many elements')
              }

              obj.refs.push(reader.bytes())
              break
            }
            case 9: {
              obj.status = PresenceStatus.codec().decode(reader)
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          refs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.certificate`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.id`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.kind`,
                value: ChatKind.codec().decode(reader)
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.to`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.lamport`,
                value: reader.uint64()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.sentAt`,
                value: reader.uint64()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.text`,
                value: reader.string()
              }
              break
            }
            case 8: {
              if (opts.limits?.refs != null && obj.refs === opts.limits.refs) {
                throw new MaxLengthError('Streaming decode error - repeated field "refs" had too many elements')
              }

              yield {
                field: `${prefix}.refs[]`,
                index: obj.refs,
                value: reader.bytes()
              }

              obj.refs++

              break
            }
            case 9: {
              yield {
                field: `${prefix}.status`,
                value: PresenceStatus.codec().decode(reader)
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ChatEventCertificateFieldEvent {
    field: '$.certificate'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ChatEventIdFieldEvent {
    field: '$.id'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ChatEventKindFieldEvent {
    field: '$.kind'
    value: ChatKind
  }

  export interface ChatEventToFieldEvent {
    field: '$.to'
    value: string
  }

  export interface ChatEventLamportFieldEvent {
    field: '$.lamport'
    value: bigint
  }

  export interface ChatEventSentAtFieldEvent {
    field: '$.sentAt'
    value: bigint
  }

  export interface ChatEventTextFieldEvent {
    field: '$.text'
    value: string
  }

  export interface ChatEventRefsFieldEvent {
    field: '$.refs[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface ChatEventStatusFieldEvent {
    field: '$.status'
    value: PresenceStatus
  }

  export function encode (obj: Partial<ChatEvent>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ChatEvent.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChatEvent>): ChatEvent {
    return decodeMessage(buf, ChatEvent.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChatEvent>): Generator<ChatEventCertificateFieldEvent | ChatEventIdFieldEvent | ChatEventKindFieldEvent | ChatEventToFieldEvent | ChatEventLamportFieldEvent | ChatEventSentAtFieldEvent | ChatEventTextFieldEvent | ChatEventRefsFieldEvent | ChatEventStatusFieldEvent> {
    return streamMessage(buf, ChatEvent.codec(), opts)
  }
}

export interface BatchRoot {
  root: Uint8Array<ArrayBuffer>
  count: number
}

export namespace BatchRoot {
  let _codec: Codec<BatchRoot>

  export const codec = (): Codec<BatchRoot> => {
    if (_codec == null) {
      _codec = message<BatchRoot>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.root != null && obj.root.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.root)
        }

        if ((obj.count != null && obj.count !== 0)) {
          w.uint32(16)
          w.uint32(obj.count)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          root: uint8ArrayAlloc(0),
          count: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.root = reader.bytes()
              break
            }
            case 2: {
              obj.count = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.root`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.count`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface BatchRootRootFieldEvent {
    field: '$.root'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BatchRootCountFieldEvent {
    field: '$.count'
    value: number
  }

  export function encode (obj: Partial<BatchRoot>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, BatchRoot.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BatchRoot>): BatchRoot {
    return decodeMessage(buf, BatchRoot.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BatchRoot>): Generator<BatchRootRootFieldEvent | BatchRootCountFieldEvent> {
    return streamMessage(buf, BatchRoot.codec(), opts)
  }
}

export interface BatchSigned {
  body: Uint8Array<ArrayBuffer>
  root: Uint8Array<ArrayBuffer>
  index: number
  path: Uint8Array<ArrayBuffer>[]
}

export namespace BatchSigned {
  let _codec: Codec<BatchSigned>

  export const codec = (): Codec<BatchSigned> => {
    if (_codec == null) {
      _codec = message<BatchSigned>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.body != null && obj.body.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.body)
        }

        if ((obj.root != null && obj.root.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.root)
        }

        if ((obj.index != null && obj.index !== 0)) {
          w.uint32(32)
          w.uint32(obj.index)
        }

        if (obj.path != null && obj.path.length > 0) {
          for (const value of obj.path) {
            w.uint32(42)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          body: uint8ArrayAlloc(0),
          root: uint8ArrayAlloc(0),
          index: 0,
          path: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 2: {
              obj.body = reader.bytes()
              break
            }
            case 3: {
              obj.root = reader.bytes()
              break
            }
            case 4: {
              obj.index = reader.uint32()
              break
            }
            case 5: {
              if (opts.limits?.path != null && obj.path.length === opts.limits.path) {
                throw new MaxLengthError('Decode error - repeated field "path" had too many elements')
              }

              obj.path.push(reader.bytes())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          path: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 2: {
              yield {
                field: `${prefix}.body`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.root`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.index`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              if (opts.limits?.path != null && obj.path === opts.limits.path) {
                throw new MaxLengthError('Streaming decode error - repeated field "path" had too many elements')
              }

              yield {
                field: `${prefix}.path[]`,
                index: obj.path,
                value: reader.bytes()
              }

              obj.path++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface BatchSignedBodyFieldEvent {
    field: '$.body'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BatchSignedRootFieldEvent {
    field: '$.root'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BatchSignedIndexFieldEvent {
    field: '$.index'
    value: number
  }

  export interface BatchSignedPathFieldEvent {
    field: '$.path[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<BatchSigned>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, BatchSigned.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BatchSigned>): BatchSigned {
    return decodeMessage(buf, BatchSigned.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BatchSigned>): Generator<BatchSignedBodyFieldEvent | BatchSignedRootFieldEvent | BatchSignedIndexFieldEvent | BatchSignedPathFieldEvent> {
    return streamMessage(buf, BatchSigned.codec(), opts)
  }
}

export interface ChatPush {
  events: Uint8Array<ArrayBuffer>[]
}

export namespace ChatPush {
  let _codec: Codec<ChatPush>

  export const codec = (): Codec<ChatPush> => {
    if (_codec == null) {
      _codec = message<ChatPush>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.events != null && obj.events.length > 0) {
          for (const value of obj.events) {
            w.uint32(10)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          events: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.events != null && obj.events.length === opts.limits.events) {
                throw new MaxLengthError('Decode error - repeated field "events" had too many elements')
              }

              obj.events.push(reader.bytes())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          events: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.events != null && obj.events === opts.limits.events) {
                throw new MaxLengthError('Streaming decode error - repeated field "events" had too many elements')
              }

              yield {
                field: `${prefix}.events[]`,
                index: obj.events,
                value: reader.bytes()
              }

              obj.events++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ChatPushEventsFieldEvent {
    field: '$.events[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<ChatPush>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ChatPush.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChatPush>): ChatPush {
    return decodeMessage(buf, ChatPush.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChatPush>): Generator<ChatPushEventsFieldEvent> {
    return streamMessage(buf, ChatPush.codec(), opts)
  }
}

export interface ChatAck {
  result: number
  code: string
  message: string
  committed: Uint8Array<ArrayBuffer>[]
  refused: Uint8Array<ArrayBuffer>[]
}

export namespace ChatAck {
  let _codec: Codec<ChatAck>

  export const codec = (): Codec<ChatAck> => {
    if (_codec == null) {
      _codec = message<ChatAck>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.result != null && obj.result !== 0)) {
          w.uint32(8)
          w.uint32(obj.result)
        }

        if ((obj.code != null && obj.code !== '')) {
          w.uint32(18)
          w.string(obj.code)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(26)
          w.string(obj.message)
        }

        if (obj.committed != null && obj.committed.length > 0) {
          for (const value of obj.committed) {
            w.uint32(34)
            w.bytes(value)
          }
        }

        if (obj.refused != null && obj.refused.length > 0) {
          for (const value of obj.refused) {
            w.uint32(42)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          result: 0,
          code: '',
          message: '',
          committed: [],
          refused: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.result = reader.uint32()
              break
            }
            case 2: {
              obj.code = reader.string()
              break
            }
            case 3: {
              obj.message = reader.string()
              break
            }
            case 4: {
              if (opts.limits?.committed != null && obj.committed.length === opts.limits.committed) {
                throw new MaxLengthError('Decode error - repeated field "committed" had too many elements')
              }

              obj.committed.push(reader.bytes())
              break
            }
            case 5: {
              if (opts.limits?.refused != null && obj.refused.length === opts.limits.refused) {
                throw new MaxLengthError('Decode error - repeated field "refused" had too many elements')
              }

              obj.refused.push(reader.bytes())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          committed: 0,
          refused: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.result`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.code`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.message`,
                value: reader.string()
              }
              break
            }
            case 4: {
              if (opts.limits?.committed != null && obj.committed === opts.limits.committed) {
                throw new MaxLengthError('Streaming decode error - repeated field "committed" had too many elements')
              }

              yield {
                field: `${prefix}.committed[]`,
                index: obj.committed,
                value: reader.bytes()
              }

              obj.committed++

              break
            }
            case 5: {
              if (opts.limits?.refused != null && obj.refused === opts.limits.refused) {
                throw new MaxLengthError('Streaming decode error - repeated field "refused" had too many elements')
              }

              yield {
                field: `${prefix}.refused[]`,
                index: obj.refused,
                value: reader.bytes()
              }

              obj.refused++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ChatAckResultFieldEvent {
    field: '$.result'
    value: number
  }

  export interface ChatAckCodeFieldEvent {
    field: '$.code'
    value: string
  }

  export interface ChatAckMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export interface ChatAckCommittedFieldEvent {
    field: '$.committed[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface ChatAckRefusedFieldEvent {
    field: '$.refused[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<ChatAck>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ChatAck.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChatAck>): ChatAck {
    return decodeMessage(buf, ChatAck.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChatAck>): Generator<ChatAckResultFieldEvent | ChatAckCodeFieldEvent | ChatAckMessageFieldEvent | ChatAckCommittedFieldEvent | ChatAckRefusedFieldEvent> {
    return streamMessage(buf, ChatAck.codec(), opts)
  }
}

export interface HistoryRequest {
  certificate: Uint8Array<ArrayBuffer>
  since: bigint
  after: Uint8Array<ArrayBuffer>
  limit: number
}

export namespace HistoryRequest {
  let _codec: Codec<HistoryRequest>

  export const codec = (): Codec<HistoryRequest> => {
    if (_codec == null) {
      _codec = message<HistoryRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.certificate != null && obj.certificate.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.certificate)
        }

        if ((obj.since != null && obj.since !== 0n)) {
          w.uint32(16)
          w.uint64(obj.since)
        }

        if ((obj.after != null && obj.after.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.after)
        }

        if ((obj.limit != null && obj.limit !== 0)) {
          w.uint32(32)
          w.uint32(obj.limit)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          certificate: uint8ArrayAlloc(0),
          since: 0n,
          after: uint8ArrayAlloc(0),
          limit: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.certificate = reader.bytes()
              break
            }
            case 2: {
              obj.since = reader.uint64()
              break
            }
            case 3: {
              obj.after = reader.bytes()
              break
            }
            case 4: {
              obj.limit = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.certificate`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.since`,
                value: reader.uint64()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.after`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.limit`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface HistoryRequestCertificateFieldEvent {
    field: '$.certificate'
    value: Uint8Array<ArrayBuffer>
  }

  export interface HistoryRequestSinceFieldEvent {
    field: '$.since'
    value: bigint
  }

  export interface HistoryRequestAfterFieldEvent {
    field: '$.after'
    value: Uint8Array<ArrayBuffer>
  }

  export interface HistoryRequestLimitFieldEvent {
    field: '$.limit'
    value: number
  }

  export function encode (obj: Partial<HistoryRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, HistoryRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HistoryRequest>): HistoryRequest {
    return decodeMessage(buf, HistoryRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HistoryRequest>): Generator<HistoryRequestCertificateFieldEvent | HistoryRequestSinceFieldEvent | HistoryRequestAfterFieldEvent | HistoryRequestLimitFieldEvent> {
    return streamMessage(buf, HistoryRequest.codec(), opts)
  }
}

export interface HistoryResponse {
  result: number
  code: string
  message: string
  events: Uint8Array<ArrayBuffer>[]
  more: boolean
}

export namespace HistoryResponse {
  let _codec: Codec<HistoryResponse>

  export const codec = (): Codec<HistoryResponse> => {
    if (_codec == null) {
      _codec = message<HistoryResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.result != null && obj.result !== 0)) {
          w.uint32(8)
          w.uint32(obj.result)
        }

        if ((obj.code != null && obj.code !== '')) {
          w.uint32(18)
          w.string(obj.code)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(26)
          w.string(obj.message)
        }

        if (obj.events != null && obj.events.length > 0) {
          for (const value of obj.events) {
            w.uint32(34)
            w.bytes(value)
          }
        }

        if ((obj.more != null && obj.more !== false)) {
          w.uint32(40)
          w.bool(obj.more)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          result: 0,
          code: '',
          message: '',
          events: [],
          more: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.result = reader.uint32()
              break
            }
            case 2: {
              obj.code = reader.string()
              break
            }
            case 3: {
              obj.message = reader.string()
              break
            }
            case 4: {
              if (opts.limits?.events != null && obj.events.length === opts.limits.events) {
                throw new MaxLengthError('Decode error - repeated field "events" had too many elements')
              }

              obj.events.push(reader.bytes())
              break
            }
            case 5: {
              obj.more = reader.bool()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          events: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.result`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.code`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.message`,
                value: reader.string()
              }
              break
            }
            case 4: {
              if (opts.limits?.events != null && obj.events === opts.limits.events) {
                throw new MaxLengthError('Streaming decode error - repeated field "events" had too many elements')
              }

              yield {
                field: `${prefix}.events[]`,
                index: obj.events,
                value: reader.bytes()
              }

              obj.events++

              break
            }
            case 5: {
              yield {
                field: `${prefix}.more`,
                value: reader.bool()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface HistoryResponseResultFieldEvent {
    field: '$.result'
    value: number
  }

  export interface HistoryResponseCodeFieldEvent {
    field: '$.code'
    value: string
  }

  export interface HistoryResponseMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export interface HistoryResponseEventsFieldEvent {
    field: '$.events[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface HistoryResponseMoreFieldEvent {
    field: '$.more'
    value: boolean
  }

  export function encode (obj: Partial<HistoryResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, HistoryResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HistoryResponse>): HistoryResponse {
    return decodeMessage(buf, HistoryResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HistoryResponse>): Generator<HistoryResponseResultFieldEvent | HistoryResponseCodeFieldEvent | HistoryResponseMessageFieldEvent | HistoryResponseEventsFieldEvent | HistoryResponseMoreFieldEvent> {
    return streamMessage(buf, HistoryResponse.codec(), opts)
  }
}

export interface SealedCopy {
  deviceId: string
  ephemeral: Uint8Array<ArrayBuffer>
  wrapped: Uint8Array<ArrayBuffer>
}

export namespace SealedCopy {
  let _codec: Codec<SealedCopy>

  export const codec = (): Codec<SealedCopy> => {
    if (_codec == null) {
      _codec = message<SealedCopy>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.deviceId != null && obj.deviceId !== '')) {
          w.uint32(10)
          w.string(obj.deviceId)
        }

        if ((obj.ephemeral != null && obj.ephemeral.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.ephemeral)
        }

        if ((obj.wrapped != null && obj.wrapped.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.wrapped)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          deviceId: '',
          ephemeral: uint8ArrayAlloc(0),
          wrapped: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.deviceId = reader.string()
              break
            }
            case 2: {
              obj.ephemeral = reader.bytes()
              break
            }
            case 3: {
              obj.wrapped = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.deviceId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.ephemeral`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.wrapped`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SealedCopyDeviceIdFieldEvent {
    field: '$.deviceId'
    value: string
  }

  export interface SealedCopyEphemeralFieldEvent {
    field: '$.ephemeral'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SealedCopyWrappedFieldEvent {
    field: '$.wrapped'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SealedCopy>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SealedCopy.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SealedCopy>): SealedCopy {
    return decodeMessage(buf, SealedCopy.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SealedCopy>): Generator<SealedCopyDeviceIdFieldEvent | SealedCopyEphemeralFieldEvent | SealedCopyWrappedFieldEvent> {
    return streamMessage(buf, SealedCopy.codec(), opts)
  }
}

export interface SealedItem {
  id: Uint8Array<ArrayBuffer>
  recipient: string
  sender: string
  storedAt: bigint
  nonce: Uint8Array<ArrayBuffer>
  ciphertext: Uint8Array<ArrayBuffer>
  copies: SealedCopy[]
  deposit: Uint8Array<ArrayBuffer>
}

export namespace SealedItem {
  let _codec: Codec<SealedItem>

  export const codec = (): Codec<SealedItem> => {
    if (_codec == null) {
      _codec = message<SealedItem>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.id)
        }

        if ((obj.recipient != null && obj.recipient !== '')) {
          w.uint32(18)
          w.string(obj.recipient)
        }

        if ((obj.sender != null && obj.sender !== '')) {
          w.uint32(26)
          w.string(obj.sender)
        }

        if ((obj.storedAt != null && obj.storedAt !== 0n)) {
          w.uint32(32)
          w.uint64(obj.storedAt)
        }

        if ((obj.nonce != null && obj.nonce.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.nonce)
        }

        if ((obj.ciphertext != null && obj.ciphertext.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.ciphertext)
        }

        if (obj.copies != null && obj.copies.length > 0) {
          for (const value of obj.copies) {
            w.uint32(58)
            SealedCopy.codec().encode(value, w)
          }
        }

        if ((obj.deposit != null && obj.deposit.byteLength > 0)) {
          w.uint32(66)
          w.bytes(obj.deposit)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: uint8ArrayAlloc(0),
          recipient: '',
          sender: '',
          storedAt: 0n,
          nonce: uint8ArrayAlloc(0),
          ciphertext: uint8ArrayAlloc(0),
          copies: [],
          deposit: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.bytes()
              break
            }
            case 2: {
              obj.recipient = reader.string()
              break
            }
            case 3: {
              obj.sender = reader.string()
              break
            }
            case 4: {
              obj.storedAt = reader.uint64()
              break
            }
            case 5: {
              obj.nonce = reader.bytes()
              break
            }
            case 6: {
              obj.ciphertext = reader.bytes()
              break
            }
            case 7: {
              if (opts.limits?.copies != null && obj.copies.length === opts.limits.copies) {
                throw new MaxLengthError('Decode error - repeated field "copies" had too many elements')
              }

              obj.copies.push(SealedCopy.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.copies$
              }))
              break
            }
            case 8: {
              obj.deposit = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          copies: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.id`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.recipient`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.sender`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.storedAt`,
                value: reader.uint64()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.nonce`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.ciphertext`,
                value: reader.bytes()
              }
              break
            }
            case 7: {
              if (opts.limits?.copies != null && obj.copies === opts.limits.copies) {
                throw new MaxLengthError('Streaming decode error - repeated field "copies" had too many elements')
              }

              for (const evt of SealedCopy.codec().stream(reader, reader.uint32(), `${prefix}.copies[]`, {
                limits: opts.limits?.copies$
              })) {
                yield {
                  ...evt,
                  index: obj.copies
                }
              }

              obj.copies++

              break
            }
            case 8: {
              yield {
                field: `${prefix}.deposit`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SealedItemIdFieldEvent {
    field: '$.id'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SealedItemRecipientFieldEvent {
    field: '$.recipient'
    value: string
  }

  export interface SealedItemSenderFieldEvent {
    field: '$.sender'
    value: string
  }

  export interface SealedItemStoredAtFieldEvent {
    field: '$.storedAt'
    value: bigint
  }

  export interface SealedItemNonceFieldEvent {
    field: '$.nonce'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SealedItemCiphertextFieldEvent {
    field: '$.ciphertext'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SealedItemCopiesDeviceIdFieldEvent {
    field: '$.copies[].deviceId'
    value: string
    index: number
  }

  export interface SealedItemCopiesEphemeralFieldEvent {
    field: '$.copies[].ephemeral'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SealedItemCopiesWrappedFieldEvent {
    field: '$.copies[].wrapped'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SealedItemDepositFieldEvent {
    field: '$.deposit'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SealedItem>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SealedItem.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SealedItem>): SealedItem {
    return decodeMessage(buf, SealedItem.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SealedItem>): Generator<SealedItemIdFieldEvent | SealedItemRecipientFieldEvent | SealedItemSenderFieldEvent | SealedItemStoredAtFieldEvent | SealedItemNonceFieldEvent | SealedItemCiphertextFieldEvent | SealedItemCopiesDeviceIdFieldEvent | SealedItemCopiesEphemeralFieldEvent | SealedItemCopiesWrappedFieldEvent | SealedItemDepositFieldEvent> {
    return streamMessage(buf, SealedItem.codec(), opts)
  }
}

export interface OfflineDepositBody {
  certificate: Uint8Array<ArrayBuffer>
  id: Uint8Array<ArrayBuffer>
  recipient: string
  contentDigest: Uint8Array<ArrayBuffer>
  copyDigests: Uint8Array<ArrayBuffer>[]
}

export namespace OfflineDepositBody {
  let _codec: Codec<OfflineDepositBody>

  export const codec = (): Codec<OfflineDepositBody> => {
    if (_codec == null) {
      _codec = message<OfflineDepositBody>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.certificate != null && obj.certificate.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.certificate)
        }

        if ((obj.id != null && obj.id.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.id)
        }

        if ((obj.recipient != null && obj.recipient !== '')) {
          w.uint32(26)
          w.string(obj.recipient)
        }

        if ((obj.contentDigest != null && obj.contentDigest.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.contentDigest)
        }

        if (obj.copyDigests != null && obj.copyDigests.length > 0) {
          for (const value of obj.copyDigests) {
            w.uint32(42)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          certificate: uint8ArrayAlloc(0),
          id: uint8ArrayAlloc(0),
          recipient: '',
          contentDigest: uint8ArrayAlloc(0),
          copyDigests: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.certificate = reader.bytes()
              break
            }
            case 2: {
              obj.id = reader.bytes()
              break
            }
            case 3: {
              obj.recipient = reader.string()
              break
            }
            case 4: {
              obj.contentDigest = reader.bytes()
              break
            }
            case 5: {
              if (opts.limits?.copyDigests != null && obj.copyDigests.length === opts.limits.copyDigests) {
                throw new MaxLengthError('Decode error - repeated field "copyDigests" had too many elements')
              }

              obj.copyDigests.push(reader.bytes())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          copyDigests: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.certificate`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.id`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.recipient`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.contentDigest`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              if (opts.limits?.copyDigests != null && obj.copyDigests === opts.limits.copyDigests) {
                throw new MaxLengthError('Streaming decode error - repeated field "copyDigests" had too many elements')
              }

              yield {
                field: `${prefix}.copyDigests[]`,
                index: obj.copyDigests,
                value: reader.bytes()
              }

              obj.copyDigests++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface OfflineDepositBodyCertificateFieldEvent {
    field: '$.certificate'
    value: Uint8Array<ArrayBuffer>
  }

  export interface OfflineDepositBodyIdFieldEvent {
    field: '$.id'
    value: Uint8Array<ArrayBuffer>
  }

  export interface OfflineDepositBodyRecipientFieldEvent {
    field: '$.recipient'
    value: string
  }

  export interface OfflineDepositBodyContentDigestFieldEvent {
    field: '$.contentDigest'
    value: Uint8Array<ArrayBuffer>
  }

  export interface OfflineDepositBodyCopyDigestsFieldEvent {
    field: '$.copyDigests[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<OfflineDepositBody>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, OfflineDepositBody.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OfflineDepositBody>): OfflineDepositBody {
    return decodeMessage(buf, OfflineDepositBody.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OfflineDepositBody>): Generator<OfflineDepositBodyCertificateFieldEvent | OfflineDepositBodyIdFieldEvent | OfflineDepositBodyRecipientFieldEvent | OfflineDepositBodyContentDigestFieldEvent | OfflineDepositBodyCopyDigestsFieldEvent> {
    return streamMessage(buf, OfflineDepositBody.codec(), opts)
  }
}

export interface OfflineAccessBody {
  certificate: Uint8Array<ArrayBuffer>
  kind: number
  recipient: string
  ids: Uint8Array<ArrayBuffer>[]
  expiresAt: bigint
}

export namespace OfflineAccessBody {
  let _codec: Codec<OfflineAccessBody>

  export const codec = (): Codec<OfflineAccessBody> => {
    if (_codec == null) {
      _codec = message<OfflineAccessBody>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.certificate != null && obj.certificate.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.certificate)
        }

        if ((obj.kind != null && obj.kind !== 0)) {
          w.uint32(16)
          w.uint32(obj.kind)
        }

        if ((obj.recipient != null && obj.recipient !== '')) {
          w.uint32(26)
          w.string(obj.recipient)
        }

        if (obj.ids != null && obj.ids.length > 0) {
          for (const value of obj.ids) {
            w.uint32(34)
            w.bytes(value)
          }
        }

        if ((obj.expiresAt != null && obj.expiresAt !== 0n)) {
          w.uint32(40)
          w.uint64(obj.expiresAt)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          certificate: uint8ArrayAlloc(0),
          kind: 0,
          recipient: '',
          ids: [],
          expiresAt: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.certificate = reader.bytes()
              break
            }
            case 2: {
              obj.kind = reader.uint32()
              break
            }
            case 3: {
              obj.recipient = reader.string()
              break
            }
            case 4: {
              if (opts.limits?.ids != null && obj.ids.length === opts.limits.ids) {
                throw new MaxLengthError('Decode error - repeated field "ids" had too many elements')
              }

              obj.ids.push(reader.bytes())
              break
            }
            case 5: {
              obj.expiresAt = reader.uint64()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          ids: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.certificate`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.kind`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.recipient`,
                value: reader.string()
              }
              break
            }
            case 4: {
              if (opts.limits?.ids != null && obj.ids === opts.limits.ids) {
                throw new MaxLengthError('Streaming decode error - repeated field "ids" had too many elements')
              }

              yield {
                field: `${prefix}.ids[]`,
                index: obj.ids,
                value: reader.bytes()
              }

              obj.ids++

              break
            }
            case 5: {
              yield {
                field: `${prefix}.expiresAt`,
                value: reader.uint64()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface OfflineAccessBodyCertificateFieldEvent {
    field: '$.certificate'
    value: Uint8Array<ArrayBuffer>
  }

  export interface OfflineAccessBodyKindFieldEvent {
    field: '$.kind'
    value: number
  }

  export interface OfflineAccessBodyRecipientFieldEvent {
    field: '$.recipient'
    value: string
  }

  export interface OfflineAccessBodyIdsFieldEvent {
    field: '$.ids[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface OfflineAccessBodyExpiresAtFieldEvent {
    field: '$.expiresAt'
    value: bigint
  }

  export function encode (obj: Partial<OfflineAccessBody>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, OfflineAccessBody.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OfflineAccessBody>): OfflineAccessBody {
    return decodeMessage(buf, OfflineAccessBody.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OfflineAccessBody>): Generator<OfflineAccessBodyCertificateFieldEvent | OfflineAccessBodyKindFieldEvent | OfflineAccessBodyRecipientFieldEvent | OfflineAccessBodyIdsFieldEvent | OfflineAccessBodyExpiresAtFieldEvent> {
    return streamMessage(buf, OfflineAccessBody.codec(), opts)
  }
}

export interface OfflineRequest {
  kind: number
  items: SealedItem[]
  recipient: string
  deviceId: string
  ids: Uint8Array<ArrayBuffer>[]
  access: Uint8Array<ArrayBuffer>
}

export namespace OfflineRequest {
  let _codec: Codec<OfflineRequest>

  export const codec = (): Codec<OfflineRequest> => {
    if (_codec == null) {
      _codec = message<OfflineRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.kind != null && obj.kind !== 0)) {
          w.uint32(8)
          w.uint32(obj.kind)
        }

        if (obj.items != null && obj.items.length > 0) {
          for (const value of obj.items) {
            w.uint32(18)
            SealedItem.codec().encode(value, w)
          }
        }

        if ((obj.recipient != null && obj.recipient !== '')) {
          w.uint32(26)
          w.string(obj.recipient)
        }

        if ((obj.deviceId != null && obj.deviceId !== '')) {
          w.uint32(34)
          w.string(obj.deviceId)
        }

        if (obj.ids != null && obj.ids.length > 0) {
          for (const value of obj.ids) {
            w.uint32(42)
            w.bytes(value)
          }
        }

        if ((obj.access != null && obj.access.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.access)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          kind: 0,
          items: [],
          recipient: '',
          deviceId: '',
          ids: [],
          access: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.kind = reader.uint32()
              break
            }
            case 2: {
              if (opts.limits?.items != null && obj.items.length === opts.limits.items) {
                throw new MaxLengthError('Decode error - repeated field "items" had too many elements')
              }

              obj.items.push(SealedItem.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.items$
              }))
              break
            }
            case 3: {
              obj.recipient = reader.string()
              break
            }
            case 4: {
              obj.deviceId = reader.string()
              break
            }
            case 5: {
              if (opts.limits?.ids != null && obj.ids.length === opts.limits.ids) {
                throw new MaxLengthError('Decode error - repeated field "ids" had too many elements')
              }

              obj.ids.push(reader.bytes())
              break
            }
            case 6: {
              obj.access = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          items: 0,
          ids: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.kind`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              if (opts.limits?.items != null && obj.items === opts.limits.items) {
                throw new MaxLengthError('Streaming decode error - repeated field "items" had too many elements')
              }

              for (const evt of SealedItem.codec().stream(reader, reader.uint32(), `${prefix}.items[]`, {
                limits: opts.limits?.items$
              })) {
                yield {
                  ...evt,
                  index: obj.items
                }
              }

              obj.items++

              break
            }
            case 3: {
              yield {
                field: `${prefix}.recipient`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.deviceId`,
                value: reader.string()
              }
              break
            }
            case 5: {
              if (opts.limits?.ids != null && obj.ids === opts.limits.ids) {
                throw new MaxLengthError('Streaming decode error - repeated field "ids" had too many elements')
              }

              yield {
                field: `${prefix}.ids[]`,
                index: obj.ids,
                value: reader.bytes()
              }

              obj.ids++

              break
            }
            case 6: {
              yield {
                field: `${prefix}.access`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface OfflineRequestKindFieldEvent {
    field: '$.kind'
    value: number
  }

  export interface OfflineRequestItemsIdFieldEvent {
    field: '$.items[].id'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface OfflineRequestItemsRecipientFieldEvent {
    field: '$.items[].recipient'
    value: string
    index: number
  }

  export interface OfflineRequestItemsSenderFieldEvent {
    field: '$.items[].sender'
    value: string
    index: number
  }

  export interface OfflineRequestItemsStoredAtFieldEvent {
    field: '$.items[].storedAt'
    value: bigint
    index: number
  }

  export interface OfflineRequestItemsNonceFieldEvent {
    field: '$.items[].nonce'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface OfflineRequestItemsCiphertextFieldEvent {
    field: '$.items[].ciphertext'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface OfflineRequestItemsCopiesDeviceIdFieldEvent {
    field: '$.items[].copies[].deviceId'
    value: string
    index: number
  }

  export interface OfflineRequestItemsCopiesEphemeralFieldEvent {
    field: '$.items[].copies[].ephemeral'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface OfflineRequestItemsCopiesWrappedFieldEvent {
    field: '$.items[].copies[].wrapped'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface OfflineRequestItemsDepositFieldEvent {
    field: '$.items[].deposit'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface OfflineRequestRecipientFieldEvent {
    field: '$.recipient'
    value: string
  }

  export interface OfflineRequestDeviceIdFieldEvent {
    field: '$.deviceId'
    value: string
  }

  export interface OfflineRequestIdsFieldEvent {
    field: '$.ids[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface OfflineRequestAccessFieldEvent {
    field: '$.access'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<OfflineRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, OfflineRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OfflineRequest>): OfflineRequest {
    return decodeMessage(buf, OfflineRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OfflineRequest>): Generator<OfflineRequestKindFieldEvent | OfflineRequestItemsIdFieldEvent | OfflineRequestItemsRecipientFieldEvent | OfflineRequestItemsSenderFieldEvent | OfflineRequestItemsStoredAtFieldEvent | OfflineRequestItemsNonceFieldEvent | OfflineRequestItemsCiphertextFieldEvent | OfflineRequestItemsCopiesDeviceIdFieldEvent | OfflineRequestItemsCopiesEphemeralFieldEvent | OfflineRequestItemsCopiesWrappedFieldEvent | OfflineRequestItemsDepositFieldEvent | OfflineRequestRecipientFieldEvent | OfflineRequestDeviceIdFieldEvent | OfflineRequestIdsFieldEvent | OfflineRequestAccessFieldEvent> {
    return streamMessage(buf, OfflineRequest.codec(), opts)
  }
}

export interface OfflineResponse {
  result: number
  code: string
  message: string
  items: SealedItem[]
  more: boolean
  retryAfterMs: number
}

export namespace OfflineResponse {
  let _codec: Codec<OfflineResponse>

  export const codec = (): Codec<OfflineResponse> => {
    if (_codec == null) {
      _codec = message<OfflineResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.result != null && obj.result !== 0)) {
          w.uint32(8)
          w.uint32(obj.result)
        }

        if ((obj.code != null && obj.code !== '')) {
          w.uint32(18)
          w.string(obj.code)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(26)
          w.string(obj.message)
        }

        if (obj.items != null && obj.items.length > 0) {
          for (const value of obj.items) {
            w.uint32(34)
            SealedItem.codec().encode(value, w)
          }
        }

        if ((obj.more != null && obj.more !== false)) {
          w.uint32(40)
          w.bool(obj.more)
        }

        if ((obj.retryAfterMs != null && obj.retryAfterMs !== 0)) {
          w.uint32(48)
          w.uint32(obj.retryAfterMs)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          result: 0,
          code: '',
          message: '',
          items: [],
          more: false,
          retryAfterMs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.result = reader.uint32()
              break
            }
            case 2: {
              obj.code = reader.string()
              break
            }
            case 3: {
              obj.message = reader.string()
              break
            }
            case 4: {
              if (opts.limits?.items != null && obj.items.length === opts.limits.items) {
                throw new MaxLengthError('Decode error - repeated field "items" had too many elements')
              }

              obj.items.push(SealedItem.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.items$
              }))
              break
            }
            case 5: {
              obj.more = reader.bool()
              break
            }
            case 6: {
              obj.retryAfterMs = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          items: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.result`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.code`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.message`,
                value: reader.string()
              }
              break
            }
            case 4: {
              if (opts.limits?.items != null && obj.items === opts.limits.items) {
                throw new MaxLengthError('Streaming decode error - repeated field "items" had too many elements')
              }

              for (const evt of SealedItem.codec().stream(reader, reader.uint32(), `${prefix}.items[]`, {
                limits: opts.limits?.items$
              })) {
                yield {
                  ...evt,
                  index: obj.items
                }
              }

              obj.items++

              break
            }
            case 5: {
              yield {
                field: `${prefix}.more`,
                value: reader.bool()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.retryAfterMs`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface OfflineResponseResultFieldEvent {
    field: '$.result'
    value: number
  }

  export interface OfflineResponseCodeFieldEvent {
    field: '$.code'
    value: string
  }

  export interface OfflineResponseMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export interface OfflineResponseItemsIdFieldEvent {
    field: '$.items[].id'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface OfflineResponseItemsRecipientFieldEvent {
    field: '$.items[].recipient'
    value: string
    index: number
  }

  export interface OfflineResponseItemsSenderFieldEvent {
    field: '$.items[].sender'
    value: string
    index: number
  }

  export interface OfflineResponseItemsStoredAtFieldEvent {
    field: '$.items[].storedAt'
    value: bigint
    index: number
  }

  export interface OfflineResponseItemsNonceFieldEvent {
    field: '$.items[].nonce'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface OfflineResponseItemsCiphertextFieldEvent {
    field: '$.items[].ciphertext'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface OfflineResponseItemsCopiesDeviceIdFieldEvent {
    field: '$.items[].copies[].deviceId'
    value: string
    index: number
  }

  export interface OfflineResponseItemsCopiesEphemeralFieldEvent {
    field: '$.items[].copies[].ephemeral'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface OfflineResponseItemsCopiesWrappedFieldEvent {
    field: '$.items[].copies[].wrapped'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface OfflineResponseItemsDepositFieldEvent {
    field: '$.items[].deposit'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface OfflineResponseMoreFieldEvent {
    field: '$.more'
    value: boolean
  }

  export interface OfflineResponseRetryAfterMsFieldEvent {
    field: '$.retryAfterMs'
    value: number
  }

  export function encode (obj: Partial<OfflineResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, OfflineResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OfflineResponse>): OfflineResponse {
    return decodeMessage(buf, OfflineResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OfflineResponse>): Generator<OfflineResponseResultFieldEvent | OfflineResponseCodeFieldEvent | OfflineResponseMessageFieldEvent | OfflineResponseItemsIdFieldEvent | OfflineResponseItemsRecipientFieldEvent | OfflineResponseItemsSenderFieldEvent | OfflineResponseItemsStoredAtFieldEvent | OfflineResponseItemsNonceFieldEvent | OfflineResponseItemsCiphertextFieldEvent | OfflineResponseItemsCopiesDeviceIdFieldEvent | OfflineResponseItemsCopiesEphemeralFieldEvent | OfflineResponseItemsCopiesWrappedFieldEvent | OfflineResponseItemsDepositFieldEvent | OfflineResponseMoreFieldEvent | OfflineResponseRetryAfterMsFieldEvent> {
    return streamMessage(buf, OfflineResponse.codec(), opts)
  }
}

export interface TurnRequest {
  version: number
}

export namespace TurnRequest {
  let _codec: Codec<TurnRequest>

  export const codec = (): Codec<TurnRequest> => {
    if (_codec == null) {
      _codec = message<TurnRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface TurnRequestVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export function encode (obj: Partial<TurnRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TurnRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TurnRequest>): TurnRequest {
    return decodeMessage(buf, TurnRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TurnRequest>): Generator<TurnRequestVersionFieldEvent> {
    return streamMessage(buf, TurnRequest.codec(), opts)
  }
}

export interface TurnResponse {
  result: number
  code: string
  message: string
  urls: string[]
  username: string
  credential: string
  ttlS: number
}

export namespace TurnResponse {
  let _codec: Codec<TurnResponse>

  export const codec = (): Codec<TurnResponse> => {
    if (_codec == null) {
      _codec = message<TurnResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.result != null && obj.result !== 0)) {
          w.uint32(8)
          w.uint32(obj.result)
        }

        if ((obj.code != null && obj.code !== '')) {
          w.uint32(18)
          w.string(obj.code)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(26)
          w.string(obj.message)
        }

        if (obj.urls != null && obj.urls.length > 0) {
          for (const value of obj.urls) {
            w.uint32(34)
            w.string(value)
          }
        }

        if ((obj.username != null && obj.username !== '')) {
          w.uint32(42)
          w.string(obj.username)
        }

        if ((obj.credential != null && obj.credential !== '')) {
          w.uint32(50)
          w.string(obj.credential)
        }

        if ((obj.ttlS != null && obj.ttlS !== 0)) {
          w.uint32(56)
          w.uint32(obj.ttlS)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          result: 0,
          code: '',
          message: '',
          urls: [],
          username: '',
          credential: '',
          ttlS: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.result = reader.uint32()
              break
            }
            case 2: {
              obj.code = reader.string()
              break
            }
            case 3: {
              obj.message = reader.string()
              break
            }
            case 4: {
              if (opts.limits?.urls != null && obj.urls.length === opts.limits.urls) {
                throw new MaxLengthError('Decode error - repeated field "urls" had too many elements')
              }

              obj.urls.push(reader.string())
              break
            }
            case 5: {
              obj.username = reader.string()
              break
            }
            case 6: {
              obj.credential = reader.string()
              break
            }
            case 7: {
              obj.ttlS = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          urls: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.result`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.code`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.message`,
                value: reader.string()
              }
              break
            }
            case 4: {
              if (opts.limits?.urls != null && obj.urls === opts.limits.urls) {
                throw new MaxLengthError('Streaming decode error - repeated field "urls" had too many elements')
              }

              yield {
                field: `${prefix}.urls[]`,
                index: obj.urls,
                value: reader.string()
              }

              obj.urls++

              break
            }
            case 5: {
              yield {
                field: `${prefix}.username`,
                value: reader.string()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.credential`,
                value: reader.string()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.ttlS`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface TurnResponseResultFieldEvent {
    field: '$.result'
    value: number
  }

  export interface TurnResponseCodeFieldEvent {
    field: '$.code'
    value: string
  }

  export interface TurnResponseMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export interface TurnResponseUrlsFieldEvent {
    field: '$.urls[]'
    index: number
    value: string
  }

  export interface TurnResponseUsernameFieldEvent {
    field: '$.username'
    value: string
  }

  export interface TurnResponseCredentialFieldEvent {
    field: '$.credential'
    value: string
  }

  export interface TurnResponseTtlSFieldEvent {
    field: '$.ttlS'
    value: number
  }

  export function encode (obj: Partial<TurnResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TurnResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TurnResponse>): TurnResponse {
    return decodeMessage(buf, TurnResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TurnResponse>): Generator<TurnResponseResultFieldEvent | TurnResponseCodeFieldEvent | TurnResponseMessageFieldEvent | TurnResponseUrlsFieldEvent | TurnResponseUsernameFieldEvent | TurnResponseCredentialFieldEvent | TurnResponseTtlSFieldEvent> {
    return streamMessage(buf, TurnResponse.codec(), opts)
  }
}

export interface FileRequest {
  transfer: Uint8Array<ArrayBuffer>
  offset: bigint
}

export namespace FileRequest {
  let _codec: Codec<FileRequest>

  export const codec = (): Codec<FileRequest> => {
    if (_codec == null) {
      _codec = message<FileRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.transfer != null && obj.transfer.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.transfer)
        }

        if ((obj.offset != null && obj.offset !== 0n)) {
          w.uint32(16)
          w.uint64(obj.offset)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          transfer: uint8ArrayAlloc(0),
          offset: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.transfer = reader.bytes()
              break
            }
            case 2: {
              obj.offset = reader.uint64()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.transfer`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.offset`,
                value: reader.uint64()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface FileRequestTransferFieldEvent {
    field: '$.transfer'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FileRequestOffsetFieldEvent {
    field: '$.offset'
    value: bigint
  }

  export function encode (obj: Partial<FileRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, FileRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FileRequest>): FileRequest {
    return decodeMessage(buf, FileRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FileRequest>): Generator<FileRequestTransferFieldEvent | FileRequestOffsetFieldEvent> {
    return streamMessage(buf, FileRequest.codec(), opts)
  }
}

export interface FileResponse {
  result: number
  code: string
  message: string
  size: bigint
}

export namespace FileResponse {
  let _codec: Codec<FileResponse>

  export const codec = (): Codec<FileResponse> => {
    if (_codec == null) {
      _codec = message<FileResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.result != null && obj.result !== 0)) {
          w.uint32(8)
          w.uint32(obj.result)
        }

        if ((obj.code != null && obj.code !== '')) {
          w.uint32(18)
          w.string(obj.code)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(26)
          w.string(obj.message)
        }

        if ((obj.size != null && obj.size !== 0n)) {
          w.uint32(32)
          w.uint64(obj.size)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          result: 0,
          code: '',
          message: '',
          size: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.result = reader.uint32()
              break
            }
            case 2: {
              obj.code = reader.string()
              break
            }
            case 3: {
              obj.message = reader.string()
              break
            }
            case 4: {
              obj.size = reader.uint64()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.result`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.code`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.message`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.size`,
                value: reader.uint64()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface FileResponseResultFieldEvent {
    field: '$.result'
    value: number
  }

  export interface FileResponseCodeFieldEvent {
    field: '$.code'
    value: string
  }

  export interface FileResponseMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export interface FileResponseSizeFieldEvent {
    field: '$.size'
    value: bigint
  }

  export function encode (obj: Partial<FileResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, FileResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FileResponse>): FileResponse {
    return decodeMessage(buf, FileResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FileResponse>): Generator<FileResponseResultFieldEvent | FileResponseCodeFieldEvent | FileResponseMessageFieldEvent | FileResponseSizeFieldEvent> {
    return streamMessage(buf, FileResponse.codec(), opts)
  }
}

export interface DirectRequest {
  certificate: Uint8Array<ArrayBuffer>
  addrs: string[]
}

export namespace DirectRequest {
  let _codec: Codec<DirectRequest>

  export const codec = (): Codec<DirectRequest> => {
    if (_codec == null) {
      _codec = message<DirectRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.certificate != null && obj.certificate.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.certificate)
        }

        if (obj.addrs != null && obj.addrs.length > 0) {
          for (const value of obj.addrs) {
            w.uint32(18)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          certificate: uint8ArrayAlloc(0),
          addrs: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.certificate = reader.bytes()
              break
            }
            case 2: {
              if (opts.limits?.addrs != null && obj.addrs.length === opts.limits.addrs) {
                throw new MaxLengthError('Decode error - repeated field "addrs" had too many elements')
              }

              obj.addrs.push(reader.string())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          addrs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.certificate`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              if (opts.limits?.addrs != null && obj.addrs === opts.limits.addrs) {
                throw new MaxLengthError('Streaming decode error - repeated field "addrs" had too many elements')
              }

              yield {
                field: `${prefix}.addrs[]`,
                index: obj.addrs,
                value: reader.string()
              }

              obj.addrs++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface DirectRequestCertificateFieldEvent {
    field: '$.certificate'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DirectRequestAddrsFieldEvent {
    field: '$.addrs[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<DirectRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DirectRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DirectRequest>): DirectRequest {
    return decodeMessage(buf, DirectRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DirectRequest>): Generator<DirectRequestCertificateFieldEvent | DirectRequestAddrsFieldEvent> {
    return streamMessage(buf, DirectRequest.codec(), opts)
  }
}

export interface DirectResponse {
  result: number
  code: string
  message: string
  addrs: string[]
}

export namespace DirectResponse {
  let _codec: Codec<DirectResponse>

  export const codec = (): Codec<DirectResponse> => {
    if (_codec == null) {
      _codec = message<DirectResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.result != null && obj.result !== 0)) {
          w.uint32(8)
          w.uint32(obj.result)
        }

        if ((obj.code != null && obj.code !== '')) {
          w.uint32(18)
          w.string(obj.code)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(26)
          w.string(obj.message)
        }

        if (obj.addrs != null && obj.addrs.length > 0) {
          for (const value of obj.addrs) {
            w.uint32(34)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          result: 0,
          code: '',
          message: '',
          addrs: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.result = reader.uint32()
              break
            }
            case 2: {
              obj.code = reader.string()
              break
            }
            case 3: {
              obj.message = reader.string()
              break
            }
            case 4: {
              if (opts.limits?.addrs != null && obj.addrs.length === opts.limits.addrs) {
                throw new MaxLengthError('Decode error - repeated field "addrs" had too many elements')
              }

              obj.addrs.push(reader.string())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          addrs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.result`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.code`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.message`,
                value: reader.string()
              }
              break
            }
            case 4: {
              if (opts.limits?.addrs != null && obj.addrs === opts.limits.addrs) {
                throw new MaxLengthError('Streaming decode error - repeated field "addrs" had too many elements')
              }

              yield {
                field: `${prefix}.addrs[]`,
                index: obj.addrs,
                value: reader.string()
              }

              obj.addrs++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface DirectResponseResultFieldEvent {
    field: '$.result'
    value: number
  }

  export interface DirectResponseCodeFieldEvent {
    field: '$.code'
    value: string
  }

  export interface DirectResponseMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export interface DirectResponseAddrsFieldEvent {
    field: '$.addrs[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<DirectResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DirectResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DirectResponse>): DirectResponse {
    return decodeMessage(buf, DirectResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DirectResponse>): Generator<DirectResponseResultFieldEvent | DirectResponseCodeFieldEvent | DirectResponseMessageFieldEvent | DirectResponseAddrsFieldEvent> {
    return streamMessage(buf, DirectResponse.codec(), opts)
  }
}

export interface SignedListsRequest {
  revocationsSequence: bigint
  grantsSequence: bigint
}

export namespace SignedListsRequest {
  let _codec: Codec<SignedListsRequest>

  export const codec = (): Codec<SignedListsRequest> => {
    if (_codec == null) {
      _codec = message<SignedListsRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.revocationsSequence != null && obj.revocationsSequence !== 0n)) {
          w.uint32(8)
          w.uint64(obj.revocationsSequence)
        }

        if ((obj.grantsSequence != null && obj.grantsSequence !== 0n)) {
          w.uint32(16)
          w.uint64(obj.grantsSequence)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          revocationsSequence: 0n,
          grantsSequence: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.revocationsSequence = reader.uint64()
              break
            }
            case 2: {
              obj.grantsSequence = reader.uint64()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.revocationsSequence`,
                value: reader.uint64()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.grantsSequence`,
                value: reader.uint64()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SignedListsRequestRevocationsSequenceFieldEvent {
    field: '$.revocationsSequence'
    value: bigint
  }

  export interface SignedListsRequestGrantsSequenceFieldEvent {
    field: '$.grantsSequence'
    value: bigint
  }

  export function encode (obj: Partial<SignedListsRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SignedListsRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedListsRequest>): SignedListsRequest {
    return decodeMessage(buf, SignedListsRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedListsRequest>): Generator<SignedListsRequestRevocationsSequenceFieldEvent | SignedListsRequestGrantsSequenceFieldEvent> {
    return streamMessage(buf, SignedListsRequest.codec(), opts)
  }
}

export interface SignedListsResponse {
  revocations: Uint8Array<ArrayBuffer>
  grants: Uint8Array<ArrayBuffer>
}

export namespace SignedListsResponse {
  let _codec: Codec<SignedListsResponse>

  export const codec = (): Codec<SignedListsResponse> => {
    if (_codec == null) {
      _codec = message<SignedListsResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.revocations != null && obj.revocations.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.revocations)
        }

        if ((obj.grants != null && obj.grants.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.grants)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          revocations: uint8ArrayAlloc(0),
          grants: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.revocations = reader.bytes()
              break
            }
            case 2: {
              obj.grants = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.revocations`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.grants`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SignedListsResponseRevocationsFieldEvent {
    field: '$.revocations'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SignedListsResponseGrantsFieldEvent {
    field: '$.grants'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SignedListsResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SignedListsResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedListsResponse>): SignedListsResponse {
    return decodeMessage(buf, SignedListsResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedListsResponse>): Generator<SignedListsResponseRevocationsFieldEvent | SignedListsResponseGrantsFieldEvent> {
    return streamMessage(buf, SignedListsResponse.codec(), opts)
  }
}
