/**
 * End-to-end: `match-tags` narrows globs to the secrets that carry tags - every glob of `get`
 * (over the step's vault and another vault's identifiers), `list` (its globs, or every secret), and
 * so what `github-secrets` writes - using the tags the listing carries, with no request more. Names
 * written exactly are read whatever their tags; a step without a glob and a malformed line are
 * refused before any request. The committed action against the stand-in, through the real SDK,
 * over HTTPS.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { assertNoLeak, type RunResult } from '../support/runner.js'
import { expectFailure, expectSuccess, oidcStep, vaultCalls } from '../support/steps.js'
import { StandIn } from '../support/standin/index.js'

jest.setTimeout(60_000)

const TENANT = '4d6f8a0c-2e4a-4c6e-8a0c-2e4a6c8e0a2c'
const APP = '8e0a2c4e-6a8c-4e0a-9c4e-6a8c0e2a4c6e'
const VAULT = 'tags-kv'
const OTHER = 'other-tags-kv'
const ORG = 'octo-org'
const REPO = `${ORG}/app`
const TOKEN = 'github_pat_11AAAA_tags0token0for0tests0only0XYZ'

/** Each secret's value, so every test can check none of them shows in a log. */
const Values = {
  'app-db': 'App-Db-V@lue-1',
  'app-cache': 'App-Cache-V@lue-2',
  'app-api': 'App-Api-V@lue-3',
  'app-old': 'App-Old-V@lue-4',
  'app-untagged': 'App-Untagged-V@lue-5',
  'db-password': 'Db-P@ssword-6',
  'feature-a': 'Feature-A-V@lue-7',
  'feature-b': 'Feature-B-V@lue-8'
} as const
const allValues = Object.values(Values)

let s: StandIn

beforeAll(async () => {
  s = await StandIn.start()
})
afterAll(async () => {
  await s.stop()
})
beforeEach(() => {
  s.reset()
  for (const name of [VAULT, OTHER]) s.addVault({ name, tenantId: TENANT, grants: { [APP]: ['get', 'list', 'set'] } })
  s.addOidcApp(TENANT, APP)
  const v = s.vault(VAULT)
  v.setSecret('app-db', Values['app-db'], { tags: { env: 'prod', owner: 'team-b' } })
  v.setSecret('app-cache', Values['app-cache'], { tags: { env: 'dev', owner: 'team-b' } })
  v.setSecret('app-api', Values['app-api'], { tags: { env: 'prod', reviewed: '' } })
  v.setSecret('app-old', Values['app-old'], { tags: { env: 'prod' }, enabled: false })
  v.setSecret('app-untagged', Values['app-untagged'])
  v.setSecret('db-password', Values['db-password'], { tags: { env: 'dev' } })
  const o = s.vault(OTHER)
  o.setSecret('feature-a', Values['feature-a'], { tags: { env: 'prod' } })
  o.setSecret('feature-b', Values['feature-b'], { tags: { env: 'Prod' } })
})

const run = oidcStep(() => s, { vault: VAULT, clientId: APP, tenantId: TENANT })

/** The secrets read, by the requests that read a value (`GET /secrets/<name>/ 200`). */
const readNames = (): string[] =>
  vaultCalls(s, 'GET')
    .map((call) => /^GET \/secrets\/([^/ ]+)\/ 200$/.exec(call)?.[1])
    .filter((name): name is string => name !== undefined)
    .sort()

const listings = (): number => vaultCalls(s, 'GET').filter((call) => /^GET \/secrets 200$/.test(call)).length

describe('get', () => {
  it('a glob reads only the enabled secrets that carry every tag; a name written exactly is read whatever its tags; no request more than the listing', async () => {
    const r = await run({ secrets: 'app-*\ndb-password', 'match-tags': 'env=prod', 'export-env': 'true' })
    expectSuccess(r)
    expect(readNames()).toEqual(['app-api', 'app-db', 'db-password'])
    expect(listings()).toBe(1)
    expect(r.outputs).toMatchObject({
      'app-db': Values['app-db'],
      'app-api': Values['app-api'],
      'db-password': Values['db-password']
    })
    expect(r.outputs['app-cache']).toBeUndefined()
    expect(r.outputs['app-untagged']).toBeUndefined()
    expect(Object.keys(r.env).sort()).toEqual(['APP_API', 'APP_DB', 'DB_PASSWORD'])
    expect(r.log).toContain(
      "'match-tags' kept 2 of the 4 secrets the globs matched; the others lack a tag it names, or have another value."
    )
    assertNoLeak(r, allValues)
  })

  it('key alone matches any value, key= only an empty one; keys and values are compared exactly', async () => {
    expectSuccess(await run({ secrets: 'app-*', 'match-tags': 'owner' }))
    expect(readNames()).toEqual(['app-cache', 'app-db'])
    s.requests.length = 0
    expectSuccess(await run({ secrets: 'app-*', 'match-tags': 'reviewed=\nenv=prod' }))
    expect(readNames()).toEqual(['app-api'])
    s.requests.length = 0
    // The other vault's feature-b is tagged env=Prod: not env=prod.
    const r = await run({ secrets: `https://${OTHER}.vault.azure.net/secrets/feature-*`, 'match-tags': 'env=prod' })
    expectSuccess(r)
    expect(r.outputs).toEqual(expect.objectContaining({ 'feature-a': Values['feature-a'] }))
    expect(r.outputs['feature-b']).toBeUndefined()
  })

  it('tags stored by a set (with spaces around =) are matched by match-tags written the same way', async () => {
    expectSuccess(
      await run({ operation: 'set', 'secret-name': 'app-new', 'secret-value': 'N3w-V@lue', tags: 'team = blue\nci=' })
    )
    const r = await run({ secrets: 'app-*', 'match-tags': 'team = blue\nci=' })
    expectSuccess(r)
    expect(Object.keys(r.outputs).filter((name) => name.startsWith('app-'))).toEqual(['app-new'])
  })

  it('no glob matches any tagged secret: success, nothing read, and the log says so', async () => {
    const r = await run({ secrets: 'app-*', 'match-tags': 'env=staging' })
    expectSuccess(r)
    expect(readNames()).toEqual([])
    expect(r.log).toContain(
      "'match-tags' kept 0 of the 4 secrets the globs matched; the others lack a tag it names, or have another value."
    )
  })

  it("the vault's tags are matched exactly and never printed, however hostile", async () => {
    const hostile = '<img src=x>\u001b[31m%0A::error::injected'
    s.vault(VAULT).setSecret('app-hostile', 'H0stile-V@lue', { tags: { env: hostile } })
    const r = await run({ secrets: 'app-*', 'match-tags': 'env=prod' })
    expectSuccess(r)
    expect(readNames()).toEqual(['app-api', 'app-db'])
    for (const text of [r.stdout, r.summary, ...r.log]) expect(text).not.toContain('::error::injected')
    expect(r.errors).toEqual([])
  })
})

describe('list', () => {
  interface Info {
    readonly name: string
    readonly tags?: Record<string, string>
  }

  it('without secrets: names, count and secrets-info cover the secrets that carry the tags, disabled ones included', async () => {
    const r = await run({ operation: 'list', 'match-tags': 'env=prod' })
    expectSuccess(r)
    expect(JSON.parse(r.outputs.names ?? '')).toEqual(['app-api', 'app-db', 'app-old'])
    expect(r.outputs.count).toBe('3')
    const info = JSON.parse(r.outputs['secrets-info'] ?? '') as Info[]
    expect(info.map((secret) => [secret.name, secret.tags?.env])).toEqual([
      ['app-api', 'prod'],
      ['app-db', 'prod'],
      ['app-old', 'prod']
    ])
    expect(r.log).toContain(
      "'match-tags' kept 3 of the 6 secrets the vault listed; the others lack a tag it names, or have another value."
    )
    // A listing reads no value.
    expect(vaultCalls(s, 'GET').filter((call) => !call.startsWith('GET /secrets '))).toEqual([])
    assertNoLeak(r, allValues)
  })

  it('globs are narrowed; a name written exactly is listed whatever its tags', async () => {
    const r = await run({ operation: 'list', secrets: 'app-*\ndb-password', 'match-tags': 'owner=team-b' })
    expectSuccess(r)
    expect(JSON.parse(r.outputs.names ?? '')).toEqual(['app-cache', 'app-db', 'db-password'])
    expect(r.outputs.count).toBe('3')
    expect((JSON.parse(r.outputs['secrets-info'] ?? '') as Info[]).map((secret) => secret.name)).toEqual([
      'app-cache',
      'app-db',
      'db-password'
    ])
  })
})

describe('github-secrets', () => {
  const githubRun = (inputs: Record<string, string>): Promise<RunResult> => {
    const api = s.githubApi
    api.addOrganization({ login: ORG, repositories: [{ name: 'app', id: 1296269 }] })
    api.addToken(TOKEN, { organizations: [ORG], permissions: { secrets: 'write' } })
    return run({ 'github-token': TOKEN, ...inputs }, { env: { GITHUB_API_URL: api.url } })
  }

  it("'*' writes the glob's matches that carry the tags, and only those", async () => {
    const r = await githubRun({ secrets: 'app-*', 'match-tags': 'env=prod', 'github-secrets': '*' })
    expectSuccess(r)
    expect([...s.githubApi.secretsOf({ repo: REPO }).keys()].sort()).toEqual(['APP_API', 'APP_DB'])
    expect(s.githubApi.secret({ repo: REPO }, 'APP_DB')?.plaintext?.toString('utf8')).toBe(Values['app-db'])
    assertNoLeak(r, [...allValues, TOKEN])
  })

  it('a source only the glob brings, left out by match-tags: the step fails before any GitHub write, saying why', async () => {
    const r = await githubRun({ secrets: 'app-*', 'match-tags': 'env=prod', 'github-secrets': 'CACHE=app-cache' })
    expectFailure(
      r,
      "names 'app-cache', which is not a secret this step read or wrote",
      "A glob reads only the secrets that carry the tags of 'match-tags'."
    )
    expect(s.githubPuts()).toEqual([])
  })
})

describe('refused before any request', () => {
  it.each([
    ['only exact names (get)', { secrets: 'db-password', 'match-tags': 'env=prod' }, 'this step has no glob'],
    ['only files (get)', { files: 'db.txt=db-password', 'match-tags': 'env=prod' }, 'this step has no glob'],
    [
      'only exact names (list)',
      { operation: 'list', secrets: 'db-password', 'match-tags': 'env=prod' },
      "leave 'secrets' out to filter every secret"
    ],
    ['a line with no key', { secrets: 'app-*', 'match-tags': 'env=prod\n=dev' }, "malformed line '=dev'"],
    ['the same key twice', { secrets: 'app-*', 'match-tags': 'env=prod\nenv=dev' }, "names the key 'env' again"],
    ['with delete', { operation: 'delete', secrets: 'app-db', 'match-tags': 'env=prod' }, "not 'delete'"]
  ])('%s', async (_, inputs, phrase) => {
    const r = await run(inputs)
    const error = expectFailure(r, phrase)
    expect(error).toMatch(/^Input 'match-tags'/)
    expect(s.requests).toEqual([])
    expect(s.vault(VAULT).value('app-db')).toBe(Values['app-db'])
  })
})
