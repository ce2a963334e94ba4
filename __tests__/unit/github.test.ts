/**
 * The GitHub sync's pure parts: sealing (checked against real libsodium, the reference
 * implementation), the entries of `github-secrets` and how they resolve, the reading of the scope
 * inputs, provenance tags and the advice for GitHub's refusals.
 */
import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import sodium from 'libsodium-wrappers'
import { ActionError } from '../../src/errors.js'
import { explainGitHubRefusal, explainIncomplete } from '../../src/github/advice.js'
import { GitHubRefusal, GitHubSyncIncomplete } from '../../src/github/errors.js'
import { githubNameProblem } from '../../src/inputs/githubNames.js'
import { parseSyncEntries, planSync, type SyncSource } from '../../src/inputs/githubPlan.js'
import { withProvenance } from '../../src/github/provenance.js'
import { sealFor } from '../../src/github/seal.js'
import { serviceText } from '../../src/text.js'
import { readInputs } from '../../src/operations/inputs.js'
import { propertyOptions } from '../support/arbitraries.js'
import { captureStdout, isolateEnv, setInputs, thrownBy } from './helpers.js'

isolateEnv()
captureStdout()

await sodium.ready

describe('sealFor: crypto_box_seal as libsodium makes it', () => {
  const keys = sodium.crypto_box_keypair()
  const open = (sealed: string): string =>
    sodium.to_string(sodium.crypto_box_seal_open(Buffer.from(sealed, 'base64'), keys.publicKey, keys.privateKey))

  test.each([
    ['a plain value', 'S3cret!'],
    ['an empty value', ''],
    ['several lines, trailing newline kept', 'line-1\r\nline-2\n'],
    ['unicode', 'pässwörd-🔑-密码'],
    ['25 KB', 'x'.repeat(25 * 1024)]
  ])('libsodium opens %s byte for byte', (_, value) => {
    expect(open(sealFor(keys.publicKey, value))).toBe(value)
  })

  test('any string: libsodium opens it to the same bytes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (value) => {
        expect(
          Buffer.from(
            sodium.crypto_box_seal_open(
              Buffer.from(sealFor(keys.publicKey, value), 'base64'),
              keys.publicKey,
              keys.privateKey
            )
          )
        ).toEqual(Buffer.from(value, 'utf8'))
      }),
      // Each seal is two X25519 scalar multiplications in pure JavaScript (about 35 ms each here).
      propertyOptions(40)
    )
  })

  test('two seals of one value differ (a new key pair each time), and another key cannot open either', () => {
    const a = sealFor(keys.publicKey, 'same')
    const b = sealFor(keys.publicKey, 'same')
    expect(a).not.toBe(b)
    const other = sodium.crypto_box_keypair()
    expect(() => sodium.crypto_box_seal_open(Buffer.from(a, 'base64'), other.publicKey, other.privateKey)).toThrow()
  })

  test('the sealed form is 48 bytes longer than the value (ephemeral key + MAC), as libsodium documents', () => {
    expect(Buffer.from(sealFor(keys.publicKey, 'abc'), 'base64')).toHaveLength(3 + sodium.crypto_box_SEALBYTES)
  })

  test('a key that is not 32 bytes is refused', () => {
    expect(() => sealFor(new Uint8Array(31), 'x')).toThrow('32 bytes')
  })
})

describe("GitHub's name rules", () => {
  test.each(['DB_PASSWORD', 'db_password', '_X', 'A1'])('%s is accepted', (name) => {
    expect(githubNameProblem(name)).toBeUndefined()
  })
  test.each([
    ['DB-PASSWORD', 'letters, digits and _'],
    ['1ST', 'does not start with a digit'],
    ['GITHUB_TOKEN', 'GITHUB_'],
    ['github_x', 'GITHUB_'],
    ['A B', 'letters, digits and _'],
    ['', 'letters, digits and _']
  ])('%s is refused: %s', (name, why) => {
    expect(githubNameProblem(name)).toContain(why)
  })
})

describe('github-secrets entries', () => {
  const sources: SyncSource[] = [
    { name: 'db-password', value: 'p1' },
    { name: 'api-key', alias: 'API', value: 'k1' }
  ]
  const plan = (text: string, from = sources) => planSync(parseSyncEntries(text.split(',')), from)

  test('a bare source is named as export-env names it; an alias as written, upper-cased', () => {
    expect(plan('db-password,API')).toEqual([
      { githubName: 'DB_PASSWORD', source: 'db-password', value: 'p1' },
      { githubName: 'API', source: 'api-key', value: 'k1' }
    ])
  })

  test('NAME=source gives the name; a source matches its Key Vault name ignoring case', () => {
    expect(plan('Prod_Db=DB-Password')).toEqual([{ githubName: 'PROD_DB', source: 'db-password', value: 'p1' }])
  })

  test('* is every secret of the step', () => {
    expect(plan('*').map((item) => item.githubName)).toEqual(['DB_PASSWORD', 'API'])
  })

  test('a source the step did not read is an error naming the entry', () => {
    expect(thrownBy(() => plan('X=other')).message).toBe(
      "Input 'github-secrets': the entry 'X=other' names 'other', which is not a secret this step read or wrote. Name a secret of 'secret-name' or 'secrets' (by its name or alias)."
    )
  })

  test('two entries for one GitHub name (ignoring case) are an error naming both', () => {
    expect(thrownBy(() => plan('DB_PASSWORD=api-key,db-password')).message).toContain(
      "the entries 'DB_PASSWORD=api-key' and 'db-password' would both write the GitHub secret DB_PASSWORD"
    )
  })

  test('a name GitHub refuses, derived from a glob match, is an error before any write', () => {
    const error = thrownBy(() => plan('*', [{ name: 'github-token', value: 'v' }]))
    expect(error.message).toContain("would write the GitHub secret 'GITHUB_TOKEN' (from secret 'github-token')")
  })

  test('a secret ignore-missing skipped is not written and is no error', () => {
    expect(planSync(parseSyncEntries(['db-password', 'gone']), sources, ['gone'])).toHaveLength(1)
  })

  test.each([
    ['DB-X=db-password', 'letters, digits and _'],
    ['1X=db-password', 'does not start with a digit'],
    ['NAME=*', 'gives a name to `*`'],
    ['a b', 'malformed entry'],
    ['X=y=z', 'malformed entry']
  ])('%s is refused: %s', (text, why) => {
    const error = thrownBy(() => parseSyncEntries([text]))
    expect(error).toBeInstanceOf(ActionError)
    expect(error.message).toContain(why)
  })
})

describe('reading github-secrets and its scope (before any request)', () => {
  const env = { GITHUB_REPOSITORY: 'octo-org/app' }
  const base = { 'vault-name': 'contoso-kv', 'secret-name': 'db-password', 'github-token': 'ghp_token' }
  const read = (inputs: Record<string, string>) => {
    for (const name of Object.keys(process.env)) if (name.startsWith('INPUT_')) delete process.env[name]
    setInputs({ ...base, ...inputs })
    return readInputs(env).inputs
  }
  const refusal = (inputs: Record<string, string>): string => thrownBy(() => read(inputs)).message
  const syncOf = (inputs: Record<string, string>) => {
    const read_ = read(inputs)
    return 'github' in read_ ? read_.github : undefined
  }

  test('the repository defaults to GITHUB_REPOSITORY; the store to actions', () => {
    expect(syncOf({ 'github-secrets': 'db-password' })).toEqual({
      entries: [{ text: 'db-password', githubName: undefined, source: 'db-password' }],
      token: 'ghp_token',
      scope: { kind: 'repository', owner: 'octo-org', repo: 'app' },
      store: 'actions'
    })
  })

  test('an environment, an organization with selected repositories, Dependabot', () => {
    expect(syncOf({ 'github-secrets': 'db-password', 'github-environment': 'production' })?.scope).toEqual({
      kind: 'environment',
      owner: 'octo-org',
      repo: 'app',
      environment: 'production'
    })
    expect(
      syncOf({
        'github-secrets': 'db-password',
        'github-org': 'octo-org',
        'github-org-visibility': 'selected',
        'github-selected-repositories': 'app, api\nApp'
      })?.scope
    ).toEqual({ kind: 'organization', org: 'octo-org', visibility: 'selected', selectedRepositories: ['app', 'api'] })
    expect(syncOf({ 'github-secrets': 'db-password', 'github-secret-store': 'dependabot' })?.store).toBe('dependabot')
  })

  test.each([
    [{ 'github-secrets': 'db-password', 'github-token': '' }, "Input 'github-secrets' needs 'github-token'"],
    [{}, "Input 'github-token' is only used with 'github-secrets', which names the secrets to write to GitHub"],
    [{ 'github-token': '', 'github-org': 'octo-org' }, "Input 'github-org' is only used with 'github-secrets'"],
    [{ 'github-secrets': 'other' }, "the entry 'other' names 'other', which is not a secret this step reads"],
    [
      { 'github-secrets': 'db-password', 'github-org': 'octo-org', 'github-repository': 'o/r' },
      "Inputs 'github-org' and 'github-repository' were both given"
    ],
    [
      { 'github-secrets': 'db-password', 'github-org': 'octo-org', 'github-environment': 'prod' },
      "Inputs 'github-org' and 'github-environment' were both given"
    ],
    [
      { 'github-secrets': 'db-password', 'github-org-visibility': 'all' },
      "Input 'github-org-visibility' is only used with 'github-org'"
    ],
    [
      { 'github-secrets': 'db-password', 'github-org': 'octo-org', 'github-org-visibility': 'selected' },
      "'github-org-visibility: selected' needs 'github-selected-repositories'"
    ],
    [
      { 'github-secrets': 'db-password', 'github-org': 'octo-org', 'github-selected-repositories': 'app' },
      "Input 'github-selected-repositories' is only used with 'github-org-visibility: selected' (now 'private')"
    ],
    [
      { 'github-secrets': 'db-password', 'github-environment': 'prod', 'github-secret-store': 'dependabot' },
      'Dependabot secrets belong to a repository or an organization'
    ],
    [
      { 'github-secrets': 'db-password', 'github-repository': 'octo-org' },
      "Input 'github-repository' has an invalid value 'octo-org'. Accepted: owner/name"
    ],
    [
      { 'github-secrets': 'db-password', 'github-repository': 'octo-org/..' },
      "Input 'github-repository' has an invalid value 'octo-org/..'"
    ],
    [
      { 'github-secrets': 'db-password', 'github-org': 'octo org' },
      "Input 'github-org' has an invalid value 'octo org'"
    ],
    [
      { 'github-secrets': 'db-password', 'github-environment': 'a\u0007b' },
      "Input 'github-environment' has an invalid value"
    ],
    [{ 'github-secrets': 'GITHUB_X=db-password' }, 'GitHub keeps names starting with GITHUB_'],
    [{ 'github-secrets': 'ACTIONS_STEP_DEBUG=db-password' }, 'the runner reads secrets starting with ACTIONS_'],
    [{ 'github-secrets': 'actions_runner_debug=db-password' }, 'the runner reads secrets starting with ACTIONS_'],
    [{ 'github-secrets': 'RUNNER_X=db-password' }, 'the runner gives names starting with RUNNER_ a meaning'],
    [
      { 'secret-name': '', secrets: 'app*', 'github-secrets': '*' },
      "Input 'github-secrets': the glob 'app*' in 'secrets' would let the vault choose the names of GitHub secrets ('*')"
    ],
    [
      { 'github-secrets': 'db-password', 'github-secret-store': 'codespaces' },
      "Input 'github-secret-store' has an unknown value 'codespaces'. Accepted values: actions, dependabot."
    ]
  ])('%j is refused', (inputs, message) => {
    expect(refusal(inputs)).toContain(message)
  })

  test('github-secrets with an operation other than get and set is refused by the table', () => {
    expect(refusal({ operation: 'delete', 'github-secrets': 'db-password' })).toBe(
      "Input 'github-secrets' is only used with 'operation: get' or 'operation: set', not 'delete'. Remove it."
    )
  })

  test('a glob defers the check of a source only it can match; one it cannot match is refused now', () => {
    const globbed = { 'secret-name': '', secrets: 'app-*' }
    expect(syncOf({ ...globbed, 'github-secrets': 'app-db' })?.entries).toHaveLength(1)
    expect(refusal({ ...globbed, 'github-secrets': 'other-db' })).toContain(
      "names 'other-db', which is not a secret this step reads"
    )
  })

  test('with set, the source is the secret-name', () => {
    const set = { operation: 'set', 'secret-value': 'v4lue' }
    expect(syncOf({ ...set, 'github-secrets': 'DB=db-password' })?.entries).toEqual([
      { text: 'DB=db-password', githubName: 'DB', source: 'db-password' }
    ])
    expect(refusal({ ...set, 'github-secrets': 'api-key' })).toContain("Name 'db-password' (the 'secret-name')")
  })

  test('the token is masked first, with the secret inputs', () => {
    // readInputs does not mask; the run masks the secret inputs of the table first (inputs.test.ts).
    expect(refusal({ 'github-secrets': 'db-password', 'github-org-visibility': 'all' })).not.toContain('ghp_token')
  })
})

describe('tag-provenance', () => {
  test('adds the run from the context; a given tag of the same name (any case) wins', async () => {
    Object.assign(process.env, {
      GITHUB_REPOSITORY: 'octo-org/app',
      GITHUB_WORKFLOW: 'rotate',
      GITHUB_RUN_ID: '4242',
      GITHUB_SHA: 'abc123',
      GITHUB_SERVER_URL: 'https://github.com'
    })
    expect(await withProvenance({ 'GitHub-SHA': 'mine', owner: 'platform' })).toEqual({
      'github-repository': 'octo-org/app',
      'github-workflow': 'rotate',
      'github-run': 'https://github.com/octo-org/app/actions/runs/4242',
      'GitHub-SHA': 'mine',
      owner: 'platform'
    })
  })

  test('is refused outside GitHub Actions, and when the tags would pass 15', () => {
    const set = {
      'vault-name': 'contoso-kv',
      operation: 'set',
      'secret-name': 'db',
      'secret-value': 'v',
      'tag-provenance': 'true'
    }
    setInputs(set)
    expect(thrownBy(() => readInputs({})).message).toContain('not set: the step is not running in GitHub Actions')
    const env = { GITHUB_REPOSITORY: 'o/r', GITHUB_WORKFLOW: 'w', GITHUB_RUN_ID: '1', GITHUB_SHA: 's' }
    setInputs({ ...set, tags: Array.from({ length: 12 }, (_, i) => `t${i}=v`).join('\n') })
    expect(thrownBy(() => readInputs(env)).message).toBe(
      "Inputs 'tags' and 'tag-provenance' give 16 tags (12 and 4 of github-repository, github-workflow, github-run, github-sha); Key Vault accepts at most 15 per secret. Remove 1 from 'tags'."
    )
    setInputs({ ...set, tags: [...Array.from({ length: 11 }, (_, i) => `t${i}=v`), 'github-sha=given'].join('\n') })
    expect(() => readInputs(env)).not.toThrow()
  })
})

describe("advice for GitHub's refusals", () => {
  const context = { operation: 'set', serviceText }
  const refusal = (status: number, message: string, step: 'key' | 'write' | 'repository' = 'key') =>
    new GitHubRefusal({
      status,
      message,
      step,
      where: 'repository octo-org/app',
      secretName: step === 'write' ? 'DB_PASSWORD' : undefined,
      need: '"Secrets" repository permission (read and write)'
    })

  test.each([
    [401, 'Bad credentials', 'key', "did not accept the token in 'github-token' (401)"],
    [
      403,
      'Resource not accessible by integration',
      'write',
      'lacks the "Secrets" repository permission (read and write)'
    ],
    [403, 'Resource not accessible by integration', 'write', "the run's own GITHUB_TOKEN can never write secrets"],
    [404, 'Not Found', 'key', 'An environment must exist before secrets can be written to it'],
    [404, 'Not Found', 'repository', 'does not exist in the organization'],
    [422, 'Validation Failed', 'write', 'refused to write the secret DB_PASSWORD to repository octo-org/app (422)'],
    [403, 'You have exceeded a secondary rate limit', 'write', 'rate limit (403)'],
    [502, 'Bad Gateway', 'write', 'https://www.githubstatus.com'],
    [
      301,
      'GET answered with a redirect to https://elsewhere',
      'key',
      'it was not followed, so the token went nowhere else'
    ],
    [0, 'connect ECONNREFUSED', 'key', 'Could not reach GitHub']
  ] as const)('%d %s (%s): %s', (status, message, step, advice) => {
    expect(explainGitHubRefusal(refusal(status, message, step), context)).toContain(advice)
  })

  test("GitHub's words are one bounded line, control characters removed", () => {
    const text = explainGitHubRefusal(refusal(422, `bad\u001b[31m name\nsecond line ${'x'.repeat(1000)}`), context)
    expect(text).toContain('GitHub said: bad[31m name')
    expect(text).not.toContain('second line')
    expect(text).not.toContain('\u001b')
  })

  test('a failure after the Key Vault write names the version and what was and was not written', () => {
    const error = new GitHubSyncIncomplete(
      refusal(403, 'Resource not accessible by integration', 'write'),
      ['API_KEY'],
      ['DB_PASSWORD', 'OTHER'],
      'repository octo-org/app'
    ).withKeyVault('db-password', 'v123')
    const text = explainIncomplete(error, context)
    expect(text).toContain("Key Vault has the new value: secret 'db-password' version v123.")
    expect(text).toContain(
      'GitHub secrets written to repository octo-org/app: API_KEY; not written: DB_PASSWORD, OTHER. No outputs were set.'
    )
    expect(text).toContain("'operation: get', 'secret-name: db-password' and the same 'github-secrets'")
  })

  test("GitHubRefusal.from reads an Octokit RequestError: status and GitHub's message, never the whole error", () => {
    const requestError = Object.assign(new Error('Not Found - https://docs.github.com/rest'), {
      status: 404,
      response: { data: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } },
      request: { headers: { authorization: 'token [REDACTED]' } }
    })
    const refusal_ = GitHubRefusal.from(requestError, { step: 'key', where: 'repository o/r' })
    expect({ status: refusal_.status, message: refusal_.serviceMessage }).toEqual({ status: 404, message: 'Not Found' })
    const network = Object.assign(new Error('fetch failed'), { status: 500, cause: { code: 'ECONNREFUSED' } })
    expect(GitHubRefusal.from(network, { step: 'key', where: 'repository o/r' })).toMatchObject({
      status: 0,
      code: 'ECONNREFUSED'
    })
  })
})
