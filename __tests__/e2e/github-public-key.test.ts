/**
 * End-to-end: a GitHub public key that is no key. Whoever answers for GITHUB_API_URL (a proxy, a
 * wrong URL) can answer the public-key request with a point of small order of Curve25519, such as
 * 32 zero bytes: a value sealed to it has a box key anyone can compute (the shared secret is all
 * zeros whatever the ephemeral key), so the sealed value sent to GitHub is as good as the plain
 * one. libsodium's crypto_box_seal refuses such keys; so must the step, before sealing anything.
 */
import { describe, expect, it, jest } from '@jest/globals'
import { assertNoLeak, type RunResult } from '../support/runner.js'
import { expectFailure } from '../support/steps.js'
import type { FaultRequest, GitHubRestApi } from '../support/standin/index.js'
import { useStandIn } from '../support/world.js'

jest.setTimeout(60_000)

const TENANT = '4c2a8b3d-0e5f-4a6b-9c7d-2e1f0a9b8c76'
const APP = '8d7c6b5a-4f3e-4d2c-8b1a-0f9e8d7c6b5a'
const VAULT = 'keys-kv'
const ORG = 'octo-org'
const REPO = `${ORG}/app`
const TOKEN = 'github_pat_11AAAA_key0checks0for0tests0only0XYZ'
const DB_PASSWORD = 'Sealed-To-Nobody-9!'

let api: GitHubRestApi
const { s, step } = useStandIn({
  vault: {
    name: VAULT,
    tenantId: TENANT,
    clientId: APP,
    grants: ['get', 'set'],
    secrets: { 'db-password': DB_PASSWORD }
  },
  seed: (s) => {
    api = s.githubApi
    api.addOrganization({ login: ORG, repositories: [{ name: 'app', id: 1296269 }] })
    api.addToken(TOKEN, { organizations: [ORG], permissions: { secrets: 'write' } })
  }
})
const run = (inputs: Record<string, string>): Promise<RunResult> =>
  step({ 'github-token': TOKEN, ...inputs }, { env: { GITHUB_API_URL: api.url } })

const keyRequest = (request: FaultRequest): boolean =>
  request.service === 'github-api' && request.method === 'GET' && request.path.endsWith('/secrets/public-key')

/** The public-key request answered with `key`, under the scope's real key_id (so a write would name a key GitHub knows). */
function answerKey(key: Buffer): void {
  const { key_id } = api.publicKey({ repo: REPO })
  s.faults.push({ match: keyRequest, status: 200, body: { key_id, key: key.toString('base64') } })
}

const hex = (text: string): Buffer => Buffer.from(text, 'hex')
const withTopBit = (key: Buffer): Buffer => Buffer.concat([key.subarray(0, 31), Buffer.from([key[31]! | 0x80])])
const P_PLUS_1 = hex(`ee${'ff'.repeat(30)}7f`)

const expectRefused = (r: RunResult, ...phrases: string[]): void => {
  expectFailure(
    r,
    "GitHub's public key for repository octo-org/app is not a usable key",
    'so no secret was sealed to it',
    ...phrases
  )
  // Not one write reached GitHub: no sealed value left the runner.
  expect(s.githubPuts()).toEqual([])
  assertNoLeak(r, [DB_PASSWORD, TOKEN])
}

describe("a GitHub public key that libsodium's crypto_box_seal refuses is refused before anything is sealed", () => {
  it.each([
    ['32 zero bytes', Buffer.alloc(32)],
    ['the point 1', hex(`01${'00'.repeat(31)}`)],
    ['a point of order 8', hex('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800')],
    ['p + 1 with the top bit set (1 again, encoded otherwise)', withTopBit(P_PLUS_1)]
  ])('get: a key of %s fails the step, nothing written to GitHub', async (_, key) => {
    answerKey(key)
    expectRefused(
      await run({ 'secret-name': 'db-password', 'github-secrets': 'db-password' }),
      'Nothing was written to GitHub, and no outputs were set.'
    )
  })

  it('set: a key of 32 zero bytes fails the step before Key Vault is written', async () => {
    answerKey(Buffer.alloc(32))
    const r = await run({
      operation: 'set',
      'secret-name': 'db-password',
      'secret-value': 'never-written',
      'github-secrets': 'db-password'
    })
    expectRefused(r, 'Nothing was written to Key Vault or GitHub, and no outputs were set.')
    expect(s.requestsTo('vault', 'PUT')).toEqual([])
    expect(s.vault(VAULT).value('db-password')).toBe(DB_PASSWORD)
  })
})
