/**
 * The order of a sign-in's requests, end to end: when the workflow names the tenant, the token is
 * asked for while the vault's challenge travels (auth/earlyToken.ts), so the read follows the slower
 * of the two instead of both in turn. When the challenge names something else (another tenant), or
 * no tenant was named (a managed identity), the token waits for the challenge, as it always did.
 *
 * The vault answers its challenge (the first request, without a token) `CHALLENGE_MS` late, every
 * other request at once: a request that arrives before `challenge.time` (when the answer left) was
 * sent before the step could know what the challenge names.
 */
import { describe, expect, it, jest } from '@jest/globals'
import type { RunResult } from '../support/runner.js'
import type { RequestRecord } from '../support/standin/index.js'
import {
  expectSuccess,
  MI_APP,
  OIDC_APP,
  run,
  s,
  SP_APP,
  SP_SECRET,
  TENANT,
  useActionWorld,
  VAULT
} from '../support/action-world.js'

jest.setTimeout(60_000)

useActionWorld()

const CHALLENGE_MS = 500
const OTHER_TENANT = '99999999-8888-7777-6666-555555555555'
const FOREIGN_VAULT = 'foreign-kv'
const spInputs = { 'client-id': SP_APP, 'tenant-id': TENANT, 'client-secret': SP_SECRET }

function slowly(read: () => Promise<RunResult>): Promise<RunResult> {
  s.faults.push({
    match: (request) => request.service === 'vault' && request.headers.authorization === undefined,
    delayMs: CHALLENGE_MS,
    times: 1
  })
  return read()
}

/** The vault's requests, the first being the challenge (no token, answered 401). */
function vaultRequests(): { challenge: RequestRecord; read: RequestRecord } {
  const [challenge, read, ...more] = s.requestsTo('vault')
  expect(more).toEqual([])
  expect([challenge?.status, challenge?.authorized]).toEqual([401, false])
  expect([read?.status, read?.authorized]).toEqual([200, true])
  return { challenge: challenge as RequestRecord, read: read as RequestRecord }
}

const answeredAt = (request: RequestRecord): number => request.time

describe('the token is asked for while the challenge travels when the tenant is known', () => {
  it('service principal: the token request leaves before the challenge is answered, the read after both', async () => {
    s.vault(VAULT).setSecret('db-password', 'early-value')
    const r = await slowly(() => run({ 'secret-name': 'db-password', ...spInputs }))

    expectSuccess(r)
    expect(r.outputs.value).toBe('early-value')
    const { challenge, read } = vaultRequests()
    const [token, ...moreTokens] = s.requestsTo('entra', 'POST')
    expect(moreTokens).toEqual([])
    expect(token?.status).toBe(200)
    expect(token?.arrived).toBeLessThan(answeredAt(challenge))
    // The read carries the early token: it left once both answers were in.
    expect(read.arrived).toBeGreaterThanOrEqual(Math.max(answeredAt(challenge), answeredAt(token as RequestRecord)))
  })

  it('OIDC: the GitHub ID token and then the Entra token requests leave before the challenge is answered', async () => {
    s.vault(VAULT).setSecret('db-password', 'oidc-value')
    const r = await slowly(() => run({ 'secret-name': 'db-password', 'client-id': OIDC_APP, 'tenant-id': TENANT }))

    expectSuccess(r)
    const { challenge, read } = vaultRequests()
    const [idToken] = s.requestsTo('github')
    const [token, ...moreTokens] = s.requestsTo('entra', 'POST')
    expect(moreTokens).toEqual([])
    expect(idToken?.arrived).toBeLessThan(answeredAt(challenge))
    // The Entra token needs the ID token, not the challenge.
    expect(token?.arrived).toBeGreaterThanOrEqual(answeredAt(idToken as RequestRecord))
    expect(token?.arrived).toBeLessThan(answeredAt(challenge))
    expect(read.arrived).toBeGreaterThanOrEqual(answeredAt(challenge))
  })
})

describe('otherwise the token waits for the challenge, as it always did', () => {
  it('a vault in another tenant than the one named: the early token is dropped and the error is unchanged', async () => {
    s.addVault({ name: FOREIGN_VAULT, tenantId: OTHER_TENANT, grants: { [SP_APP]: ['get'] } }).setSecret(
      'db-password',
      'x'
    )
    const r = await run({ 'vault-name': FOREIGN_VAULT, 'secret-name': 'db-password', ...spInputs })

    expect(r.exitCode).toBe(1)
    expect(r.errors.join('\n')).toContain(OTHER_TENANT)
    // One token request (the early one, for the tenant named); the challenge's own ask for the
    // vault's tenant is refused by the credential before any request, as it was without it.
    const tokens = s.requestsTo('entra', 'POST')
    expect(tokens.map((request) => request.path.split('/')[1])).toEqual([TENANT])
    // No token ever reached the vault.
    expect(s.requestsTo('vault').map((request) => request.authorized)).toEqual([false])
  })

  it('a managed identity names no tenant: its token request follows the challenge’s answer', async () => {
    s.vault(VAULT).setSecret('db-password', 'mi-value')
    const r = await slowly(() =>
      run(
        { 'secret-name': 'db-password', 'auth-type': 'managed-identity', 'client-id': MI_APP },
        { env: s.managedIdentityEnv() }
      )
    )

    expectSuccess(r)
    const { challenge } = vaultRequests()
    const [token] = s.requestsTo('imds')
    expect(token?.arrived).toBeGreaterThanOrEqual(answeredAt(challenge))
  })
})

describe('a tenant ID in capitals', () => {
  it('is the tenant the challenge names in lower case: one token request serves the read (it failed before)', async () => {
    const tenant = 'abcdef01-2345-4678-9abc-def012345678'
    s.addApp({ tenantId: tenant, clientId: SP_APP, clientSecret: SP_SECRET })
    s.addVault({ name: 'mixed-kv', tenantId: tenant, grants: { [SP_APP]: ['get'] } }).setSecret('db-password', 'caps')
    const r = await run({
      'vault-name': 'mixed-kv',
      'secret-name': 'db-password',
      ...spInputs,
      'tenant-id': tenant.toUpperCase()
    })
    expectSuccess(r)
    expect(r.outputs.value).toBe('caps')
    expect(s.requestsTo('entra', 'POST')).toHaveLength(1)
  })
})
