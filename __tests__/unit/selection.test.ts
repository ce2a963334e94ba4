import { describe, expect, test } from '@jest/globals'
import { mapWithConcurrency } from '../../src/concurrency.js'
import { globMatcher, parseSecretsInput } from '../../src/inputs/entries.js'

const VERSION = '0123456789abcdef0123456789abcdef'

describe('parseSecretsInput', () => {
  test('reads every form, one per line or comma-separated, skipping blanks and comments', () => {
    const entries = parseSecretsInput(
      `# comment\n db-password \n\nAPI_KEY = api-key, cert/${VERSION}\nOLD=cert/${VERSION}\r\napp-*`
    )
    expect(entries).toEqual([
      { text: 'db-password', alias: undefined, name: 'db-password', isGlob: false, version: undefined },
      { text: 'API_KEY = api-key', alias: 'API_KEY', name: 'api-key', isGlob: false, version: undefined },
      { text: `cert/${VERSION}`, alias: undefined, name: 'cert', isGlob: false, version: VERSION },
      { text: `OLD=cert/${VERSION}`, alias: 'OLD', name: 'cert', isGlob: false, version: VERSION },
      { text: 'app-*', alias: undefined, name: 'app-*', isGlob: true, version: undefined }
    ])
  })

  test.each([
    ['=db-password', 'it is not of a known form'],
    ['1X=db-password', 'it is not of a known form'],
    ['db password', 'it is not of a known form'],
    ['X=app-*', 'a glob cannot have an alias or a version'],
    [`app-*/${VERSION}`, 'a glob cannot have an alias or a version'],
    ['db-password/xyz', 'a version is 32 hexadecimal characters'],
    [`${'a'.repeat(128)}`, 'a secret name is 1-127 characters']
  ])('%p is malformed: %s', (entry, why) => {
    expect(() => parseSecretsInput(entry)).toThrow(`Input 'secrets' has a malformed entry`)
    expect(() => parseSecretsInput(entry)).toThrow(why)
  })

  test('a comment after an entry is ignored, commas in it included', () => {
    const entries = parseSecretsInput(
      'db-password   # output db-password, env DB_PASSWORD\nAPI_KEY=api-key # alias, too\r\n#x, y'
    )
    expect(entries.map((entry) => entry.text)).toEqual(['db-password', 'API_KEY=api-key'])
  })

  test('a # inside an entry is not a comment', () => {
    expect(() => parseSecretsInput('db-pass#word')).toThrow("malformed entry 'db-pass#word'")
  })

  test('only comments is an error', () => {
    expect(() => parseSecretsInput('# nothing\n\n')).toThrow("Input 'secrets' names no secret")
  })
})

describe('globMatcher', () => {
  test.each([
    ['app-*', 'app-db', true],
    ['app-*', 'APP-DB', true],
    ['app-*', 'myapp-db', false],
    ['*', 'anything', true],
    ['db-?', 'db-1', true],
    ['db-?', 'db-12', false]
  ])('%s against %s: %p', (glob, name, matches) => {
    expect(globMatcher(glob)(name)).toBe(matches)
  })
})

describe('mapWithConcurrency', () => {
  test('keeps order and never has more than the limit in flight', async () => {
    let inFlight = 0
    let peak = 0
    const results = await mapWithConcurrency([5, 1, 4, 2, 3, 0], 2, async (n) => {
      inFlight++
      peak = Math.max(peak, inFlight)
      await new Promise((resolve) => setTimeout(resolve, n))
      inFlight--
      return n * 10
    })
    expect(results).toEqual([50, 10, 40, 20, 30, 0])
    expect(peak).toBe(2)
  })
})
