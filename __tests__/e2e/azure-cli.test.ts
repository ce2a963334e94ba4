/**
 * End-to-end: the Azure CLI session an azure/login step leaves, through the real @azure/identity
 * AzureCliCredential and a scripted `az` (`az.cmd` on Windows) that answers with what the real
 * Azure CLI printed for each case (__tests__/fixtures/recorded/az, captured from Debian's
 * azure-cli against the stand-in). Each failure says what to do in a workflow and keeps az's own
 * first ERROR line; a managed identity's session works as az holds it; the log and a 403 name the
 * identity.
 */
import { afterEach, describe, expect, it, jest } from '@jest/globals'
import { writeRecordedAz, type RecordedAz, type RecordedAzOptions } from '../support/recorded-az.js'
import { assertNoLeak, runAction, type RunResult } from '../support/runner.js'
import { expectFailure, expectSuccess } from '../support/steps.js'
import { useStandIn } from '../support/world.js'

jest.setTimeout(60_000)

const TENANT = '5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a'
const OTHER_TENANT = '99999999-9999-9999-9999-999999999999'
const CLI_APP = '1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d'
const MI_APP = '6d5c4b3a-2f1e-4a0b-9c8d-7e6f5a4b3c2d'
const OIDC_APP = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'
const VAULT = 'cli-kv'
const FOREIGN_VAULT = 'foreign-kv'
const VALUE = 'Cli-Session-Value-42'

const { s } = useStandIn({
  seed: (s) => {
    s.addVault({ name: VAULT, tenantId: TENANT, grants: { [MI_APP]: ['get'], [OIDC_APP]: ['get'] } }).setSecret(
      'db-password',
      VALUE
    )
    s.addVault({ name: FOREIGN_VAULT, tenantId: OTHER_TENANT, grants: {} }).setSecret('db-password', VALUE)
    s.addOidcApp(TENANT, OIDC_APP)
  }
})
let az: RecordedAz | undefined
afterEach(() => {
  az?.remove()
  az = undefined
})

/** A step with `auth-type: azure-cli` and the scripted az first on PATH. */
async function withSession(
  session: Omit<RecordedAzOptions, 'tenantId' | 'otherTenantId'> & { readonly tenantId?: string },
  inputs: Record<string, string> = {}
): Promise<RunResult> {
  az = writeRecordedAz(s, { tenantId: TENANT, otherTenantId: OTHER_TENANT, ...session })
  return runAction({
    inputs: { 'vault-name': VAULT, 'secret-name': 'db-password', 'auth-type': 'azure-cli', ...inputs },
    standin: s,
    env: { PATH: az.path }
  })
}

const tokenCalls = (): string[][] => (az?.calls() ?? []).filter((call) => call[1] === 'get-access-token')

describe('every failure of the CLI session says what to do in a workflow, with az’s own words', () => {
  it('no session (azure/login did not run in this job): names the missing step and the own OIDC sign-in', async () => {
    const r = await withSession({
      appId: CLI_APP,
      getAccessToken: { withTenant: 'no-session-token-tenant', withoutTenant: 'no-session-token' },
      accountShow: 'no-session-account'
    })
    const error = expectFailure(
      r,
      'The Azure CLI on this runner has no session: no azure/login step ran earlier in this job',
      "az said: ERROR: Please run 'az login' to setup account.",
      'Add an azure/login step before this one, in the same job',
      "give 'client-id' and 'tenant-id' (with 'permissions: id-token: write')"
    )
    expect(error).not.toContain('from a command prompt')
  })

  it('the federated token azure/login gave the CLI has expired (AADSTS700024): keeps az’s line, advises the own OIDC or an earlier step', async () => {
    const r = await withSession({
      appId: CLI_APP,
      getAccessToken: { withTenant: 'expired-federated-assertion-tenant' },
      accountShow: 'federated-account'
    })
    const error = expectFailure(
      r,
      'the GitHub ID token it signed in with has expired',
      'az said: ERROR: AADSTS700024: Client assertion is not within its valid time range.',
      'a fresh GitHub ID token each step',
      'run this step sooner after azure/login (Azure/login issue 180)'
    )
    expect(error).not.toContain('Trace ID')
  })

  it('the CLI is signed in to another tenant than the vault’s (AADSTS700016): names both tenants', async () => {
    const r = await withSession(
      { appId: CLI_APP, getAccessToken: { withTenant: 'other-tenant-token' }, accountShow: 'sp-account' },
      { 'vault-name': FOREIGN_VAULT }
    )
    expectFailure(
      r,
      `The Azure CLI session is signed in to tenant ${TENANT}, but the vault is in tenant ${OTHER_TENANT}, as its answer says (AADSTS700016).`,
      `az said: ERROR: AADSTS700016: Application with identifier '${CLI_APP}' was not found in the directory '${OTHER_TENANT}'.`,
      `'tenant-id: ${OTHER_TENANT}'`
    )
  })
})

describe('a managed identity’s session (azure/login with auth-type: IDENTITY) works as az holds it', () => {
  it('az refuses --tenant for it: asked again without one, and every later token without one', async () => {
    const r = await withSession(
      {
        appId: MI_APP,
        getAccessToken: { withTenant: 'managed-identity-tenant-refused', withoutTenant: 'managed-identity-token' },
        accountShow: 'managed-identity-account'
      },
      { 'secret-name': '', secrets: 'db-password\nAGAIN=db-password' }
    )
    expectSuccess(r)
    expect(r.outputs['db-password']).toBe(VALUE)
    expect(tokenCalls().map((call) => call.includes('--tenant'))).toEqual([true, false])
    expect(r.log.join('\n')).toContain(
      "The Azure CLI session is a managed identity's, which az gives tokens without naming a tenant"
    )
    expect(r.log.join('\n')).toMatch(
      new RegExp(`The Azure CLI session signed in as app ${MI_APP} \\(object [0-9a-f-]{36}\\) in tenant ${TENANT}\\.`)
    )
    assertNoLeak(r, [VALUE])
  })
})

describe('the identity is named', () => {
  it('a 403 through the CLI names the caller the vault names, in the command to grant it', async () => {
    const r = await withSession({
      appId: CLI_APP,
      getAccessToken: { withTenant: 'sp-token-tenant' },
      accountShow: 'sp-account'
    })
    const error = expectFailure(r, `App '${CLI_APP}' (object `, 'may not get secrets in vault')
    expect(error).toMatch(/az (keyvault set-policy --name cli-kv --spn|role assignment create)/)
    expect(error).toContain(CLI_APP)
    expect(error).not.toContain('the signed-in identity')
  })

  it('the log says as whom the CLI session signed in, from the token’s claims, never the token', async () => {
    s.vault(VAULT).grants.set(CLI_APP, new Set(['get']))
    const r = await withSession({
      appId: CLI_APP,
      getAccessToken: { withTenant: 'sp-token-tenant' },
      accountShow: 'sp-account'
    })
    expectSuccess(r)
    expect(r.log.join('\n')).toMatch(
      new RegExp(`The Azure CLI session signed in as app ${CLI_APP} \\(object [0-9a-f-]{36}\\) in tenant ${TENANT}\\.`)
    )
    assertNoLeak(r, [az?.values['token'] ?? 'no token'])
  })

  it("auto with AZURE_CLIENT_ID and AZURE_TENANT_ID in the job's environment says why it chose OIDC over a CLI session", async () => {
    az = writeRecordedAz(s, { tenantId: TENANT, appId: CLI_APP, getAccessToken: { withTenant: 'sp-token-tenant' } })
    const r = await runAction({
      inputs: { 'vault-name': VAULT, 'secret-name': 'db-password' },
      standin: s,
      env: { ...s.oidcEnv(), PATH: az.path, AZURE_CLIENT_ID: OIDC_APP, AZURE_TENANT_ID: TENANT }
    })
    expectSuccess(r)
    expect(r.log.join('\n')).toContain(
      "('auth-type: auto' chose it: a client ID and a tenant without a client secret came from AZURE_CLIENT_ID, AZURE_TENANT_ID in the job's environment; to use the Azure CLI session of an azure/login step instead, set 'auth-type: azure-cli')."
    )
    expect(az.calls()).toEqual([])
  })
})
