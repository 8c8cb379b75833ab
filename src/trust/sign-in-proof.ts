/**
 * The device's proof at sign-in: it holds the key it asks a certificate for.
 * A SignInProof over the authority's fresh challenge, sealed with that key
 * (docs/authority.md, "Sign-in"). The one builder: the device, the benchmarks
 * and the authority's tests all send these bytes.
 */
import { PayloadType, seal } from '../crypto/envelope.js'
import type { Signer } from '../crypto/keys.js'
import { plain } from '../wire/bytes.js'
import { SignInProof } from '../wire/codec.js'

export function signInProof(
  signer: Signer,
  networkId: string,
  username: string,
  challenge: Uint8Array,
): Uint8Array {
  const body = SignInProof.encode({
    networkId,
    challenge: plain(challenge),
    username,
    devicePublicKey: plain(signer.publicKey),
  })
  return seal(PayloadType.SignInProof, body, signer)
}
