/**
 * The set, delete, recover and purge inputs that the step refuses before any request: one error,
 * naming the input, with the message the user sees, as the main step reports it (see inProcess.ts).
 * These ran end to end in __tests__/e2e/lifecycle.test.ts, one child process each; the refusal
 * itself happens in readInputs, so they run here in process, and the end-to-end file keeps one (a
 * value file, whose relative path the step resolves in its own working folder) to prove the path
 * through the bundle.
 */
import { describe, expect, test } from '@jest/globals'
import { assertNoLeak } from '../support/runner.js'
import { captureStdout, CLIENT_ID, isolateEnv, TENANT_ID } from './helpers.js'
import { runInProcess } from './inProcess.js'

isolateEnv()
const stdout = captureStdout()

const OIDC_ENV = {
  ACTIONS_ID_TOKEN_REQUEST_URL: 'https://pipelines.actions.githubusercontent.com/oidc/token?api-version=2.0',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token'
}

describe('bad input is refused before any request', () => {
  const setInputs = { operation: 'set', 'secret-name': 'api-key' }
  test.each([
    [
      'a bad duration',
      { ...setInputs, 'secret-value': 'v1', expires: '90 days' },
      "Input 'expires' has an invalid value '90 days'"
    ],
    [
      'an expiry in the past',
      { ...setInputs, 'secret-value': 'v1', expires: '2020-01-01T00:00:00Z' },
      "Input 'expires' is 2020-01-01T00:00:00.000Z, which has already passed"
    ],
    [
      'a date-time without a time zone',
      { ...setInputs, 'secret-value': 'v1', 'not-before': '2027-01-01T00:00:00' },
      'needs a time zone'
    ],
    [
      'not-before after expires',
      { ...setInputs, 'secret-value': 'v1', expires: '1d', 'not-before': '2d' },
      "Input 'not-before'"
    ],
    [
      '16 tags',
      { ...setInputs, 'secret-value': 'v1', tags: Array.from({ length: 16 }, (_, i) => `t${i}=v`).join('\n') },
      "Input 'tags' has 16 tags; Key Vault accepts at most 15"
    ],
    [
      'a tag line without =',
      { ...setInputs, 'secret-value': 'v1', tags: 'owner' },
      "Input 'tags' has a malformed line 'owner'"
    ],
    [
      'generate-length 0',
      { ...setInputs, generate: 'true', 'generate-length': '0' },
      "Input 'generate-length' has an invalid value '0'. Accepted: a whole number from 8 to 4096."
    ],
    [
      'an unknown charset',
      { ...setInputs, generate: 'true', 'generate-charset': 'emoji' },
      "Input 'generate-charset' has an unknown value 'emoji'. Accepted values: alphanumeric, printable, hex, base64url."
    ],
    [
      'two value sources',
      { ...setInputs, 'secret-value': 'v1', generate: 'true' },
      "'secret-value' and 'generate' were given"
    ],
    ['no value source', setInputs, 'none was given'],
    [
      'skip-unchanged with generate',
      { ...setInputs, generate: 'true', 'skip-unchanged': 'true' },
      "Input 'skip-unchanged'"
    ],
    [
      'an unknown if-deleted',
      { ...setInputs, 'secret-value': 'v1', 'if-deleted': 'overwrite' },
      "Input 'if-deleted' has an unknown value 'overwrite'"
    ],
    [
      'a missing value file',
      { ...setInputs, 'secret-value-file': 'no/such/file' },
      "Input 'secret-value-file': the file 'no/such/file' does not exist"
    ],
    [
      'enabled: maybe',
      { ...setInputs, 'secret-value': 'v1', enabled: 'maybe' },
      "Input 'enabled' has an unknown value 'maybe'"
    ],
    [
      'tags with get',
      { 'secret-name': 'api-key', tags: 'a=b' },
      "Input 'tags' is only used with 'operation: set', not 'get'"
    ],
    [
      'purge with wait: false',
      { operation: 'delete', 'secret-name': 'api-key', purge: 'true', wait: 'false' },
      "cannot be used with 'wait: false'"
    ],
    [
      'purge: true with recover',
      { operation: 'recover', 'secret-name': 'api-key', purge: 'true' },
      "Input 'purge' is only used with 'operation: delete'"
    ],
    [
      'a glob with recover',
      { operation: 'recover', secrets: 'app-*' },
      "'operation: recover' takes exact secret names of the step's vault only"
    ],
    [
      'a version with purge',
      { operation: 'purge', secrets: 'old-key/0123456789abcdef0123456789abcdef' },
      "'operation: purge' takes exact secret names of the step's vault only"
    ]
  ])('%s', (_, inputs, message) => {
    const r = runInProcess(
      stdout,
      { 'vault-name': 'rotation-kv', 'client-id': CLIENT_ID, 'tenant-id': TENANT_ID, ...inputs },
      { env: OIDC_ENV }
    )
    expect(r.thrown).toBeDefined()
    expect(r.errors).toHaveLength(1)
    expect(r.errors[0]).toContain(message)
    expect(r.errors[0]).not.toMatch(/\n\s+at /)
    assertNoLeak(r, ['v1'])
  })
})
