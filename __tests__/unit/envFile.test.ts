/**
 * The env file's formats against their real readers: every dotenv value the action writes is read
 * back byte for byte by the dotenv package (its default parser, and the `fast` one too), from the
 * file's UTF-8 bytes; every value it refuses is one that none of its quotings brings back in every
 * file. JSON.parse gives back the exact object. And what getPublication puts in the file: the
 * variables export-env would export, by the same rules.
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
  type DotenvQuote,
  type EnvFileFormat
} from '../../src/envFile.js'
import { ActionError } from '../../src/errors.js'
import type { EnvFileInput } from '../../src/inputs/targets.js'
import type { Outcome } from '../../src/operations/index.js'
import { destinationKey, type ReadSecret } from '../../src/operations/get.js'
import type { Publication } from '../../src/publish/publication.js'
import { hostileText, propertyOptions } from '../support/arbitraries.js'
import { publicationFor, thrownBy, VAULT } from './helpers.js'

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

describe('getPublication: what goes into the env file', () => {
  const VERSION = '0123456789abcdef0123456789abcdef'
  const read1 = (name: string, value: string, more: Partial<ReadSecret> = {}): ReadSecret => ({
    name,
    value,
    version: VERSION,
    id: `https://contoso-kv.vault.azure.net/secrets/${name}/${VERSION}`,
    fromGlob: false,
    vault: VAULT,
    ...more
  })
  const got = (...secrets: ReadSecret[]): Outcome => ({
    operation: 'get',
    secrets,
    files: [],
    missing: [],
    certificatesSkipped: [],
    invalidNames: [],
    expiry: []
  })
  const envFile = (format: EnvFileFormat = 'dotenv'): EnvFileInput => ({
    target: { input: 'env-file', path: 'app.env' },
    format
  })
  const text = (publication: Publication): string => String(publication.envFile?.content ?? '')

  test('without export-env: the export-env names go to the file only, not to GITHUB_ENV', () => {
    const publication = publicationFor(got(read1('db-password', 'p@ss'), read1('api', "it's", { alias: 'API_KEY' })), {
      envFile: envFile()
    })
    expect(publication.env).toEqual({})
    expect(publication.envFile?.target).toEqual({ input: 'env-file', path: 'app.env' })
    expect(read(text(publication))).toEqual({ DB_PASSWORD: 'p@ss', API_KEY: "it's" })
    expect(publication.destinations.get(destinationKey({ name: 'db-password', vault: VAULT }))).toEqual([
      'output db-password',
      'env-file DB_PASSWORD'
    ])
  })

  test('with export-env: the same variables in GITHUB_ENV and in the file', () => {
    const publication = publicationFor(got(read1('db-password', 'p@ss'), read1('token', 'a\r\nb')), {
      exportEnv: true,
      envFile: envFile()
    })
    expect(publication.env).toEqual({ DB_PASSWORD: 'p@ss', TOKEN: 'a\r\nb' })
    expect(read(text(publication))).toEqual(publication.env)
  })

  test('with parse-json: one variable per leaf, as export-env names them', () => {
    const config = JSON.stringify({ user: 'app', db: { host: 'h', 'pass word': 'x "y"' }, port: 5432, none: null })
    const publication = publicationFor(got(read1('config', config)), { parseJson: true, envFile: envFile() })
    expect(read(text(publication))).toEqual({
      CONFIG_USER: 'app',
      CONFIG_DB_HOST: 'h',
      CONFIG_DB_PASS_WORD: 'x "y"',
      CONFIG_PORT: '5432',
      CONFIG_NONE: ''
    })
  })

  test('json: one flat object of the same names', () => {
    const publication = publicationFor(got(read1('db-password', 'C:\\dir\\'), read1('api-key', 'k')), {
      envFile: envFile('json')
    })
    expect(JSON.parse(text(publication))).toEqual({ DB_PASSWORD: 'C:\\dir\\', API_KEY: 'k' })
  })

  test('a name refused or skipped for GITHUB_ENV is left out of the file the same way, with the same warning', () => {
    const outcome = got(
      read1('path', '/tmp/evil', { fromGlob: true }),
      read1('deploy-target', 'staging-1', { fromGlob: true }),
      read1('ld-preload', 'x.so', { fromGlob: true }),
      read1('config', JSON.stringify({ ok: 'y' }))
    )
    const options = { parseJson: true, environment: { DEPLOY_TARGET: 'production' } }
    const toFile = publicationFor(outcome, { ...options, envFile: envFile() })
    const toEnv = publicationFor(outcome, { ...options, exportEnv: true })
    expect(read(text(toFile))).toEqual({ CONFIG_OK: 'y' })
    expect(toEnv.env).toEqual({ CONFIG_OK: 'y' })
    expect(toFile.warnings).toEqual(toEnv.warnings)
    expect(toFile.warnings.map((warning) => /not exported as (\w+)/.exec(warning)?.[1])).toEqual([
      'PATH',
      'DEPLOY_TARGET',
      'LD_PRELOAD'
    ])
  })

  test('two secrets under one variable: an error naming the input that asked for variables', () => {
    const outcome = got(read1('db-password', 'a'), read1('other', 'b', { alias: 'DB_PASSWORD' }))
    expect(thrownBy(() => publicationFor(outcome, { envFile: envFile() })).message).toBe(
      `Input 'env-file': two secrets would be exported as DB_PASSWORD. Give one of them an alias.`
    )
    expect(thrownBy(() => publicationFor(outcome, { exportEnv: true, envFile: envFile() })).message).toMatch(
      /^Input 'export-env': two secrets would be exported as DB_PASSWORD/
    )
  })

  test('a value dotenv cannot carry: an error naming the secret and the variable, never the value, suggesting json', () => {
    const secretValue = 'C:\\very-secret\\'
    const error = thrownBy(() =>
      publicationFor(got(read1('ok', 'x'), read1('win-path', secretValue)), { envFile: envFile() })
    )
    expect(error).toBeInstanceOf(ActionError)
    expect(error.message).toBe(
      `Input 'env-file': the dotenv format cannot carry the variable WIN_PATH (secret 'win-path') exactly: no quoting of it reads back as the same value. ` +
        `Set 'env-file-format: json' (one JSON object, which carries any value), or read it from its step output.`
    )
    expect(error.message).not.toContain('very-secret')
    const leaf = thrownBy(() =>
      publicationFor(got(read1('config', JSON.stringify({ dir: secretValue }))), {
        parseJson: true,
        envFile: envFile()
      })
    )
    expect(leaf.message).toContain(`the variable CONFIG_DIR (field 'dir' of secret 'config')`)
  })

  test('no env-file: no file decided, whatever export-env says', () => {
    expect(publicationFor(got(read1('a', 'x')), { exportEnv: true }).envFile).toBeUndefined()
  })
})
