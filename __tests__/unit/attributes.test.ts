import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import { AttributeLimits, MomentFormats, parseMoment, parseTags } from '../../src/inputs/attributes.js'
import { ActionError } from '../../src/errors.js'
import { hostileText, propertyOptions } from '../support/arbitraries.js'
import { returnsOrNamesInput, thrownBy } from './helpers.js'

/** Returns what `action` threw, checking it is an ActionError. */
function actionError(action: () => unknown): ActionError {
  const error = thrownBy(action)
  expect(error).toBeInstanceOf(ActionError)
  return error as ActionError
}

/** `count` distinct tags as key=value lines. */
const tagLines = (count: number): string => Array.from({ length: count }, (_, i) => `key-${i}=value-${i}`).join('\n')

describe('AttributeLimits', () => {
  test('match Key Vault: 15 tags, 256 characters per tag name or value, 255 for the content type', () => {
    expect(AttributeLimits).toEqual({ tags: 15, tagLength: 256, contentTypeLength: 255 })
  })
})

describe('parseTags', () => {
  test.each([
    ['reads one key=value line', 'owner=platform-team', { owner: 'platform-team' }],
    [
      'reads one tag per line',
      'owner=platform\nenv=prod\ncost-center=42',
      { owner: 'platform', env: 'prod', 'cost-center': '42' }
    ],
    ['keeps a value containing =', 'query=a=1&b=2', { query: 'a=1&b=2' }],
    ['keeps a value that is only =', 'padding==', { padding: '=' }],
    ['allows an empty value', 'flag=', { flag: '' }],
    [
      'skips blank and whitespace-only lines',
      '\nowner=platform\n\n   \n\tenv=prod\n',
      { owner: 'platform', env: 'prod' }
    ],
    [
      'skips # comment lines, indented or not',
      '# who owns it\nowner=platform\n  # env=test\nenv=prod',
      { owner: 'platform', env: 'prod' }
    ],
    ['splits CRLF line ends', 'owner=platform\r\nenv=prod\r\n', { owner: 'platform', env: 'prod' }],
    [
      'trims lines, keys and values',
      '  owner = platform team  \n\tenv\t=\tprod\t',
      { owner: 'platform team', env: 'prod' }
    ],
    ['keeps a # inside a value', 'channel=#ops', { channel: '#ops' }],
    ['accepts keys that differ by more than case', 'Env=prod\nEnv2=test', { Env: 'prod', Env2: 'test' }]
  ])('%s', (_, raw, expected) => {
    expect(parseTags('tags', raw)).toEqual(expected)
  })

  test.each([
    ['nothing but comments', '# none yet\n\n'],
    ['an empty string', '']
  ])('parses %s as no tags', (_, raw) => {
    expect(parseTags('tags', raw)).toEqual({})
  })

  test('keeps the case of keys as written', () => {
    expect(Object.keys(parseTags('tags', 'CostCenter=42'))).toEqual(['CostCenter'])
  })

  test('keeps a tag named __proto__ or constructor as an own property, not dropped into the prototype', () => {
    const tags = parseTags('tags', '__proto__=x\nconstructor=c')
    expect(Object.keys(tags)).toEqual(['__proto__', 'constructor'])
    expect(Object.getOwnPropertyDescriptor(tags, '__proto__')?.value).toBe('x')
    expect(JSON.stringify(tags)).toBe('{"__proto__":"x","constructor":"c"}')
  })

  test.each([
    ['a line without =', 'owner platform-team', 'owner platform-team'],
    ['a line with an empty key', '=platform-team', '=platform-team'],
    ['a line with a blank key', '   = platform-team', '= platform-team'],
    ['a bad line among good ones', 'owner=platform\njust-a-word\nenv=prod', 'just-a-word']
  ])('refuses %s, quoting the line and naming the input', (_, raw, line) => {
    const error = actionError(() => parseTags('tags', raw))
    expect(error.message).toBe(
      `Input 'tags' has a malformed line '${line}'. Each line is key=value, e.g. owner=platform-team.`
    )
  })

  test('names the input it is given', () => {
    expect(actionError(() => parseTags('my-tags', 'nope')).message).toContain("Input 'my-tags'")
  })

  test('accepts exactly 15 tags', () => {
    expect(Object.keys(parseTags('tags', tagLines(15)))).toHaveLength(15)
  })

  test('refuses 16 tags, saying how many and the limit', () => {
    const error = actionError(() => parseTags('tags', tagLines(16)))
    expect(error.message).toBe("Input 'tags' has 16 tags; Key Vault accepts at most 15 per secret.")
  })

  test('counts comment and blank lines out of the limit', () => {
    const raw = `# header\n\n${tagLines(15)}\n# footer\n`
    expect(Object.keys(parseTags('tags', raw))).toHaveLength(15)
  })

  test.each([
    ['key', `${'k'.repeat(256)}=v`, 'k'.repeat(256), 'v'],
    ['value', `k=${'v'.repeat(256)}`, 'k', 'v'.repeat(256)]
  ])('accepts a %s of 256 characters', (_, raw, key, value) => {
    expect(parseTags('tags', raw)).toEqual({ [key]: value })
  })

  test.each([
    ['key', `${'k'.repeat(257)}=v`, `'${'k'.repeat(77)}...'`],
    ['value', `owner=${'v'.repeat(257)}`, "'owner'"]
  ])('refuses a %s of 257 characters, naming the tag by its key', (_, raw, quotedKey) => {
    const error = actionError(() => parseTags('tags', raw))
    expect(error.message).toBe(
      `Input 'tags': tag ${quotedKey} is too long. Key Vault accepts tag names and values of at most 256 characters each.`
    )
  })

  test.each([
    ['the same case', 'env=prod\nenv=test', 'env'],
    ['another case', 'Env=prod\nENV=test', 'ENV'],
    ['other spacing', 'env=prod\n  env  =test', 'env']
  ])('refuses a key given twice in %s', (_, raw, key) => {
    const error = actionError(() => parseTags('tags', raw))
    expect(error.message).toBe(`Input 'tags' gives the tag '${key}' twice. Give each tag once.`)
  })
})

describe('MomentFormats', () => {
  test('lists every accepted form with an example', () => {
    for (const example of ['2027-01-31T00:00:00Z', '2027-01-31', '90d', '12h', '30m', '2w', 'P90D', 'PT12H']) {
      expect(MomentFormats).toContain(example)
    }
  })
})

describe('parseMoment', () => {
  const NOW = new Date('2026-11-29T12:00:00Z')
  const at = (raw: string): string => parseMoment('expires', raw, NOW).toISOString()

  /** The error for `raw`, checked to name the input, quote the value and list the accepted forms. */
  function momentError(raw: string, input = 'expires'): string {
    const error = actionError(() => parseMoment(input, raw, NOW))
    expect(error.message.startsWith(`Input '${input}' has an invalid value `)).toBe(true)
    expect(error.message.endsWith(`. Accepted: ${MomentFormats}.`)).toBe(true)
    return error.message
  }

  describe('short durations from now', () => {
    test.each([
      ['90d', '2027-02-27T12:00:00.000Z'],
      ['12h', '2026-11-30T00:00:00.000Z'],
      ['30m', '2026-11-29T12:30:00.000Z'],
      ['45s', '2026-11-29T12:00:45.000Z'],
      ['2w', '2026-12-13T12:00:00.000Z'],
      ['0d', '2026-11-29T12:00:00.000Z'],
      ['90D', '2027-02-27T12:00:00.000Z'],
      ['12H', '2026-11-30T00:00:00.000Z'],
      ['2W', '2026-12-13T12:00:00.000Z'],
      ['999999s', '2026-12-11T01:46:39.000Z']
    ])("'%s' is %s", (raw, expected) => {
      expect(at(raw)).toBe(expected)
    })

    test('ignore surrounding whitespace', () => {
      expect(at(' 30m\n')).toBe('2026-11-29T12:30:00.000Z')
    })

    test('are counted from the given now, not the clock', () => {
      expect(parseMoment('expires', '1d', new Date('2000-01-01T00:00:00Z')).toISOString()).toBe(
        '2000-01-02T00:00:00.000Z'
      )
    })

    test('leave the given now untouched', () => {
      const now = new Date(NOW.getTime())
      parseMoment('expires', 'P1Y2M3D', now)
      expect(now.getTime()).toBe(NOW.getTime())
    })
  })

  describe('ISO 8601 durations', () => {
    test.each([
      ['P90D', '2027-02-27T12:00:00.000Z'],
      ['PT12H', '2026-11-30T00:00:00.000Z'],
      ['P1W', '2026-12-06T12:00:00.000Z'],
      ['P1DT2H3M4S', '2026-11-30T14:03:04.000Z'],
      ['PT90M', '2026-11-29T13:30:00.000Z'],
      ['p1dt2h', '2026-11-30T14:00:00.000Z'],
      ['P0D', '2026-11-29T12:00:00.000Z']
    ])("'%s' is %s", (raw, expected) => {
      expect(at(raw)).toBe(expected)
    })

    test.each([
      ['P1Y', '2027-11-29T12:00:00.000Z'],
      ['P1M', '2026-12-29T12:00:00.000Z'],
      ['P2M', '2027-01-29T12:00:00.000Z'],
      ['P1Y2M', '2028-01-29T12:00:00.000Z'],
      ['P1Y2M3DT4H', '2028-02-01T16:00:00.000Z']
    ])("'%s' follows the calendar: %s", (raw, expected) => {
      expect(at(raw)).toBe(expected)
    })

    test('P1M from 31 January rolls over into March, as JavaScript dates do', () => {
      expect(parseMoment('expires', 'P1M', new Date('2027-01-31T00:00:00Z')).toISOString()).toBe(
        '2027-03-03T00:00:00.000Z'
      )
    })
  })

  describe('absolute moments', () => {
    test.each([
      ['Z for UTC', '2027-01-31T10:00:00Z', '2027-01-31T10:00:00.000Z'],
      ['a lower-case t and z', '2027-01-31t10:00:00z', '2027-01-31T10:00:00.000Z'],
      ['an offset +02:00', '2027-01-31T10:00:00+02:00', '2027-01-31T08:00:00.000Z'],
      ['an offset +0200', '2027-01-31T10:00:00+0200', '2027-01-31T08:00:00.000Z'],
      ['an offset -05:30', '2027-01-31T10:00:00-05:30', '2027-01-31T15:30:00.000Z'],
      ['an offset that crosses midnight', '2027-01-31T23:30:00-01:00', '2027-02-01T00:30:00.000Z'],
      ['no seconds', '2027-01-31T10:15Z', '2027-01-31T10:15:00.000Z'],
      ['a space instead of T', '2027-01-31 10:00:00Z', '2027-01-31T10:00:00.000Z'],
      ['a leap day', '2028-02-29T00:00:00Z', '2028-02-29T00:00:00.000Z'],
      ['a bare date, at midnight UTC', '2027-01-31', '2027-01-31T00:00:00.000Z'],
      ['a date in the first century (not read as 1950)', '0050-03-01', '0050-03-01T00:00:00.000Z'],
      ['surrounding whitespace', '  2027-01-31\n', '2027-01-31T00:00:00.000Z']
    ])('with %s', (_, raw, expected) => {
      expect(at(raw)).toBe(expected)
    })

    // Key Vault stores whole seconds, so the fraction is dropped.
    test.each(['2027-01-31T10:00:00.5Z', '2027-01-31T10:00:00.123456789Z', '2027-01-31T10:00:00.999+00:00'])(
      "with fractional seconds '%s': the whole second",
      (raw) => {
        expect(at(raw)).toBe('2027-01-31T10:00:00.000Z')
      }
    )
  })

  describe('errors', () => {
    test.each([
      ['', 'it is neither a date-time nor a duration'],
      ['tomorrow', 'it is neither a date-time nor a duration'],
      ['90', 'it is neither a date-time nor a duration'],
      ['d', 'it is neither a date-time nor a duration'],
      ['-5d', 'it is neither a date-time nor a duration'],
      ['5 d', 'it is neither a date-time nor a duration'],
      ['1.5d', 'it is neither a date-time nor a duration'],
      ['5y', 'it is neither a date-time nor a duration'],
      ['9999999d', 'it is neither a date-time nor a duration'],
      ['P1.5D', 'it is neither a date-time nor a duration'],
      ['P1H', 'it is neither a date-time nor a duration'],
      ['2027/01/31', 'it is neither a date-time nor a duration'],
      ['31-01-2027', 'it is neither a date-time nor a duration'],
      ['2027-1-31', 'it is neither a date-time nor a duration'],
      ['2027-01-31T10Z', 'it is neither a date-time nor a duration'],
      ['2027-01-31T10:00:00 UTC', 'it is neither a date-time nor a duration'],
      ['P', 'the duration has no amount'],
      ['PT', 'the duration has no amount'],
      ['2027-01-31T10:00:00+99:99', 'the time zone offset does not exist'],
      ['2027-01-31T10:00:00+2400', 'the time zone offset does not exist'],
      ['P1DT', 'a T must be followed by hours, minutes or seconds'],
      ['2027-02-30', 'that day or time does not exist'],
      ['2027-02-29', 'that day or time does not exist'],
      ['2027-13-01', 'that day or time does not exist'],
      ['2027-00-10', 'that day or time does not exist'],
      ['2027-01-00', 'that day or time does not exist'],
      ['2027-01-31T25:00:00Z', 'that day or time does not exist'],
      ['2027-01-31T24:00:00Z', 'that day or time does not exist'],
      ['2027-01-31T10:60:00Z', 'that day or time does not exist'],
      ['2027-01-31T10:00:60Z', 'that day or time does not exist'],
      ['2027-01-31T10:00:00', 'a date-time needs a time zone, such as Z for UTC or +02:00'],
      ['2027-01-31 10:00', 'a date-time needs a time zone, such as Z for UTC or +02:00'],
      ['P999999999D', 'the duration is too long'],
      ['P99999999999Y', 'the duration is too long']
    ])("'%s' is refused: %s", (raw, why) => {
      expect(momentError(raw)).toBe(
        `Input 'expires' has an invalid value '${raw}': ${why}. Accepted: ${MomentFormats}.`
      )
    })

    test('a duration of 400 digits is too long, and the message shortens it', () => {
      const raw = `PT${'9'.repeat(400)}S`
      expect(momentError(raw)).toBe(
        `Input 'expires' has an invalid value '${raw.slice(0, 77)}...': the duration is too long. Accepted: ${MomentFormats}.`
      )
    })

    test('the message names the input it is given', () => {
      expect(momentError('tomorrow', 'not-before')).toContain("Input 'not-before' has an invalid value 'tomorrow'")
    })

    test('the message quotes the value as given, before trimming', () => {
      expect(momentError(' tomorrow ')).toContain("invalid value ' tomorrow '")
    })

    test.each([
      ['unicode digits', '٩٠d'],
      ['full-width digits', '９０ｄ'],
      ['an emoji', '🕒'],
      ['a right-to-left mark', '\u200f90d'],
      ['a NUL byte', '90d\u0000'],
      ['a newline inside', '90\nd'],
      ['a long run of digits', '1'.repeat(100_000)],
      ['a long duration', `P${'1'.repeat(100_000)}D`],
      ['a long ISO duration without units', `P${'1'.repeat(100_000)}`],
      ['a long date-like string', `2027-01-31T${'1'.repeat(100_000)}`],
      ['a repeated pattern', 'P1D'.repeat(10_000)],
      ['lone surrogates', '\ud800\udfff\udc00']
    ])('%s: only ever an ActionError', (_, raw) => {
      expect(momentError(raw)).toContain('has an invalid value')
    })
  })
})

// Property-based (fast-check): any text, not only the examples above.
const PROPERTIES = propertyOptions(1000)

describe(`properties (fast-check seed ${PROPERTIES.seed}; FC_SEED=<n> to change)`, () => {
  describe('tags input', () => {
    test('any text gives at most 15 distinct tags of at most 256 characters, or an ActionError naming the input', () => {
      const tagLine = fc
        .tuple(hostileText(3), fc.constantFrom('=', ' = ', '==', ''), hostileText(3))
        .map(([k, eq, v]) => `${k}${eq}${v}`)
      const tagsText = fc.array(tagLine, { maxLength: 18 }).map((lines) => lines.join('\n'))
      fc.assert(
        fc.property(fc.oneof(tagsText, hostileText()), (raw) => {
          const tags = returnsOrNamesInput('tags', () => parseTags('tags', raw))
          if (!tags) return
          const keys = Object.keys(tags)
          expect(keys.length).toBeLessThanOrEqual(15)
          expect(new Set(keys.map((key) => key.toLowerCase())).size).toBe(keys.length)
          for (const key of keys) {
            expect(key).not.toBe('')
            expect(key).toBe(key.trim())
            expect(key.length).toBeLessThanOrEqual(256)
            expect((tags[key] ?? '').length).toBeLessThanOrEqual(256)
          }
        }),
        PROPERTIES
      )
    })

    test('every key=value line is kept: no tag is silently dropped, whatever its name', () => {
      // Names an object treats specially are mixed in: a tag must not vanish into the prototype.
      const key = fc
        .oneof(
          {
            weight: 1,
            arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf')
          },
          { weight: 4, arbitrary: hostileText(3) }
        )
        .map((text) =>
          text
            .replace(/[=\r\n]/g, '')
            .slice(0, 256)
            .trim()
        )
        .filter((text) => text !== '' && !text.startsWith('#'))
      const value = hostileText(3).map((text) =>
        text
          .replace(/[\r\n]/g, '')
          .slice(0, 256)
          .trim()
      )
      const tags = fc.uniqueArray(fc.tuple(key, value), { maxLength: 15, selector: ([k]) => k.toLowerCase() })
      fc.assert(
        fc.property(tags, (pairs) => {
          const parsed = parseTags('tags', pairs.map(([k, v]) => `${k}=${v}`).join('\n'))
          expect(Object.keys(parsed)).toHaveLength(pairs.length)
          for (const [k, v] of pairs)
            expect({ tag: k, kept: Object.hasOwn(parsed, k) ? parsed[k] : 'dropped' }).toEqual({ tag: k, kept: v })
        }),
        PROPERTIES
      )
    })
  })

  describe('expires / not-before', () => {
    const now = new Date('2026-03-15T12:34:56.789Z')

    test('any text gives a real moment or an ActionError naming the input', () => {
      const momentLike = fc.oneof(
        fc
          .tuple(fc.nat({ max: 9_999_999 }), fc.constantFrom('s', 'm', 'h', 'd', 'w', 'D', 'y', ''))
          .map(([n, u]) => `${n}${u}`),
        fc
          .tuple(fc.nat(), fc.nat(), fc.nat(), fc.constantFrom('Y', 'M', 'W', 'D'))
          .map(([a, b, c, u]) => `P${a}${u}T${b}H${c}M`),
        fc.stringMatching(/^P(\d{1,20}Y)?(\d{1,20}M)?(\d{1,4}W)?(\d{1,20}D)?(T(\d{1,20}H)?(\d{1,20}M)?(\d{1,20}S)?)?$/),
        fc.stringMatching(/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/)
      )
      fc.assert(
        fc.property(fc.oneof(momentLike, hostileText()), (raw) => {
          const moment = returnsOrNamesInput('expires', () => parseMoment('expires', raw, now))
          if (moment) expect(Number.isFinite(moment.getTime())).toBe(true)
        }),
        PROPERTIES
      )
    })

    test('a short duration is exactly that long from now, in any letter case', () => {
      const unitMs = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const
      fc.assert(
        fc.property(
          fc.nat({ max: 999_999 }),
          fc.constantFrom(...(Object.keys(unitMs) as (keyof typeof unitMs)[])),
          fc.boolean(),
          (n, unit, upper) => {
            const moment = parseMoment('expires', ` ${n}${upper ? unit.toUpperCase() : unit} `, now)
            expect(moment.getTime()).toBe(now.getTime() + n * unitMs[unit])
          }
        ),
        PROPERTIES
      )
    })

    test('an ISO 8601 date-time in any time zone reads back as the same moment', () => {
      const moment = fc
        .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('9999-12-30T00:00:00Z'), noInvalidDate: true })
        .map((d) => new Date(Math.floor(d.getTime() / 1000) * 1000))
      const zone = fc.oneof(fc.constant(0), fc.integer({ min: -14 * 60, max: 14 * 60 }))
      fc.assert(
        fc.property(moment, zone, fc.constantFrom('T', ' ', 't'), fc.boolean(), (instant, offset, separator, colon) => {
          const local = new Date(instant.getTime() + offset * 60_000).toISOString().slice(0, 19).replace('T', separator)
          const hhmm = `${String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')}${colon ? ':' : ''}${String(Math.abs(offset) % 60).padStart(2, '0')}`
          const text = offset === 0 && colon ? `${local}Z` : `${local}${offset < 0 ? '-' : '+'}${hhmm}`
          expect(parseMoment('expires', text, now).toISOString()).toBe(instant.toISOString())
        }),
        PROPERTIES
      )
    })
  })
})
