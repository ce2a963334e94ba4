import { describe, expect, test } from '@jest/globals'
import { AzureCliFailure, claimsOf, describeClaims, firstAzError } from '../../src/auth/azureCli.js'
import { callerOf } from '../../src/vault/serviceErrors.js'
import { readAzFixture } from '../support/recorded-az.js'

const jwt = (payload: Record<string, unknown>): string =>
  ['e30', Buffer.from(JSON.stringify(payload)).toString('base64url'), 'sig'].join('.')

describe("az's own words", () => {
  test.each([
    ['no-session-token', "Please run 'az login' to setup account."],
    ['managed-identity-tenant-refused', "Tenant shouldn't be specified for managed identity account"],
    ['other-tenant-token', "AADSTS700016: Application with identifier '{app}' was not found in the directory"],
    ['expired-federated-assertion', 'AADSTS700024: Client assertion is not within its valid time range.']
  ])('the first ERROR line of %s, past any WARNING', (fixture, start) => {
    expect(firstAzError(readAzFixture(fixture).stderr)?.startsWith(start)).toBe(true)
  })

  test('no ERROR line: none', () => {
    expect(firstAzError('WARNING: something\n')).toBeUndefined()
  })

  test('a failure keeps the AADSTS code of az’s line', () => {
    const failure = new AzureCliFailure({ kind: 'other-tenant', azError: 'AADSTS700016: Application ...' })
    expect(failure.code).toBe('700016')
    // Named as @azure/identity names an unavailable credential, so a chain goes on.
    expect(failure.name).toBe('CredentialUnavailableError')
  })
})

describe('whom a token is for', () => {
  test('an app: appid, object and tenant', () => {
    const claims = claimsOf(jwt({ appid: 'a1', oid: 'o1', tid: 't1', aud: 'https://vault.azure.net' }))
    expect(describeClaims(claims)).toBe('app a1 (object o1) in tenant t1')
  })

  test('a user: the upn', () => {
    expect(describeClaims(claimsOf(jwt({ upn: 'ann@contoso.com', appid: 'x', tid: 't1' })))).toBe(
      'user ann@contoso.com in tenant t1'
    )
  })

  test('claims that are not plain identifiers, or no JWT at all, name nothing', () => {
    expect(claimsOf(jwt({ appid: 'a b\n::error::x', tid: 't' }))).toEqual({
      appid: undefined,
      oid: undefined,
      tid: 't',
      upn: undefined
    })
    expect(describeClaims(claimsOf('not-a-jwt'))).toBe('an identity the token does not name')
  })
})

describe('the caller a 403 names', () => {
  const app = '11111111-2222-3333-4444-555555555555'
  const oid = '22222222-0000-0000-0000-000000000000'
  test('an app, and the vault from the resource RBAC names', () => {
    expect(
      callerOf(
        `Caller: appid=${app};oid=${oid};iss=x\r\nResource: '/subscriptions/s1/resourcegroups/rg/providers/microsoft.keyvault/vaults/kv1/secrets/a'`
      )
    ).toEqual({
      appid: app,
      oid,
      vaultScope: '/subscriptions/s1/resourcegroups/rg/providers/microsoft.keyvault/vaults/kv1'
    })
  })

  test('a user signed in through the Azure CLI: the appid is the CLI’s, so only the object names the user', () => {
    expect(callerOf(`'appid=04b07795-8ddb-461a-bbee-02f9e1bf7b46;oid=${oid};iss=x'`)).toEqual({ oid })
  })

  test('no caller in the message: none', () => {
    expect(callerOf('Access denied.')).toBeUndefined()
  })
})
