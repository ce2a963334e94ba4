/**
 * One token request per run: MaskedCredential shares a token request among concurrent callers and
 * reuses the token while it has time left, and masks each token once, the moment it arrives.
 */
import { describe, expect, test } from '@jest/globals'
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity'
import { MaskedCredential } from '../../src/auth/maskedCredential.js'
import { captureStdout, isolateEnv } from './helpers.js'

isolateEnv()
const stdout = captureStdout()

const SCOPE = 'https://vault.azure.net/.default'
const MINUTE = 60_000

/** A credential that counts its calls; each token expires `lifetimeMs` after `now()`. */
function countingCredential(
  now: () => number,
  lifetimeMs = 60 * MINUTE
): TokenCredential & { calls: GetTokenOptions[]; fail: boolean } {
  const credential = {
    calls: [] as GetTokenOptions[],
    fail: false,
    async getToken(_scopes: string | string[], options: GetTokenOptions = {}): Promise<AccessToken> {
      credential.calls.push(options)
      await new Promise((resolve) => setTimeout(resolve, 5))
      if (credential.fail) throw new Error('AADSTS7000215: Invalid client secret provided.')
      return { token: `access-token-${credential.calls.length}`, expiresOnTimestamp: now() + lifetimeMs }
    }
  }
  return credential
}

describe('MaskedCredential', () => {
  test('concurrent callers share one token request, and the token is masked once', async () => {
    const now = (): number => 1_000_000
    const inner = countingCredential(now)
    const credential = new MaskedCredential(inner, now)
    const tokens = await Promise.all(
      Array.from({ length: 64 }, () => credential.getToken([SCOPE], { tenantId: 'tenant-a' }))
    )
    expect(new Set(tokens.map((token) => token?.token))).toEqual(new Set(['access-token-1']))
    expect(inner.calls).toHaveLength(1)
    expect(stdout.masks()).toEqual(['access-token-1'])
  })

  test('a later caller reuses the token while it has over five minutes left, then a new one is requested', async () => {
    let time = 0
    const now = (): number => time
    const inner = countingCredential(now, 60 * MINUTE)
    const credential = new MaskedCredential(inner, now)
    expect((await credential.getToken(SCOPE))?.token).toBe('access-token-1')
    time = 54 * MINUTE
    expect((await credential.getToken(SCOPE))?.token).toBe('access-token-1')
    time = 56 * MINUTE
    expect((await credential.getToken(SCOPE))?.token).toBe('access-token-2')
    expect(inner.calls).toHaveLength(2)
  })

  test('another tenant, or a claims challenge, gets its own request', async () => {
    const now = (): number => 0
    const inner = countingCredential(now)
    const credential = new MaskedCredential(inner, now)
    await credential.getToken(SCOPE, { tenantId: 'tenant-a' })
    await credential.getToken(SCOPE, { tenantId: 'tenant-b' })
    await credential.getToken(SCOPE, { tenantId: 'tenant-a', claims: '{"access_token":{"nbf":{"essential":true}}}' })
    expect(inner.calls.map((options) => options.tenantId)).toEqual(['tenant-a', 'tenant-b', 'tenant-a'])
  })

  test('a failure is shared by the callers waiting for it, but not cached', async () => {
    const now = (): number => 0
    const inner = countingCredential(now)
    const credential = new MaskedCredential(inner, now)
    inner.fail = true
    const results = await Promise.allSettled([credential.getToken(SCOPE), credential.getToken(SCOPE)])
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected'])
    expect(inner.calls).toHaveLength(1)
    inner.fail = false
    expect((await credential.getToken(SCOPE))?.token).toBe('access-token-2')
  })
})
