import { describe, expect, test } from '@jest/globals'
import { CharsetNames, Charsets, GenerateLength, generateSecretValue, type Charset } from '../../src/inputs/generate.js'

/** Every character from `first` to `last`, inclusive. */
const range = (first: string, last: string): string =>
  Array.from({ length: last.charCodeAt(0) - first.charCodeAt(0) + 1 }, (_, i) =>
    String.fromCharCode(first.charCodeAt(0) + i)
  ).join('')

/** How often each character occurs in `text`. */
function counts(text: string): Map<string, number> {
  const seen = new Map<string, number>()
  for (const char of text) seen.set(char, (seen.get(char) ?? 0) + 1)
  return seen
}

/** At least `total` characters from `charset`, drawn in values of the largest length. */
function draw(charset: Charset, total: number): string {
  const values: string[] = []
  for (let drawn = 0; drawn < total; drawn += GenerateLength.max)
    values.push(generateSecretValue(GenerateLength.max, charset))
  return values.join('')
}

describe('Charsets', () => {
  test('the names are alphanumeric, printable, hex and base64url, in that order', () => {
    expect(CharsetNames).toEqual(['alphanumeric', 'printable', 'hex', 'base64url'])
    expect(Object.keys(Charsets)).toEqual(CharsetNames)
  })

  test.each([
    ['alphanumeric', 62, range('A', 'Z') + range('a', 'z') + range('0', '9')],
    ['hex', 16, '0123456789abcdef'],
    ['base64url', 64, `${range('A', 'Z')}${range('a', 'z')}${range('0', '9')}-_`]
  ] as const)('%s is exactly its documented set of %i characters', (name, size, expected) => {
    expect(Charsets[name]).toBe(expected)
    expect(Charsets[name]).toHaveLength(size)
  })

  test('printable is ! to ~ without " \' and `: 91 characters', () => {
    const expected = [...range('!', '~')].filter((char) => !['"', "'", '`'].includes(char)).join('')
    expect(Charsets.printable).toBe(expected)
    expect(Charsets.printable).toHaveLength(91)
  })

  test('printable has no whitespace and no quotes', () => {
    expect(Charsets.printable).not.toMatch(/[\s"'`]/)
  })

  test.each(CharsetNames)('%s has no repeated character', (name) => {
    expect(new Set(Charsets[name]).size).toBe(Charsets[name].length)
  })
})

describe('GenerateLength', () => {
  test('allows 8 to 4096 characters, 32 by default', () => {
    expect(GenerateLength).toEqual({ min: 8, max: 4096, fallback: 32 })
  })
})

describe('generateSecretValue', () => {
  test.each([8, 32, 100, 4096])('gives exactly %i characters', (length) => {
    expect(generateSecretValue(length, 'alphanumeric')).toHaveLength(length)
  })

  test('gives an empty string for length 0', () => {
    expect(generateSecretValue(0, 'hex')).toBe('')
  })

  test.each(CharsetNames)('%s: every character comes from the set, and every character of the set is used', (name) => {
    const value = generateSecretValue(GenerateLength.max, name)
    const used = new Set(value)
    for (const char of used) expect(Charsets[name]).toContain(char)
    // 4096 draws from at most 91 characters: the chance of missing one is below 1e-17.
    expect(used.size).toBe(Charsets[name].length)
  })

  test.each(CharsetNames)('%s gives single-byte ASCII only', (name) => {
    const value = generateSecretValue(256, name)
    expect(Buffer.byteLength(value, 'utf8')).toBe(256)
    expect(value).toMatch(/^[\x21-\x7e]+$/)
  })

  test('printable values carry no whitespace or quotes', () => {
    expect(generateSecretValue(GenerateLength.max, 'printable')).not.toMatch(/[\s"'`]/)
  })

  test.each(CharsetNames)('%s: two values differ', (name) => {
    expect(generateSecretValue(GenerateLength.fallback, name)).not.toBe(
      generateSecretValue(GenerateLength.fallback, name)
    )
  })

  test('a thousand 8-character values are all different', () => {
    const values = new Set(Array.from({ length: 1000 }, () => generateSecretValue(GenerateLength.min, 'alphanumeric')))
    expect(values.size).toBe(1000)
  })

  // The bounds are many standard deviations wide (about 11 for hex, 7 for alphanumeric), so these
  // never fail by chance; a modulo bias (e.g. byte % 62, +25% on 8 characters) would fail them.
  test.each([
    ['hex', 200_000],
    ['alphanumeric', 310_000]
  ] as const)('%s: each character occurs within 10%% of its uniform share in %i characters', (name, total) => {
    const text = draw(name, total)
    const expected = text.length / Charsets[name].length
    const seen = counts(text)
    expect(seen.size).toBe(Charsets[name].length)
    for (const char of Charsets[name]) {
      const count = seen.get(char) ?? 0
      expect(count).toBeGreaterThan(expected * 0.9)
      expect(count).toBeLessThan(expected * 1.1)
    }
  })
})
