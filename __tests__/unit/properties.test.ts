/**
 * Property-based tests (fast-check): the input parsers, the variable-name rules, the publication of
 * outputs and the masking hold for any text, not only the examples the other tests list. A parser
 * either returns well-formed entries or throws an ActionError naming its input - never another
 * error, which would reach the user as "Unexpected error" with no hint of which input is wrong.
 *
 * Reproducible: every property runs with a fixed seed (printed in the describe title); a failure
 * prints the seed and path of its counterexample. FC_SEED=<n> (and FC_RUNS=<n>) try others.
 */
import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals'
import fc from 'fast-check'
import { parseMoment, parseTags } from '../../src/inputs/attributes.js'
import { envNameFor, refusalOf } from '../../src/envNames.js'
import { ActionError } from '../../src/errors.js'
import { maskValue } from '../../src/masking.js'
import { isSecretName } from '../../src/inputs/names.js'
import { parseFilesInput, parseSecretsInput } from '../../src/inputs/entries.js'
import type { Outcome } from '../../src/operations/index.js'
import { destinationKey } from '../../src/operations/get/publication.js'
import { publicationFor, VAULT } from './helpers.js'
import { InlineFragments, LineBreaks, hostileText, propertyOptions, secretName } from '../support/arbitraries.js'
import { parseCommand, SecretMasker, splitOutputLines } from '../support/masking.js'

const PARSERS = propertyOptions(1000)
const HEAVY = propertyOptions(300)

/** Runs `action`; anything thrown must be an ActionError whose message names `input`. */
function returnsOrNamesInput<T>(input: string, action: () => T): T | undefined {
  try {
    return action()
  } catch (error) {
    if (!(error instanceof ActionError))
      throw new Error(`threw ${String(error)} instead of an ActionError naming '${input}'`, { cause: error })
    expect(error.message).toContain(`'${input}'`)
    return undefined
  }
}

/** Entry separators of `secrets`: line breaks and commas, with spaces around. */
const entrySeparator = fc.constantFrom('\n', '\r\n', ',', ' , ', '\n\n', ',\n')
const VERSION = fc.stringMatching(/^[0-9a-fA-F]{32}$/)
const alias = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_-]{0,12}$/)
const padding = fc.constantFrom('', ' ', '\t', '  ')

describe(`properties (fast-check seed ${PARSERS.seed}; FC_SEED=<n> to change)`, () => {
  describe('secrets input', () => {
    const entryLike = fc.oneof(
      secretName,
      fc.tuple(alias, secretName).map(([a, n]) => `${a}=${n}`),
      fc.tuple(secretName, VERSION).map(([n, v]) => `${n}/${v}`),
      fc.constantFrom('app-*', '*', 'db-?', '# comment', '', 'A=app-*', 'x/y', 'db-password/0123')
    )
    const secretsText = fc
      .array(fc.oneof(entryLike, hostileText(4)), { maxLength: 6 })
      .chain((parts) =>
        fc
          .array(entrySeparator, { minLength: parts.length, maxLength: parts.length })
          .map((seps) => parts.map((p, i) => `${p}${seps[i] ?? ''}`).join(''))
      )

    test('any text gives well-formed entries or an ActionError naming the input', () => {
      fc.assert(
        fc.property(fc.oneof(secretsText, hostileText()), (raw) => {
          const entries = returnsOrNamesInput('secrets', () => parseSecretsInput(raw))
          if (!entries) return
          expect(entries.length).toBeGreaterThan(0)
          for (const entry of entries) {
            expect(raw).toContain(entry.text)
            expect(entry.text).toBe(entry.text.trim())
            expect(entry.text.startsWith('#')).toBe(false)
            if (entry.isGlob) expect([entry.alias, entry.version]).toEqual([undefined, undefined])
            else expect(isSecretName(entry.name)).toBe(true)
            if (entry.version !== undefined) expect(entry.version).toMatch(/^[0-9a-fA-F]{32}$/)
            if (entry.alias !== undefined) expect(entry.alias).toMatch(/^[A-Za-z_][A-Za-z0-9_-]*$/)
          }
        }),
        PARSERS
      )
    })

    test('entries written with any spacing, separators, blank lines and comments read back exactly', () => {
      const entry = fc.record({
        alias: fc.option(alias, { nil: undefined }),
        name: secretName,
        version: fc.option(VERSION, { nil: undefined })
      })
      const layout = fc.record({
        before: padding,
        around: padding,
        after: padding,
        comment: fc.boolean(),
        separator: entrySeparator
      })
      fc.assert(
        fc.property(fc.array(fc.tuple(entry, layout), { minLength: 1, maxLength: 6 }), (items) => {
          const raw = items
            .map(([e, l]) => {
              const text = `${e.alias === undefined ? '' : `${e.alias}${l.around}=${l.around}`}${e.name}${e.version === undefined ? '' : `/${e.version}`}`
              return `${l.comment ? `# ${e.name}\n` : ''}${l.before}${text}${l.after}${l.separator}`
            })
            .join('')
          const read = parseSecretsInput(raw).map(({ alias: a, name, version }) => ({ alias: a, name, version }))
          expect(read).toEqual(items.map(([e]) => e))
        }),
        PARSERS
      )
    })
  })

  describe('files input', () => {
    /** A path: any one line without '=' that does not start with '#', trimmed. */
    const path = hostileText(4)
      .map((text) => text.replace(/[=\r\n]/g, '').trim())
      .filter((text) => text !== '' && !text.startsWith('#'))

    test('any text gives well-formed entries or an ActionError naming the input', () => {
      const filesText = fc
        .array(
          fc.oneof(
            fc.tuple(path, secretName).map(([p, n]) => `${p}=${n}`),
            hostileText(4)
          ),
          { maxLength: 5 }
        )
        .map((lines) => lines.join('\n'))
      fc.assert(
        fc.property(fc.oneof(filesText, hostileText()), (raw) => {
          const entries = returnsOrNamesInput('files', () => parseFilesInput(raw))
          if (!entries) return
          for (const entry of entries) {
            expect(raw).toContain(entry.text)
            expect(entry.path).not.toBe('')
            expect(entry.path).not.toContain('=')
            expect(isSecretName(entry.name)).toBe(true)
            if (entry.version !== undefined) expect(entry.version).toMatch(/^[0-9a-fA-F]{32}$/)
          }
        }),
        PARSERS
      )
    })

    test('path=name entries read back exactly, whatever the path holds', () => {
      const entry = fc.record({
        path,
        name: secretName,
        version: fc.option(VERSION, { nil: undefined }),
        around: padding
      })
      fc.assert(
        fc.property(
          fc.array(entry, { minLength: 1, maxLength: 5 }),
          fc.constantFrom(...LineBreaks.filter((b) => b !== '\r')),
          (entries, lineBreak) => {
            const raw = entries
              .map((e) => `${e.path}${e.around}=${e.around}${e.name}${e.version === undefined ? '' : `/${e.version}`}`)
              .join(lineBreak)
            const read = parseFilesInput(raw).map(({ path: p, name, version }) => ({ path: p, name, version }))
            expect(read).toEqual(entries.map(({ path: p, name, version }) => ({ path: p, name, version })))
          }
        ),
        PARSERS
      )
    })
  })

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
        PARSERS
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
        PARSERS
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
        PARSERS
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
        PARSERS
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
        PARSERS
      )
    })
  })

  describe('environment variable names', () => {
    test('secret names map to upper-case variable names, and only names equal but for case share one', () => {
      fc.assert(
        fc.property(secretName, secretName, (a, b) => {
          expect(envNameFor(a)).toMatch(/^[A-Z0-9_]+$/)
          expect(envNameFor(a) === envNameFor(b)).toBe(a.toUpperCase() === b.toUpperCase())
        }),
        PARSERS
      )
    })

    test('a name is allowed only when it is a valid variable name outside every refused prefix, whatever its case', () => {
      const refusedPrefix = fc.constantFrom(
        'LD_',
        'DYLD_',
        'GITHUB_',
        'RUNNER_',
        'ACTIONS_',
        'GIT_',
        'BASH_FUNC_',
        'NPM_CONFIG_',
        'INPUT_',
        'STATE_'
      )
      // Only ASCII letters change case: the Kelvin sign lower-cases to 'k', which is another name.
      const caseOf = (text: string, flips: boolean[]): string =>
        [...text]
          .map((c, i) => (/[A-Za-z]/.test(c) ? (flips[i % flips.length] ? c.toLowerCase() : c.toUpperCase()) : c))
          .join('')
      const name = fc.oneof(
        fc.tuple(refusedPrefix, fc.stringMatching(/^[A-Za-z0-9_]{0,8}$/)).map(([p, rest]) => `${p}${rest}`),
        fc.constantFrom('PATH', 'NODE_OPTIONS', 'BASH_ENV', 'HOME', 'PATHS', 'MY_PATH', 'GIT', 'LD', '_', 'A1'),
        fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,12}$/),
        hostileText(3)
      )
      fc.assert(
        fc.property(name, fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }), (raw, flips) => {
          const refusal = refusalOf(raw)
          if (refusal === undefined) {
            expect(raw).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/)
            expect(raw.toUpperCase()).not.toMatch(
              /^(LD_|DYLD_|GITHUB_|RUNNER_|ACTIONS_|GIT_|BASH_FUNC_|NPM_CONFIG_|INPUT_|STATE_)/
            )
            expect(['PATH', 'NODE_OPTIONS', 'BASH_ENV', 'HOME']).not.toContain(raw.toUpperCase())
          }
          expect(refusalOf(caseOf(raw, flips)) === undefined).toBe(refusal === undefined)
        }),
        PARSERS
      )
    })
  })

  describe('outputs and variables of a get', () => {
    const FixedOutputs = ['value', 'Version', 'ID', 'files', 'names', 'count', 'changed', 'recovery-id']
    const jsonKey = fc.oneof(
      fc.constantFrom('__proto__', 'constructor', 'a-b', 'A B', '', 'toString', 'path', 'ld_preload'),
      fc.string({ maxLength: 6 }),
      hostileText(2)
    )
    const jsonObject = fc.dictionary(
      jsonKey,
      fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.dictionary(jsonKey, fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 })),
      { maxKeys: 5 }
    )
    const value = fc.oneof(
      hostileText(),
      fc.json({ maxDepth: 3 }),
      jsonObject.map((o) => JSON.stringify(o))
    )
    const secret = fc.record({
      name: fc.oneof(
        secretName,
        fc.constantFrom(...FixedOutputs, 'path', 'ld-preload', 'github-token', 'node-options', 'db-password')
      ),
      alias: fc.option(
        fc.oneof(
          alias,
          fc.constantFrom('__proto__', 'constructor', 'PATH', 'LD_PRELOAD', 'value', 'VALUE', 'toString')
        ),
        { nil: undefined }
      ),
      value,
      fromGlob: fc.boolean()
    })
    const VERSION_ID = '0123456789abcdef0123456789abcdef'

    test('either every secret goes somewhere (or is warned about) and each destination holds its value, or an ActionError', () => {
      fc.assert(
        fc.property(
          fc.array(secret, { minLength: 1, maxLength: 4 }),
          fc.boolean(),
          fc.boolean(),
          (secrets, exportEnv, parseJson) => {
            const outcome: Outcome = {
              operation: 'get',
              secrets: secrets.map((s) => ({
                ...s,
                vault: VAULT,
                version: VERSION_ID,
                id: `https://contoso-kv.vault.azure.net/secrets/${s.name}/${VERSION_ID}`
              })),
              files: [],
              missing: [],
              certificatesSkipped: [],
              invalidNames: [],
              expiry: []
            }
            let publication: ReturnType<typeof publicationFor>
            try {
              publication = publicationFor(outcome, { exportEnv, parseJson })
            } catch (error) {
              if (!(error instanceof ActionError)) throw error
              expect(error.message).toMatch(/^Input '(secrets|export-env)'/)
              return
            }
            const { outputs, env, warnings, destinations } = publication
            for (const s of secrets) {
              const warned = warnings.some((warning) => warning.includes(`'${s.name}'`))
              expect({
                secret: s.name,
                goesSomewhere: (destinations.get(destinationKey({ ...s, vault: VAULT })) ?? []).length > 0 || warned
              }).toEqual({
                secret: s.name,
                goesSomewhere: true
              })
            }
            for (const places of destinations.values()) {
              for (const place of places) {
                const [kind = '', name = ''] = place.split(' ')
                const target = kind === 'env' ? env : outputs
                expect({ place, present: Object.hasOwn(target, name) }).toEqual({ place, present: true })
              }
            }
            for (const v of [...Object.values(outputs), ...Object.values(env)]) expect(typeof v).toBe('string')
          }
        ),
        HEAVY
      )
    })
  })

  describe('masking', () => {
    let written: string[] = []
    let spy: { mockRestore(): void } | undefined
    beforeEach(() => {
      const write = ((chunk: string | Uint8Array): boolean => {
        written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'))
        return true
      }) as typeof process.stdout.write
      spy = jest.spyOn(process.stdout, 'write').mockImplementation(write)
    })
    afterEach(() => spy?.mockRestore())

    /** The add-mask data the runner reads from what maskValue printed. */
    function registered(value: string, minLength: number): string[] {
      written = []
      maskValue(value, minLength)
      const lines = splitOutputLines(written.join(''))
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
        HEAVY
      )
    })
  })
})
