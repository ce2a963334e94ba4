/**
 * What each operation's `decide` makes of its outcome: the outputs and variables later steps get
 * (src/operations/get/publication.ts for get; set, delete, recover and purge decide their own).
 * Writing them out, masks first: apply.test.ts.
 */
import { describe, expect, test } from '@jest/globals'
import type { Outcome } from '../../src/operations/index.js'
import { destinationKey } from '../../src/operations/get/publication.js'
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
