/**
 * End-to-end: every failure ends the step with exactly one `::error::` that names what was wrong
 * and what to do next, exit code 1, nothing exported, no stack trace and no secret in the log.
 * Input problems are reported before any network request.
 *
 * The committed bundle (dist/index.js) runs in a child process against the local stand-in.
 */
import { describe, expect, it, jest } from '@jest/globals'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { assertNoLeak, runAction, type RunResult } from '../support/runner.js'
import { useStandIn } from '../support/world.js'

jest.setTimeout(60_000)

const TENANT = '7d3e1c2a-5b6f-4a8e-9c0d-1e2f3a4b5c6d'
const CLIENT = 'c4f1a9e2-3b7d-4e6a-8f0b-2d5c7e9a1b3f'
const UNKNOWN_CLIENT = '0b9e8d7c-6a5f-4e3d-2c1b-a09f8e7d6c5b'
const UNKNOWN_TENANT = 'e5d4c3b2-a1f0-4e9d-8c7b-6a5f4e3d2c1b'
const SP_SECRET = 'Sp8Q~correct.Client-Secret_Value42'
const WRONG_SECRET = 'Wr0ng~Client.Secret-Value_Nope99'
const SECRET_VALUE = 'db-P@ssw0rd!stored-in-vault'
const NEW_VALUE = 'n3w-V@lue-that-should-never-show'
const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com'
const AUDIENCE = 'api://AzureADTokenExchange'
const JWT = /eyJ[\w-]+\.[\w-]+\.[\w-]+/

/** The usual world: one RBAC vault holding a secret, one app with a client secret and an OIDC trust for main. */
const { s } = useStandIn({
  seed: (s) => {
    s.addVault({ name: 'contoso-kv', tenantId: TENANT, grants: { [CLIENT]: ['get'] } }).setSecret(
      'db-password',
      SECRET_VALUE
    )
    s.addApp({
      tenantId: TENANT,
      clientId: CLIENT,
      clientSecret: SP_SECRET,
      federated: [{ issuer: GITHUB_ISSUER, subject: s.github.subject, audience: AUDIENCE }]
    })
  }
})

/** Inputs for a service principal get that would succeed. */
const spInputs = (extra: Record<string, string> = {}): Record<string, string> => ({
  'vault-name': 'contoso-kv',
  'secret-name': 'db-password',
  'client-id': CLIENT,
  'tenant-id': TENANT,
  'client-secret': SP_SECRET,
  ...extra
})

/** Without the OIDC request variables, whatever the parent has. */
const noOidc = { ACTIONS_ID_TOKEN_REQUEST_URL: undefined, ACTIONS_ID_TOKEN_REQUEST_TOKEN: undefined }

interface Expectation {
  /** Phrases the one error must contain. */
  readonly says: readonly string[]
  /** Values that must not appear anywhere in the log, the debug messages or the summary. */
  readonly secrets: readonly string[]
}

/** The common contract of every failure; returns the one error message. */
function expectFailure(r: RunResult, { says, secrets }: Expectation): string {
  const context = `log:\n${r.log.join('\n')}\nstderr:\n${r.stderr}`
  expect({ exitCode: r.exitCode, timedOut: r.timedOut, context }).toEqual({ exitCode: 1, timedOut: false, context })
  expect(r.conclusion).toBe('failure')
  expect(r.errors).toHaveLength(1)
  const error = r.errors[0] ?? ''
  for (const phrase of says) expect(error).toContain(phrase)
  expect(r.outputs).toEqual({})
  expect(r.env).toEqual({})
  expect(r.fileCommandErrors).toEqual([])
  expect(r.log.filter((line) => /^\s+at /.test(line))).toEqual([])
  expect(r.debug.filter((line) => /^\s+at /m.test(line))).toEqual([])
  assertNoLeak(r, secrets, { perLine: true })
  return error
}

describe('input errors: one error, before any request', () => {
  const expectInputError = (
    r: RunResult,
    says: readonly string[],
    secrets: readonly string[] = [SP_SECRET]
  ): string => {
    const error = expectFailure(r, { says, secrets })
    expect(s.requests).toEqual([])
    return error
  }

  it('unknown operation: names the input, the value and the accepted values', async () => {
    const r = await runAction({ inputs: spInputs({ operation: 'fetch' }), standin: s, debug: true })
    expectInputError(r, ["Input 'operation'", "'fetch'", 'Accepted values: get, set, delete, list'])
  })

  it('neither vault-name nor vault-url', async () => {
    const r = await runAction({ inputs: spInputs({ 'vault-name': '' }), standin: s, debug: true })
    expectInputError(r, ["Input 'vault-name' is required", "'vault-url'", 'contoso-kv'])
  })

  it('both vault-name and vault-url', async () => {
    const r = await runAction({
      inputs: spInputs({ 'vault-url': 'https://contoso-kv.vault.azure.net' }),
      standin: s,
      debug: true
    })
    expectInputError(r, ["'vault-name'", "'vault-url'", 'both given', 'Give exactly one'])
  })

  it('invalid vault name: names the value and the naming rule', async () => {
    const r = await runAction({ inputs: spInputs({ 'vault-name': 'kv_bad!' }), standin: s, debug: true })
    expectInputError(r, ["Input 'vault-name'", 'invalid vault name', "'kv_bad!'", '3-24 characters'])
  })

  it('invalid secret name: names the value and the naming rule', async () => {
    const r = await runAction({ inputs: spInputs({ 'secret-name': 'db_password' }), standin: s, debug: true })
    expectInputError(r, [
      "Input 'secret-name'",
      'invalid secret name',
      "'db_password'",
      '1-127 characters: letters, digits and dashes'
    ])
  })

  it('set without a value source', async () => {
    const r = await runAction({ inputs: spInputs({ operation: 'set' }), standin: s, debug: true })
    expectInputError(r, [
      "'operation: set' needs exactly one value source",
      "'secret-value'",
      "'secret-value-file'",
      "'generate: true'",
      'none was given'
    ])
  })

  it('unknown auth-type', async () => {
    const r = await runAction({ inputs: spInputs({ 'auth-type': 'password' }), standin: s, debug: true })
    expectInputError(r, [
      "Input 'auth-type'",
      "'password'",
      'Accepted values:',
      'auto',
      'oidc',
      'service-principal',
      'azure-cli',
      'managed-identity'
    ])
  })

  it('unknown environment', async () => {
    const r = await runAction({ inputs: spInputs({ environment: 'AzureMoon' }), standin: s, debug: true })
    expectInputError(r, ["Input 'environment'", "'AzureMoon'", 'AzureCloud', 'AzureChinaCloud', 'AzureUSGovernment'])
  })

  it('malformed creds: says what is wrong and the expected shape, never its text', async () => {
    const credsSecret = 'Cr3ds~Secret.In-Broken_Json77'
    const creds = `{"clientId": "${CLIENT}", "clientSecret": "${credsSecret}", "tenantId": "${TENANT}",,}`
    const r = await runAction({
      inputs: { 'vault-name': 'contoso-kv', 'secret-name': 'db-password', creds },
      standin: s,
      debug: true
    })
    const error = expectInputError(
      r,
      ["Input 'creds' is malformed", 'not valid JSON', '"clientId"', '"clientSecret"', '"tenantId"'],
      [creds, credsSecret]
    )
    expect(error).not.toContain(credsSecret)
    expect(error).not.toContain(creds)
    // Not even printed before masking: no line the step wrote (other than registering the mask) holds it.
    const printed = r.rawLines.filter((line) => !line.startsWith('::add-mask::'))
    expect(printed.filter((line) => line.includes(credsSecret) || line.includes(creds))).toEqual([])
    expect(r.errors.filter((line) => line.includes(credsSecret))).toEqual([])
  })

  it('client-id and tenant-id without the OIDC request variables: add id-token: write', async () => {
    const r = await runAction({
      inputs: { 'vault-name': 'contoso-kv', 'secret-name': 'db-password', 'client-id': CLIENT, 'tenant-id': TENANT },
      env: noOidc,
      standin: s,
      debug: true
    })
    expectInputError(r, ['id-token: write', 'ACTIONS_ID_TOKEN_REQUEST_URL'])
  })
})

describe('Azure errors: one error that says what to do', () => {
  it('wrong client secret (AADSTS7000215): use the Value, not the Secret ID', async () => {
    const r = await runAction({
      inputs: spInputs({ 'client-secret': WRONG_SECRET }),
      env: noOidc,
      standin: s,
      debug: true
    })
    expectFailure(r, {
      says: ['AADSTS7000215', CLIENT, "'client-secret'", "secret's Value, not its Secret ID", 'expired'],
      secrets: [WRONG_SECRET, SP_SECRET, SECRET_VALUE]
    })
    expect(s.requestsTo('entra', 'POST').length).toBeGreaterThan(0)
    expect(s.requestsTo('vault').filter((req) => req.authorized)).toEqual([])
  })

  it('unknown app (AADSTS700016): check client-id, tenant-id and environment', async () => {
    const r = await runAction({
      inputs: spInputs({ 'client-id': UNKNOWN_CLIENT }),
      env: noOidc,
      standin: s,
      debug: true
    })
    expectFailure(r, {
      says: [
        'AADSTS700016',
        `Application '${UNKNOWN_CLIENT}' was not found in tenant '${TENANT}'`,
        "'client-id'",
        "'tenant-id'",
        "'environment'"
      ],
      secrets: [SP_SECRET, SECRET_VALUE]
    })
  })

  it("tenant-id that is not the vault's tenant (a typo'd tenant): check tenant-id and environment", async () => {
    // The vault's challenge names TENANT; the credential is for UNKNOWN_TENANT, which no directory knows.
    const r = await runAction({
      inputs: spInputs({ 'tenant-id': UNKNOWN_TENANT }),
      env: noOidc,
      standin: s,
      debug: true
    })
    const error = expectFailure(r, {
      says: [UNKNOWN_TENANT, "'tenant-id'", "'environment'"],
      secrets: [SP_SECRET, SECRET_VALUE]
    })
    // Advice must be about the action's inputs, not an SDK option the user cannot set.
    expect(error).not.toContain('AdditionallyAllowedTenants')
  })

  it('unknown tenant (AADSTS90002) named by the vault itself: check tenant-id and environment', async () => {
    // The vault's challenge names a tenant the sign-in authority does not know (e.g. the tenant of another cloud).
    s.addVault({ name: 'other-kv', tenantId: UNKNOWN_TENANT, grants: { [CLIENT]: ['get'] } }).setSecret(
      'db-password',
      SECRET_VALUE
    )
    s.directory.tenants.delete(UNKNOWN_TENANT)
    const r = await runAction({
      inputs: spInputs({ 'vault-name': 'other-kv', 'tenant-id': UNKNOWN_TENANT }),
      env: noOidc,
      standin: s,
      debug: true
    })
    expectFailure(r, {
      says: ['AADSTS90002', `Tenant '${UNKNOWN_TENANT}' was not found`, "'tenant-id'", "'environment'"],
      secrets: [SP_SECRET, SECRET_VALUE]
    })
    expect(s.requestsTo('entra', 'POST').some((req) => req.status >= 400)).toBe(true)
  })

  it('OIDC without a matching federated credential: shows issuer, subject and audience, never the token', async () => {
    s.reset()
    s.addVault({ name: 'contoso-kv', tenantId: TENANT, grants: { [CLIENT]: ['get'] } }).setSecret(
      'db-password',
      SECRET_VALUE
    )
    s.addApp({
      tenantId: TENANT,
      clientId: CLIENT,
      federated: [{ issuer: GITHUB_ISSUER, subject: 'repo:octo-org/app:environment:production', audience: AUDIENCE }]
    })
    const r = await runAction({
      inputs: { 'vault-name': 'contoso-kv', 'secret-name': 'db-password', 'client-id': CLIENT, 'tenant-id': TENANT },
      env: s.oidcEnv(),
      standin: s,
      debug: true
    })
    expectFailure(r, {
      says: [
        'No federated credential',
        CLIENT,
        `issuer '${GITHUB_ISSUER}'`,
        `subject '${s.github.subject}'`,
        `audience '${AUDIENCE}'`,
        'Add a federated credential'
      ],
      secrets: [SECRET_VALUE, s.github.requestToken]
    })
    expect(s.requestsTo('github').length).toBeGreaterThan(0)
    expect(r.log.filter((line) => JWT.test(line))).toEqual([])
    expect(r.debug.filter((line) => JWT.test(line))).toEqual([])
    expect(r.errors.filter((line) => JWT.test(line))).toEqual([])
    expect(JWT.test(r.summary)).toBe(false)
  })

  it('403 on an access-policy vault: names the permission and az keyvault set-policy', async () => {
    s.addVault({ name: 'policy-kv', tenantId: TENANT, accessModel: 'accessPolicy' }).setSecret(
      'db-password',
      SECRET_VALUE
    )
    const r = await runAction({ inputs: spInputs({ 'vault-name': 'policy-kv' }), env: noOidc, standin: s, debug: true })
    expectFailure(r, {
      says: [
        '403',
        "vault 'policy-kv'",
        CLIENT,
        "secret permission 'get'",
        `az keyvault set-policy --name policy-kv --spn ${CLIENT} --secret-permissions get`
      ],
      secrets: [SP_SECRET, SECRET_VALUE]
    })
    expect(s.requestsTo('vault').filter((req) => req.status === 403)).not.toEqual([])
  })

  it('403 on an RBAC vault for set: names Key Vault Secrets Officer', async () => {
    const r = await runAction({
      inputs: spInputs({ operation: 'set', 'secret-value': NEW_VALUE }),
      env: noOidc,
      standin: s,
      debug: true
    })
    expectFailure(r, {
      says: [
        '403',
        "vault 'contoso-kv'",
        CLIENT,
        "'Key Vault Secrets Officer'",
        'Microsoft.KeyVault/vaults/secrets/setSecret/action'
      ],
      secrets: [SP_SECRET, SECRET_VALUE, NEW_VALUE]
    })
    expect(s.vault('contoso-kv').secrets.get('db-password')?.versions).toHaveLength(1)
  })

  it('secret not found (404): check the names; how to recover', async () => {
    const r = await runAction({
      inputs: spInputs({ 'secret-name': 'db-pasword' }),
      env: noOidc,
      standin: s,
      debug: true
    })
    expectFailure(r, {
      says: [
        "Secret 'db-pasword' was not found in vault 'contoso-kv'",
        "'secret-name'",
        "'vault-name'",
        'az keyvault secret recover --vault-name contoso-kv --name db-pasword'
      ],
      secrets: [SP_SECRET, SECRET_VALUE]
    })
    expect(s.requestsTo('vault', 'GET').some((req) => req.status === 404)).toBe(true)
  })

  it('disabled secret: how to enable it', async () => {
    s.vault('contoso-kv').setSecret('old-password', 'Old-Disabled-V@lue', { enabled: false })
    const r = await runAction({
      inputs: spInputs({ 'secret-name': 'old-password' }),
      env: noOidc,
      standin: s,
      debug: true
    })
    expectFailure(r, {
      says: [
        "Secret 'old-password'",
        "vault 'contoso-kv'",
        'disabled',
        'az keyvault secret set-attributes --vault-name contoso-kv --name old-password --enabled true'
      ],
      secrets: [SP_SECRET, SECRET_VALUE, 'Old-Disabled-V@lue']
    })
  })

  it('set on a soft-deleted name: recover or purge it first', async () => {
    s.vault('contoso-kv').grant(CLIENT, 'set')
    s.vault('contoso-kv').seedDeleted('api-key', 'Deleted-Api-K3y-Value')
    const r = await runAction({
      inputs: spInputs({ operation: 'set', 'secret-name': 'api-key', 'secret-value': NEW_VALUE }),
      env: noOidc,
      standin: s,
      debug: true
    })
    expectFailure(r, {
      says: [
        "Secret 'api-key' in vault 'contoso-kv' is deleted but recoverable",
        "Set 'if-deleted: recover'",
        "'if-deleted: purge'",
        'az keyvault secret recover --vault-name contoso-kv --name api-key',
        'az keyvault secret purge --vault-name contoso-kv --name api-key'
      ],
      secrets: [SP_SECRET, SECRET_VALUE, NEW_VALUE, 'Deleted-Api-K3y-Value']
    })
    expect(s.requestsTo('vault', 'PUT').some((req) => req.status === 409)).toBe(true)
  })

  it("typo'd vault name: the host does not resolve, at once, without retries", async () => {
    const r = await runAction({
      inputs: spInputs({ 'vault-name': 'contoso-kv-typo' }),
      env: noOidc,
      standin: s,
      debug: true
    })
    expectFailure(r, {
      says: [
        "The vault host 'contoso-kv-typo.vault.azure.net' does not resolve",
        "'vault-name'",
        "'environment'",
        'AzureCloud'
      ],
      secrets: [SP_SECRET, SECRET_VALUE]
    })
    expect(r.durationMs).toBeLessThan(10_000)
    expect(s.requestsTo('vault')).toEqual([])
  })

  it('auth-type auto with nothing configured: one error listing what was tried', async () => {
    // A PATH without az; node itself is started by absolute path.
    const emptyBin = mkdtempSync(join(tmpdir(), 'no-az-'))
    try {
      const r = await runAction({
        inputs: { 'vault-name': 'contoso-kv', 'secret-name': 'db-password' },
        // The stand-in's IMDS with no identity assigned: a machine without a managed identity.
        env: { ...noOidc, PATH: emptyBin, ...s.managedIdentityEnv() },
        standin: s,
        debug: true
      })
      const error = expectFailure(r, {
        says: [
          'No way to sign in to Azure was found',
          "'auth-type: auto'",
          'Tried:',
          'service principal:',
          'OIDC:',
          'Azure CLI:',
          'managed identity:',
          "'client-id'",
          "'tenant-id'",
          'id-token: write'
        ],
        secrets: [SECRET_VALUE]
      })
      expect(error.split('\n').filter((line) => line.startsWith('- '))).toHaveLength(4)
      expect(s.requestsTo('vault').filter((req) => req.authorized)).toEqual([])
    } finally {
      rmSync(emptyBin, { recursive: true, force: true })
    }
  })
})
