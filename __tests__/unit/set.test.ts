import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import type { Operation } from '../../src/constants.js'
import { ActionError } from '../../src/errors.js'
import type { SetRequest } from '../../src/inputs/set.js'
import { readMasked } from '../../src/main.js'
import type { ActionInputs } from '../../src/operations/index.js'
import { captureStdout, isolateEnv, setInputs, thrownBy } from './helpers.js'

isolateEnv()
const stdout = captureStdout()

const NOW = new Date('2026-11-29T12:00:00Z')

/** What the run reads (and masks) first, for `operation`, with `inputs` added to a vault and a secret name. */
function readFor(inputs: Record<string, string>, operation: Operation): ActionInputs {
  const named: Record<string, string> = operation === 'list' ? {} : { 'secret-name': 'db-password' }
  setInputs({ 'vault-name': 'contoso-kv', operation, ...named, ...inputs })
  jest.useFakeTimers({ now: NOW, doNotFake: ['nextTick', 'setImmediate', 'setTimeout', 'setInterval'] })
  try {
    return readMasked(process.env)
  } finally {
    jest.useRealTimers()
  }
}

/** The request `operation` reads: undefined for an operation other than set, which writes nothing. */
function read(inputs: Record<string, string>, operation: Operation = 'set'): SetRequest | undefined {
  const read = readFor(inputs, operation)
  return read.operation === 'set' ? read.set : undefined
}

/** Like read, for `set`, where a request always comes back. */
function readSet(inputs: Record<string, string>): SetRequest {
  const request = read(inputs)
  if (!request) throw new Error('set read no request')
  return request
}

/** Sets `inputs` and returns what reading them threw (an ActionError). */
function setError(inputs: Record<string, string>, operation: Operation = 'set'): ActionError {
  const error = thrownBy(() => readFor(inputs, operation))
  expect(error).toBeInstanceOf(ActionError)
  return error as ActionError
}

const VALUE = { 'secret-value': 'Sup3r-Secret' } as const

let folder = ''
let fileCount = 0

/** Writes `content` to a new file in the test folder and returns its path. */
function writeFile(content: string | Buffer): string {
  const path = join(folder, `value-${++fileCount}.txt`)
  writeFileSync(path, content)
  return path
}

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'set-inputs-'))
})

afterAll(() => {
  rmSync(folder, { recursive: true, force: true })
})

describe('a given secret-value', () => {
  test('reads as a request with the defaults', () => {
    expect(read(VALUE)).toEqual({
      value: 'Sup3r-Secret',
      generated: false,
      contentType: undefined,
      tags: undefined,
      expiresOn: undefined,
      notBefore: undefined,
      enabled: undefined,
      skipUnchanged: false,
      provenance: false,
      ifDeleted: 'fail'
    })
  })

  test('is kept untrimmed', () => {
    expect(readSet({ 'secret-value': '  padded\n' }).value).toBe('  padded\n')
  })

  test('is registered once, with the secret inputs, before anything else is read', () => {
    read(VALUE)
    expect(stdout.maskLines()).toEqual(['Sup3r-Secret'])
  })

  test('with skip-unchanged: true asks to skip an unchanged value', () => {
    expect(readSet({ ...VALUE, 'skip-unchanged': 'true' }).skipUnchanged).toBe(true)
  })
})

describe('value sources', () => {
  const NEEDS =
    "'operation: set' needs exactly one value source: 'secret-value', 'secret-value-file' or 'generate: true'"

  test.each([
    ['none', {}, 'none was given'],
    ['none (generate: false)', { generate: 'false' }, 'none was given'],
    ['secret-value and generate', { ...VALUE, generate: 'true' }, "'secret-value' and 'generate' were given"],
    [
      'secret-value and secret-value-file',
      { ...VALUE, 'secret-value-file': 'missing.txt' },
      "'secret-value' and 'secret-value-file' were given"
    ],
    [
      'secret-value-file and generate',
      { 'secret-value-file': 'missing.txt', generate: 'true' },
      "'secret-value-file' and 'generate' were given"
    ],
    [
      'all three',
      { ...VALUE, 'secret-value-file': 'missing.txt', generate: 'true' },
      "'secret-value' and 'secret-value-file' and 'generate' were given"
    ]
  ])('%s: refused, listing what was given', (_, inputs, which) => {
    expect(setError(inputs).message).toBe(`${NEEDS}; ${which}.`)
  })

  test('the error does not echo the value', () => {
    expect(setError({ ...VALUE, generate: 'true' }).message).not.toContain(VALUE['secret-value'])
  })
})

describe('generate', () => {
  test('by default: 32 alphanumeric characters, marked generated', () => {
    const request = readSet({ generate: 'true' })
    expect(request.value).toMatch(/^[A-Za-z0-9]{32}$/)
    expect(request.generated).toBe(true)
  })

  test.each([
    ['8', 'hex', /^[0-9a-f]{8}$/],
    ['64', 'base64url', /^[A-Za-z0-9_-]{64}$/],
    ['4096', 'alphanumeric', /^[A-Za-z0-9]{4096}$/],
    ['16', 'HEX', /^[0-9a-f]{16}$/]
  ])('generate-length %s with generate-charset %s', (length, charset, pattern) => {
    expect(readSet({ generate: 'true', 'generate-length': length, 'generate-charset': charset }).value).toMatch(pattern)
  })

  test('generate-charset printable draws from printable ASCII without whitespace or quotes', () => {
    const { value } = readSet({ generate: 'true', 'generate-length': '4096', 'generate-charset': 'printable' })
    expect(value).toMatch(/^[\x21-\x7e]{4096}$/)
    expect(value).not.toMatch(/["'`]/)
  })

  test.each(['TRUE', 'True'])("generate: '%s' is read case-insensitively", (flag) => {
    expect(readSet({ generate: flag }).generated).toBe(true)
  })

  test.each(['0', '7', '4097', 'abc', '12.5', '-8', '1e3', '0x10'])("generate-length '%s' is refused", (length) => {
    const error = setError({ generate: 'true', 'generate-length': length })
    expect(error.message).toBe(
      `Input 'generate-length' has an invalid value '${length}'. Accepted: a whole number from 8 to 4096.`
    )
  })

  test('an unknown generate-charset is refused, listing the charsets', () => {
    const error = setError({ generate: 'true', 'generate-charset': 'ascii' })
    expect(error.message).toBe(
      "Input 'generate-charset' has an unknown value 'ascii'. Accepted values: alphanumeric, printable, hex, base64url."
    )
  })

  test("generate: 'yes' is refused", () => {
    expect(setError({ generate: 'yes' }).message).toBe(
      "Input 'generate' has an unknown value 'yes'. Accepted values: true, false."
    )
  })

  test('the generated value is registered with add-mask by the time readSetRequest returns', () => {
    const { value } = readSet({ generate: 'true' })
    expect(stdout.maskLines()).toEqual([value])
    expect(stdout.text()).toBe(`::add-mask::${value}\n`)
  })

  test('the generated value is registered before anything else is printed', () => {
    readSet({ generate: 'true' })
    const masks = stdout.masks()
    expect(masks).toHaveLength(1)
    expect(masks[0]).toMatch(/^[A-Za-z0-9]{32}$/)
    expect(stdout.text()).toBe(`::add-mask::${masks[0]}\n`)
  })

  test('a value file is read only once every other input is valid', () => {
    const tooLarge = writeFile('x'.repeat(25601))
    expect(setError({ 'secret-value-file': tooLarge, expires: 'tomorrow' }).message).toMatch(/^Input 'expires'/)
  })

  test('nothing is generated when another input is refused: the value is made last', () => {
    setError({ generate: 'true', expires: 'tomorrow' })
    expect(stdout.masks()).toEqual([])
  })

  test('two requests generate different values', () => {
    expect(readSet({ generate: 'true' }).value).not.toBe(readSet({ generate: 'true' }).value)
  })

  test('with skip-unchanged: refused before anything is generated', () => {
    const error = setError({ generate: 'true', 'skip-unchanged': 'true' })
    expect(error.message).toBe(
      "Input 'skip-unchanged' compares a given value with the stored one; a generated value is always new. Remove one of 'skip-unchanged' and 'generate'."
    )
    expect(stdout.maskLines()).toEqual([])
  })
})

describe('secret-value-file', () => {
  test.each([
    ['a single line', 'plain-value'],
    ['a trailing newline', 'value\n'],
    ['CRLF line ends', 'line-1\r\nline-2\r\n'],
    ['surrounding spaces', '  padded  '],
    ['unicode text', 'pässwörd-€ 🔑\n'],
    ['a UTF-8 byte order mark', '\ufeffvalue'],
    ['a PEM key', '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n']
  ])('a file with %s is read byte for byte', (_, content) => {
    const request = readSet({ 'secret-value-file': writeFile(content) })
    expect(request.value).toBe(content)
    expect(request.generated).toBe(false)
  })

  test('a path relative to the working directory is read', () => {
    const path = relative(process.cwd(), writeFile('relative-value'))
    expect(readSet({ 'secret-value-file': path }).value).toBe('relative-value')
  })

  test('a file of exactly 25600 bytes is accepted', () => {
    const content = '€'.repeat(8533) + 'x' // 8533 * 3 + 1 bytes
    expect(Buffer.byteLength(content)).toBe(25600)
    expect(readSet({ 'secret-value-file': writeFile(content) }).value).toBe(content)
  })

  test('the content of several lines is registered line by line, trimmed', () => {
    const content = 'line-1\r\n  line-2  \r\n'
    readSet({ 'secret-value-file': writeFile(content) })
    expect(stdout.maskLines()).toEqual(['line-1', 'line-2'])
  })

  test('the path is not registered, only the content', () => {
    const path = writeFile('file-content')
    readSet({ 'secret-value-file': path })
    expect(stdout.masks()).toEqual(['file-content'])
  })

  const SECRET = 'Hidden-Secret-'

  test('a missing file is refused', () => {
    const path = join(folder, 'missing.txt')
    expect(setError({ 'secret-value-file': path }).message).toBe(
      `Input 'secret-value-file': the file '${path}' does not exist. Give the path of a file with the value, relative to the workspace.`
    )
  })

  test('a folder is refused', () => {
    const path = join(folder, 'a-folder')
    mkdirSync(path)
    expect(setError({ 'secret-value-file': path }).message).toBe(
      `Input 'secret-value-file': the file '${path}' is a folder. Give the path of a file with the value, relative to the workspace.`
    )
  })

  test('an empty file is refused', () => {
    const path = writeFile('')
    expect(setError({ 'secret-value-file': path }).message).toBe(
      `Input 'secret-value-file': the file '${path}' is empty. Give a file that holds the value.`
    )
  })

  test.each([
    ['only invalid bytes', Buffer.from([0xff, 0xfe])],
    ['text then an invalid byte', Buffer.concat([Buffer.from(SECRET), Buffer.from([0xff])])],
    ['a truncated UTF-8 sequence', Buffer.concat([Buffer.from(SECRET), Buffer.from([0xe2, 0x82])])],
    ['UTF-16 text', Buffer.from(`\ufeff${SECRET}`, 'utf16le')]
  ])('a file of %s is refused as not UTF-8, without echoing it', (_, bytes) => {
    const path = writeFile(bytes)
    const error = setError({ 'secret-value-file': path })
    expect(error.message).toBe(
      `Input 'secret-value-file': the file '${path}' is not UTF-8 text. Key Vault stores text; base64-encode binary content (and set 'content-type').`
    )
    expect(error.message).not.toContain(SECRET)
    expect(error.message).not.toContain('\ufffd')
  })

  test('a file over 25600 bytes is refused with its size, without echoing it', () => {
    const path = writeFile(SECRET.repeat(2000).slice(0, 25601))
    const error = setError({ 'secret-value-file': path })
    expect(error.message).toBe(
      `Input 'secret-value-file': '${path}' is 25601 bytes long; Key Vault accepts at most 25600 bytes.`
    )
    expect(error.message).not.toContain(SECRET)
    expect(stdout.text()).not.toContain(SECRET)
  })
})

describe('expires and not-before', () => {
  test.each([
    ['90d', '2027-02-27T12:00:00.000Z'],
    ['P1Y', '2027-11-29T12:00:00.000Z'],
    ['2027-01-31', '2027-01-31T00:00:00.000Z'],
    ['2027-01-31T10:00:00+02:00', '2027-01-31T08:00:00.000Z']
  ])("expires '%s' is %s, counted from the given now", (expires, iso) => {
    expect(readSet({ ...VALUE, expires }).expiresOn?.toISOString()).toBe(iso)
  })

  test('not-before is read, and may be in the past', () => {
    expect(readSet({ ...VALUE, 'not-before': '2020-01-01' }).notBefore?.toISOString()).toBe('2020-01-01T00:00:00.000Z')
  })

  test('not-before before expires is accepted', () => {
    const request = readSet({ ...VALUE, 'not-before': '7d', expires: '30d' })
    expect(request.notBefore?.toISOString()).toBe('2026-12-06T12:00:00.000Z')
    expect(request.expiresOn?.toISOString()).toBe('2026-12-29T12:00:00.000Z')
  })

  test.each([
    ['a past date', '2020-01-01', '2020-01-01T00:00:00.000Z'],
    ['now itself', 'P0D', '2026-11-29T12:00:00.000Z'],
    ['a second ago', '2026-11-29T11:59:59Z', '2026-11-29T11:59:59.000Z']
  ])('expires at %s is refused', (_, expires, iso) => {
    expect(setError({ ...VALUE, expires }).message).toBe(
      `Input 'expires' is ${iso}, which has already passed. Give a moment in the future, e.g. 90d.`
    )
  })

  test.each([
    ['after', '30d', '2026-12-29T12:00:00.000Z'],
    ['equal to', '7d', '2026-12-06T12:00:00.000Z']
  ])('not-before %s expires is refused', (_, notBefore, notBeforeIso) => {
    expect(setError({ ...VALUE, 'not-before': notBefore, expires: '7d' }).message).toBe(
      `Input 'not-before' (${notBeforeIso}) is not before 'expires' (2026-12-06T12:00:00.000Z); the secret would never be valid.`
    )
  })

  test.each(['expires', 'not-before'])('an invalid %s is refused, naming it', (input) => {
    expect(setError({ ...VALUE, [input]: 'tomorrow' }).message).toContain(
      `Input '${input}' has an invalid value 'tomorrow'`
    )
  })
})

describe('tags, content-type, enabled and if-deleted', () => {
  test('tags are parsed', () => {
    expect(readSet({ ...VALUE, tags: 'owner=platform-team\n# comment\nenv=prod\n' }).tags).toEqual({
      owner: 'platform-team',
      env: 'prod'
    })
  })

  test('malformed tags are refused, naming the input', () => {
    expect(setError({ ...VALUE, tags: 'owner' }).message).toBe(
      "Input 'tags' has a malformed line 'owner'. Each line is key=value, e.g. owner=platform-team."
    )
  })

  test.each([
    ['a plain type', 'text/plain', 'text/plain'],
    ['parameters', 'application/json; charset=utf-8', 'application/json; charset=utf-8'],
    ['255 characters', 'x'.repeat(255), 'x'.repeat(255)],
    ['a trailing newline (trimmed)', 'text/plain\n', 'text/plain']
  ])('content-type with %s is accepted', (_, contentType, expected) => {
    expect(readSet({ ...VALUE, 'content-type': contentType }).contentType).toBe(expected)
  })

  test.each([
    ['256 characters', 'x'.repeat(256), `'${'x'.repeat(77)}...'`],
    ['a newline inside', 'text/plain\nx-evil: 1', "'text/plain\\nx-evil: 1'"],
    ['a tab inside', 'text/plain;\tq=1', "'text/plain;\\tq=1'"]
  ])('content-type with %s is refused', (_, contentType, quoted) => {
    expect(setError({ ...VALUE, 'content-type': contentType }).message).toBe(
      `Input 'content-type' has an invalid value ${quoted}. Accepted: one line of at most 255 characters, e.g. text/plain.`
    )
  })

  test.each([
    ['true', true],
    ['false', false],
    ['FALSE', false],
    ['', undefined]
  ])("enabled '%s' reads as %s", (enabled, expected) => {
    expect(readSet({ ...VALUE, enabled }).enabled).toBe(expected)
  })

  test('enabled absent reads as undefined', () => {
    expect(readSet(VALUE)).toHaveProperty('enabled', undefined)
  })

  test("enabled 'yes' is refused", () => {
    expect(setError({ ...VALUE, enabled: 'yes' }).message).toBe(
      "Input 'enabled' has an unknown value 'yes'. Accepted values: true, false."
    )
  })

  test('if-deleted absent reads as fail', () => {
    expect(readSet(VALUE).ifDeleted).toBe('fail')
  })

  test.each([
    ['fail', 'fail'],
    ['RECOVER', 'recover'],
    ['Purge', 'purge']
  ])("if-deleted '%s' reads as %s", (ifDeleted, expected) => {
    expect(readSet({ ...VALUE, 'if-deleted': ifDeleted }).ifDeleted).toBe(expected)
  })

  test('an unknown if-deleted is refused', () => {
    expect(setError({ ...VALUE, 'if-deleted': 'ignore' }).message).toBe(
      "Input 'if-deleted' has an unknown value 'ignore'. Accepted values: fail, recover, purge."
    )
  })
})

describe('operations other than set', () => {
  const OPERATIONS = ['get', 'delete'] as const
  const SET_ONLY: readonly (readonly [string, string])[] = [
    ['secret-value', 'Leaky-Value-42'],
    ['generate', 'true'],
    ['skip-unchanged', 'true'],
    ['content-type', 'text/plain'],
    ['tags', 'owner=platform'],
    ['expires', '90d'],
    ['not-before', '1d'],
    ['enabled', 'false'],
    ['secret-value-file', 'value.txt'],
    ['generate-length', '40'],
    ['generate-charset', 'hex'],
    ['if-deleted', 'purge']
  ]
  const CASES = OPERATIONS.flatMap((operation) => SET_ONLY.map(([input, value]) => [operation, input, value] as const))

  test.each(CASES)('%s: %s is refused', (operation, input, value) => {
    const error = setError({ [input]: value }, operation)
    expect(error.message).toBe(`Input '${input}' is only used with 'operation: set', not '${operation}'. Remove it.`)
    expect(error.message).not.toContain('Leaky-Value-42')
  })

  test.each(['list', 'recover', 'purge'] as const)('%s: a set-only input is refused too', (operation) => {
    expect(setError({ tags: 'owner=platform' }, operation).message).toBe(
      `Input 'tags' is only used with 'operation: set', not '${operation}'. Remove it.`
    )
  })

  test.each(OPERATIONS)('%s: the action.yml defaults are accepted and no request is read', (operation) => {
    const defaults = {
      generate: 'false',
      'generate-length': '32',
      'generate-charset': 'alphanumeric',
      'skip-unchanged': 'false',
      'if-deleted': 'fail'
    }
    expect(read(defaults, operation)).toBeUndefined()
    expect(stdout.text()).toBe('')
  })

  test.each(OPERATIONS)('%s: no inputs at all read as undefined', (operation) => {
    expect(read({}, operation)).toBeUndefined()
  })

  test('get: a secret-value-file is refused without being read', () => {
    const path = writeFile('Never-Read-Content')
    expect(setError({ 'secret-value-file': path }, 'get').message).toContain(
      "Input 'secret-value-file' is only used with 'operation: set'"
    )
    expect(stdout.text()).toBe('')
  })

  test.each([
    ['generate-length', '4097', "Input 'generate-length' has an invalid value '4097'"],
    ['generate-charset', 'ascii', "Input 'generate-charset' has an unknown value 'ascii'"],
    ['if-deleted', 'ignore', "Input 'if-deleted' has an unknown value 'ignore'"]
  ])('get: an invalid %s is still refused', (input, value, message) => {
    expect(setError({ [input]: value }, 'get').message).toContain(message)
  })
})
