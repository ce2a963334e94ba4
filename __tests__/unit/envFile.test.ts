/**
 * The env file's formats against their real readers. Every dotenv value the action writes is read
 * back byte for byte, from the file's UTF-8 bytes, by the dotenv package (its default parser, and
 * the `fast` one too) and by real bash and dash sourcing the file (`set -a; . ./app.env`), and
 * nothing in it runs; docker compose, which cannot run here, by its documented rules. Every value
 * it refuses is one that each of its quotes would bring back wrong to one of those readers (or run).
 * JSON.parse gives back the exact object. And what getPublication puts in the file: the variables
 * export-env would export, by the same rules.
 *
 * Reproducible: fixed seeds, as every property test (__tests__/support/arbitraries.ts: FC_FULL=1 for
 * the full runs, FC_SEED and FC_RUNS to try others).
 */
import { describe, expect, test } from '@jest/globals'
import dotenv from 'dotenv'
import fc from 'fast-check'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  DotenvQuotes,
  dotenvCarries,
  dotenvQuoted,
  dotenvValue,
  renderEnvFile,
  type DotenvQuote,
  type EnvFileFormat
} from '../../src/envFile.js'
import { ActionError } from '../../src/errors.js'
import type { EnvFileInput } from '../../src/inputs/targets.js'
import type { Outcome } from '../../src/operations/index.js'
import { destinationKey } from '../../src/operations/get/publication.js'
import type { ReadSecret } from '../../src/operations/get/types.js'
import type { Publication } from '../../src/publish/publication.js'
import { hostileText, propertyOptions } from '../support/arbitraries.js'
import { Shells, sourceWith, type ShellReading } from '../support/shell-readers.js'
import { publicationFor, thrownBy, VAULT } from './helpers.js'

const RUNS = propertyOptions(10_000)
/**
 * The shells' tests run where scripts source env files, Linux and macOS (which has /bin/dash too);
 * Windows has no dash, and its bash is Git's or WSL's.
 */
const testWithShells = process.platform === 'win32' ? test.skip : test
/** Each run spawns both shells once, for a file of 20 to 40 values in every quote that carries them. */
const SHELL_RUNS = { ...RUNS, numRuns: Math.ceil(RUNS.numRuns / 200) }

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
 * Whether dotenv reads `A=<value in quote>` back exactly whatever else the file has: alone, before
 * a line whose value starts with `#` (the case that lets a value run on), and after one.
 */
function roundTrips(value: string, quote: DotenvQuote): boolean {
  const line = `A=${dotenvQuoted(value, quote)}\n`
  const same = (text: string, expected: Record<string, string>): boolean =>
    JSON.stringify(read(text)) === JSON.stringify(expected) &&
    JSON.stringify(read(text, true)) === JSON.stringify(expected)
  return (
    same(line, { A: value }) &&
    same(line + breaker(quote), { A: value, B: '#' }) &&
    same(breaker(quote) + line, { B: '#', A: value })
  )
}

/** The shells' readings of the file `text`, sourced in a folder of its own; `created`: what else is there after. */
function sourced(text: string, names: readonly string[]): { readings: ShellReading[]; created: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'kv-env-shells-'))
  try {
    const file = join(dir, 'app.env')
    writeFileSync(file, text)
    const readings = Shells.map((shell) => sourceWith(shell, file, names, dir))
    return { readings, created: readdirSync(dir).filter((entry) => entry !== 'app.env') }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** bash and dash both read exactly `variables` from `text`, with nothing on stderr, and nothing runs. */
function expectShellsRead(text: string, variables: Readonly<Record<string, string>>): void {
  const { readings, created } = sourced(text, Object.keys(variables))
  expect(readings).toEqual(Shells.map((shell) => ({ shell, values: variables, status: 0, stderr: '' })))
  expect(created).toEqual([])
}

/**
 * docker compose's reading of a quoted value by its documented rules, as it cannot run here:
 * https://docs.docker.com/compose/how-tos/environment-variables/variable-interpolation/#env-file-syntax
 * Single-quoted values are used literally and may span lines; a backslash escapes a quote (so a
 * final one hides the closing quote); double-quoted values get `$` interpolation and backslash
 * escapes, and spanning lines is documented for single quotes only. Undefined wherever those rules
 * change the value or say nothing.
 */
function composeDocumented(written: string): string | undefined {
  const [quote] = written
  const inner = written.slice(1, -1)
  if ((quote !== "'" && quote !== '"') || written.length < 2 || !written.endsWith(quote)) return undefined
  if (inner.includes(quote) || inner.endsWith('\\')) return undefined
  if (quote === '"' && /[$\\\n]/.test(inner)) return undefined
  return inner
}

/** The readers that do not get exactly `value` from `A=<value in quote>` (`code ran`: a shell ran part of it). */
function readersFailing(value: string, quote: DotenvQuote): string[] {
  const written = dotenvQuoted(value, quote)
  const failing = roundTrips(value, quote) ? [] : ['dotenv']
  const { readings, created } = sourced(`A=${written}\n`, ['A'])
  for (const { shell, values, status, stderr } of readings)
    if (values.A !== value || status !== 0 || stderr !== '') failing.push(shell)
  if (created.length > 0) failing.push('code ran')
  if (composeDocumented(written) !== value) failing.push('compose (documented rules)')
  return failing
}

/** The characters dotenv's and the shells' syntax turn on, densely, so that every rule is met in many combinations. */
const EnvSyntax = [
  "'",
  '"',
  '`',
  '\\',
  'n',
  'r',
  '#',
  '=',
  '$',
  '${',
  '$(',
  ')',
  '}',
  ';',
  '|',
  '&',
  '!',
  '*',
  '~',
  ' ',
  '\t',
  '\n',
  '\r',
  '\r\n',
  '\0',
  '\u2028',
  '\u2029',
  '\u00a0',
  '\ufeff',
  '\v',
  '\u0001',
  '\u007f',
  'a',
  'é',
  // UTF-8 C4 81, C4 8A, C2 81: bytes dash uses as its own markers inside words.
  'ā',
  'Ċ',
  '\u0081',
  '🔑',
  '\ud800',
  'export ',
  'X=',
  ':',
  'touch pwned'
] as const
const syntaxHeavy = fc.array(fc.constantFrom(...EnvSyntax), { maxLength: 24 }).map((parts) => parts.join(''))
/** Values with a `'` and nothing else double quotes refuse: the values written in double quotes. */
const withAQuote = fc
  .array(
    fc.constantFrom("'", ' ', '#', '!', ';', '|', '&', '(', '*', '~', '=', 'a', 'ā', '\u2028', '\t', '\u0001', '{'),
    {
      maxLength: 16
    }
  )
  .map((parts) => parts.join(''))
const anyValue = fc.oneof(
  { weight: 3, arbitrary: syntaxHeavy },
  { weight: 1, arbitrary: withAQuote },
  { weight: 1, arbitrary: hostileText(8) }
)

const PEM = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n'

/** Values people keep in secrets (and values meant to run code), and how each is written. */
const Carried: readonly (readonly [string, string, string])[] = [
  ['a plain value', 'p@ssw0rd', `'p@ssw0rd'`],
  ['empty', '', `''`],
  ['a PEM key, several lines and a final newline', PEM, `'${PEM}'`],
  ['double quotes', 'say "hi"', `'say "hi"'`],
  ['a single quote', "it's", `"it's"`],
  ['a single quote with # ! ; | & and spaces', "it's #1! ; a | b & c  ", `"it's #1! ; a | b & c  "`],
  ['$ and ${...}', 'pa$$word ${HOME} $PATH', `'pa$$word \${HOME} $PATH'`],
  ['$(...) (a shell would run it in double quotes)', '$(touch pwned)', `'$(touch pwned)'`],
  ['backticks (a shell would run them in double quotes)', '`touch pwned`', "'`touch pwned`'"],
  ['# that would start a comment', 'abc #not a comment', `'abc #not a comment'`],
  ['backslashes, not last', 'C:\\dir\\n\\rest', `'C:\\dir\\n\\rest'`],
  ['a backslash before a double quote', 'say \\"hi\\"', `'say \\"hi\\"'`],
  ['leading and trailing spaces', '  padded  ', `'  padded  '`],
  ['= signs', 'a=b=c', `'a=b=c'`],
  ['unicode', 'pässwörd 🔑 ключ \u00a0', `'pässwörd 🔑 ключ \u00a0'`],
  ['bytes dash marks words with (UTF-8 C4 81, C2 88)', 'ā\u0088', `'ā\u0088'`],
  ['control characters', 'a\u0001b\u007fc\u001b[31m', `'a\u0001b\u007fc\u001b[31m'`],
  ['JSON', '{"user": "app", "pw": "x#1"}', `'{"user": "app", "pw": "x#1"}'`],
  ['a line that looks like a variable', 'x\nPATH=/tmp/evil', `'x\nPATH=/tmp/evil'`],
  ['U+2028 inside', 'a\u2028b', `'a\u2028b'`],
  ['a single quote and U+2028', "it's\u2028x", `"it's\u2028x"`]
]

/** Values no quote carries to every reader: each is refused, and the step suggests json. */
const Refused: readonly (readonly [string, string])[] = [
  ['a trailing backslash (it would hide the closing quote)', 'C:\\dir\\'],
  ['CRLF line ends (dotenv reads LF)', 'line 1\r\nline 2\r\n'],
  ['a lone CR', 'a\rb'],
  ['NUL (no shell variable holds one)', 'a\0b'],
  ['a lone surrogate (no UTF-8 form)', 'a\ud800b'],
  ['a single quote with a backslash before it', "it\\'s"],
  ['the old breakout: a single quote after a backslash, then a command', "x\\' ; touch pwned #"],
  ['a single quote and $(...)', "it's $(touch pwned)"],
  ['a single quote and backticks', "it's `touch pwned`"],
  ['a single quote and $VAR', "it's $HOME"],
  ['a single quote and a double quote', `"it's"`],
  ['a single quote and a backslash', "it's C:\\dir"],
  ['a single quote on several lines (compose documents only single quotes over lines)', "it's\nfine"],
  ['the old whole-line breakout', `' ; touch pwned ; ' " \``]
]

describe('dotenv: the values people keep in secrets', () => {
  test.each(Carried)('%s: written as chosen, read back exactly by dotenv', (_, value, written) => {
    expect(dotenvValue(value)).toBe(written)
    const text = `BEFORE='#'\nA=${written}\nAFTER='#'\n`
    expect(read(text)).toEqual({ BEFORE: '#', A: value, AFTER: '#' })
    expect(read(text, true)).toEqual({ BEFORE: '#', A: value, AFTER: '#' })
    expect(composeDocumented(written)).toBe(value)
  })

  testWithShells(
    'a file of all of them: read back as written, in order, by dotenv, bash and dash; nothing runs',
    () => {
      const variables = Object.fromEntries(Carried.map(([, value], index) => [`V${index}`, value]))
      const text = fileOf(variables)
      expect(read(text)).toEqual(variables)
      expectShellsRead(text, variables)
    }
  )

  test.each(Refused)('%s: refused', (_, value) => {
    expect(dotenvValue(value)).toBeUndefined()
    expect(renderEnvFile({ OK: 'x', A: value }, 'dotenv')).toEqual({ refused: 'A' })
  })

  testWithShells.each(Refused)('%s: each quote of it fails a reader, or runs part of it', (_, value) => {
    for (const quote of DotenvQuotes)
      expect({ quote, failing: readersFailing(value, quote) }).not.toEqual({ quote, failing: [] })
  })
})

describe(`dotenv: the rules hold for any value (seed ${RUNS.seed})`, () => {
  test("what a quote carries, dotenv reads back in every file (both parsers), and so do compose's documented rules", () => {
    fc.assert(
      fc.property(anyValue, fc.constantFrom(...DotenvQuotes), (value, quote) => {
        if (!dotenvCarries(value, quote)) return
        expect({ value, quote, dotenv: roundTrips(value, quote) }).toEqual({ value, quote, dotenv: true })
        expect(composeDocumented(dotenvQuoted(value, quote))).toBe(value)
      }),
      RUNS
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

  testWithShells(
    `bash and dash read back every value in every quote that carries it, and run nothing (seed ${SHELL_RUNS.seed})`,
    () => {
      fc.assert(
        fc.property(fc.array(anyValue, { minLength: 20, maxLength: 40 }), (values) => {
          const lines: string[] = []
          const variables: Record<string, string> = {}
          values.forEach((value, index) =>
            DotenvQuotes.forEach((quote, q) => {
              if (!dotenvCarries(value, quote)) return
              variables[`V_${index}_${q}`] = value
              lines.push(`V_${index}_${q}=${dotenvQuoted(value, quote)}\n`)
            })
          )
          const text = lines.join('')
          expect(read(text)).toEqual(variables)
          expectShellsRead(text, variables)
        }),
        SHELL_RUNS
      )
    }
  )
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

  test.each(['1ABC', 'A-B', 'A.B', 'A B', 'touch pwned;X', ''])(
    'dotenv: %j, not a shell name, is refused (a shell would run the line as a command)',
    (name) => {
      expect(renderEnvFile({ OK: 'x', [name]: 'y' }, 'dotenv')).toEqual({ refused: name })
    }
  )

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

  test('json: carries every value dotenv refuses', () => {
    const variables = Object.fromEntries(Refused.map(([, value], index) => [`V${index}`, value]))
    const rendered = renderEnvFile(variables, 'json')
    if (!('text' in rendered)) throw new Error('json refused a value')
    expect(JSON.parse(rendered.text)).toEqual(variables)
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
    const publication = publicationFor(got(read1('db-password', 'p@ss'), read1('token', 'a\nb')), {
      exportEnv: true,
      envFile: envFile()
    })
    expect(publication.env).toEqual({ DB_PASSWORD: 'p@ss', TOKEN: 'a\nb' })
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
