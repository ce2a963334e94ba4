import { describe, expect, test } from '@jest/globals'
import type { Outcome } from '../../src/operations/index.js'
import { applyPublication } from '../../src/publish/apply.js'
import { destinationKey } from '../../src/operations/get/publication.js'
import { captureStdout, isolateEnv, publicationFor, VAULT } from './helpers.js'

isolateEnv() // no GITHUB_OUTPUT: @actions/core falls back to ::set-output:: on stdout
const stdout = captureStdout()

const ID = 'https://contoso-kv.vault.azure.net/secrets/db-password/0123456789abcdef0123456789abcdef'
const VERSION = '0123456789abcdef0123456789abcdef'

const got = (name: string, value = 'S3cret!'): Outcome => ({
  operation: 'get',
  secrets: [{ name, value, version: VERSION, id: ID, fromGlob: false, vault: VAULT }],
  files: [],
  missing: [],
  certificatesSkipped: [],
  invalidNames: [],
  expiry: []
})
const outputsFor = (outcome: Outcome): Record<string, string> => publicationFor(outcome).outputs
const publish = (outcome: Outcome): void => void applyPublication(publicationFor(outcome))

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

describe('publish', () => {
  test('get: the value is masked (line by line) before any output is set', () => {
    publish(got('db-password', 'line-1\nline-2'))
    const commands = stdout.commands().map((c) => `${c.command} ${c.properties}`.trim())
    expect(commands).toEqual([
      'add-mask',
      'add-mask',
      'set-output name=value',
      'set-output name=version',
      'set-output name=id',
      'set-output name=db-password'
    ])
    expect(stdout.masks()).toEqual(['line-1', 'line-2'])
  })

  test('set and delete register no masks', () => {
    publish({
      operation: 'set',
      secretName: 'db-password',
      version: VERSION,
      id: ID,
      changed: true,
      expiresOn: '',
      masks: []
    })
    publish({
      operation: 'delete',
      secrets: [{ name: 'db-password', state: 'deleted', recoveryId: 'r', deletedOn: 'd', scheduledPurgeDate: 'p' }],
      missing: []
    })
    expect(stdout.maskLines()).toEqual([])
    expect(stdout.commands().map((c) => c.properties)).toEqual([
      'name=version',
      'name=id',
      'name=changed',
      'name=recovery-id',
      'name=deleted-on',
      'name=scheduled-purge-date'
    ])
  })

  test('set with skip-unchanged: the stored value it read is masked before any output', () => {
    publish({
      operation: 'set',
      secretName: 'db-password',
      version: VERSION,
      id: ID,
      changed: false,
      expiresOn: '',
      masks: ['st0red-value']
    })
    expect(stdout.commands().map((c) => c.command)).toEqual(['add-mask', 'set-output', 'set-output', 'set-output'])
    expect(stdout.masks()).toEqual(['st0red-value'])
  })

  test('get of an ordinary secret warns about nothing', () => {
    publish(got('db-password'))
    expect(stdout.commands().filter((c) => c.command === 'warning')).toEqual([])
  })

  // Whatever the case, a secret that shares a fixed output's name is only in 'value': the user is told so.
  test.each(['VALUE', 'Version', 'version', 'id', 'deleted-on'])(
    "get of a secret named '%s' warns that its value is in the output 'value'",
    (secretName) => {
      publish(got(secretName))
      const warnings = stdout.commands().filter((c) => c.command === 'warning')
      expect(warnings.map((w) => w.data)).toEqual([
        `Secret '${secretName}' has the name of a fixed output; read its value from the output 'value', or give it an alias.`
      ])
    }
  )
})
