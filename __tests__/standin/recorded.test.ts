/**
 * The stand-in against the real services' recorded answers (__tests__/fixtures/recorded): each
 * fixture's requests are replayed over HTTPS to a stand-in vault (or Entra ID) in the state the
 * fixture gives, and every answer must match the recorded one: the status, the headers that
 * matter, error codes and messages word for word, the shape of every body, paging. A stand-in
 * that drifts from the real service fails here.
 */
import { describe, expect, test } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import https from 'node:https'
import { join } from 'node:path'
import { type SecretSeed, type Vault, type VaultOptions } from '../support/standin/index.js'
import { useStandIn } from '../support/world.js'

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'recorded')
const TENANT = '5b1f0a7e-2c4d-4e8f-9a6b-3d2c1b0a9f8e'
const CLIENT = '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b'
const VAULT = 'recorded-kv'
const SECRET = 'recorded-secret'

interface Exchange {
  readonly request: { readonly method: string; readonly path: string; readonly body: unknown }
  readonly response: {
    readonly status: number
    readonly headers: Readonly<Record<string, string>>
    readonly body: unknown
  }
}

type Seed =
  string | ({ readonly name: string; readonly nbf?: number; readonly exp?: number } & Omit<SecretSeed, 'nbf' | 'exp'>)

interface Given {
  readonly secrets?: readonly Seed[]
  readonly deleted?: readonly Seed[]
  /** Deletes still in progress. */
  readonly deleting?: readonly string[]
  /** Purges accepted whose name is not free yet. */
  readonly purging?: readonly string[]
  /** Recoveries accepted whose name does not take writes yet. */
  readonly recovering?: readonly string[]
  readonly standin?: Omit<Partial<VaultOptions>, 'grants'> & { readonly grants?: 'none' }
  /** The caller's token names this many groups (a user's token). */
  readonly caller?: { readonly groups?: number }
}

interface Fixture {
  readonly file: string
  readonly title: string
  /** The service words this answer differently now: the newer fixture's text is the one to match. */
  readonly supersededBy?: string
  readonly source: {
    readonly repository?: string
    readonly path?: string
    readonly commit?: string
    readonly thread?: string
    readonly docs?: string
    readonly quote?: string
  }
  readonly given?: Given
  readonly exchanges: readonly Exchange[]
}

const fixtures = (folder: string): Fixture[] =>
  readdirSync(join(FIXTURES, folder))
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({
      file,
      ...(JSON.parse(readFileSync(join(FIXTURES, folder, file), 'utf8')) as Omit<Fixture, 'file'>)
    }))

const { s } = useStandIn()

// ---------------------------------------------------------------------------------------------
// Matching a recorded body against the stand-in's

/** Values a placeholder stands for, bound at its first match: the same placeholder must mean the same value throughout a fixture. */
type Bindings = Map<string, string>

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** Matches a recorded string with {placeholders} against the stand-in's; binds what the placeholders stood for. */
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
      return name.startsWith('version') ? '([0-9a-f]{32})' : '(.+?)'
    })
    .join('')
  const match = new RegExp(`^${source}$`, 's').exec(actual)
  if (!match) return false
  names.forEach((name, index) => bindings.set(name, match[index + 1] ?? ''))
  return true
}

/** A nextLink is the vault's own origin and path, with the same query keys; its token is the stand-in's own. */
function matchLink(expected: string, actual: string, bindings: Bindings): boolean {
  const [expectedBase = '', expectedQuery = ''] = expected.split('?')
  const [actualBase = '', actualQuery = ''] = actual.split('?')
  const keys = (query: string): string[] => [...new URLSearchParams(query).keys()].sort()
  return (
    matchText(expectedBase, actualBase, bindings) &&
    JSON.stringify(keys(expectedQuery)) === JSON.stringify(keys(actualQuery))
  )
}

interface CompareOptions {
  /** The served object may have keys the recorded one lacks (quotes and scrubbed recordings leave some out). */
  readonly subsetKeys?: boolean
  /** Error messages are not compared: the fixture's wording was superseded. */
  readonly oldWording?: boolean
}

function compare(
  expected: unknown,
  actual: unknown,
  path: string,
  bindings: Bindings,
  problems: string[],
  options: CompareOptions = {}
): void {
  const fail = (why: string): void => void problems.push(`${path}: ${why}`)
  if (typeof expected === 'string') {
    if (typeof actual !== 'string') return fail(`expected a string, got ${JSON.stringify(actual)}`)
    // A secret's value: the recordings scrub it.
    if (path.endsWith('.value')) return
    if (options.oldWording && path.endsWith('.error.message')) return
    const ok = path.endsWith('.nextLink')
      ? matchLink(expected, actual, bindings)
      : matchText(expected, actual, bindings)
    if (!ok) fail(`expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`)
    return
  }
  if (typeof expected === 'number') {
    // Timestamps: the stand-in's are now; their type must match.
    if (typeof actual !== 'number') fail(`expected a number, got ${JSON.stringify(actual)}`)
    return
  }
  if (expected === null || typeof expected === 'boolean') {
    if (actual !== expected) fail(`expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`)
    return
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return fail(`expected an array, got ${JSON.stringify(actual)}`)
    if (actual.length !== expected.length) return fail(`expected ${expected.length} items, got ${actual.length}`)
    expected.forEach((item, index) => compare(item, actual[index], `${path}[${index}]`, bindings, problems, options))
    return
  }
  if (typeof expected === 'object') {
    if (typeof actual !== 'object' || actual === null || Array.isArray(actual))
      return fail(`expected an object, got ${JSON.stringify(actual)}`)
    const want = expected as Record<string, unknown>
    const got = actual as Record<string, unknown>
    const missing = Object.keys(want).filter((key) => !(key in got))
    const extra = options.subsetKeys ? [] : Object.keys(got).filter((key) => !(key in want))
    if (missing.length > 0 || extra.length > 0)
      fail(`keys differ: missing ${JSON.stringify(missing)}, extra ${JSON.stringify(extra)}`)
    for (const key of Object.keys(want).filter((key) => key in got))
      compare(want[key], got[key], `${path}.${key}`, bindings, problems, options)
    // The retention period shows in the distance between the two dates.
    if (typeof want.deletedDate === 'number' && typeof want.scheduledPurgeDate === 'number') {
      const recorded = want.scheduledPurgeDate - want.deletedDate
      const served = Number(got.scheduledPurgeDate) - Number(got.deletedDate)
      if (recorded !== served) fail(`scheduledPurgeDate - deletedDate: recorded ${recorded} s, served ${served} s`)
    }
  }
}

// ---------------------------------------------------------------------------------------------
// HTTPS to the stand-in, as a client would send it

interface Answer {
  readonly status: number
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
  readonly body: unknown
}

function send(
  url: string,
  options: { method: string; headers?: Record<string, string>; body?: string }
): Promise<Answer> {
  const target = new URL(url)
  return new Promise((resolve, reject) => {
    const request = https.request(
      {
        host: '127.0.0.1',
        port: s.port,
        servername: target.hostname,
        path: `${target.pathname}${target.search}`,
        method: options.method,
        ca: s.caPem,
        headers: {
          host: target.hostname,
          ...options.headers,
          ...(options.body !== undefined && { 'content-length': String(Buffer.byteLength(options.body)) })
        }
      },
      (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: text === '' ? null : (JSON.parse(text) as unknown)
          })
        })
      }
    )
    request.on('error', reject)
    request.end(options.body)
  })
}

function checkHeaders(
  expected: Readonly<Record<string, string>>,
  answer: Answer,
  bindings: Bindings,
  problems: string[],
  where: string
): void {
  for (const [name, value] of Object.entries(expected)) {
    const served = answer.headers[name.toLowerCase()]
    if (typeof served !== 'string' || !matchText(value, served, bindings))
      problems.push(`${where}: header ${name}: expected ${JSON.stringify(value)}, got ${JSON.stringify(served)}`)
  }
  // Headers the recording shows absent that clients act on.
  if (!('Retry-After' in expected) && answer.headers['retry-after'] !== undefined)
    problems.push(`${where}: Retry-After ${String(answer.headers['retry-after'])}, recorded without one`)
}

// ---------------------------------------------------------------------------------------------
// Key Vault

function seedOf(seed: Seed): { name: string; seed: SecretSeed } {
  if (typeof seed === 'string') return { name: seed.replace('{name}', SECRET), seed: {} }
  const { name, ...rest } = seed
  return { name: name.replace('{name}', SECRET), seed: rest }
}

function prepareVault(given: Given = {}): Vault {
  const { grants, ...options } = given.standin ?? {}
  const vault = s.addVault({
    name: VAULT,
    tenantId: TENANT,
    ...options,
    grants: grants === 'none' ? {} : { [CLIENT]: ['get', 'list', 'set', 'delete', 'recover', 'purge'] }
  })
  s.addApp({ tenantId: TENANT, clientId: CLIENT, clientSecret: 'unused' })
  // Seeded in reverse, so the listings' order is the stand-in's sorting, not the seeding.
  for (const { name, seed } of [...(given.secrets ?? [])].reverse().map(seedOf))
    vault.setSecret(name, 'SECRET_VALUE', seed)
  for (const { name, seed } of [...(given.deleted ?? [])].reverse().map(seedOf))
    vault.seedDeleted(name, 'SECRET_VALUE', seed)
  for (const name of given.deleting ?? []) {
    vault.setSecret(name.replace('{name}', SECRET), 'SECRET_VALUE')
    vault.softDeleteSecret(name.replace('{name}', SECRET), vault.deletePolls)
  }
  for (const name of given.purging ?? [])
    vault.purging.set(name.replace('{name}', SECRET).toLowerCase(), { name: SECRET, writesRefused: vault.purgeWindow })
  for (const name of given.recovering ?? []) {
    const key = name.replace('{name}', SECRET).toLowerCase()
    vault.seedDeleted(key, 'SECRET_VALUE')
    const deleted = vault.deleted.get(key)
    vault.deleted.delete(key)
    if (deleted)
      vault.recovering.set(key, { secret: deleted.secret, pendingPolls: 0, writesRefused: vault.recoverWindow })
  }
  return vault
}

async function replayVault(fixture: Fixture): Promise<string[]> {
  const vault = prepareVault(fixture.given)
  const token = s.mintAccessToken({
    tenantId: TENANT,
    appId: CLIENT,
    ...(fixture.given?.caller?.groups !== undefined && {
      groups: Array.from({ length: fixture.given.caller.groups }, (_, i) => `group-${i}`)
    })
  }).token
  const bindings: Bindings = new Map([
    ['name', SECRET],
    ['vault', vault.url],
    ['tenant', TENANT],
    ['client', CLIENT],
    ['vaultName', vault.name],
    ['location', vault.location],
    ['subscription', vault.subscriptionId],
    ['resourceGroup', vault.resourceGroup]
  ])
  const problems: string[] = []
  let nextLink: string | undefined
  for (const [index, { request, response }] of fixture.exchanges.entries()) {
    const where = `exchange ${index} (${request.method} ${request.path})`
    // A page after the first goes where the previous page's nextLink points (the recorded token is scrubbed).
    const path = request.path.replace('{name}', SECRET)
    const url =
      path.includes('$skiptoken') && nextLink
        ? nextLink
        : `${vault.url}${path}${path.includes('?') ? '&' : '?'}api-version=2025-07-01`
    const challenge = response.status === 401
    const body = request.body ?? (request.method === 'PUT' ? { value: 'SECRET_VALUE' } : undefined)
    const answer = await send(url, {
      method: request.method,
      headers: {
        ...(!challenge && { authorization: `Bearer ${token}` }),
        ...(body !== undefined && { 'content-type': 'application/json' })
      },
      body: body === undefined ? undefined : JSON.stringify(body)
    })
    if (answer.status !== response.status)
      problems.push(`${where}: status ${answer.status}, recorded ${response.status}: ${JSON.stringify(answer.body)}`)
    checkHeaders(response.headers, answer, bindings, problems, where)
    compare(response.body, answer.body, `${where} body`, bindings, problems, {
      oldWording: fixture.supersededBy !== undefined
    })
    const link = (answer.body as { nextLink?: unknown } | null)?.nextLink
    nextLink = typeof link === 'string' ? link.replace(':443/', '/') : undefined
  }
  return problems
}

describe('Key Vault answers as recorded', () => {
  const all = fixtures('keyvault')
  test('every fixture names its source: a recording at a commit, or a thread or the documentation with its quote', () => {
    expect(all.length).toBeGreaterThan(20)
    for (const fixture of all) {
      const { source } = fixture
      const cited =
        (source.repository && source.path && /^[0-9a-f]{40}$/.test(source.commit ?? '')) ||
        (source.thread?.startsWith('https://github.com/') && source.quote) ||
        (source.docs?.startsWith('https://learn.microsoft.com/') && source.quote)
      expect({ file: fixture.file, cited: Boolean(cited) }).toEqual({ file: fixture.file, cited: true })
    }
  })

  test('a fixture whose wording was superseded names the fixture with the newer wording', () => {
    const files = new Set(all.map((fixture) => fixture.file))
    const superseded = all.filter((fixture) => fixture.supersededBy !== undefined)
    expect(superseded.length).toBeGreaterThan(0)
    for (const fixture of superseded)
      expect({ file: fixture.file, newer: files.has(fixture.supersededBy ?? '') }).toEqual({
        file: fixture.file,
        newer: true
      })
  })

  test.each(all.map((fixture) => [fixture.file, fixture] as const))('%s', async (_, fixture) => {
    expect(await replayVault(fixture)).toEqual([])
  })
})

// ---------------------------------------------------------------------------------------------
// Microsoft Entra ID

const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com'
const AUDIENCE = 'api://AzureADTokenExchange'
const SUBJECT = 'repo:octo-org/app:ref:refs/heads/main'

/** How each recorded Entra answer is provoked: the directory it needs, and the token request's fields. */
const EntraCases: Readonly<Record<string, () => { tenant: string; form: Record<string, string> }>> = {
  'aadsts700016-application-not-found.json': () => {
    s.addTenant(TENANT)
    return { tenant: TENANT, form: { client_id: CLIENT, client_secret: 'any' } }
  },
  'aadsts7000215-invalid-client-secret.json': () => {
    s.addApp({ tenantId: TENANT, clientId: CLIENT, clientSecret: 'the-right-one' })
    return { tenant: TENANT, form: { client_id: CLIENT, client_secret: 'a-wrong-one' } }
  },
  'aadsts7000222-client-secret-expired.json': () => {
    s.addApp({ tenantId: TENANT, clientId: CLIENT, clientSecret: 'new-one', expiredClientSecrets: ['old-one'] })
    return { tenant: TENANT, form: { client_id: CLIENT, client_secret: 'old-one' } }
  },
  'aadsts700024-assertion-time-range.json': () => {
    s.addApp({
      tenantId: TENANT,
      clientId: CLIENT,
      federated: [{ issuer: GITHUB_ISSUER, subject: SUBJECT, audience: AUDIENCE }]
    })
    return {
      tenant: TENANT,
      form: assertion(s.mintIdToken({ audience: AUDIENCE, subject: SUBJECT, expiresInSeconds: -60 }))
    }
  },
  'aadsts70021-no-matching-federated-identity.json': () => {
    s.addApp({
      tenantId: TENANT,
      clientId: CLIENT,
      federated: [{ issuer: GITHUB_ISSUER, subject: SUBJECT, audience: 'api://SomethingElse' }]
    })
    return { tenant: TENANT, form: assertion(s.mintIdToken({ audience: AUDIENCE, subject: SUBJECT })) }
  },
  'aadsts700211-no-matching-issuer.json': () => {
    s.addApp({
      tenantId: TENANT,
      clientId: CLIENT,
      federated: [
        { issuer: 'https://token.actions.githubusercontent.com/octo-enterprise', subject: SUBJECT, audience: AUDIENCE }
      ]
    })
    return { tenant: TENANT, form: assertion(s.mintIdToken({ audience: AUDIENCE, subject: SUBJECT })) }
  },
  'aadsts700213-subject-mismatch.json': () => {
    s.addApp({
      tenantId: TENANT,
      clientId: CLIENT,
      federated: [{ issuer: GITHUB_ISSUER, subject: 'repo:octo-org/app:environment:production', audience: AUDIENCE }]
    })
    return { tenant: TENANT, form: assertion(s.mintIdToken({ audience: AUDIENCE, subject: SUBJECT })) }
  },
  'aadsts90002-tenant-not-found.json': () => ({ tenant: TENANT, form: { client_id: CLIENT, client_secret: 'any' } })
}

function assertion(token: string): Record<string, string> {
  return {
    client_id: CLIENT,
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: token
  }
}

/** Entra separated the trace details by "\r\n" until 2024 and by a space since; either is the real service's. */
const sameSeparators = (text: string): string =>
  text.replace(/(?:\r\n| )(?=(?:Trace ID|Correlation ID|Timestamp): )/g, '\n')

describe('Microsoft Entra ID answers as recorded', () => {
  const all = fixtures('entra')
  test('every fixture has a way to provoke it, and every way has a fixture', () => {
    expect(all.map((fixture) => fixture.file)).toEqual(Object.keys(EntraCases).sort())
  })

  test.each(all.map((fixture) => [fixture.file, fixture] as const))('%s', async (file, fixture) => {
    const provoke = EntraCases[file]
    if (!provoke) throw new Error(`no way to provoke ${file}`)
    const { tenant, form } = provoke()
    const [exchange] = fixture.exchanges
    if (!exchange) throw new Error(`${file} has no exchange`)
    const answer = await send(`https://login.microsoftonline.com/${tenant}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        scope: 'https://vault.azure.net/.default',
        ...form
      }).toString()
    })
    const bindings: Bindings = new Map([
      ['tenant', TENANT],
      ['client', CLIENT]
    ])
    const problems: string[] = []
    if (answer.status !== exchange.response.status)
      problems.push(`status ${answer.status}, recorded ${exchange.response.status}`)
    const expected = exchange.response.body as Record<string, unknown>
    const served = answer.body as Record<string, unknown>
    compare(
      { ...expected, error_description: sameSeparators(String(expected.error_description)) },
      { ...served, error_description: sameSeparators(String(served.error_description)) },
      'body',
      bindings,
      problems,
      // The recordings scrub some fields (error_uri); the stand-in may send more than a quote shows.
      { subsetKeys: true }
    )
    expect(problems).toEqual([])
  })
})
