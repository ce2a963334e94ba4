/**
 * End-to-end: the committed action against the stand-in where the stand-in now answers as the
 * recorded service does (__tests__/fixtures/recorded, checked by recorded.test.ts): purges and
 * recoveries that finish after they answer, purges refused during a delete, sign-in refusals
 * with codes of their own, inner error codes, irregular paging, retention, certificate-backed
 * secrets. Through the real SDK, over HTTPS.
 *
 * The tests that wait out the vault's delays (a purge or recover that finishes later, a delete's
 * poll) are `waiting` tests (support/world.ts): with a stand-in of their own, beside the others.
 */
import { beforeEach, describe, expect, it, jest } from '@jest/globals'
import { assertNoLeak } from '../support/runner.js'
import { expectFailure, expectSuccess, vaultCalls as vaultCallsOf } from '../support/steps.js'
import { AllPermissions, useStandIn } from '../support/world.js'

jest.setTimeout(60_000)

const TENANT = '0c7a9e4b-3f21-4d8a-b6c5-2e9f1a7d3b40'
const OTHER_TENANT = '6d2b8f1c-4a39-4e7b-9c05-7f1e2d3c4b5a'
const APP = '1f8e2d3c-5b4a-4c9d-8e7f-6a5b4c3d2e1f'
const SP_SECRET = 'Sp9Q~real.service-Client_Secret77'
const VAULT = 'fidelity-kv'
const DAY_MS = 24 * 3600 * 1000

const {
  s,
  step: run,
  vault,
  waiting
} = useStandIn({
  vault: { name: VAULT, tenantId: TENANT, clientId: APP, grants: AllPermissions }
})
const vaultCalls = (method?: string): string[] => vaultCallsOf(s, method)

describe('a purge or recover finishes after it answers', () => {
  waiting("a set right after another step's purge waits until the vault has freed the name", async () => {
    vault().seedDeleted('db-password', 'old-value')
    expectSuccess(await run({ operation: 'purge', 'secret-name': 'db-password' }))
    s.requests.length = 0
    const r = await run({ operation: 'set', 'secret-name': 'db-password', 'secret-value': 'new-value' })
    expectSuccess(r)
    expect(vaultCalls()).toEqual([
      'PUT /secrets/db-password 401',
      'PUT /secrets/db-password 409',
      'PUT /secrets/db-password 200'
    ])
    expect(vault().value('db-password')).toBe('new-value')
    expect(r.log.join('\n')).toContain(
      "Key Vault is still finishing a delete or purge of secret 'db-password'; trying again"
    )
    assertNoLeak(r, ['new-value', 'old-value'])
  })

  waiting(
    'a purge that outlasts timeout: one error that says what the step did and that the vault gives no signal; nothing exported',
    async () => {
      vault().seedDeleted('db-password', 'old-value')
      vault().purgeWindow = 1000
      const r = await run({
        operation: 'set',
        'secret-name': 'db-password',
        'secret-value': 'new-value',
        'if-deleted': 'purge',
        timeout: '6'
      })
      const error = expectFailure(
        r,
        "Secret 'db-password' in vault 'fidelity-kv' was still being deleted (409 ObjectIsBeingDeleted) after ",
        "when 'timeout' (6 s) left no time to try again",
        "This step purged the deleted secret first ('if-deleted: purge'); Key Vault accepted the purge but had not freed the name yet.",
        "raise 'timeout'"
      )
      expect(error).not.toContain('The step ran out of time')
      // It stops before the deadline, with the service's answer in hand.
      expect(r.durationMs).toBeLessThan(6000)
      expect(vault().latest('db-password')).toBeUndefined()
      assertNoLeak(r, ['new-value', 'old-value'])
    }
  )

  waiting('a recover that outlasts timeout: the same, naming the recovery', async () => {
    vault().seedDeleted('db-password', 'old-value')
    vault().recoverWindow = 1000
    const r = await run({
      operation: 'set',
      'secret-name': 'db-password',
      'secret-value': 'new-value',
      'if-deleted': 'recover',
      timeout: '5'
    })
    expectFailure(
      r,
      'was still being recovered (409 ObjectIsBeingRecovered)',
      "This step recovered the deleted secret first ('if-deleted: recover')"
    )
    expect(vault().value('db-password')).toBe('old-value')
  })

  it('a conflict the action does not know is reported as it is, not as a deleted secret', async () => {
    s.faults.push({
      match: (request) => request.method === 'PUT' && request.headers.authorization !== undefined,
      status: 409,
      body: {
        error: {
          code: 'Conflict',
          message: 'The operation conflicts with a change in progress.',
          innererror: { code: 'SomethingNew' }
        }
      },
      times: 1
    })
    const r = await run({
      operation: 'set',
      'secret-name': 'db-password',
      'secret-value': 'new-value',
      'if-deleted': 'recover'
    })
    const error = expectFailure(
      r,
      "Key Vault 'fidelity-kv' refused to set secret 'db-password' (409 Conflict, SomethingNew). Key Vault said: The operation conflicts with a change in progress."
    )
    expect(error).not.toContain('deleted but recoverable')
    // Not taken for a soft-deleted secret: nothing was recovered.
    expect(vaultCalls('POST')).toEqual([])
  })
})

describe('sign-in refusals with advice of their own', () => {
  it('an expired client secret (AADSTS7000222): create a new one, or use OIDC', async () => {
    s.addApp({ tenantId: TENANT, clientId: '7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d', expiredClientSecrets: [SP_SECRET] })
    const r = await run(
      { 'secret-name': 'db-password', 'client-id': '7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d', 'client-secret': SP_SECRET },
      { env: { ACTIONS_ID_TOKEN_REQUEST_URL: undefined, ACTIONS_ID_TOKEN_REQUEST_TOKEN: undefined } }
    )
    expectFailure(
      r,
      "The client secret of app '7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d' has expired (AADSTS7000222).",
      'az ad app credential reset',
      'OIDC'
    )
    assertNoLeak(r, [SP_SECRET])
  })

  it('a federated credential for another issuer (AADSTS700211): names the issuer the token carried', async () => {
    s.reset()
    s.addVault({ name: VAULT, tenantId: TENANT, grants: { [APP]: ['get'] } })
    s.addApp({
      tenantId: TENANT,
      clientId: APP,
      federated: [
        {
          issuer: 'https://token.actions.githubusercontent.com/octo-enterprise',
          subject: s.github.subject,
          audience: 'api://AzureADTokenExchange'
        }
      ]
    })
    const r = await run({ 'secret-name': 'db-password' })
    expectFailure(
      r,
      `No federated credential of app '${APP}' trusts the issuer of this workflow's OIDC token (AADSTS700211): the token's issuer is 'https://token.actions.githubusercontent.com'.`,
      'Service said: AADSTS700211: No matching federated identity record found for presented assertion issuer'
    )
  })

  it('a GitHub ID token already expired when presented (AADSTS700024): re-run, check the clock', async () => {
    s.github.lifetimeSeconds = -120
    const r = await run({ 'secret-name': 'db-password' })
    expectFailure(r, 'The GitHub OIDC token was outside its validity window (AADSTS700024).')
  })

  it("a vault in another tenant: the vault's tenant is quoted without the sentence's full stop", async () => {
    s.addVault({ name: 'elsewhere-kv', tenantId: OTHER_TENANT, grants: { [APP]: ['get'] } }).setSecret(
      'db-password',
      'v'
    )
    const r = await run({ 'vault-name': 'elsewhere-kv', 'secret-name': 'db-password' })
    expectFailure(
      r,
      `Vault 'elsewhere-kv' belongs to tenant '${OTHER_TENANT}', but the sign-in is for tenant '${TENANT}'.`
    )
  })
})

describe('a name the vault does not have', () => {
  it('delete: 404 SecretNotFound names the secret; with ignore-missing it is a warning', async () => {
    expectFailure(
      await run({ operation: 'delete', 'secret-name': 'never-there' }),
      "Secret 'never-there' was not found in vault 'fidelity-kv'."
    )
    const r = await run({ operation: 'delete', 'secret-name': 'never-there', 'ignore-missing': 'true' })
    expectSuccess(r)
    expect(r.warnings).toEqual(["Secret 'never-there' was not found in the vault; skipped ('ignore-missing: true')."])
  })
})

describe('the vault refuses by its network rules, told apart by the inner code', () => {
  it.each([
    ['firewall', "refused the runner's network address (403 Forbidden, ForbiddenByFirewall)"],
    ['private', 'accepts no requests from public networks (403 Forbidden, ForbiddenByConnection)']
  ] as const)('%s', async (network, says) => {
    vault().setSecret('db-password', 'p@ss')
    vault().network = network
    const r = await run({ 'secret-name': 'db-password' })
    const error = expectFailure(r, says)
    expect(error).not.toContain('assign')
    assertNoLeak(r, ['p@ss'])
  })
})

describe('what a vault keeps, and how it pages', () => {
  waiting(
    "a vault that keeps deleted secrets 7 days: scheduled-purge-date is the service's, 7 days after the delete",
    async () => {
      s.reset()
      s.addVault({ name: VAULT, tenantId: TENANT, retentionDays: 7, grants: { [APP]: ['get', 'delete'] } }).setSecret(
        'temp-token',
        'x'
      )
      s.addOidcApp(TENANT, APP)
      const r = await run({ operation: 'delete', 'secret-name': 'temp-token' })
      expectSuccess(r)
      const deletedOn = Date.parse(r.outputs['deleted-on'] ?? '')
      expect(Date.parse(r.outputs['scheduled-purge-date'] ?? '') - deletedOn).toBe(7 * DAY_MS)
      expect(vault().recoveryLevel).toBe('CustomizedRecoverable+Purgeable')
    }
  )

  it("irregular pages (empty pages mid-listing, a last page that links to an empty one): list and a glob find every secret, in the service's order", async () => {
    const names = ['Alpha-1', 'alpha-2', 'BETA', 'beta-0', 'gamma', 'Gamma-2', 'delta', 'epsilon', 'zeta']
    for (const name of [...names].reverse()) vault().setSecret(name, `value-of-${name}`)
    vault().paging = { sizes: [2, 0, 1, 0, 0, 3], endsWithEmptyPage: true }
    const listed = await run({ operation: 'list' })
    expectSuccess(listed)
    expect(JSON.parse(listed.outputs.names ?? '[]')).toEqual([
      'Alpha-1',
      'alpha-2',
      'BETA',
      'beta-0',
      'delta',
      'epsilon',
      'gamma',
      'Gamma-2',
      'zeta'
    ])
    // Pages of 2, 0, 1, 0, 0, 3, then full: the last items' page links to a final empty page.
    expect(s.requestsTo('vault', 'GET').filter((req) => req.path === '/secrets' && req.status === 200)).toHaveLength(8)

    s.requests.length = 0
    const read = await run({ secrets: '*' })
    expectSuccess(read)
    for (const name of names) expect(read.outputs[name]).toBe(`value-of-${name}`)
    assertNoLeak(
      read,
      names.map((name) => `value-of-${name}`)
    )
  })
})

describe('secrets that back certificates', () => {
  beforeEach(() => {
    vault().setSecret('app-db-password', 'plain-value')
    vault().setSecret('app-tls', 'MIIKcAIBAzCCCiwGCSqGSIb3DQEHAaCCCh0EggoZ', {
      certificate: true,
      contentType: 'application/x-pkcs12'
    })
    vault().setSecret('app-tls-pem', '-----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY-----', {
      certificate: true,
      contentType: 'application/x-pem-file'
    })
  })

  it('a glob skips them, and the log and summary say which', async () => {
    const r = await run({ secrets: 'app-*' })
    expectSuccess(r)
    expect(Object.keys(r.outputs).sort()).toEqual(['app-db-password', 'id', 'value', 'version'])
    expect(r.log.join('\n')).toContain(
      "Skipped 2 certificate-backed secrets that a glob matched ('app-tls', 'app-tls-pem'): a glob reads plain secrets only."
    )
    expect(r.summaryMasked).toContain('certificate-backed, not read by a glob')
    expect(vaultCalls('GET').filter((call) => call.startsWith('GET /secrets/app-tls'))).toEqual([])
  })

  it('named, one is read like any secret', async () => {
    const r = await run({ secrets: 'TLS=app-tls-pem' })
    expectSuccess(r)
    expect(r.outputs.TLS).toBe('-----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY-----')
    assertNoLeak(r, ['-----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY-----'], { perLine: true })
  })

  it('list shows them, marked as certificates', async () => {
    const r = await run({ operation: 'list' })
    expectSuccess(r)
    expect(JSON.parse(r.outputs.names ?? '[]')).toEqual(['app-db-password', 'app-tls', 'app-tls-pem'])
    expect(r.summaryMasked).toContain('app-tls (certificate)')
  })
})
