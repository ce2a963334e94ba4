import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import { isShortForMasking, leafMasks, maskValue, masksFor } from '../../src/masking.js'
import { InlineFragments, hostileText, propertyOptions } from '../support/arbitraries.js'
import { parseCommand, SecretMasker, splitOutputLines } from '../support/masking.js'
import { captureStdout, isolateEnv } from './helpers.js'

isolateEnv()
const stdout = captureStdout()

describe('maskValue', () => {
  // Expected lines are written out literally, escaped the way @actions/core writes command data.
  test.each([
    ['a one-line value whole', 'p@ssw0rd', ['p@ssw0rd']],
    ['a one-line value whole, spaces and all, and trimmed', '  spaced out \t', ['  spaced out \t', 'spaced out']],
    ['a one-line value whole, however short', 'ab', ['ab']],
    ['each line of an LF value, not the whole', 'line-1\nline-2', ['line-1', 'line-2']],
    ['each line of a CRLF value, trimmed', ' one1 \r\n two2 \r\n', ['one1', 'two2']],
    ['each line of an old-Mac CR value', 'mac-1\rmac-2', ['mac-1', 'mac-2']],
    ['a repeated line only once', 'dupe\ndupe\nother', ['dupe', 'other']],
    ['no line shorter than the minimum: not { or }', '{\n  "password": "hunter22"\n}', ['"password": "hunter22"']],
    ['% escaped as %25', '100%!\n%0A-literal', ['100%25!', '%250A-literal']]
  ])('registers %s', (_, value, expected) => {
    maskValue(value, 4)
    expect(stdout.maskLines()).toEqual(expected)
  })

  test('registers a PEM key line by line so no line of it can leak, and never the whole (the runner would register its short lines too)', () => {
    const pem =
      '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n'
    maskValue(pem, 4)
    const masks = stdout.masks()
    expect(masks).not.toContain(pem)
    expect(masks).toEqual(pem.split('\n').filter(Boolean))
  })

  test('min-mask-length 1 masks every non-blank line', () => {
    maskValue('{\n  "a": 1\n}', 1)
    expect(stdout.masks()).toEqual(['{', '"a": 1', '}'])
  })

  test.each([
    ['undefined', undefined],
    ['an empty string', '']
  ])('registers nothing for %s', (_, value) => {
    maskValue(value, 4)
    expect(stdout.text()).toBe('')
  })

  test('writes one add-mask command per line of stdout, with no raw CR or LF inside a command', () => {
    maskValue('a\r\nb', 1)
    const lines = stdout.text().split('\n').filter(Boolean)
    expect(lines).toEqual(['::add-mask::a', '::add-mask::b'])
  })
})

describe('masksFor with JSON leaves', () => {
  test('a one-line JSON object: the whole, and each string leaf of at least the minimum', () => {
    expect(
      masksFor('{"user":"db-admin","password":"S3cr3t-pw","region":"eu","port":5432}', 4, { jsonLeaves: true })
    ).toEqual(['{"user":"db-admin","password":"S3cr3t-pw","region":"eu","port":5432}', 'db-admin', 'S3cr3t-pw'])
  })

  test('nested objects and arrays are walked; a multi-line leaf is masked line by line', () => {
    expect(masksFor('{"a":{"b":["first-leaf",{"c":"line-one\\nline-two\\nx"}]}}', 4, { jsonLeaves: true })).toEqual([
      '{"a":{"b":["first-leaf",{"c":"line-one\\nline-two\\nx"}]}}',
      'first-leaf',
      'line-one',
      'line-two'
    ])
  })

  test('a value that is not a JSON object has no leaves to add', () => {
    expect(masksFor('"just-a-string"', 4, { jsonLeaves: true })).toEqual(['"just-a-string"'])
    expect(masksFor('not json at all', 4, { jsonLeaves: true })).toEqual(['not json at all'])
  })

  test('leafMasks: a leaf shorter than the minimum is not masked on its own', () => {
    expect(leafMasks('eu', 4)).toEqual([])
    expect(leafMasks('eu-west', 4)).toEqual(['eu-west'])
  })

  test('isShortForMasking: one-line values below the minimum only', () => {
    expect([
      isShortForMasking('abc', 4),
      isShortForMasking('abcd', 4),
      isShortForMasking('a\nb', 4),
      isShortForMasking('', 4)
    ]).toEqual([true, false, false, false])
  })
})

// Property-based (fast-check): any value, held to the runner's own masking (__tests__/support/masking.ts).
const PROPERTIES = propertyOptions(300)

describe(`properties (fast-check seed ${PROPERTIES.seed}; FC_SEED=<n> to change)`, () => {
  describe('masking', () => {
    /** The add-mask data the runner reads from what maskValue printed. */
    function registered(value: string, minLength: number): string[] {
      const before = stdout.text().length
      maskValue(value, minLength)
      const lines = splitOutputLines(stdout.text().slice(before))
      // Escaping keeps every command on one line, whatever the value holds.
      for (const line of lines) expect(line.startsWith('::add-mask::')).toBe(true)
      return lines.map((line) => parseCommand(line)?.data ?? '')
    }

    // The runner replaces a value by ***, so a line with an asterisk can seem to reappear next to one
    // ('*%' in '%***%'); for those, that the line is registered whole is what counts.
    const visible = (masked: string, needle: string): boolean => !needle.includes('*') && masked.includes(needle)

    test('a one-line value, and every line of a longer one that is at least min-mask-length long, never survives the runner’s masking, on current and on older runners; shorter lines are never registered', () => {
      const value = fc.oneof(
        hostileText(24),
        fc.string({ unit: 'binary', maxLength: 40 }),
        fc.array(hostileText(4), { maxLength: 6 }).map((lines) => lines.join('\n'))
      )
      fc.assert(
        fc.property(
          value,
          fc.integer({ min: 1, max: 8 }),
          fc.constantFrom(...InlineFragments),
          (secret, minLength, context) => {
            const data = registered(secret, minLength)
            // Nothing multi-line is registered: current runners would register each of its lines, short ones too.
            expect(data.filter((d) => /[\r\n]/.test(d))).toEqual([])
            const current = new SecretMasker()
            for (const d of data) current.add(d)
            // Older runners and some GHES versions register each add-mask value whole, without splitting it into lines.
            const older = new SecretMasker()
            for (const d of data) if (!/[\r\n]/.test(d)) older.add(d)
            const lines = secret.split(/\r\n|\r|\n/)
            const needles =
              lines.length === 1
                ? secret.trim() === ''
                  ? []
                  : [secret.trim()]
                : lines.map((line) => line.trim()).filter((line) => line.length >= minLength)
            for (const line of lines.length === 1
              ? []
              : lines.map((l) => l.trim()).filter((l) => l !== '' && l.length < minLength)) {
              expect({ short: line, registered: current.values.includes(line) && !needles.includes(line) }).toEqual({
                short: line,
                registered: false
              })
            }
            for (const needle of needles) {
              expect({
                needle,
                current: current.values.includes(needle),
                older: older.values.includes(needle)
              }).toEqual({ needle, current: true, older: true })
              for (const printed of [needle, `${context}${needle}${context}`, `##[debug]value: ${needle}`]) {
                expect({ printed, current: visible(current.mask(printed), needle) }).toEqual({
                  printed,
                  current: false
                })
                expect({ printed, older: visible(older.mask(printed), needle) }).toEqual({ printed, older: false })
              }
            }
          }
        ),
        PROPERTIES
      )
    })
  })
})
