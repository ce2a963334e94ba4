import { describe, expect, test } from '@jest/globals'
import { maskValue } from '../../src/masking.js'
import { captureStdout, isolateEnv } from './helpers.js'

isolateEnv()
const stdout = captureStdout()

describe('maskValue', () => {
  // Expected lines are written out literally, escaped the way @actions/core writes command data.
  test.each([
    ['a single-line value once', 'p@ssw0rd', ['p@ssw0rd']],
    ['the whole value, then the trimmed value', '  spaced out \t', ['  spaced out \t', 'spaced out']],
    ['each line of an LF value', 'line-1\nline-2', ['line-1%0Aline-2', 'line-1', 'line-2']],
    ['each line of a CRLF value, trimmed', ' one \r\n two \r\n', [' one %0D%0A two %0D%0A', 'one', 'two']],
    ['each line of an old-Mac CR value', 'mac-1\rmac-2', ['mac-1%0Dmac-2', 'mac-1', 'mac-2']],
    ['a repeated line only once', 'dup\ndup\nother', ['dup%0Adup%0Aother', 'dup', 'other']],
    ['no blank or whitespace-only lines', 'first\n\n   \nlast', ['first%0A%0A   %0Alast', 'first', 'last']],
    ['% escaped as %25', '100%\n%0A-literal', ['100%25%0A%250A-literal', '100%25', '%250A-literal']]
  ])('registers %s', (_, value, expected) => {
    maskValue(value)
    expect(stdout.maskLines()).toEqual(expected)
  })

  test('registers a PEM key line by line so no line of it can leak', () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n'
    maskValue(pem)
    const masks = stdout.masks()
    expect(masks[0]).toBe(pem)
    for (const line of pem.split('\n').filter(Boolean)) expect(masks).toContain(line)
    expect(masks).not.toContain('')
  })

  test.each([
    ['undefined', undefined],
    ['an empty string', '']
  ])('registers nothing for %s', (_, value) => {
    maskValue(value)
    expect(stdout.text()).toBe('')
  })

  test('writes one add-mask command per line of stdout, with no raw CR or LF inside a command', () => {
    maskValue('a\r\nb')
    const lines = stdout.text().split('\n').filter(Boolean)
    expect(lines).toEqual(['::add-mask::a%0D%0Ab', '::add-mask::a', '::add-mask::b'])
  })
})
