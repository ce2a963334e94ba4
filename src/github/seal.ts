import { blake2b } from '@noble/hashes/blake2.js'
import nacl from 'tweetnacl'

/**
 * The public keys libsodium's crypto_box_seal refuses (`has_small_order`, in
 * crypto_scalarmult/curve25519/ref10/x25519_ref10.c): the points of small order of Curve25519 and
 * the encodings of them as values of p and above. Sealed to one, a value has a box key anyone can
 * compute (the shared secret is all zeros whatever the ephemeral key), so it is as good as sent in
 * the clear. As in X25519, the top bit of the last byte is ignored: a key with it set is refused too.
 */
const SmallOrderPoints: readonly Uint8Array[] = [
  // 0 (order 4)
  `${'00'.repeat(32)}`,
  // 1 (order 1)
  `01${'00'.repeat(31)}`,
  // 325606250916557431795983626356110631294008115727848805560023387167927233504 (order 8)
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
  // 39382357235489614581723060781553021112529911719440698176882885853963445705823 (order 8)
  '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
  // p - 1 (order 2)
  `ec${'ff'.repeat(30)}7f`,
  // p, which is 0 (order 4)
  `ed${'ff'.repeat(30)}7f`,
  // p + 1, which is 1 (order 1)
  `ee${'ff'.repeat(30)}7f`
].map((hex) => Uint8Array.from(Buffer.from(hex, 'hex')))

/** A public key crypto_box_seal refuses: a value sealed to it could be opened without any private key. */
export class UnusablePublicKey extends Error {
  override readonly name = 'UnusablePublicKey'
  constructor() {
    super('The public key is a point of small order of Curve25519: nothing can be sealed to it')
  }
}

/** Whether libsodium's crypto_box_seal takes this key: 32 bytes, and not a point of small order. */
export function isUsablePublicKey(key: Uint8Array): boolean {
  if (key.length !== nacl.box.publicKeyLength) return false
  const point = Uint8Array.from(key)
  point[31] = (point[31] ?? 0) & 0x7f
  return !SmallOrderPoints.some((small) => small.every((byte, index) => byte === point[index]))
}

/**
 * libsodium's `crypto_box_seal`, the form GitHub takes secrets in: a new key pair for each value,
 * the nonce BLAKE2b-24(ephemeral public key || recipient public key), then the ephemeral public
 * key followed by crypto_box of the value. Built from TweetNaCl's box (audited) and noble's
 * BLAKE2b (audited), as GitHub's own tweetsodium was; the tests open it with real libsodium.
 * Refuses (UnusablePublicKey) every key libsodium refuses, and, as libsodium's scalar
 * multiplication does, a shared secret of all zeros. Returns base64, as GitHub's API wants
 * `encrypted_value`.
 */
export function sealFor(recipientPublicKey: Uint8Array, value: string): string {
  if (recipientPublicKey.length !== nacl.box.publicKeyLength) throw new Error('A public key is 32 bytes')
  if (!isUsablePublicKey(recipientPublicKey)) throw new UnusablePublicKey()
  const ephemeral = nacl.box.keyPair()
  try {
    // The point list above leaves no key that gives zeros; checked anyway, as libsodium does.
    const shared = nacl.scalarMult(ephemeral.secretKey, recipientPublicKey)
    const allZero = shared.every((byte) => byte === 0)
    shared.fill(0)
    if (allZero) throw new UnusablePublicKey()
    const nonce = blake2b(concat(ephemeral.publicKey, recipientPublicKey), { dkLen: nacl.box.nonceLength })
    const boxed = nacl.box(new TextEncoder().encode(value), nonce, recipientPublicKey, ephemeral.secretKey)
    return Buffer.from(concat(ephemeral.publicKey, boxed)).toString('base64')
  } finally {
    // The ephemeral secret key could open the box: it lives no longer than this call.
    ephemeral.secretKey.fill(0)
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length)
  joined.set(a, 0)
  joined.set(b, a.length)
  return joined
}
