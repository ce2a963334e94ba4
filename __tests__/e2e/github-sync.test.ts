/**
 * End-to-end: `github-secrets` writes Key Vault values into GitHub secrets. The committed action,
 * through the real @azure/* SDK to the Key Vault stand-in and the real @actions/github Octokit (with
 * its retry and throttling plugins) to the GitHub REST stand-in, over HTTPS. The stand-in opens
 * every sealed value with real libsodium, so each check of a stored secret compares bytes.
 *
 * The tests that write GitHub more than once wait about a second between writes (the throttling
 * plugin spaces them, or a retry or a secondary rate limit waits): they are `waiting` tests
 * (support/world.ts), with a stand-in of their own, beside the others; the one that measures the
 * spacing is `timed`: it runs once they are done, alone in the worker.
 */
import { describe, expect, it, jest } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { assertNoLeak, repoRoot, type RunResult } from '../support/runner.js'
import { expectFailure, expectSuccess } from '../support/steps.js'
import type { GitHubRestApi, SecretScope, SecretStore } from '../support/standin/index.js'
import { useStandIn } from '../support/world.js'

jest.setTimeout(60_000)

const TENANT = '3b1f7a2c-9d4e-4f6a-8b2c-1e0d9c8b7a65'
const APP = '7c6b5a49-3e2d-4c1b-9a08-f7e6d5c4b3a2'
const VAULT = 'rotate-kv'
const ORG = 'octo-org'
const REPO = `${ORG}/app`
const TOKEN = 'github_pat_11AAAA_sync0token0for0tests0only0XYZ'
const DB_PASSWORD = 'first line\nsecond: ünïcødé ✓ 🔑\n\ttabbed\r\nno newline at the end'
const API_KEY = 'ak-9f8e7d6c5b4a39281706'

const {
  s,
  step,
  seed: startOver,
  waiting,
  timed
} = useStandIn({
  vault: {
    name: VAULT,
    tenantId: TENANT,
    clientId: APP,
    grants: ['get', 'list', 'set'],
    secrets: { 'db-password': DB_PASSWORD, 'api-key': API_KEY }
  },
  seed: (s) => {
    const api = s.githubApi
    api.addOrganization({
      login: ORG,
      repositories: [{ name: 'app', id: 1296269, environments: ['production'] }, { name: 'api', id: 2021 }, 'lib']
    })
    api.addToken(TOKEN, {
      organizations: [ORG],
      permissions: {
        secrets: 'write',
        environments: 'write',
        dependabot_secrets: 'write',
        organization_secrets: 'write',
        organization_dependabot_secrets: 'write'
      }
    })
  }
})
/** The GitHub REST stand-in of the stand-in in use (a `waiting` test's own, inside its body). */
const api = (): GitHubRestApi => s.githubApi
const run = (inputs: Record<string, string>, options: Parameters<typeof step>[1] = {}): Promise<RunResult> =>
  step({ 'github-token': TOKEN, ...inputs }, { ...options, env: { GITHUB_API_URL: api().url, ...options.env } })

const plaintext = (scope: SecretScope, name: string, store?: SecretStore): string | undefined =>
  api().secret(scope, name, store)?.plaintext?.toString('utf8')

/** Every sealed value GitHub received: as good as the secret to whoever has the private key. */
const sealedValues = (): string[] =>
  [{ repo: REPO }, { repo: REPO, environment: 'production' }, { org: ORG }].flatMap((scope) =>
    (['actions', 'dependabot'] as const).flatMap((store) =>
      [...api().secretsOf(scope, store).values()].flatMap((secret) => secret.encryptedValues)
    )
  )

const githubCalls = (): string[] => s.requestsTo('github-api').map((r) => `${r.method} ${r.path} ${r.status}`)
const vaultWrites = (): number => s.requestsTo('vault', 'PUT').filter((r) => r.status === 200).length

describe('get, then GitHub', () => {
  waiting(
    'reads two secrets and writes both to the repository, byte for byte; the output names them; no value, sealed value or token in any log',
    async () => {
      const r = await run({ secrets: 'db-password\nAPI=api-key', 'github-secrets': '*' }, { debug: true })
      expectSuccess(r)
      expect(plaintext({ repo: REPO }, 'DB_PASSWORD')).toBe(DB_PASSWORD)
      expect(plaintext({ repo: REPO }, 'API')).toBe(API_KEY)
      expect(JSON.parse(r.outputs['github-secrets-written'] ?? '')).toEqual(['DB_PASSWORD', 'API'])
      expect(r.log).toContain('Wrote 2 GitHub secrets to repository octo-org/app: DB_PASSWORD, API.')
      expect(r.summary).toContain('GitHub secret DB_PASSWORD')
      // The public key first, then one write per secret, nothing else.
      expect(githubCalls()).toEqual([
        'GET /repos/octo-org/app/actions/secrets/public-key 200',
        'PUT /repos/octo-org/app/actions/secrets/DB_PASSWORD 201',
        'PUT /repos/octo-org/app/actions/secrets/API 201'
      ])
      assertNoLeak(r, [DB_PASSWORD, API_KEY, TOKEN, ...sealedValues()])
    }
  )

  timed('writes are spaced as GitHub asks integrations to (the throttling plugin: a second apart)', async () => {
    expectSuccess(await run({ secrets: 'db-password,api-key', 'github-secrets': '*' }))
    const [first = 0, second = 0] = s.githubPuts().map((put) => put.arrived)
    expect(second - first).toBeGreaterThanOrEqual(900)
  })

  it('NAME=source names the GitHub secret; a second run updates it (204) without a new key request per secret', async () => {
    expectSuccess(await run({ 'secret-name': 'db-password', 'github-secrets': 'PROD_DB=db-password' }))
    s.vault(VAULT).setSecret('db-password', 'rotated')
    expectSuccess(await run({ 'secret-name': 'db-password', 'github-secrets': 'PROD_DB=db-password' }))
    expect(api().secret({ repo: REPO }, 'PROD_DB')).toMatchObject({ writes: 2 })
    expect(plaintext({ repo: REPO }, 'PROD_DB')).toBe('rotated')
  })

  waiting('a glob: the names it matched are written; a name GitHub would refuse fails before any write', async () => {
    s.vault(VAULT).setSecret('app-db', 'v1')
    s.vault(VAULT).setSecret('app-cache', 'v2')
    expectSuccess(await run({ secrets: 'app-*', 'github-secrets': '*' }))
    expect([...api().secretsOf({ repo: REPO }).keys()].sort()).toEqual(['APP_CACHE', 'APP_DB'])
    startOver()
    s.vault(VAULT).setSecret('github-token', 'v3')
    const r = await run({ secrets: 'github-*', 'github-secrets': '*' })
    expectFailure(r, "would write the GitHub secret 'GITHUB_TOKEN' (from secret 'github-token')", 'which is refused')
    expect(s.githubPuts()).toEqual([])
  })
})

describe('set, then GitHub', () => {
  it('generate, store and hand on in one step: Key Vault, the GitHub secret and the output hold the same new value', async () => {
    const r = await run({
      operation: 'set',
      'secret-name': 'db-password',
      generate: 'true',
      'github-secrets': 'DB_PASSWORD=db-password'
    })
    expectSuccess(r)
    const value = s.vault(VAULT).value('db-password') ?? ''
    expect(value).toMatch(/^[A-Za-z0-9]{32}$/)
    expect(plaintext({ repo: REPO }, 'DB_PASSWORD')).toBe(value)
    expect(r.outputs.value).toBe(value)
    expect(r.outputs['github-secrets-written']).toBe('["DB_PASSWORD"]')
    // Key Vault is asked nothing before GitHub's public key has answered.
    const [firstGitHub] = s.requestsTo('github-api')
    const [firstVault] = s.requestsTo('vault')
    expect((firstGitHub?.arrived ?? Infinity) <= (firstVault?.arrived ?? 0)).toBe(true)
    assertNoLeak(r, [value, TOKEN, ...sealedValues()])
  })

  it('skip-unchanged that finds the value stored still writes GitHub, and says so', async () => {
    const r = await run({
      operation: 'set',
      'secret-name': 'api-key',
      'secret-value': API_KEY,
      'skip-unchanged': 'true',
      'github-secrets': 'api-key'
    })
    expectSuccess(r)
    expect(r.outputs.changed).toBe('false')
    expect(vaultWrites()).toBe(0)
    expect(plaintext({ repo: REPO }, 'API_KEY')).toBe(API_KEY)
    expect(r.log.join('\n')).toContain(
      'wrote nothing to Key Vault, and wrote GitHub all the same (its copy may be stale)'
    )
  })

  it('tag-provenance tags the new version with the run that wrote it', async () => {
    expectSuccess(
      await step({
        operation: 'set',
        'secret-name': 'db-password',
        'secret-value': 'pr0venance-value',
        'tag-provenance': 'true',
        tags: 'github-sha=given'
      })
    )
    expect(s.vault(VAULT).latest('db-password')?.tags).toEqual({
      'github-repository': 'octo-org/app',
      'github-workflow': 'Rotate secrets',
      'github-run': 'https://github.com/octo-org/app/actions/runs/1',
      'github-sha': 'given'
    })
  })

  it('a GitHub refusal after the Key Vault write: one error naming the version written and what GitHub has; no outputs', async () => {
    s.faults.push({
      match: (r) => r.service === 'github-api' && r.method === 'PUT',
      status: 403,
      body: {
        message: 'Resource not accessible by personal access token',
        documentation_url: 'https://docs.github.com/rest',
        status: '403'
      }
    })
    const r = await run({
      operation: 'set',
      'secret-name': 'db-password',
      'secret-value': 'n3w-value',
      'github-secrets': 'db-password'
    })
    const version = s.vault(VAULT).latest('db-password')?.version ?? ''
    expect(s.vault(VAULT).value('db-password')).toBe('n3w-value')
    expectFailure(
      r,
      `Key Vault has the new value: secret 'db-password' version ${version}.`,
      'GitHub secrets written to repository octo-org/app: none; not written: DB_PASSWORD. No outputs were set.',
      "'operation: get', 'secret-name: db-password' and the same 'github-secrets'"
    )
    assertNoLeak(r, ['n3w-value', TOKEN])
  })
})

describe('every scope', () => {
  it('an environment', async () => {
    expectSuccess(
      await run({ 'secret-name': 'api-key', 'github-secrets': 'api-key', 'github-environment': 'production' })
    )
    expect(plaintext({ repo: REPO, environment: 'production' }, 'API_KEY')).toBe(API_KEY)
    expect(api().secret({ repo: REPO }, 'API_KEY')).toBeUndefined()
  })

  it.each(['private', 'all'] as const)('an organization, visibility %s', async (visibility) => {
    expectSuccess(
      await run({
        'secret-name': 'api-key',
        'github-secrets': 'api-key',
        'github-org': ORG,
        'github-org-visibility': visibility
      })
    )
    expect(api().secret({ org: ORG }, 'API_KEY')).toMatchObject({ visibility })
    expect(plaintext({ org: ORG }, 'API_KEY')).toBe(API_KEY)
  })

  it('an organization, visibility selected: the repositories go by id, looked up before any write', async () => {
    const r = await run({
      'secret-name': 'api-key',
      'github-secrets': 'api-key',
      'github-org': ORG,
      'github-org-visibility': 'selected',
      'github-selected-repositories': 'app, api'
    })
    expectSuccess(r)
    expect(api().secret({ org: ORG }, 'API_KEY')).toMatchObject({
      visibility: 'selected',
      selectedRepositoryIds: [1296269, 2021]
    })
  })

  it.each([
    ['repository', {}, { repo: REPO }],
    ['organization', { 'github-org': ORG }, { org: ORG }]
  ] as const)('Dependabot secrets of the %s', async (_, where, scope) => {
    expectSuccess(
      await run({
        'secret-name': 'api-key',
        'github-secrets': 'api-key',
        'github-secret-store': 'dependabot',
        ...where
      })
    )
    expect(plaintext(scope, 'API_KEY', 'dependabot')).toBe(API_KEY)
    expect(api().secret(scope, 'API_KEY', 'actions')).toBeUndefined()
  })

  it('GitHub Enterprise Server through GITHUB_API_URL', async () => {
    const ghes = s.githubEnterprise
    ghes.addOrganization({ login: ORG, repositories: ['app'] })
    ghes.addToken(TOKEN, { organizations: [ORG], permissions: { secrets: 'write' } })
    const r = await run(
      { 'secret-name': 'api-key', 'github-secrets': 'api-key' },
      { env: { GITHUB_API_URL: ghes.url } }
    )
    expectSuccess(r)
    expect(ghes.secret({ repo: REPO }, 'API_KEY')?.plaintext?.toString()).toBe(API_KEY)
    expect(api().secret({ repo: REPO }, 'API_KEY')).toBeUndefined()
    expect(s.requestsTo('github-api').map((req) => req.host)).toEqual([
      'github.contoso-ghes.test',
      'github.contoso-ghes.test'
    ])
  })
})

describe('refusals before anything is written: one error, nothing in Key Vault or GitHub', () => {
  const expectNothingWritten = (r: RunResult, ...phrases: string[]): void => {
    expectFailure(r, ...phrases)
    expect(s.githubPuts().filter((put) => put.status < 300)).toEqual([])
    expect(vaultWrites()).toBe(0)
    assertNoLeak(r, [TOKEN, DB_PASSWORD, API_KEY])
  }
  const rotate = {
    operation: 'set',
    'secret-name': 'db-password',
    'secret-value': 'never-written',
    'github-secrets': 'db-password'
  }

  it('401: a token GitHub does not know', async () => {
    expectNothingWritten(
      await run({ ...rotate, 'github-token': 'github_pat_unknown' }),
      "GitHub did not accept the token in 'github-token' (401)",
      'Nothing was written to Key Vault or GitHub'
    )
  })

  it("403: the run's own GITHUB_TOKEN, which can never write secrets", async () => {
    api().addToken('ghs_run_token', { kind: 'github-token', repositories: [REPO] })
    const r = await run({ ...rotate, 'github-token': 'ghs_run_token' })
    // GitHub lets it read the public key; the refusal comes at the write, after Key Vault (the one case GitHub has no dry run for).
    expectFailure(r, '(403)', "the run's own GITHUB_TOKEN can never write secrets", 'Key Vault has the new value')
    expect(s.githubPuts().filter((put) => put.status < 300)).toEqual([])
  })

  it('403: a fine-grained token without the permission names the permission', async () => {
    api().addToken('github_pat_readonly', { repositories: [REPO], permissions: { environments: 'write' } })
    expectNothingWritten(
      await run({ ...rotate, 'github-token': 'github_pat_readonly' }),
      '(403)',
      '"Secrets" repository permission (read and write)'
    )
  })

  it('404: an environment that does not exist', async () => {
    expectNothingWritten(
      await run({ ...rotate, 'github-environment': 'staging' }),
      '(404)',
      'An environment must exist before secrets can be written to it'
    )
  })

  it('404: a repository the token is not granted', async () => {
    api().addRepository({ owner: 'someone', name: 'else' })
    expectNothingWritten(
      await run({ ...rotate, 'github-repository': 'someone/else' }),
      'read the public key of repository someone/else',
      '(404)'
    )
  })

  it('404: a selected repository that is not in the organization', async () => {
    expectNothingWritten(
      await run({
        ...rotate,
        'github-org': ORG,
        'github-org-visibility': 'selected',
        'github-selected-repositories': 'app,missing'
      }),
      'look up the repository octo-org/missing',
      'does not exist in the organization'
    )
  })

  it('a bad input: refused before any request at all', async () => {
    const r = await run({ ...rotate, 'github-token': '' })
    expectFailure(r, "Input 'github-secrets' needs 'github-token'")
    expect(s.requests).toEqual([])
  })
})

describe('GitHub trouble on the way', () => {
  waiting('a 502 is retried (Octokit retry plugin) and the write lands', async () => {
    s.faults.push({ match: (r) => r.service === 'github-api' && r.method === 'PUT', status: 502, times: 1 })
    expectSuccess(await run({ 'secret-name': 'api-key', 'github-secrets': 'api-key' }))
    expect(plaintext({ repo: REPO }, 'API_KEY')).toBe(API_KEY)
    expect(s.githubPuts().map((put) => put.status)).toEqual([502, 201])
  })

  waiting('a secondary rate limit is waited out as GitHub asks, then the write lands', async () => {
    s.faults.push(api().secondaryRateLimit({ retryAfter: 1, match: (r) => r.method === 'PUT' }))
    const r = await run({ 'secret-name': 'api-key', 'github-secrets': 'api-key' })
    expectSuccess(r)
    expect(r.log.join('\n')).toContain('GitHub answered with its secondary rate limit; waiting 1 s as it asks')
    expect(plaintext({ repo: REPO }, 'API_KEY')).toBe(API_KEY)
  })

  waiting('get: a refusal of the second write names what was and was not written; no outputs', async () => {
    s.faults.push({
      match: (r) => r.service === 'github-api' && r.method === 'PUT' && r.path.endsWith('/API'),
      status: 422,
      body: { message: 'Validation Failed', status: '422' }
    })
    const r = await run({ secrets: 'db-password\nAPI=api-key', 'github-secrets': '*' })
    expectFailure(
      r,
      'refused to write the secret API to repository octo-org/app (422)',
      'written to repository octo-org/app: DB_PASSWORD; not written: API.'
    )
    expect(plaintext({ repo: REPO }, 'DB_PASSWORD')).toBe(DB_PASSWORD)
  })

  it('a redirect is not followed: the token goes to GITHUB_API_URL only', async () => {
    s.faults.push({
      match: (r) => r.service === 'github-api',
      status: 301,
      headers: { location: 'https://attacker.example/steal' }
    })
    const r = await run({ 'secret-name': 'api-key', 'github-secrets': 'api-key' })
    expectFailure(r, 'GitHub answered 301 (a redirect)', 'it was not followed')
    expect(s.requests.filter((req) => req.host === 'attacker.example')).toEqual([])
  })
})

describe('a plain get does not load the GitHub code', () => {
  const chunksLoaded = (r: RunResult): string[] =>
    [...new Set([...r.stderr.matchAll(/\b(\d+)\.index\.js\b/g)].map((match) => match[1] ?? ''))].sort()
  // A chunk of GitHub code: it holds Octokit (the sign-in chunk, loaded by every run, does not).
  const isGitHubChunk = (id: string): boolean =>
    readFileSync(join(repoRoot, 'dist', `${id}.index.js`), 'utf8').includes('octokit')

  it('no GitHub request and no GitHub chunk loaded (NODE_DEBUG=esm names each module the loader loads)', async () => {
    const plain = await step({ 'secret-name': 'api-key' }, { env: { NODE_DEBUG: 'esm' } })
    expectSuccess(plain)
    expect(chunksLoaded(plain).filter(isGitHubChunk)).toEqual([])
    expect(s.requestsTo('github-api')).toEqual([])
    // The same check sees the GitHub code load when a step writes to GitHub: it is not vacuous.
    const syncing = await run({ 'secret-name': 'api-key', 'github-secrets': 'api-key' }, { env: { NODE_DEBUG: 'esm' } })
    expectSuccess(syncing)
    expect(chunksLoaded(syncing).filter(isGitHubChunk).length).toBeGreaterThan(0)
  })
})
