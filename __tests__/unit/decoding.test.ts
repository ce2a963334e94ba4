import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import { decodeText, utf8Text, type Decoded } from '../../src/decoding.js'

const bytesOf = (decoded: Decoded): Buffer => {
  if (!('bytes' in decoded)) throw new Error(`refused: ${decoded.refusal}`)
  return decoded.bytes
}
const refusalOf = (decoded: Decoded): string => ('refusal' in decoded ? decoded.refusal : 'accepted')

describe('#base64', () => {
  test('any bytes come back from standard and URL-safe base64, padded or not, wrapped or not', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 1, max: 80 }), (raw, width) => {
        const bytes = Buffer.from(raw)
        const standard = bytes.toString('base64')
        const urlSafe = bytes.toString('base64url')
        const wrapped = standard.replace(new RegExp(`(.{${width}})`, 'g'), '$1\r\n')
        for (const text of [
          standard,
          standard.replace(/=+$/, ''),
          urlSafe,
          `${urlSafe}${'='.repeat((4 - (urlSafe.length % 4)) % 4)}`,
          wrapped,
          ` ${standard}\n`
        ])
          expect(bytesOf(decodeText(text, 'base64'))).toEqual(bytes)
      }),
      { numRuns: 300 }
    )
  })

  test('refuses what no encoder writes, saying why without quoting the text', () => {
    const cases: Readonly<Record<string, string>> = {
      'abc!': 'character 4 is not in the base64 alphabets',
      'ab+c-d__': 'it mixes the standard (+/) and the URL-safe (-_) base64 alphabets',
      'ab=c': "'=' (padding) appears before the end",
      abcde: '5 base64 characters make no whole bytes',
      'abc===': 'its padding does not make a multiple of 4 characters',
      'ab=': 'its padding does not make a multiple of 4 characters',
      // "QR" has bits set after its one byte ("QQ" is the encoding of "A").
      QR: 'its last character has bits set past the last byte, which no encoder writes',
      'p@ssw0rd': 'character 2 is not in the base64 alphabets'
    }
    for (const [text, why] of Object.entries(cases))
      expect({ text, why: refusalOf(decodeText(text, 'base64')) }).toEqual({ text, why })
  })

  test('empty text is the empty value', () => {
    expect(bytesOf(decodeText('', 'base64'))).toEqual(Buffer.alloc(0))
    expect(bytesOf(decodeText(' \n', 'base64'))).toEqual(Buffer.alloc(0))
  })
})

describe('#hex', () => {
  test('any bytes come back from hex in either case, with whitespace anywhere', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (raw) => {
        const bytes = Buffer.from(raw)
        const hex = bytes.toString('hex')
        for (const text of [hex, hex.toUpperCase(), hex.replace(/(..)/g, '$1 '), hex.replace(/(.{32})/g, '$1\n')])
          expect(bytesOf(decodeText(text, 'hex'))).toEqual(bytes)
      }),
      { numRuns: 200 }
    )
  })

  test('refuses a character that is not a digit and an odd count', () => {
    expect(refusalOf(decodeText('0x12', 'hex'))).toBe('character 2 is not a hexadecimal digit')
    expect(refusalOf(decodeText('abc', 'hex'))).toBe('3 hexadecimal digits (an odd number) make no whole bytes')
  })
})

describe('utf8Text', () => {
  test('valid UTF-8 is text; anything else is not', () => {
    expect(utf8Text(Buffer.from('grüße\n', 'utf8'))).toBe('grüße\n')
    expect(utf8Text(Buffer.from([0xff, 0xfe, 0x00]))).toBeUndefined()
    expect(utf8Text(Buffer.from([0xc3]))).toBeUndefined()
  })
})
