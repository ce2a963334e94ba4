/**
 * The token asked for while the vault's challenge travels (EarlyTokenCredential): the challenge's
 * getToken takes it only for the same scope, tenant and no claims; anything else is asked of the
 * credential in today's order, and the early answer, a failure included, is taken at most once.
 * And which plans ask early at all (earlyAsk).
 */
import { describe, expect, test } from '@jest/globals'
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity'
import { EarlyTokenCredential } from '../../src/auth/earlyToken.js'
import { earlyAsk } from '../../src/auth/index.js'
import { Clouds, type Cloud } from '../../src/clouds.js'
import type { MethodPlan, SignInPlan } from '../../src/inputs/signInPlan.js'

const SCOPE = 'https://vault.azure.net/.default'
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47'
const OTHER_TENANT = '11111111-2222-3333-4444-555555555555'
const ask = { scope: SCOPE, tenantId: TENANT }
/** What the Key Vault challenge policy passes with its scope (keyvault-common). */
const challenge = (tenantId: string, extra: GetTokenOptions = {}): GetTokenOptions => ({
  enableCae: true,
  tenantId,
  ...extra
})

/** Records every getToken; the nth call answers token-n, or fails when `failing`. */
function recordingCredential(failing = false): TokenCredential & {
  calls: { scopes: string[]; options: GetTokenOptions | undefined }[]
} {
  const credential = {
    calls: [] as { scopes: string[]; options: GetTokenOptions | undefined }[],
    async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
      credential.calls.push({ scopes: [scopes].flat(), options })
      const n = credential.calls.length
      await new Promise((resolve) => setTimeout(resolve, 2))
      if (failing) throw new Error(`AADSTS7000215: Invalid client secret provided. (request ${n})`)
      return { token: `token-${n}`, expiresOnTimestamp: Date.now() + 3_600_000 }
    }
  }
  return credential
}

describe('EarlyTokenCredential', () => {
  test('the early request asks for the scope and tenant with CAE and the run’s signal, before any challenge', () => {
    const inner = recordingCredential()
    const signal = new AbortController().signal
    new EarlyTokenCredential(inner).requestEarly(ask, signal)
    expect(inner.calls).toEqual([
      { scopes: [SCOPE], options: { enableCae: true, tenantId: TENANT, abortSignal: signal } }
    ])
  })

  test('the challenge naming the same scope and tenant takes the early token: one request in all', async () => {
    const inner = recordingCredential()
    const credential = new EarlyTokenCredential(inner)
    credential.requestEarly(ask, new AbortController().signal)
    const token = await credential.getToken([SCOPE], challenge(TENANT, { abortSignal: new AbortController().signal }))
    expect(token?.token).toBe('token-1')
    expect(inner.calls).toHaveLength(1)
  })

  test('it is taken once: a later ask goes to the credential (whose own cache serves it)', async () => {
    const inner = recordingCredential()
    const credential = new EarlyTokenCredential(inner)
    credential.requestEarly(ask, new AbortController().signal)
    expect((await credential.getToken(SCOPE, challenge(TENANT)))?.token).toBe('token-1')
    expect((await credential.getToken(SCOPE, challenge(TENANT)))?.token).toBe('token-2')
  })

  test.each([
    ['another tenant', [SCOPE], challenge(OTHER_TENANT)],
    ['another resource', ['https://managedhsm.azure.net/.default'], challenge(TENANT)],
    ['two scopes', [SCOPE, 'https://graph.microsoft.com/.default'], challenge(TENANT)],
    ['a claims challenge', [SCOPE], challenge(TENANT, { claims: '{"access_token":{"nbf":{"essential":true}}}' })],
    ['no CAE', [SCOPE], { tenantId: TENANT }],
    ['no tenant', [SCOPE], { enableCae: true }]
  ])('a challenge naming %s is asked of the credential as it names it (today’s order)', async (_, scopes, options) => {
    const inner = recordingCredential()
    const credential = new EarlyTokenCredential(inner)
    credential.requestEarly(ask, new AbortController().signal)
    const token = await credential.getToken(scopes, options)
    expect(token?.token).toBe('token-2')
    expect(inner.calls[1]).toEqual({ scopes, options })
    // The early answer is still there for the matching ask.
    expect((await credential.getToken(SCOPE, challenge(TENANT)))?.token).toBe('token-1')
  })

  test('an early failure is the challenge’s failure, without asking Entra ID again', async () => {
    const inner = recordingCredential(true)
    const credential = new EarlyTokenCredential(inner)
    credential.requestEarly(ask, new AbortController().signal)
    await new Promise((resolve) => setTimeout(resolve, 10)) // it has failed before the challenge asks
    await expect(credential.getToken(SCOPE, challenge(TENANT))).rejects.toThrow('AADSTS7000215')
    expect(inner.calls).toHaveLength(1)
  })

  test('an early failure nobody takes is not an unhandled rejection', async () => {
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    try {
      new EarlyTokenCredential(recordingCredential(true)).requestEarly(ask, new AbortController().signal)
      await new Promise((resolve) => setTimeout(resolve, 20))
      expect(unhandled).toEqual([])
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
  })

  test('without an early request every ask goes to the credential', async () => {
    const inner = recordingCredential()
    const credential = new EarlyTokenCredential(inner)
    expect((await credential.getToken(SCOPE, challenge(TENANT)))?.token).toBe('token-1')
    expect(inner.calls).toEqual([{ scopes: [SCOPE], options: challenge(TENANT) }])
  })

  test('a second early request is not made', () => {
    const inner = recordingCredential()
    const credential = new EarlyTokenCredential(inner)
    credential.requestEarly(ask, new AbortController().signal)
    credential.requestEarly({ scope: SCOPE, tenantId: OTHER_TENANT }, new AbortController().signal)
    expect(inner.calls).toHaveLength(1)
  })
})

describe('earlyAsk: what a plan asks for before the challenge', () => {
  const cloud = (name: string): Cloud => Clouds[name] as Cloud
  const plan = (...attempts: [MethodPlan, ...MethodPlan[]]): SignInPlan => ({ attempts, passedOver: [] })
  const sp = (tenantId: string, on = cloud('AzureCloud')): MethodPlan => ({
    method: 'service-principal',
    clientId: '33333333-3333-3333-3333-333333333333',
    tenantId,
    clientSecret: 'secret',
    cloud: on
  })
  const oidc: MethodPlan = {
    method: 'oidc',
    clientId: '22222222-2222-2222-2222-222222222222',
    tenantId: TENANT,
    audience: 'api://AzureADTokenExchange',
    cloud: cloud('AzureCloud')
  }

  test.each([
    ['a service principal', plan(sp(TENANT)), ask],
    ['OIDC then a service principal in one tenant', plan(oidc, sp(TENANT)), ask],
    [
      'an Azure CLI session with tenant-id',
      plan({ method: 'azure-cli', tenantId: TENANT, cloud: cloud('AzureCloud') }),
      ask
    ],
    [
      'a sovereign cloud: its vaults’ scope',
      plan(sp(TENANT, cloud('AzureChinaCloud'))),
      { scope: 'https://vault.azure.cn/.default', tenantId: TENANT }
    ]
  ])('%s: the vault scope in the tenant', (_, signIn, expected) => {
    expect(earlyAsk(signIn)).toEqual(expected)
  })

  test.each([
    ['a managed identity (no tenant)', plan({ method: 'managed-identity', cloud: cloud('AzureCloud') })],
    ['an Azure CLI session of its own tenant', plan({ method: 'azure-cli', cloud: cloud('AzureCloud') })],
    ['methods in two tenants', plan(oidc, sp(OTHER_TENANT))],
    [
      'a method with a tenant and one without',
      plan(sp(TENANT), { method: 'managed-identity', cloud: cloud('AzureCloud') })
    ],
    ['a tenant named by its domain (the challenge names the GUID)', plan(sp('contoso.onmicrosoft.com'))]
  ])('%s: nothing, the token waits for the challenge', (_, signIn) => {
    expect(earlyAsk(signIn)).toBeUndefined()
  })
})
