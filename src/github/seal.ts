import { blake2b } from '@noble/hashes/blake2.js'
import nacl from 'tweetnacl'

/**
 * libsodium's `crypto_box_seal`, the form GitHub takes secrets in: a new key pair for each value,
 * the nonce BLAKE2b-24(ephemeral public key || recipient public key), then the ephemeral public
 * key followed by crypto_box of the value. Built from TweetNaCl's box (audited) and noble's
 * BLAKE2b (audited), as GitHub's own tweetsodium was; the tests open it with real libsodium.
 * Returns base64, as GitHub's API wants `encrypted_value`.
 */
export function sealFor(recipientPublicKey: Uint8Array, value: string): string {
  if (recipientPublicKey.length !== nacl.box.publicKeyLength) throw new Error('A public key is 32 bytes')
  const ephemeral = nacl.box.keyPair()
  const nonce = blake2b(concat(ephemeral.publicKey, recipientPublicKey), { dkLen: nacl.box.nonceLength })
  const boxed = nacl.box(new TextEncoder().encode(value), nonce, recipientPublicKey, ephemeral.secretKey)
  // The ephemeral secret key could open the box: it lives no longer than this call.
  ephemeral.secretKey.fill(0)
  return Buffer.from(concat(ephemeral.publicKey, boxed)).toString('base64')
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length)
  joined.set(a, 0)
  joined.set(b, a.length)
  return joined
}
