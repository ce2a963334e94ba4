/**
 * sealFor refuses exactly the public keys libsodium's crypto_box_seal refuses (the reference GitHub
 * documents), checked against real libsodium: the points of small order of Curve25519, their
 * encodings as values of p and above, with and without the top bit, beside keys that are not.
 */
import { describe, expect, test } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import sodium from 'libsodium-wrappers'
import nacl from 'tweetnacl'
import { blake2b } from '@noble/hashes/blake2.js'
import { isUsablePublicKey, sealFor, UnusablePublicKey } from '../../src/github/seal.js'

await sodium.ready

/** A little-endian 32-byte key from a number below 2^256. */
const encode = (value: bigint): Uint8Array => {
  const bytes = new Uint8Array(32)
  for (let index = 0; index < 32; index++) bytes[index] = Number((value >> BigInt(8 * index)) & 0xffn)
  return bytes
}
const withTopBit = (key: Uint8Array): Uint8Array =>
  Uint8Array.from(key, (byte, index) => (index === 31 ? byte | 0x80 : byte))
const hex = (key: Uint8Array): string => Buffer.from(key).toString('hex')

const p = 2n ** 255n - 19n
/** libsodium's has_small_order list (x25519_ref10.c), as numbers. */
const smallOrder = [
  0n,
  1n,
  325606250916557431795983626356110631294008115727848805560023387167927233504n,
  39382357235489614581723060781553021112529911719440698176882885853963445705823n,
  p - 1n,
  p,
  p + 1n
].map(encode)
const refusedKeys = [...smallOrder, ...smallOrder.map(withTopBit)]
/** Neighbours that are keys: small numbers, p - 2, p + 2 to p + 18 (= 2^255 - 1), with and without the top bit. */
const nearMisses = [2n, 3n, 9n, p - 2n, ...Array.from({ length: 17 }, (_, i) => p + 2n + BigInt(i))].map(encode)
const candidates = [
  ...refusedKeys,
  ...nearMisses,
  ...nearMisses.map(withTopBit),
  ...Array.from({ length: 200 }, () => Uint8Array.from(randomBytes(32)))
]

const libsodiumRefuses = (key: Uint8Array): boolean => {
  try {
    sodium.crypto_box_seal(sodium.from_string('value'), key)
    return false
  } catch {
    return true
  }
}
const oursRefuses = (key: Uint8Array): boolean => {
  try {
    sealFor(key, 'value')
    return false
  } catch (error) {
    if (error instanceof UnusablePublicKey) return true
    throw error
  }
}

describe('the keys crypto_box_seal refuses', () => {
  test('libsodium refuses exactly the 14 encodings of the points of small order among the candidates', () => {
    expect(candidates.filter(libsodiumRefuses).map(hex).sort()).toEqual(refusedKeys.map(hex).sort())
  })

  test('isUsablePublicKey refuses exactly when libsodium does, over every candidate', () => {
    expect(candidates.filter((key) => isUsablePublicKey(key) === libsodiumRefuses(key)).map(hex)).toEqual([])
  })

  test('sealFor refuses (UnusablePublicKey) exactly when libsodium does: every refused key and the near misses', () => {
    // Each key sealFor takes costs three scalar multiplications in pure JavaScript: a few near misses do.
    const sample = [...refusedKeys, ...nearMisses.slice(0, 5), ...nearMisses.slice(-2).map(withTopBit)]
    expect(sample.filter((key) => oursRefuses(key) !== libsodiumRefuses(key)).map(hex)).toEqual([])
  })

  test('a key libsodium takes is one it can open what sealFor sealed to it', () => {
    const keys = sodium.crypto_box_keypair()
    const opened = sodium.crypto_box_seal_open(
      Buffer.from(sealFor(keys.publicKey, 'v'), 'base64'),
      keys.publicKey,
      keys.privateKey
    )
    expect(sodium.to_string(opened)).toBe('v')
  })
})

describe('why: sealed to a point of small order, a value opens without any private key', () => {
  // The top bit changes nothing (X25519 ignores it): the seven points are enough here.
  test.each(smallOrder.map((key) => [hex(key), key] as const))('%s', (_, key) => {
    // Sealed as crypto_box_seal does, without the check (tweetnacl itself does not refuse).
    const ephemeral = nacl.box.keyPair()
    const nonce = blake2b(new Uint8Array([...ephemeral.publicKey, ...key]), { dkLen: 24 })
    const boxed = nacl.box(new TextEncoder().encode('the secret'), nonce, key, ephemeral.secretKey)
    // The shared secret is all zeros whatever the scalar: sealFor's second check would refuse it too.
    expect(nacl.scalarMult(ephemeral.secretKey, key).every((byte) => byte === 0)).toBe(true)
    // So the box key is the same for any secret key at all: anyone opens it.
    const anyone = nacl.box.before(key, nacl.randomBytes(32))
    expect(new TextDecoder().decode(nacl.box.open.after(boxed, nonce, anyone) ?? new Uint8Array())).toBe('the secret')
  })
})
