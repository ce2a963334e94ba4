/**
 * The GitHub REST API stand-in itself, through what the action will use: a real Octokit
 * (@actions/github getOctokit, undici fetch) in this process, with the stand-in's route installed
 * and its CA added to Node's default CA list, and real libsodium sealed boxes on the client side.
 * No throttling plugin here: nothing spaces the writes, so the suite stays fast.
 */
import { describe, expect, it, jest } from '@jest/globals'
import { getOctokit } from '@actions/github'
import sodium from 'libsodium-wrappers'
import { execFile } from 'node:child_process'
import tls from 'node:tls'
import { promisify } from 'node:util'
import { installRoute, uninstallRoute } from '../support/route.mjs'
import { routeModuleUrl } from '../support/runner.js'
import {
  GhesHost,
  GitHubPrefixMessage,
  InvalidNameMessage,
  MaxSecretBytes,
  TooLargeMessage,
  type GitHubRestApi,
  type SecretScope,
  type SecretStore
} from '../support/standin/index.js'
import { useStandIn } from '../support/world.js'

// One test runs the action as a child process: seconds on a loaded 2-core machine.
jest.setTimeout(30_000)

type Octokit = ReturnType<typeof getOctokit>

const ORG = 'octo-org'
const REPO = `${ORG}/app`
const VALUE = 'first line\nsecond line: ünïcødé ✓ 🔑\n\ttabbed\r\nend without newline'

let restoreCa: (() => void) | undefined
const { s } = useStandIn({
  afterStart: async (s) => {
    installRoute(s.routeConfig())
    // NODE_EXTRA_CA_CERTS is read at start-up only; Node 24 lets a running process extend its default CA list.
    const before = tls.getCACertificates('default')
    tls.setDefaultCACertificates([...before, s.caPem])
    restoreCa = () => tls.setDefaultCACertificates(before)
    await sodium.ready
  },
  beforeStop: () => {
    restoreCa?.()
    uninstallRoute()
  }
})

const octokit = (token: string, api: GitHubRestApi = s.githubApi): Octokit =>
  getOctokit(token, { baseUrl: api.url, request: { retries: 0 } })

const seal = (value: string | Buffer, key: string): string =>
  Buffer.from(
    sodium.crypto_box_seal(typeof value === 'string' ? Buffer.from(value, 'utf8') : value, Buffer.from(key, 'base64'))
  ).toString('base64')

async function failure(
  promise: Promise<unknown>
): Promise<{ status: number; message: string; data: Record<string, unknown>; headers: Record<string, string> }> {
  try {
    await promise
  } catch (error) {
    const e = error as {
      status: number
      message: string
      response?: { data: Record<string, unknown>; headers: Record<string, string> }
    }
    return { status: e.status, message: e.message, data: e.response?.data ?? {}, headers: e.response?.headers ?? {} }
  }
  throw new Error('expected the request to fail')
}

/** A repository with an environment in an organization with two more repositories, and a token that may do everything. */
function world(api: GitHubRestApi = s.githubApi): { token: string; ids: number[] } {
  api.addOrganization({
    login: ORG,
    repositories: [{ name: 'app', id: 1296269, environments: ['production'] }, { name: 'lib', id: 1296280 }, 'docs']
  })
  const token = 'github_pat_everything'
  api.addToken(token, {
    organizations: [ORG],
    permissions: {
      secrets: 'write',
      environments: 'write',
      dependabot_secrets: 'write',
      organization_secrets: 'write',
      organization_dependabot_secrets: 'write'
    }
  })
  return { token, ids: [1296269, 1296280] }
}

describe('every scope: get the public key, seal, PUT, and the stand-in holds the plaintext byte for byte', () => {
  const cases: readonly {
    title: string
    scope: SecretScope
    store: SecretStore
    key: (o: Octokit) => Promise<{ data: { key_id: string; key: string } }>
    put: (o: Octokit, name: string, encrypted_value: string, key_id: string) => Promise<{ status: number }>
    visibility?: 'all' | 'private' | 'selected'
  }[] = [
    {
      title: 'repository (Actions)',
      scope: { repo: REPO },
      store: 'actions',
      key: (o) => o.rest.actions.getRepoPublicKey({ owner: ORG, repo: 'app' }),
      put: (o, secret_name, encrypted_value, key_id) =>
        o.rest.actions.createOrUpdateRepoSecret({ owner: ORG, repo: 'app', secret_name, encrypted_value, key_id })
    },
    {
      title: 'environment',
      scope: { repo: REPO, environment: 'production' },
      store: 'actions',
      key: (o) => o.rest.actions.getEnvironmentPublicKey({ owner: ORG, repo: 'app', environment_name: 'production' }),
      put: (o, secret_name, encrypted_value, key_id) =>
        o.rest.actions.createOrUpdateEnvironmentSecret({
          owner: ORG,
          repo: 'app',
          environment_name: 'production',
          secret_name,
          encrypted_value,
          key_id
        })
    },
    ...(['private', 'all', 'selected'] as const).map((visibility) => ({
      title: `organization (Actions), visibility ${visibility}`,
      scope: { org: ORG },
      store: 'actions' as const,
      visibility,
      key: (o: Octokit) => o.rest.actions.getOrgPublicKey({ org: ORG }),
      put: (o: Octokit, secret_name: string, encrypted_value: string, key_id: string) =>
        o.rest.actions.createOrUpdateOrgSecret({
          org: ORG,
          secret_name,
          encrypted_value,
          key_id,
          visibility,
          ...(visibility === 'selected' && { selected_repository_ids: [1296269, 1296280] })
        })
    })),
    {
      title: 'repository (Dependabot)',
      scope: { repo: REPO },
      store: 'dependabot',
      key: (o) => o.rest.dependabot.getRepoPublicKey({ owner: ORG, repo: 'app' }),
      put: (o, secret_name, encrypted_value, key_id) =>
        o.rest.dependabot.createOrUpdateRepoSecret({ owner: ORG, repo: 'app', secret_name, encrypted_value, key_id })
    },
    {
      title: 'organization (Dependabot), selected repositories given as strings',
      scope: { org: ORG },
      store: 'dependabot',
      visibility: 'selected',
      key: (o) => o.rest.dependabot.getOrgPublicKey({ org: ORG }),
      put: (o, secret_name, encrypted_value, key_id) =>
        o.rest.dependabot.createOrUpdateOrgSecret({
          org: ORG,
          secret_name,
          encrypted_value,
          key_id,
          visibility: 'selected',
          selected_repository_ids: ['1296269']
        })
    }
  ]

  it.each(cases.map((c) => [c.title, c] as const))('%s', async (_, c) => {
    const { token } = world()
    const o = octokit(token)
    const { data: key } = await c.key(o)
    expect(key).toEqual(s.githubApi.publicKey(c.scope, c.store))
    expect(key.key_id).toMatch(/^[1-9]\d{17}$/)
    expect(Buffer.from(key.key, 'base64')).toHaveLength(32)

    const created = await c.put(o, 'db_password', seal(VALUE, key.key), key.key_id)
    expect(created.status).toBe(201)
    const stored = s.githubApi.secret(c.scope, 'DB_PASSWORD', c.store)
    expect(stored?.plaintext?.equals(Buffer.from(VALUE, 'utf8'))).toBe(true)
    expect(stored).toMatchObject({ name: 'DB_PASSWORD', keyId: key.key_id, writes: 1 })
    if (c.visibility) expect(stored?.visibility).toBe(c.visibility)
    if (c.visibility === 'selected')
      expect(stored?.selectedRepositoryIds).toEqual(c.store === 'actions' ? [1296269, 1296280] : ['1296269'])

    const bytes = Buffer.from([0, 255, 10, 13, 0xc3, 0x28])
    const updated = await c.put(o, 'DB_PASSWORD', seal(bytes, key.key), key.key_id)
    expect(updated.status).toBe(204)
    const after = s.githubApi.secret(c.scope, 'db_password', c.store)
    expect(after?.plaintext?.equals(bytes)).toBe(true)
    expect(after?.writes).toBe(2)
    expect(after?.writeTimes).toHaveLength(2)
    expect(after?.createdAt.getTime()).toBeLessThanOrEqual(after?.updatedAt.getTime() ?? 0)
  })

  it('keeps every scope and store apart: each has its own key pair and its own secrets', async () => {
    const { token } = world()
    const o = octokit(token)
    const keys = [
      (await o.rest.actions.getRepoPublicKey({ owner: ORG, repo: 'app' })).data,
      (await o.rest.actions.getEnvironmentPublicKey({ owner: ORG, repo: 'app', environment_name: 'production' })).data,
      (await o.rest.actions.getOrgPublicKey({ org: ORG })).data,
      (await o.rest.dependabot.getRepoPublicKey({ owner: ORG, repo: 'app' })).data,
      (await o.rest.dependabot.getOrgPublicKey({ org: ORG })).data
    ]
    expect(new Set(keys.map((k) => k.key)).size).toBe(5)
    const [repoKey] = keys
    if (!repoKey) throw new Error('no key')
    await o.rest.actions.createOrUpdateRepoSecret({
      owner: ORG,
      repo: 'app',
      secret_name: 'ONLY_HERE',
      encrypted_value: seal('x', repoKey.key),
      key_id: repoKey.key_id
    })
    expect(s.githubApi.secret({ repo: REPO }, 'ONLY_HERE')).toBeDefined()
    expect(s.githubApi.secret({ repo: REPO }, 'ONLY_HERE', 'dependabot')).toBeUndefined()
    expect(s.githubApi.secret({ repo: REPO, environment: 'production' }, 'ONLY_HERE')).toBeUndefined()
    expect([...s.githubApi.secretsOf({ repo: REPO }).keys()]).toEqual(['ONLY_HERE'])
  })

  it('answers GET /repos/{owner}/{repo} with the repository id the organization endpoints take', async () => {
    const { token } = world()
    const { data } = await octokit(token).rest.repos.get({ owner: ORG, repo: 'lib' })
    expect(data).toMatchObject({
      id: 1296280,
      name: 'lib',
      full_name: `${ORG}/lib`,
      owner: { login: ORG, type: 'Organization' },
      private: true
    })
  })

  it('takes a value sealed with another scope`s key (GitHub does not check) and stores it as unreadable', async () => {
    const { token } = world()
    const o = octokit(token)
    const repoKey = (await o.rest.actions.getRepoPublicKey({ owner: ORG, repo: 'app' })).data
    const envKey = s.githubApi.publicKey({ repo: REPO, environment: 'production' })
    const answer = await o.rest.actions.createOrUpdateEnvironmentSecret({
      owner: ORG,
      repo: 'app',
      environment_name: 'production',
      secret_name: 'WRONG_KEY',
      encrypted_value: seal('sealed for the repository', repoKey.key),
      key_id: envKey.key_id
    })
    expect(answer.status).toBe(201)
    expect(s.githubApi.secret({ repo: REPO, environment: 'production' }, 'WRONG_KEY')?.plaintext).toBeUndefined()
  })
})

describe('refusals', () => {
  it('401 Bad credentials for a token GitHub does not know', async () => {
    world()
    const e = await failure(octokit('ghp_unknown').rest.actions.getRepoPublicKey({ owner: ORG, repo: 'app' }))
    expect(e.status).toBe(401)
    expect(e.data).toEqual({
      message: 'Bad credentials',
      documentation_url: 'https://docs.github.com/rest',
      status: '401'
    })
  })

  it('404 for a repository the token does not reach, a missing environment, organization or path', async () => {
    world()
    s.githubApi.addToken('narrow', {
      repositories: [`${ORG}/lib`],
      permissions: { secrets: 'write', environments: 'write' }
    })
    const o = octokit('narrow')
    const notFound = {
      message: 'Not Found',
      documentation_url: 'https://docs.github.com/rest/actions/secrets#get-a-repository-public-key',
      status: '404'
    }
    expect((await failure(o.rest.actions.getRepoPublicKey({ owner: ORG, repo: 'app' }))).data).toEqual(notFound)
    expect((await failure(o.rest.actions.getRepoPublicKey({ owner: ORG, repo: 'nope' }))).status).toBe(404)
    const env = await failure(
      o.rest.actions.getEnvironmentPublicKey({ owner: ORG, repo: 'lib', environment_name: 'staging' })
    )
    expect(env.status).toBe(404)
    expect((await failure(o.rest.actions.getOrgPublicKey({ org: 'other-org' }))).status).toBe(404)
    const unknown = await failure(
      o.request('GET /repos/{owner}/{repo}/actions/secrets/public-key/extra', { owner: ORG, repo: 'lib' })
    )
    expect(unknown.data).toEqual({
      message: 'Not Found',
      documentation_url: 'https://docs.github.com/rest',
      status: '404'
    })
  })

  it('403 for a token that reaches the repository without the permission: the wording names the kind of token', async () => {
    world()
    s.githubApi.addToken('pat-read', { repositories: [REPO], permissions: { secrets: 'read' } })
    s.githubApi.addToken('app-read', {
      kind: 'app-installation',
      repositories: [REPO],
      permissions: { secrets: 'read' }
    })
    const key = s.githubApi.publicKey({ repo: REPO })
    for (const [token, message] of [
      ['pat-read', 'Resource not accessible by personal access token'],
      ['app-read', 'Resource not accessible by integration']
    ] as const) {
      const o = octokit(token)
      expect((await o.rest.actions.getRepoPublicKey({ owner: ORG, repo: 'app' })).data).toEqual(key)
      const e = await failure(
        o.rest.actions.createOrUpdateRepoSecret({
          owner: ORG,
          repo: 'app',
          secret_name: 'X',
          encrypted_value: seal('v', key.key),
          key_id: key.key_id
        })
      )
      expect(e.status).toBe(403)
      expect(e.data).toEqual({
        message,
        documentation_url: 'https://docs.github.com/rest/actions/secrets#create-or-update-a-repository-secret',
        status: '403'
      })
      expect(e.headers['x-accepted-github-permissions']).toBe('secrets=write')
    }
    expect(s.githubApi.secret({ repo: REPO }, 'X')).toBeUndefined()
  })

  it("the run's GITHUB_TOKEN reads its repository's public key but may write no secret", async () => {
    world()
    s.githubApi.addToken('ghs_run_token', {
      kind: 'github-token',
      repositories: [REPO],
      permissions: { secrets: 'write' }
    })
    const o = octokit('ghs_run_token')
    const key = (await o.rest.actions.getRepoPublicKey({ owner: ORG, repo: 'app' })).data
    const put = await failure(
      o.rest.actions.createOrUpdateRepoSecret({
        owner: ORG,
        repo: 'app',
        secret_name: 'FROM_RUN',
        encrypted_value: seal('v', key.key),
        key_id: key.key_id
      })
    )
    expect(put.status).toBe(403)
    expect(put.data.message).toBe('Resource not accessible by integration')
    expect((await failure(o.rest.actions.getOrgPublicKey({ org: ORG }))).status).toBe(403)
  })

  it('422 for names GitHub refuses, a missing key_id or visibility, a stale key, a value over 48 KB, string ids for Actions', async () => {
    const { token } = world()
    const o = octokit(token)
    const key = (await o.rest.actions.getRepoPublicKey({ owner: ORG, repo: 'app' })).data
    const put = (secret_name: string, value: string | Buffer = 'v', key_id = key.key_id): Promise<unknown> =>
      o.rest.actions.createOrUpdateRepoSecret({
        owner: ORG,
        repo: 'app',
        secret_name,
        encrypted_value: seal(value, key.key),
        key_id
      })
    for (const name of ['1ST', 'HAS-DASH', 'HAS SPACE', 'ÜML'])
      expect((await failure(put(name))).data.message).toBe(InvalidNameMessage)
    for (const name of ['GITHUB_TOKEN', 'github_anything'])
      expect((await failure(put(name))).data.message).toBe(GitHubPrefixMessage)
    expect((await failure(put('BIG', Buffer.alloc(MaxSecretBytes + 1)))).data.message).toBe(TooLargeMessage)
    expect(await put('JUST_FITS', Buffer.alloc(MaxSecretBytes))).toMatchObject({ status: 201 })
    // Requests the typed methods would not let through: the route as a plain string.
    const noKeyId = await failure(
      o.request('PUT /repos/{owner}/{repo}/actions/secrets/{secret_name}' as string, {
        owner: ORG,
        repo: 'app',
        secret_name: 'NO_KEY',
        encrypted_value: seal('v', key.key)
      })
    )
    expect(noKeyId).toMatchObject({
      status: 422,
      data: {
        message: 'Invalid request.\n\n"key_id" wasn\'t supplied.',
        documentation_url: 'https://docs.github.com/rest/reference/actions#create-or-update-a-repository-secret'
      }
    })
    const stale = key.key_id
    s.githubApi.rotateKey({ repo: REPO })
    expect((await failure(put('STALE', 'v', stale))).status).toBe(422)
    const org = s.githubApi.publicKey({ org: ORG })
    const noVisibility = await failure(
      o.request('PUT /orgs/{org}/actions/secrets/{secret_name}' as string, {
        org: ORG,
        secret_name: 'S',
        encrypted_value: seal('v', org.key),
        key_id: org.key_id
      })
    )
    expect(noVisibility.data.message).toBe('Invalid request.\n\n"visibility" wasn\'t supplied.')
    const strings = await failure(
      o.request('PUT /orgs/{org}/actions/secrets/{secret_name}' as string, {
        org: ORG,
        secret_name: 'S',
        encrypted_value: seal('v', org.key),
        key_id: org.key_id,
        visibility: 'selected',
        selected_repository_ids: ['1296269']
      })
    )
    expect(strings.data.message).toBe('Invalid request.\n\nFor \'items\', "1296269" is not an integer.')
    const stranger = await failure(
      o.rest.actions.createOrUpdateOrgSecret({
        org: ORG,
        secret_name: 'S',
        encrypted_value: seal('v', org.key),
        key_id: org.key_id,
        visibility: 'selected',
        selected_repository_ids: [42]
      })
    )
    expect(stranger.status).toBe(422)
    expect(s.githubApi.secretsOf({ org: ORG }).size).toBe(0)
  })
})

describe('GitHub Enterprise Server under /api/v3', () => {
  it('is its own GitHub: the same endpoints under https://github.contoso-ghes.test/api/v3, none at the root', async () => {
    const { token } = world(s.githubEnterprise)
    expect(s.githubEnterprise.url).toBe(`https://${GhesHost}/api/v3`)
    const o = octokit(token, s.githubEnterprise)
    const key = (await o.rest.actions.getRepoPublicKey({ owner: ORG, repo: 'app' })).data
    const answer = await o.rest.actions.createOrUpdateRepoSecret({
      owner: ORG,
      repo: 'app',
      secret_name: 'ON_PREM',
      encrypted_value: seal(VALUE, key.key),
      key_id: key.key_id
    })
    expect(answer.status).toBe(201)
    expect(s.githubEnterprise.secret({ repo: REPO }, 'ON_PREM')?.plaintext?.toString('utf8')).toBe(VALUE)
    expect(s.githubApi.secret({ repo: REPO }, 'ON_PREM')).toBeUndefined()
    // Rate limits are off by default on GitHub Enterprise Server: no x-ratelimit headers.
    expect(answer.headers['x-ratelimit-remaining']).toBeUndefined()
    const root = await failure(
      getOctokit(token, { baseUrl: `https://${GhesHost}`, request: { retries: 0 } }).rest.actions.getRepoPublicKey({
        owner: ORG,
        repo: 'app'
      })
    )
    expect(root.status).toBe(404)
    expect(s.requestsTo('github-api').every((r) => r.host === GhesHost)).toBe(true)
  })
})

describe('a child process, as the action runs', () => {
  it('reaches api.github.com and the GHES through the route preload and NODE_EXTRA_CA_CERTS, with GITHUB_API_URL', async () => {
    const { token } = world()
    world(s.githubEnterprise)
    // What the action does with @actions/github: getOctokit reads GITHUB_API_URL; no baseUrl given.
    const script = `
      import { getOctokit } from '@actions/github'
      import sodium from 'libsodium-wrappers'
      await sodium.ready
      const o = getOctokit(process.env.TOKEN)
      const { data: key } = await o.rest.actions.getRepoPublicKey({ owner: 'octo-org', repo: 'app' })
      const sealed = sodium.crypto_box_seal(process.env.VALUE, Buffer.from(key.key, 'base64'))
      const { status } = await o.rest.actions.createOrUpdateRepoSecret({
        owner: 'octo-org', repo: 'app', secret_name: 'FROM_CHILD',
        encrypted_value: Buffer.from(sealed).toString('base64'), key_id: key.key_id
      })
      console.log(status)`
    for (const api of [s.githubApi, s.githubEnterprise]) {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', routeModuleUrl, '--input-type=module', '-e', script],
        {
          cwd: process.cwd(),
          env: { PATH: process.env.PATH, ...s.childEnv(), GITHUB_API_URL: api.url, TOKEN: token, VALUE }
        }
      )
      expect(stdout.trim()).toBe('201')
      expect(api.secret({ repo: REPO }, 'FROM_CHILD')?.plaintext?.toString('utf8')).toBe(VALUE)
    }
  })
})

describe('faults and the request log', () => {
  it('a 503 once, then the same request succeeds; the log has both, with service github-api and no bodies', async () => {
    const { token } = world()
    s.faults.push({ match: (r) => r.service === 'github-api' && r.method === 'GET', status: 503, times: 1 })
    const o = octokit(token)
    expect((await failure(o.rest.actions.getRepoPublicKey({ owner: ORG, repo: 'app' }))).status).toBe(503)
    await o.rest.actions.getRepoPublicKey({ owner: ORG, repo: 'app' })
    const log = s.requestsTo('github-api')
    expect(log.map((r) => [r.status, r.fault, r.authorized, r.path])).toEqual([
      [503, true, false, `/repos/${ORG}/app/actions/secrets/public-key`],
      [200, false, true, `/repos/${ORG}/app/actions/secrets/public-key`]
    ])
    expect(JSON.stringify(log)).not.toContain(token)
  })

  it('a secondary rate limit (with retry-after when asked) and a primary one (x-ratelimit-remaining 0)', async () => {
    const { token } = world()
    const o = octokit(token)
    s.faults.push(s.githubApi.secondaryRateLimit({ retryAfter: 7 }))
    const secondary = await failure(o.rest.actions.getRepoPublicKey({ owner: ORG, repo: 'app' }))
    expect(secondary.status).toBe(403)
    expect(secondary.data.message).toMatch(/^You have exceeded a secondary rate limit\. /)
    expect(secondary.headers['retry-after']).toBe('7')
    expect(s.requests.at(-1)?.retryAfter).toBe('7')
    s.faults.push(s.githubApi.primaryRateLimit({ resetInSeconds: 30 }))
    const primary = await failure(o.rest.actions.getRepoPublicKey({ owner: ORG, repo: 'app' }))
    expect(primary.status).toBe(403)
    expect(primary.headers['x-ratelimit-remaining']).toBe('0')
    expect(Number(primary.headers['x-ratelimit-reset'])).toBeGreaterThan(Date.now() / 1000)
    expect((await o.rest.actions.getRepoPublicKey({ owner: ORG, repo: 'app' })).status).toBe(200)
  })

  it('githubPuts() lists every PUT with its arrival time, faulted ones too', async () => {
    const { token } = world()
    const o = octokit(token)
    const key = (await o.rest.actions.getRepoPublicKey({ owner: ORG, repo: 'app' })).data
    s.faults.push({ match: (r) => r.method === 'PUT', status: 502, times: 1 })
    const put = (name: string): Promise<unknown> =>
      o.rest.actions.createOrUpdateRepoSecret({
        owner: ORG,
        repo: 'app',
        secret_name: name,
        encrypted_value: seal('v', key.key),
        key_id: key.key_id
      })
    await failure(put('A'))
    await put('A')
    await put('B')
    const puts = s.githubPuts()
    expect(puts.map((r) => [r.status, r.path.split('/').at(-1)])).toEqual([
      [502, 'A'],
      [201, 'A'],
      [201, 'B']
    ])
    expect(puts.every((r, i) => i === 0 || r.arrived >= (puts[i - 1]?.arrived ?? 0))).toBe(true)
    expect(s.githubApi.secret({ repo: REPO }, 'A')?.writeTimes).toHaveLength(1)
  })

  it('reset() forgets repositories, tokens, keys and secrets', async () => {
    const { token } = world()
    const before = s.githubApi.publicKey({ repo: REPO })
    s.reset()
    expect((await failure(octokit(token).rest.actions.getRepoPublicKey({ owner: ORG, repo: 'app' }))).status).toBe(401)
    world()
    expect(s.githubApi.publicKey({ repo: REPO }).key).not.toBe(before.key)
  })
})
