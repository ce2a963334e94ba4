/**
 * The GitHub REST API stand-in against GitHub's documented and recorded answers
 * (__tests__/fixtures/recorded/github): each fixture's requests are replayed over HTTPS to the
 * stand-in, in the state the fixture's `given` describes, and every answer must match: the status,
 * the headers that matter (and no retry-after unless recorded), messages and documentation links
 * word for word, the shape of every body. A stand-in that drifts from GitHub fails here.
 */
import { beforeAll, describe, expect, test } from '@jest/globals'
import sodium from 'libsodium-wrappers'
import { readdirSync, readFileSync } from 'node:fs'
import https from 'node:https'
import { join } from 'node:path'
import {
  type GitHubRestApi,
  type SecretScope,
  type SecretStore,
  type TokenKind,
  type TokenPermissions
} from '../support/standin/index.js'
import { useStandIn } from '../support/world.js'

const FOLDER = join(import.meta.dirname, '..', 'fixtures', 'recorded', 'github')
const OWNER = 'octo-org'
const REPO = 'app'
const ENVIRONMENT = 'production'
const TOKEN = 'github_pat_recorded'

interface Exchange {
  readonly request: { readonly method: string; readonly path: string; readonly body: unknown }
  readonly response: {
    readonly status: number
    readonly headers: Readonly<Record<string, string>>
    readonly body: unknown
  }
}

interface Given {
  /** `ghes`: the request goes to the GitHub Enterprise Server. */
  readonly host?: 'ghes'
  /** `unknown`: a token GitHub does not know; otherwise the caller's token (default: may do everything). */
  readonly token?:
    'unknown' | { readonly kind?: TokenKind; readonly permissions?: TokenPermissions; readonly reaches?: boolean }
  /** An injected answer, as the stand-in's helpers make it. */
  readonly fault?: 'secondary-rate-limit' | 'primary-rate-limit'
}

interface Fixture {
  readonly file: string
  readonly title: string
  readonly source: {
    readonly repository?: string
    readonly path?: string
    readonly commit?: string
    readonly thread?: string
    readonly quote?: string
  }
  readonly given?: Given
  /** Keys the stand-in may send beyond the recorded body (a quote that printed only some); `true`: any. */
  readonly servedMayAdd?: readonly string[] | true
  readonly exchanges: readonly Exchange[]
}

const fixtures: Fixture[] = readdirSync(FOLDER)
  .filter((file) => file.endsWith('.json'))
  .sort()
  .map((file) => ({ file, ...(JSON.parse(readFileSync(join(FOLDER, file), 'utf8')) as Omit<Fixture, 'file'>) }))

const { s } = useStandIn()
beforeAll(() => sodium.ready)

// ---------------------------------------------------------------------------------------------
// Matching

type Bindings = Map<string, string>

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** A recorded string with {placeholders} against the served one; a placeholder means one value throughout a fixture. */
function matchText(expected: string, actual: string, bindings: Bindings): boolean {
  const names: string[] = []
  const source = expected
    .split(/(\{[A-Za-z][A-Za-z0-9]*\})/)
    .map((part) => {
      const name = /^\{([A-Za-z][A-Za-z0-9]*)\}$/.exec(part)?.[1]
      if (!name) return escape(part)
      const bound = bindings.get(name)
      if (bound !== undefined) return escape(bound)
      names.push(name)
      return '(.+?)'
    })
    .join('')
  const match = new RegExp(`^${source}$`, 's').exec(actual)
  if (!match) return false
  names.forEach((name, index) => bindings.set(name, match[index + 1] ?? ''))
  return true
}

function compare(
  expected: unknown,
  actual: unknown,
  path: string,
  bindings: Bindings,
  problems: string[],
  mayAdd: readonly string[] | true
): void {
  const fail = (why: string): void => void problems.push(`${path}: ${why}`)
  if (typeof expected === 'string') {
    if (typeof actual !== 'string') return fail(`expected a string, got ${JSON.stringify(actual)}`)
    if (!matchText(expected, actual, bindings))
      fail(`expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`)
    return
  }
  if (expected === null || typeof expected === 'boolean' || typeof expected === 'number') {
    if (actual !== expected) fail(`expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`)
    return
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length)
      return fail(`expected ${expected.length} items, got ${JSON.stringify(actual)}`)
    expected.forEach((item, index) => compare(item, actual[index], `${path}[${index}]`, bindings, problems, mayAdd))
    return
  }
  if (typeof expected === 'object') {
    if (typeof actual !== 'object' || actual === null || Array.isArray(actual))
      return fail(`expected an object, got ${JSON.stringify(actual)}`)
    const want = expected as Record<string, unknown>
    const got = actual as Record<string, unknown>
    const missing = Object.keys(want).filter((key) => !(key in got))
    const extra = Object.keys(got).filter((key) => !(key in want) && mayAdd !== true && !mayAdd.includes(key))
    if (missing.length > 0 || extra.length > 0)
      fail(`keys differ: missing ${JSON.stringify(missing)}, extra ${JSON.stringify(extra)}`)
    for (const key of Object.keys(want).filter((key) => key in got))
      compare(want[key], got[key], `${path}.${key}`, bindings, problems, mayAdd)
  }
}

// ---------------------------------------------------------------------------------------------
// Replaying

interface Answer {
  readonly status: number
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
  readonly text: string
}

function send(host: string, path: string, method: string, token: string, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      {
        host: '127.0.0.1',
        port: s.port,
        servername: host,
        path,
        method,
        ca: s.caPem,
        headers: {
          host,
          accept: 'application/vnd.github+json',
          'user-agent': 'recorded-github.test',
          authorization: `token ${token}`,
          ...(body !== undefined && {
            'content-type': 'application/json; charset=utf-8',
            'content-length': String(Buffer.byteLength(body))
          })
        }
      },
      (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text: Buffer.concat(chunks).toString('utf8')
          })
        )
      }
    )
    request.on('error', reject)
    request.end(body)
  })
}

/** The organization of the reference's examples: repositories 1296269 and 1296280, an environment. */
function prepare(api: GitHubRestApi, given: Given = {}): string {
  api.addOrganization({
    login: OWNER,
    repositories: [
      { name: REPO, id: 1296269, environments: [ENVIRONMENT] },
      { name: 'lib', id: 1296280 }
    ]
  })
  if (given.token === 'unknown') return 'ghp_thisTokenIsUnknownToGitHub000000000'
  const { kind = 'fine-grained', permissions, reaches = true } = given.token ?? {}
  api.addToken(TOKEN, {
    kind,
    ...(reaches && (kind === 'github-token' ? { repositories: [`${OWNER}/${REPO}`] } : { organizations: [OWNER] })),
    permissions: permissions ?? {
      secrets: 'write',
      environments: 'write',
      dependabot_secrets: 'write',
      organization_secrets: 'write',
      organization_dependabot_secrets: 'write'
    }
  })
  if (given.fault === 'secondary-rate-limit') s.faults.push(api.secondaryRateLimit())
  if (given.fault === 'primary-rate-limit') s.faults.push(api.primaryRateLimit())
  return TOKEN
}

/** The scope and store a request path names, for sealing its body with the right key. */
function scopeOf(path: string): { scope: SecretScope; store: SecretStore } {
  const parts = path.replace(/^\/api\/v3/, '').split('/')
  const store: SecretStore = parts.includes('dependabot') ? 'dependabot' : 'actions'
  if (parts[1] === 'orgs') return { scope: { org: OWNER }, store }
  const environment = parts[4] === 'environments' ? parts[5] : undefined
  return { scope: environment ? { repo: `${OWNER}/${REPO}`, environment } : { repo: `${OWNER}/${REPO}` }, store }
}

const fill = (path: string): string =>
  path
    .replaceAll('{owner}', OWNER)
    .replaceAll('{repo}', REPO)
    .replaceAll('{org}', OWNER)
    .replaceAll('{environment}', ENVIRONMENT)

async function replay(fixture: Fixture): Promise<string[]> {
  const api = fixture.given?.host === 'ghes' ? s.githubEnterprise : s.githubApi
  const token = prepare(api, fixture.given)
  const bindings: Bindings = new Map([
    ['owner', OWNER],
    ['repo', REPO]
  ])
  const problems: string[] = []
  for (const [index, { request, response }] of fixture.exchanges.entries()) {
    const path = fill(request.path)
    const where = `exchange ${index} (${request.method} ${path})`
    let body: string | undefined
    if (typeof request.body === 'string') body = request.body
    else if (request.body !== null && request.body !== undefined) {
      const { scope, store } = scopeOf(path)
      // Sealed as a client would: with the scope's current key (existing or not, the stand-in hands one out).
      const known = path.includes('/environments/staging/') ? undefined : api.publicKey(scope, store)
      body = JSON.stringify(request.body, (_, value: unknown) => {
        if (value === '{sealed}')
          return known
            ? Buffer.from(sodium.crypto_box_seal('SECRET_VALUE', Buffer.from(known.key, 'base64'))).toString('base64')
            : 'c2VjcmV0'
        if (value === '{key_id}') return known?.key_id ?? '012345678912345678'
        return value
      })
    }
    const answer = await send(api.host, path, request.method, token, body)
    if (answer.status !== response.status)
      problems.push(`${where}: status ${answer.status}, recorded ${response.status}: ${answer.text}`)
    for (const [name, value] of Object.entries(response.headers)) {
      const served = answer.headers[name.toLowerCase()]
      if (typeof served !== 'string' || !matchText(value, served, bindings))
        problems.push(`${where}: header ${name}: expected ${JSON.stringify(value)}, got ${JSON.stringify(served)}`)
    }
    if (
      !Object.keys(response.headers).some((name) => name.toLowerCase() === 'retry-after') &&
      answer.headers['retry-after'] !== undefined
    )
      problems.push(`${where}: retry-after ${String(answer.headers['retry-after'])}, recorded without one`)
    if (response.body === null) {
      if (answer.text !== '') problems.push(`${where}: recorded without a body, served ${answer.text}`)
      continue
    }
    let served: unknown
    try {
      served = JSON.parse(answer.text) as unknown
    } catch {
      problems.push(`${where}: served a body that is not JSON: ${answer.text}`)
      continue
    }
    compare(response.body, served, `${where} body`, bindings, problems, fixture.servedMayAdd ?? [])
    // A public key: the bytes of a Curve25519 key, under an id like the reference's 18-digit example.
    const key = served as { key?: unknown; key_id?: unknown }
    if (typeof key.key === 'string' && Buffer.from(key.key, 'base64').length !== 32)
      problems.push(`${where}: key is not 32 bytes of base64`)
    if (typeof key.key_id === 'string' && !/^\d{18}$/.test(key.key_id))
      problems.push(`${where}: key_id ${key.key_id} is not 18 digits like the reference's`)
  }
  return problems
}

describe('the GitHub REST API answers as documented and recorded', () => {
  test('every fixture names its source: the docs at a commit, or a thread with its quote', () => {
    expect(fixtures.length).toBeGreaterThan(20)
    for (const fixture of fixtures) {
      const { source } = fixture
      const cited =
        (source.repository && source.path && /^[0-9a-f]{40}$/.test(source.commit ?? '')) ||
        (source.thread?.startsWith('https://github.com/') && source.quote)
      expect({ file: fixture.file, cited: Boolean(cited) }).toEqual({ file: fixture.file, cited: true })
    }
  })

  test.each(fixtures.map((fixture) => [fixture.file, fixture] as const))('%s', async (_, fixture) => {
    expect(await replay(fixture)).toEqual([])
  })

  test('an accepted write holds the value it sealed', async () => {
    const token = prepare(s.githubApi)
    const key = s.githubApi.publicKey({ repo: `${OWNER}/${REPO}` })
    const body = JSON.stringify({
      encrypted_value: Buffer.from(sodium.crypto_box_seal('SECRET_VALUE', Buffer.from(key.key, 'base64'))).toString(
        'base64'
      ),
      key_id: key.key_id
    })
    const answer = await send(
      'api.github.com',
      `/repos/${OWNER}/${REPO}/actions/secrets/db_password`,
      'PUT',
      token,
      body
    )
    expect(answer.status).toBe(201)
    expect(s.githubApi.secret({ repo: `${OWNER}/${REPO}` }, 'DB_PASSWORD')?.plaintext?.toString()).toBe('SECRET_VALUE')
  })
})
