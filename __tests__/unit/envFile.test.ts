/**
 * The env file's formats against their real readers: every dotenv value the action writes is read
 * back byte for byte by the dotenv package (its default parser, and the `fast` one too), from the
 * file's UTF-8 bytes; every value it refuses is one that none of its quotings brings back in every
 * file. JSON.parse gives back the exact object.
 *
 * Reproducible: fixed seeds (FC_SEED and FC_RUNS try others), as in properties.test.ts.
 */
import { describe, expect, test } from '@jest/globals'
import dotenv from 'dotenv'
import fc from 'fast-check'
import {
  DotenvQuotes,
  dotenvQuoted,
  dotenvReading,
  dotenvValue,
  renderEnvFile,
  type DotenvQuote
} from '../../src/envFile.js'
import { hostileText, propertyOptions } from '../support/arbitraries.js'

const RUNS = propertyOptions(10_000)

/** What a program that loads the file gets: the file's bytes, parsed by dotenv. */
const read = (text: string, fast = false): Record<string, string> => ({
  ...dotenv.parse(Buffer.from(text, 'utf8'), { fast })
})

/** The file with these variables, in order. */
const fileOf = (variables: Readonly<Record<string, string>>): string => {
  const rendered = renderEnvFile(variables, 'dotenv')
  if (!('text' in rendered)) throw new Error(`refused ${rendered.refused}`)
  return rendered.text
}

/** A line that reads as `#`; after a value that ends in a backslash, it ends that value's quotes. */
const breaker = (quote: DotenvQuote): string => `B=${quote}#${quote}\n`

/**
 * Whether `A=<value in quote>` reads back exactly whatever else the file has: alone, before a line
 * whose value starts with `#` (the case that lets a value run on), and after one.
 */
function roundTrips(value: string, quote: DotenvQuote): boolean {
  const line = `A=${dotenvQuoted(value, quote)}\n`
  const same = (text: string, expected: Record<string, string>): boolean =>
    JSON.stringify(read(text)) === JSON.stringify(expected)
  return (
    same(line, { A: value }) &&
    same(line + breaker(quote), { A: value, B: '#' }) &&
    same(breaker(quote) + line, { B: '#', A: value })
  )
}

/** The characters dotenv's syntax turns on, densely, so that every rule is met in many combinations. */
const DotenvSyntax = [
  "'",
  '"',
  '`',
  '\\',
  'n',
  'r',
  '#',
  '=',
  '$',
  ' ',
  '\t',
  '\n',
  '\r',
  '\r\n',
  '\u2028',
  '\u2029',
  '\u00a0',
  '\ufeff',
  '\v',
  'a',
  'é',
  '🔑',
  '\ud800',
  'export ',
  'X=',
  '{',
  ':'
] as const
const syntaxHeavy = fc.array(fc.constantFrom(...DotenvSyntax), { maxLength: 24 }).map((parts) => parts.join(''))
const anyValue = fc.oneof({ weight: 3, arbitrary: syntaxHeavy }, { weight: 1, arbitrary: hostileText(8) })

const PEM = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n'

/** Values people keep in secrets, and how each is written. */
const Tricky: readonly (readonly [string, string, string])[] = [
  ['a plain value', 'p@ssw0rd', `'p@ssw0rd'`],
  ['empty', '', `''`],
  ['a PEM key, several lines and a final newline', PEM, `'${PEM}'`],
  ['CRLF line ends', 'line 1\r\nline 2\r\n', '"line 1\\r\\nline 2\\r\\n"'],
  ['a lone CR', 'a\rb', '"a\\rb"'],
  ['double quotes', 'say "hi"', `'say "hi"'`],
  ['a single quote', "it's", `"it's"`],
  ['both quotes on several lines', `"it's"\n'x'`, "`\"it's\"\n'x'`"],
  ['both quotes and CRLF on one line', `"it's"\r\n`, `""it's"\\r\\n"`],
  ['a single quote with a backslash before it', "a\\'b", `'a\\'b'`],
  ['$ and ${...}', 'pa$$word ${HOME} $(id)', `'pa$$word \${HOME} $(id)'`],
  ['# that would start a comment', 'abc #not a comment', `'abc #not a comment'`],
  ['backslashes', 'C:\\dir\\n\\rest', `'C:\\dir\\n\\rest'`],
  ['leading and trailing spaces', '  padded  ', `'  padded  '`],
  ['= signs', 'a=b=c', `'a=b=c'`],
  ['unicode', 'pässwörd 🔑 ключ \u00a0', `'pässwörd 🔑 ключ \u00a0'`],
  ['JSON', '{"user": "app", "pw": "x#1"}', `'{"user": "app", "pw": "x#1"}'`],
  ['a line that looks like a variable', 'x\nPATH=/tmp/evil', `'x\nPATH=/tmp/evil'`],
  ['a single quote on one line ending in a backslash', "it's\\", `'it's\\'`],
  ['U+2028 inside', 'a\u2028b', `'a\u2028b'`]
]

/** Values no quoting carries exactly in every file. */
const Refused: readonly (readonly [string, string])[] = [
  ['a trailing backslash (it would hide the closing quote)', 'C:\\dir\\'],
  ['CR with a backslash before n (read as a line break in double quotes)', 'a\\nb\r\n'],
  ['CR with a double quote and a #', '"a" #1\r\n'],
  ['all three quotes on several lines with a #', `"it's" \`x\`\n#`],
  ['a lone surrogate (no UTF-8 form)', 'a\ud800b']
]

describe('dotenv: the values people keep in secrets', () => {
  test.each(Tricky)('%s: written as chosen, read back exactly', (_, value, written) => {
    expect(dotenvValue(value)).toBe(written)
    const text = `BEFORE='#'\nA=${written}\nAFTER='#'\n`
    expect(read(text)).toEqual({ BEFORE: '#', A: value, AFTER: '#' })
    expect(read(text, true)).toEqual({ BEFORE: '#', A: value, AFTER: '#' })
  })

  test.each(Refused)('%s: refused, and no quoting brings it back in every file', (_, value) => {
    expect(dotenvValue(value)).toBeUndefined()
    for (const quote of DotenvQuotes)
      expect({ quote, roundTrips: roundTrips(value, quote) }).toEqual({ quote, roundTrips: false })
  })

  test('a file of all of them reads back as written, in order', () => {
    const variables = Object.fromEntries(Tricky.map(([, value], index) => [`V${index}`, value]))
    expect(read(fileOf(variables))).toEqual(variables)
  })
})

describe(`dotenv: the rules hold for any value (seed ${RUNS.seed})`, () => {
  test('each quoting carries exactly the values its rule says: read back in every file, and no other', () => {
    fc.assert(
      fc.property(anyValue, fc.constantFrom(...DotenvQuotes), (value, quote) => {
        expect({ value, quote, carried: dotenvReading(value, quote) !== undefined }).toEqual({
          value,
          quote,
          carried: roundTrips(value, quote)
        })
      }),
      RUNS
    )
  })

  test('a value refused is one that no quoting brings back in every file', () => {
    fc.assert(
      fc.property(
        anyValue.filter((value) => dotenvValue(value) === undefined),
        (value) => {
          for (const quote of DotenvQuotes) expect(roundTrips(value, quote)).toBe(false)
        }
      ),
      { ...RUNS, numRuns: Math.ceil(RUNS.numRuns / 4) }
    )
  })

  test('a file of accepted values reads back byte for byte, by both of dotenv parsers', () => {
    fc.assert(
      fc.property(fc.array(anyValue, { maxLength: 6 }), (values) => {
        const variables = Object.fromEntries(
          values.filter((value) => dotenvValue(value) !== undefined).map((value, index) => [`V_${index}`, value])
        )
        const text = fileOf(variables)
        expect(read(text)).toEqual(variables)
        expect(read(text, true)).toEqual(variables)
      }),
      RUNS
    )
  })
})

describe('renderEnvFile', () => {
  test('dotenv: one NAME=value line per variable, LF, nothing else; empty when there is none', () => {
    expect(renderEnvFile({ DB_PASSWORD: 'p@ss', API_KEY: "it's" }, 'dotenv')).toEqual({
      text: `DB_PASSWORD='p@ss'\nAPI_KEY="it's"\n`
    })
    expect(renderEnvFile({}, 'dotenv')).toEqual({ text: '' })
  })

  test('dotenv: the first variable it cannot carry is named, by name only', () => {
    expect(renderEnvFile({ OK: 'x', WIN_PATH: 'C:\\dir\\', LATER: 'C:\\' }, 'dotenv')).toEqual({ refused: 'WIN_PATH' })
  })

  test('dotenv: __proto__ is refused as a name (dotenv would set nothing)', () => {
    const variables = Object.assign(Object.create(null) as Record<string, string>, { ['__proto__']: 'x' })
    expect(renderEnvFile(variables, 'dotenv')).toEqual({ refused: '__proto__' })
    expect(read(`__proto__='x'\n`)).toEqual({})
  })

  test(`json: JSON.parse gives back the exact object, any names and values (seed ${RUNS.seed})`, () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/),
          fc.oneof(anyValue, fc.string({ unit: 'binary' })),
          {
            maxKeys: 6
          }
        ),
        (record) => {
          const variables = Object.assign(Object.create(null) as Record<string, string>, record, {
            ['__proto__']: 'own'
          })
          const rendered = renderEnvFile(variables, 'json')
          if (!('text' in rendered)) throw new Error('json refused a value')
          // Through the file's bytes: a lone surrogate is written as its JSON escape, not lost.
          const back = JSON.parse(Buffer.from(rendered.text, 'utf8').toString('utf8')) as Record<string, string>
          expect(Object.entries(back)).toEqual(Object.entries(variables))
        }
      ),
      { ...RUNS, numRuns: Math.ceil(RUNS.numRuns / 5) }
    )
  })
})
