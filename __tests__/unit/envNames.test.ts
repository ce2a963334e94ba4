import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import { envNameFor, refusalOf } from '../../src/envNames.js'
import { hostileText, propertyOptions, secretName } from '../support/arbitraries.js'

describe('envNameFor', () => {
  test.each([
    ['db-password', 'DB_PASSWORD'],
    ['ApiKey', 'APIKEY'],
    ['a-b-c', 'A_B_C']
  ])('%s -> %s', (secret, name) => {
    expect(envNameFor(secret)).toBe(name)
  })
})

describe('refusalOf', () => {
  test.each(['DB_PASSWORD', 'API_KEY', '_PRIVATE', 'PATHS', 'MY_PATH'])('%s may be exported', (name) => {
    expect(refusalOf(name)).toBeUndefined()
  })

  test.each(['PATH', 'path', 'NODE_OPTIONS', 'BASH_ENV', 'ENV', 'HOME', 'JAVA_TOOL_OPTIONS', 'HTTPS_PROXY'])(
    '%s is refused as changing how later steps run',
    (name) => {
      expect(refusalOf(name)).toMatch(/^it would change how later steps run \(.+\)$/)
    }
  )

  test.each([
    ['LD_PRELOAD', 'LD_'],
    ['DYLD_INSERT_LIBRARIES', 'DYLD_'],
    ['GITHUB_TOKEN', 'GITHUB_'],
    ['RUNNER_TEMP', 'RUNNER_'],
    ['ACTIONS_RUNTIME_TOKEN', 'ACTIONS_'],
    ['GIT_SSH_COMMAND', 'GIT_']
  ])('%s is refused by its prefix %s', (name, prefix) => {
    expect(refusalOf(name)).toContain(`starting with ${prefix}`)
  })

  test.each(['1PASSWORD', 'A-B', ''])('%p is not a valid variable name', (name) => {
    expect(refusalOf(name)).toContain('not a valid variable name')
  })
})

// Property-based (fast-check): any name, not only the examples above.
const PROPERTIES = propertyOptions(1000)

describe(`properties (fast-check seed ${PROPERTIES.seed}; FC_SEED=<n> to change)`, () => {
  describe('environment variable names', () => {
    test('secret names map to upper-case variable names, and only names equal but for case share one', () => {
      fc.assert(
        fc.property(secretName, secretName, (a, b) => {
          expect(envNameFor(a)).toMatch(/^[A-Z0-9_]+$/)
          expect(envNameFor(a) === envNameFor(b)).toBe(a.toUpperCase() === b.toUpperCase())
        }),
        PROPERTIES
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
        PROPERTIES
      )
    })
  })
})
