import { describe, expect, test } from '@jest/globals'
import { MissingIdTokenPermission } from '../../src/inputs/signIn.js'
import type { SignInPlan } from '../../src/inputs/signInPlan.js'
import { Clouds, type Cloud } from '../../src/clouds.js'
import type { AuthType } from '../../src/inputs/table.js'
import { ActionError } from '../../src/errors.js'
import { planSignIn, type SignInSettings } from '../../src/inputs/signIn.js'
import { CLIENT_ID, TENANT_ID, thrownBy } from './helpers.js'

const AzureCloud = Clouds['AzureCloud'] as Cloud

function settings(
  authType: AuthType,
  ids: Partial<Pick<SignInSettings, 'clientId' | 'tenantId' | 'clientSecret'>> = {}
): SignInSettings {
  return { authType, audience: 'api://AzureADTokenExchange', cloud: AzureCloud, ...ids }
}

const methodsOf = (plan: SignInPlan): string[] => plan.attempts.map((attempt) => attempt.method)

const IDS = { clientId: CLIENT_ID, tenantId: TENANT_ID }
const ALL = { ...IDS, clientSecret: 'sp-secret' }
// What the runner sets when the job has `permissions: id-token: write`.
const ID_TOKEN_ENV = {
  ACTIONS_ID_TOKEN_REQUEST_URL: 'https://token.actions.githubusercontent.example/token?api-version=2.0',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token'
}

function planError(signIn: SignInSettings, env: NodeJS.ProcessEnv = {}): string {
  const error = thrownBy(() => planSignIn(signIn, env))
  expect(error).toBeInstanceOf(ActionError)
  return error.message
}

test('MissingIdTokenPermission names the variable and the permission to add', () => {
  expect(MissingIdTokenPermission).toContain('ACTIONS_ID_TOKEN_REQUEST_URL is not set')
  expect(MissingIdTokenPermission).toContain("'permissions: id-token: write'")
})

describe('auth-type: auto decides from what was given', () => {
  test.each([
    ['client secret and ids -> service principal', ALL, {}, ['service-principal']],
    [
      'client secret and ids, even where OIDC is possible -> service principal',
      ALL,
      ID_TOKEN_ENV,
      ['service-principal']
    ],
    ['ids and an ID token -> OIDC', IDS, ID_TOKEN_ENV, ['oidc']],
    ['nothing -> Azure CLI, then managed identity', {}, {}, ['azure-cli', 'managed-identity']],
    [
      'nothing, even where OIDC is possible -> Azure CLI, then managed identity',
      {},
      ID_TOKEN_ENV,
      ['azure-cli', 'managed-identity']
    ],
    [
      'only a client ID (user-assigned identity) -> Azure CLI, then managed identity',
      { clientId: CLIENT_ID },
      {},
      ['azure-cli', 'managed-identity']
    ],
    [
      'only a tenant ID -> Azure CLI, then managed identity',
      { tenantId: TENANT_ID },
      ID_TOKEN_ENV,
      ['azure-cli', 'managed-identity']
    ]
  ])('%s', (_, ids, env, methods) => {
    expect(methodsOf(planSignIn(settings('auto', ids), env))).toEqual(methods)
  })

  test('a chosen method passes over nothing', () => {
    expect(planSignIn(settings('auto', ALL), {}).passedOver).toEqual([])
    expect(planSignIn(settings('auto', IDS), ID_TOKEN_ENV).passedOver).toEqual([])
  })

  test('falling back to Azure CLI and managed identity records why service principal and OIDC were passed over', () => {
    expect(planSignIn(settings('auto'), {}).passedOver).toEqual([
      "service principal: no 'client-secret', 'creds' or AZURE_CLIENT_SECRET",
      "OIDC: needs 'client-id' and 'tenant-id' (or AZURE_CLIENT_ID and AZURE_TENANT_ID)"
    ])
  })

  test.each([
    ['no ids', { clientSecret: 's' }],
    ['only a client ID', { clientSecret: 's', clientId: CLIENT_ID }],
    ['only a tenant ID', { clientSecret: 's', tenantId: TENANT_ID }]
  ])('a client secret with %s is a service principal sign-in that needs both ids', (_, ids) => {
    expect(planError(settings('auto', ids))).toBe(
      "A client secret was given, so this is a service principal sign-in, and it needs 'client-id' and 'tenant-id' (or AZURE_CLIENT_ID and AZURE_TENANT_ID)."
    )
  })

  test.each([
    ['neither variable', {}],
    ['only ACTIONS_ID_TOKEN_REQUEST_URL', { ACTIONS_ID_TOKEN_REQUEST_URL: ID_TOKEN_ENV.ACTIONS_ID_TOKEN_REQUEST_URL }],
    ['only ACTIONS_ID_TOKEN_REQUEST_TOKEN', { ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token' }],
    ['empty variables', { ACTIONS_ID_TOKEN_REQUEST_URL: '', ACTIONS_ID_TOKEN_REQUEST_TOKEN: '' }]
  ])("ids without a client secret and with %s is an OIDC sign-in that needs 'id-token: write'", (_, env) => {
    const message = planError(settings('auto', IDS), env)
    expect(message).toContain(
      "'client-id' and 'tenant-id' were given without a client secret, so this is an OIDC sign-in."
    )
    expect(message).toContain("'permissions: id-token: write'")
    expect(message).toContain(MissingIdTokenPermission)
  })
})

describe('explicit auth-type', () => {
  test.each([
    ['service-principal', ALL, {}, ['service-principal']],
    ['oidc', IDS, ID_TOKEN_ENV, ['oidc']],
    ['oidc', ALL, ID_TOKEN_ENV, ['oidc']],
    ['azure-cli', {}, {}, ['azure-cli']],
    ['azure-cli', ALL, ID_TOKEN_ENV, ['azure-cli']],
    ['managed-identity', {}, {}, ['managed-identity']],
    ['managed-identity', { clientId: CLIENT_ID }, {}, ['managed-identity']]
  ] as const)('%s is the only method tried', (authType, ids, env, methods) => {
    const plan = planSignIn(settings(authType, ids), env)
    expect(methodsOf(plan)).toEqual(methods)
    expect(plan.passedOver).toEqual([])
  })

  test('each method carries exactly what it needs, nothing optional that it needs', () => {
    expect(planSignIn(settings('service-principal', ALL), {}).attempts).toEqual([
      {
        method: 'service-principal',
        clientId: CLIENT_ID,
        tenantId: TENANT_ID,
        clientSecret: 'sp-secret',
        cloud: AzureCloud
      }
    ])
    expect(planSignIn(settings('oidc', IDS), ID_TOKEN_ENV).attempts).toEqual([
      {
        method: 'oidc',
        clientId: CLIENT_ID,
        tenantId: TENANT_ID,
        audience: 'api://AzureADTokenExchange',
        cloud: AzureCloud
      }
    ])
    expect(planSignIn(settings('auto', { tenantId: TENANT_ID }), {}).attempts).toEqual([
      { method: 'azure-cli', tenantId: TENANT_ID, cloud: AzureCloud },
      { method: 'managed-identity', clientId: undefined, cloud: AzureCloud }
    ])
  })

  test.each([
    ['no client secret', IDS],
    ['no client ID', { tenantId: TENANT_ID, clientSecret: 's' }],
    ['no tenant ID', { clientId: CLIENT_ID, clientSecret: 's' }],
    ['nothing', {}]
  ])('service-principal with %s names every setting it needs', (_, ids) => {
    expect(planError(settings('service-principal', ids), ID_TOKEN_ENV)).toBe(
      "'auth-type: service-principal' needs 'client-id' and 'tenant-id' (or AZURE_CLIENT_ID and AZURE_TENANT_ID) and 'client-secret' (or AZURE_CLIENT_SECRET), or 'creds' with all three."
    )
  })

  test.each([
    ['no client ID', { tenantId: TENANT_ID }],
    ['no tenant ID', { clientId: CLIENT_ID }],
    ['nothing', {}]
  ])('oidc with %s names the ids it needs', (_, ids) => {
    expect(planError(settings('oidc', ids), ID_TOKEN_ENV)).toBe(
      "'auth-type: oidc' needs 'client-id' and 'tenant-id' (or AZURE_CLIENT_ID and AZURE_TENANT_ID)."
    )
  })

  test('oidc without the ID token variables asks for id-token: write', () => {
    expect(planError(settings('oidc', IDS), {})).toBe(MissingIdTokenPermission)
  })
})
