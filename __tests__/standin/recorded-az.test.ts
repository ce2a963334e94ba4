/**
 * The scripted az of __tests__/support/recorded-az.ts prints every recorded fixture
 * (__tests__/fixtures/recorded/az) byte for byte, with its exit code, when run the way
 * @azure/identity runs az (@azure/core-process's execFile: `az` on POSIX, `az.cmd` through cmd.exe
 * on Windows); and the real AzureCliCredential reads it as it reads the real az.
 */
import { afterEach, beforeAll, describe, expect, test } from '@jest/globals'
import { execFile, isProcessError } from '@azure/core-process'
import { AzureCliCredential } from '@azure/identity'
import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import {
  fill,
  readAzFixture,
  writeRecordedAz,
  type RecordedAz,
  type RecordedAzOptions
} from '../support/recorded-az.js'
import { useStandIn } from '../support/world.js'

const TENANT = '11111111-1111-1111-1111-111111111111'
const OTHER_TENANT = '33333333-3333-3333-3333-333333333333'
const APP = '22222222-2222-2222-2222-222222222222'
const fixtureNames = readdirSync(fileURLToPath(new URL('../fixtures/recorded/az/', import.meta.url)))
  .filter((file) => file.endsWith('.json'))
  .map((file) => file.slice(0, -'.json'.length))
  .sort()

const { s } = useStandIn()
let az: RecordedAz | undefined

afterEach(() => az?.remove())

/** Runs az as @azure/identity's AzureCliCredential does, with the scripted az first on PATH. */
async function runAz(recorded: RecordedAz, args: readonly string[]) {
  // Windows names it Path, and a second PATH key would be refused as a duplicate.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => key.toUpperCase() !== 'PATH'))
  const options = { env: { ...env, PATH: recorded.path }, allowWindowsBatchFiles: true, encoding: 'utf8' as const }
  try {
    const { stdout, stderr } = await execFile('az', args, options)
    return { exitCode: 0, stdout, stderr }
  } catch (error) {
    if (!isProcessError(error)) throw error
    return { exitCode: error.code, stdout: String(error.stdout ?? ''), stderr: String(error.stderr ?? '') }
  }
}

/** The fixture answers the command it was recorded for. */
function optionsFor(name: string): RecordedAzOptions {
  const base = { tenantId: TENANT, appId: APP, otherTenantId: OTHER_TENANT }
  return readAzFixture(name).command[1] === 'show' ? { ...base, accountShow: name } : { ...base, getAccessToken: name }
}

describe('the recorded fixtures', () => {
  test('each has a title, a source and one of the commands the action runs', () => {
    expect(fixtureNames.length).toBeGreaterThan(10)
    for (const name of fixtureNames) {
      const { title, source, command } = readAzFixture(name)
      expect({ name, title: typeof title, captured: typeof source.captured }).toEqual({
        name,
        title: 'string',
        captured: 'string'
      })
      expect([name, command.slice(0, 4)]).toEqual([
        name,
        command[1] === 'show'
          ? ['account', 'show', '--output', 'json']
          : ['account', 'get-access-token', '--output', 'json']
      ])
    }
  })
})

describe('writeRecordedAz', () => {
  test.each(fixtureNames)('%s: prints the fixture exactly, with its exit code, and logs the call', async (name) => {
    const fixture = readAzFixture(name)
    const recorded = (az = writeRecordedAz(s, optionsFor(name)))
    const args = fixture.command.map((arg) => fill(arg, recorded.values))
    expect(await runAz(recorded, args)).toEqual({
      exitCode: fixture.exitCode,
      stdout: fill(fixture.stdout, recorded.values),
      stderr: fill(fixture.stderr, recorded.values)
    })
    expect(recorded.calls()).toEqual([args])
  })

  test('fills {token} with a token the stand-in minted now, for the tenant and app given', async () => {
    az = writeRecordedAz(s, { tenantId: TENANT, appId: APP, getAccessToken: 'sp-token' })
    const result = await runAz(az, [
      'account',
      'get-access-token',
      '--output',
      'json',
      '--resource',
      'https://vault.azure.net'
    ])
    const answer = JSON.parse(result.stdout) as { accessToken: string; expires_on: number; tenant: string }
    const claims = JSON.parse(Buffer.from(answer.accessToken.split('.')[1] ?? '', 'base64url').toString()) as Record<
      string,
      unknown
    >
    expect(claims).toMatchObject({ tid: TENANT, appid: APP, aud: 'https://vault.azure.net', exp: answer.expires_on })
    expect(answer.expires_on * 1000).toBeGreaterThan(Date.now())
  })

  test('a command no chosen fixture answers, or another tenant than the one given: exit 2, saying so', async () => {
    az = writeRecordedAz(s, { tenantId: TENANT, appId: APP, getAccessToken: { withTenant: 'sp-token-tenant' } })
    const token = ['account', 'get-access-token', '--output', 'json', '--resource', 'https://vault.azure.net']
    const refused = await runAz(az, [...token, '--tenant', OTHER_TENANT])
    // trimEnd: cmd.exe's echo ends the line with CRLF.
    expect({ ...refused, stderr: refused.stderr.trimEnd() }).toEqual({
      exitCode: 2,
      stdout: '',
      stderr: `recorded az: no fixture for: az ${[...token, '--tenant', OTHER_TENANT].join(' ')}`
    })
    expect((await runAz(az, ['account', 'show', '--output', 'json'])).exitCode).toBe(2)
    expect(az.calls()).toHaveLength(2)
  })

  test('a fixture chosen for a command it does not answer, or a value sh or cmd.exe might read, is refused', () => {
    expect(() => writeRecordedAz(s, { tenantId: TENANT, appId: APP, accountShow: 'sp-token' })).toThrow(
      'recorded az: sp-token is not an answer to account show'
    )
    expect(() =>
      writeRecordedAz(s, { tenantId: TENANT, appId: APP, getAccessToken: { withTenant: 'sp-token' } })
    ).toThrow('recorded az: sp-token is not an answer to get-access-token with --tenant')
    expect(() => writeRecordedAz(s, { tenantId: 'a&b', appId: APP, getAccessToken: 'sp-token-tenant' })).toThrow(
      'recorded az: an argument sh and cmd.exe cannot compare safely: a&b'
    )
  })
})

describe('the real AzureCliCredential against the scripted az', () => {
  const vaultScope = 'https://vault.azure.net/.default'
  let savedPath: string | undefined

  beforeAll(() => {
    savedPath = process.env.PATH
  })
  afterEach(() => {
    process.env.PATH = savedPath
  })

  test('a recorded token answer: the minted token, expiring at expires_on', async () => {
    az = writeRecordedAz(s, { tenantId: TENANT, appId: APP, getAccessToken: 'sp-token-tenant' })
    process.env.PATH = az.path
    const token = await new AzureCliCredential({ tenantId: TENANT }).getToken(vaultScope)
    expect(token).toMatchObject({ token: az.values.token, expiresOnTimestamp: Number(az.values.expires_on) * 1000 })
  })

  test("an Entra refusal names `az login` in az's recommendation: the credential says only to run az login", async () => {
    az = writeRecordedAz(s, { tenantId: TENANT, appId: APP, getAccessToken: 'expired-federated-assertion' })
    process.env.PATH = az.path
    const failure = new AzureCliCredential().getToken(vaultScope)
    await expect(failure).rejects.toThrow("Please run 'az login' from a command prompt")
    await expect(failure).rejects.not.toThrow('AADSTS700024')
  })

  test("a managed identity's --tenant refusal does not name az login: the credential passes az's stderr on", async () => {
    az = writeRecordedAz(s, { tenantId: TENANT, appId: APP, getAccessToken: 'managed-identity-tenant-refused' })
    process.env.PATH = az.path
    await expect(new AzureCliCredential({ tenantId: TENANT }).getToken(vaultScope)).rejects.toThrow(
      "ERROR: Tenant shouldn't be specified for managed identity account"
    )
  })
})
