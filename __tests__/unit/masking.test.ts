import { describe, expect, test } from '@jest/globals'
import { isShortForMasking, leafMasks, maskValue, masksFor } from '../../src/masking.js'
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
