/**
 * What each operation's `decide` makes of its outcome: the outputs and variables later steps get
 * (src/operations/get/publication.ts for get; set, delete, recover and purge decide their own).
 * Writing them out, masks first: apply.test.ts.
 */
import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import { ActionError } from '../../src/errors.js'
import type { Outcome } from '../../src/operations/index.js'
import { destinationKey } from '../../src/operations/get/publication.js'
import { hostileText, propertyOptions, secretAlias, secretName } from '../support/arbitraries.js'
import { got, ID, publicationFor, VAULT, VERSION } from './helpers.js'

const outputsFor = (outcome: Outcome): Record<string, string> => publicationFor(outcome).outputs

describe('outputsFor', () => {
  test('get: value, version, id, and the value again under the secret name', () => {
    expect(outputsFor(got('db-password'))).toEqual({
      value: 'S3cret!',
      version: VERSION,
      id: ID,
      'db-password': 'S3cret!'
    })
  })

  test('get: the secret-named output keeps the name as written', () => {
    expect(outputsFor(got('DbPassword'))).toHaveProperty('DbPassword', 'S3cret!')
  })

  test('get: an empty value is still an output', () => {
    expect(outputsFor(got('empty', ''))).toEqual({ value: '', version: VERSION, id: ID, empty: '' })
  })

  test.each([
    'value',
    'VALUE',
    'version',
    'Version',
    'id',
    'ID',
    'recovery-id',
    'Deleted-On',
    'scheduled-purge-date',
    'Expiring',
    'secrets-info'
  ])("get: a secret named '%s' does not add or overwrite a fixed output", (secretName) => {
    const outputs = outputsFor(got(secretName))
    expect(outputs).toEqual({ value: 'S3cret!', version: VERSION, id: ID })
  })

  test('get with parse-json: a JSON object without leaves ({}) passes through unchanged instead of vanishing', () => {
    const outcome: Outcome = {
      operation: 'get',
      secrets: [
        { name: 'empty-json', value: '{}', version: VERSION, id: ID, fromGlob: false, vault: VAULT },
        { name: 'nested-empty', value: '{"a":{}}', version: VERSION, id: ID, fromGlob: false, vault: VAULT }
      ],
      files: [],
      missing: [],
      certificatesSkipped: [],
      invalidNames: [],
      expiry: []
    }
    const { outputs, env } = publicationFor(outcome, { exportEnv: true, parseJson: true })
    expect(outputs).toEqual({ 'empty-json': '{}', 'nested-empty': '{"a":{}}' })
    expect(env).toEqual({ EMPTY_JSON: '{}', NESTED_EMPTY: '{"a":{}}' })
  })

  test('get: an alias named __proto__ is an output and a variable like any other', () => {
    const outcome: Outcome = {
      operation: 'get',
      secrets: [
        {
          name: 'db-password',
          alias: '__proto__',
          value: 'S3cret!',
          version: VERSION,
          id: ID,
          fromGlob: false,
          vault: VAULT
        }
      ],
      files: [],
      missing: [],
      certificatesSkipped: [],
      invalidNames: [],
      expiry: []
    }
    const { outputs, env, destinations } = publicationFor(outcome, { exportEnv: true })
    expect(Object.getOwnPropertyDescriptor(outputs, '__proto__')?.value).toBe('S3cret!')
    expect(Object.getOwnPropertyDescriptor(env, '__proto__')?.value).toBe('S3cret!')
    expect(destinations.get(destinationKey({ name: 'db-password', alias: '__proto__', vault: VAULT }))).toEqual([
      'output value',
      'output __proto__',
      'env __proto__'
    ])
  })

  test('set: version, id and changed, never a given value', () => {
    const outputs = outputsFor({
      operation: 'set',
      secretName: 'db-password',
      version: VERSION,
      id: ID,
      changed: true,
      expiresOn: '',
      masks: []
    })
    expect(outputs).toEqual({ version: VERSION, id: ID, changed: 'true' })
  })

  test('set: a generated value goes out as value; an unchanged one says changed false', () => {
    const generated = outputsFor({
      operation: 'set',
      secretName: 'db-password',
      version: VERSION,
      id: ID,
      changed: true,
      expiresOn: '',
      generatedValue: 'Gen3rated',
      masks: []
    })
    expect(generated).toEqual({ version: VERSION, id: ID, changed: 'true', value: 'Gen3rated' })
    const unchanged = outputsFor({
      operation: 'set',
      secretName: 'db-password',
      version: VERSION,
      id: ID,
      changed: false,
      expiresOn: '',
      masks: []
    })
    expect(unchanged.changed).toBe('false')
  })

  test('recover: version and id of the one secret recovered; purge: no outputs', () => {
    const recovered = outputsFor({
      operation: 'recover',
      secrets: [{ name: 'db-password', readable: true, version: VERSION, id: ID }],
      missing: []
    })
    expect(recovered).toEqual({ version: VERSION, id: ID })
    expect(outputsFor({ operation: 'purge', secrets: [{ name: 'db-password' }], missing: [] })).toEqual({})
  })

  test('delete: recovery-id, deleted-on and scheduled-purge-date', () => {
    const outcome: Outcome = {
      operation: 'delete',
      secrets: [
        {
          name: 'db-password',
          state: 'deleted',
          recoveryId: 'https://contoso-kv.vault.azure.net/deletedsecrets/db-password',
          deletedOn: '2026-11-29T06:00:00.000Z',
          scheduledPurgeDate: '2027-02-27T06:00:00.000Z'
        }
      ],
      missing: []
    }
    expect(outputsFor(outcome)).toEqual({
      'recovery-id': 'https://contoso-kv.vault.azure.net/deletedsecrets/db-password',
      'deleted-on': '2026-11-29T06:00:00.000Z',
      'scheduled-purge-date': '2027-02-27T06:00:00.000Z'
    })
  })
})

// Property-based (fast-check): any secrets, names, aliases and values, not only the examples above.
const PROPERTIES = propertyOptions(300)

describe(`properties (fast-check seed ${PROPERTIES.seed}; FC_SEED=<n> to change)`, () => {
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
          secretAlias,
          fc.constantFrom('__proto__', 'constructor', 'PATH', 'LD_PRELOAD', 'value', 'VALUE', 'toString')
        ),
        { nil: undefined }
      ),
      value,
      fromGlob: fc.boolean()
    })

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
                version: VERSION,
                id: `https://contoso-kv.vault.azure.net/secrets/${s.name}/${VERSION}`
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
        PROPERTIES
      )
    })
  })
})
