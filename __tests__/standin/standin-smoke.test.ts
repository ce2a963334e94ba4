/**
 * Smoke test of the test stand-in and the runner harness themselves (not of the action):
 * - the real @azure/identity and @azure/keyvault-secrets, in-process, over real HTTPS to the
 *   stand-in, with the route installed in this process and the CA passed as `tlsOptions`;
 * - the runner harness on a throwaway fixture action in a child process;
 * - masking and file-command parsing units.
 */
import { describe, expect, it } from '@jest/globals'
import {
  AzureCliCredential,
  ClientAssertionCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
  type TokenCredential
} from '@azure/identity'
import { SecretClient } from '@azure/keyvault-secrets'
import https from 'node:https'
import { writeFakeAzCli } from '../support/fake-az.js'
import { parseFileCommands } from '../support/file-commands.js'
import { parseCommand, processStepOutput, SecretMasker } from '../support/masking.js'
import { installRoute, routeDecision, uninstallRoute } from '../support/route.mjs'
import { assertNoLeak, runAction, runPost } from '../support/runner.js'
import { AllPermissions, useStandIn } from '../support/world.js'

const TENANT = '11111111-1111-1111-1111-111111111111'
const CLIENT = '22222222-2222-2222-2222-222222222222'
const OTHER_CLIENT = '33333333-3333-3333-3333-333333333333'
const MI_CLIENT = '44444444-4444-4444-4444-444444444444'
const SP_SECRET = 'sp-secret-value'
const SUBJECT = 'repo:octo-org/app:ref:refs/heads/main'
const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com'
const AUDIENCE = 'api://AzureADTokenExchange'

const { s } = useStandIn({
  seed: (s) => {
    s.addApp({
      tenantId: TENANT,
      clientId: CLIENT,
      clientSecret: SP_SECRET,
      federated: [{ issuer: GITHUB_ISSUER, subject: SUBJECT, audience: AUDIENCE }]
    })
    s.addVault({ name: 'contoso-kv', tenantId: TENANT, grants: { [CLIENT]: AllPermissions } })
    // The route is computed from the vaults known now, as it is for a child process.
    installRoute(s.routeConfig())
  },
  beforeStop: uninstallRoute
})

/** The SDK clients trust the stand-in's CA through the pipeline's tlsOptions (NODE_EXTRA_CA_CERTS is read at start-up only). */
const tls = (): { tlsOptions: { ca: string } } => ({ tlsOptions: { ca: s.caPem } })

const secretCredential = (secret = SP_SECRET, clientId = CLIENT): ClientSecretCredential =>
  new ClientSecretCredential(TENANT, clientId, secret, tls())

const client = (vault: string, credential: TokenCredential = secretCredential()): SecretClient =>
  new SecretClient(`https://${vault}.vault.azure.net`, credential, {
    ...tls(),
    retryOptions: { maxRetries: 1, retryDelayInMs: 10 }
  })

/** What core.getIDToken does, with the CA given explicitly. */
function fetchIdToken(audience: string): Promise<string> {
  const { ACTIONS_ID_TOKEN_REQUEST_URL: url, ACTIONS_ID_TOKEN_REQUEST_TOKEN: token } = s.oidcEnv()
  return new Promise((resolve, reject) => {
    https
      .get(
        `${url}&audience=${encodeURIComponent(audience)}`,
        { ca: s.caPem, headers: { Authorization: `Bearer ${token}` } },
        (res) => {
          let body = ''
          res.on('data', (chunk: Buffer) => (body += chunk.toString()))
          res.on('end', () => {
            if (res.statusCode !== 200) return reject(new Error(`ID token request: ${res.statusCode}`))
            resolve((JSON.parse(body) as { value: string }).value)
          })
        }
      )
      .on('error', reject)
  })
}

async function rejection(promise: Promise<unknown>): Promise<Error & { statusCode?: number; code?: string }> {
  try {
    await promise
  } catch (error) {
    return error as Error & { statusCode?: number; code?: string }
  }
  throw new Error('expected a rejection')
}

describe('stand-in with the real Azure SDK', () => {
  it('does challenge auth, set/get/update/versions, and pages lists with absolute nextLinks', async () => {
    const kv = client('contoso-kv')
    const set = await kv.setSecret('db-password', 'first\nsecond', { contentType: 'text/plain', tags: { team: 'a' } })
    expect(set.properties.version).toMatch(/^[0-9a-f]{32}$/)
    expect(set.properties.recoveryLevel).toBe('Recoverable+Purgeable')
    expect(set.properties.recoverableDays).toBe(90)

    const vaultRequests = s.requestsTo('vault')
    expect(vaultRequests[0]).toMatchObject({ method: 'PUT', status: 401, authorized: false })
    expect(vaultRequests[1]).toMatchObject({ method: 'PUT', status: 200, authorized: true })
    expect(s.requestsTo('entra', 'POST')).toHaveLength(1)

    const got = await kv.getSecret('DB-PASSWORD') // names are case-insensitive
    expect(got.value).toBe('first\nsecond')
    expect(got.properties.contentType).toBe('text/plain')
    expect(got.properties.tags).toEqual({ team: 'a' })
    expect(s.requests.at(-1)?.path).toBe('/secrets/DB-PASSWORD/')

    const second = await kv.setSecret('db-password', 'v2')
    const updated = await kv.updateSecretProperties('db-password', set.properties.version ?? '', { enabled: false })
    expect(updated.enabled).toBe(false)
    expect((await kv.getSecret('db-password', { version: second.properties.version ?? '' })).value).toBe('v2')
    const disabled = await rejection(kv.getSecret('db-password', { version: set.properties.version ?? '' }))
    expect(disabled).toMatchObject({ statusCode: 403, code: 'Forbidden' })
    expect(disabled.message).toContain('Operation get is not allowed on a disabled secret.')

    const versions: string[] = []
    for await (const properties of kv.listPropertiesOfSecretVersions('db-password'))
      versions.push(properties.version ?? '')
    expect(versions.sort()).toEqual([set.properties.version, second.properties.version].sort())

    for (let i = 0; i < 29; i++) s.vault('contoso-kv').setSecret(`seed-${String(i).padStart(2, '0')}`, `value-${i}`)
    const names: string[] = []
    for await (const properties of kv.listPropertiesOfSecrets()) names.push(properties.name)
    expect(names).toHaveLength(30)
    const listPages = s.requestsTo('vault', 'GET').filter((r) => r.path === '/secrets')
    expect(listPages).toHaveLength(2)
    expect(listPages[1]?.query.$skiptoken).toBeDefined()

    // Only one token request for the whole client: later requests carry the cached token.
    expect(s.requestsTo('entra', 'POST')).toHaveLength(1)
    expect(s.requestsTo('vault').filter((r) => r.status === 401)).toHaveLength(1)
  }, 30_000)

  it('deletes with polling, then recovers, deletes again and purges', async () => {
    s.vault('contoso-kv').deletePolls = 3
    s.vault('contoso-kv').recoverPolls = 2
    s.vault('contoso-kv').setSecret('api-key', 'k1')
    const kv = client('contoso-kv')

    const deletePoller = await kv.beginDeleteSecret('api-key', { intervalInMs: 10 })
    const deleted = await deletePoller.pollUntilDone()
    expect(deleted.recoveryId).toBe('https://contoso-kv.vault.azure.net/deletedsecrets/api-key')
    expect(deleted.deletedOn).toBeInstanceOf(Date)
    expect(deleted.scheduledPurgeDate).toBeInstanceOf(Date)
    const polls = s.requestsTo('vault', 'GET').filter((r) => r.path === '/deletedsecrets/api-key')
    expect(polls.map((r) => r.status)).toEqual([404, 404, 404, 200])

    const conflict = await rejection(kv.setSecret('api-key', 'again'))
    expect(conflict).toMatchObject({ statusCode: 409, code: 'Conflict' })
    expect(conflict.message).toContain('deleted but recoverable state')

    const deletedList: string[] = []
    for await (const item of kv.listDeletedSecrets()) deletedList.push(item.name)
    expect(deletedList).toEqual(['api-key'])

    const recoverPoller = await kv.beginRecoverDeletedSecret('api-key', { intervalInMs: 10 })
    const recovered = await recoverPoller.pollUntilDone()
    expect(recovered.name).toBe('api-key')
    expect((await kv.getSecret('api-key')).value).toBe('k1')

    await (await kv.beginDeleteSecret('api-key', { intervalInMs: 10 })).pollUntilDone()
    await kv.purgeDeletedSecret('api-key')
    expect(s.requests.at(-1)).toMatchObject({ method: 'DELETE', path: '/deletedsecrets/api-key', status: 204 })
    // As recorded: the deleted secret is gone at once, but the name takes no write for a while (one, here).
    expect(await rejection(kv.getDeletedSecret('api-key'))).toMatchObject({
      statusCode: 404,
      code: 'SecretNotFound',
      message: 'Deleted Secret not found: api-key'
    })
    const purging = await rejection(kv.setSecret('api-key', 'too soon'))
    expect(purging).toMatchObject({
      statusCode: 409,
      code: 'Conflict',
      details: { error: { innerError: { code: 'ObjectIsBeingDeleted' } } }
    })
    expect(purging.message).toBe('Secret api-key is currently being deleted and cannot be re-created; retry later.')
    expect(s.vault('contoso-kv').deleted.size).toBe(0)
    const gone = await rejection(kv.getSecret('api-key'))
    expect(gone).toMatchObject({ statusCode: 404, code: 'SecretNotFound' })
    expect((await kv.setSecret('api-key', 'later')).value).toBe('later')
  }, 30_000)

  it('answers purge on a purge-protected vault, invalid names and oversized values like the service', async () => {
    s.vault('contoso-kv').purgeProtection = true
    s.vault('contoso-kv').seedDeleted('old', 'x')
    const kv = client('contoso-kv')
    const purge = await rejection(kv.purgeDeletedSecret('old'))
    expect(purge).toMatchObject({ statusCode: 403, code: 'Forbidden' })
    expect(purge.message).toContain(
      'Operation "purge" is not allowed because purge protection is enabled for this vault'
    )

    const badName = await rejection(kv.getSecret('bad_name'))
    expect(badName).toMatchObject({ statusCode: 400, code: 'BadParameter' })
    const tooBig = await rejection(kv.setSecret('big', 'x'.repeat(25 * 1024 + 1)))
    expect(tooBig).toMatchObject({ statusCode: 400, code: 'BadParameter' })
  }, 30_000)

  it('converts a certificate-backed PKCS#12 secret to its seeded PEM with outContentType, and refuses other conversions', async () => {
    const vault = s.vault('contoso-kv')
    const pem =
      '-----BEGIN PRIVATE KEY-----\nkey\n-----END PRIVATE KEY-----\n-----BEGIN CERTIFICATE-----\nleaf\n-----END CERTIFICATE-----\n'
    const version = vault.setSecret('site-cert', 'UEZYIGJ5dGVz', {
      certificate: true,
      contentType: 'application/x-pkcs12',
      pem
    })
    vault.setSecret('site-cert', 'UEZYIHYy', { certificate: true, contentType: 'application/x-pkcs12', pem: 'v2' })
    vault.setSecret('plain-pfx', 'UEZYIGJ5dGVz', { contentType: 'application/x-pkcs12' })
    const kv = client('contoso-kv')

    const converted = await kv.getSecret('site-cert', { version, outContentType: 'application/x-pem-file' })
    expect(converted.value).toBe(pem)
    expect(converted.properties.contentType).toBe('application/x-pem-file')
    expect(converted.properties.version).toBe(version)
    expect(s.requests.at(-1)?.query.outContentType).toBe('application/x-pem-file')
    expect((await kv.getSecret('site-cert')).value).toBe('UEZYIHYy')

    const notCertificate = await rejection(kv.getSecret('plain-pfx', { outContentType: 'application/x-pem-file' }))
    expect(notCertificate).toMatchObject({ statusCode: 400, code: 'BadParameter' })
    expect(notCertificate.message).toBe(
      "The 'Unsupported' to 'PEM' transformation is not supported. Only PFX to PEM transformation is supported."
    )
    const toPfx = await rejection(kv.getSecret('site-cert', { outContentType: 'application/x-pkcs12' }))
    expect(toPfx.message).toBe(
      "The 'PFX' to 'PFX' transformation is not supported. Only PFX to PEM transformation is supported."
    )
    const unknown = await rejection(kv.getSecret('site-cert', { outContentType: 'text/plain' }))
    expect(unknown).toMatchObject({ statusCode: 400, code: 'BadParameter' })
  }, 30_000)

  it('denies without a grant, in both access models', async () => {
    s.addApp({ tenantId: TENANT, clientId: OTHER_CLIENT, clientSecret: 'other' })
    s.addVault({ name: 'policy-kv', tenantId: TENANT, accessModel: 'accessPolicy' }).setSecret('x', 'y')
    installRoute(s.routeConfig())
    const other = secretCredential('other', OTHER_CLIENT)

    const rbac = await rejection(client('contoso-kv', other).getSecret('x'))
    expect(rbac).toMatchObject({ statusCode: 403, code: 'Forbidden' })
    expect(rbac.message).toContain("Action: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'")

    const policy = await rejection(client('policy-kv', other).getSecret('x'))
    expect(policy).toMatchObject({ statusCode: 403, code: 'Forbidden' })
    expect(policy.message).toContain(`'appid=${OTHER_CLIENT};oid=`)
    expect(policy.message).toContain("does not have secrets get permission on key vault 'policy-kv;location=eastus'")
  }, 30_000)

  it('plays a sovereign cloud: challenge names the China authority and resource', async () => {
    s.addVault({
      name: 'contoso-cn',
      tenantId: TENANT,
      cloud: 'AzureChinaCloud',
      grants: { [CLIENT]: ['get'] }
    }).setSecret('x', 'from-china')
    installRoute(s.routeConfig())
    const credential = new ClientSecretCredential(TENANT, CLIENT, SP_SECRET, {
      ...tls(),
      authorityHost: 'https://login.chinacloudapi.cn'
    })
    const kv = new SecretClient('https://contoso-cn.vault.azure.cn', credential, tls())
    expect((await kv.getSecret('x')).value).toBe('from-china')
    // MSAL's built-in metadata sends China token requests to the preferred alias of login.chinacloudapi.cn.
    expect(s.requestsTo('entra', 'POST').at(-1)).toMatchObject({
      host: 'login.partner.microsoftonline.cn',
      status: 200
    })
  }, 30_000)

  it('fails a wrong client secret with AADSTS7000215', async () => {
    const error = await rejection(client('contoso-kv', secretCredential('wrong')).getSecret('x'))
    expect(error.message).toContain('AADSTS7000215')
    expect(s.requestsTo('entra', 'POST').at(-1)).toMatchObject({ status: 401, authorized: false })
  }, 30_000)

  it('signs in with a GitHub ID token from the OIDC endpoint as client assertion', async () => {
    s.vault('contoso-kv').setSecret('x', 'from-oidc')
    const credential = new ClientAssertionCredential(TENANT, CLIENT, () => fetchIdToken(AUDIENCE), tls())
    expect((await client('contoso-kv', credential).getSecret('x')).value).toBe('from-oidc')
    expect(s.requestsTo('github').every((r) => r.authorized && r.query.audience === AUDIENCE)).toBe(true)

    s.github.subject = 'repo:octo-org/app:ref:refs/heads/feature'
    const wrongSubject = new ClientAssertionCredential(TENANT, CLIENT, () => fetchIdToken(AUDIENCE), tls())
    expect((await rejection(client('contoso-kv', wrongSubject).getSecret('x'))).message).toContain('AADSTS700213')

    s.github.subject = SUBJECT
    const wrongAudience = new ClientAssertionCredential(TENANT, CLIENT, () => fetchIdToken('api://other'), tls())
    const noMatch = await rejection(client('contoso-kv', wrongAudience).getSecret('x'))
    expect(noMatch.message).toContain('AADSTS70021')
    expect(noMatch.message).toContain(`Assertion Subject: '${SUBJECT}'`)

    const expired = new ClientAssertionCredential(
      TENANT,
      CLIENT,
      async () => s.mintIdToken({ audience: AUDIENCE, expiresInSeconds: -60 }),
      tls()
    )
    expect((await rejection(client('contoso-kv', expired).getSecret('x'))).message).toContain('AADSTS700024')
  }, 30_000)

  it('serves managed identity tokens through IMDS (AZURE_POD_IDENTITY_AUTHORITY_HOST)', async () => {
    s.addManagedIdentity({ clientId: MI_CLIENT, tenantId: TENANT })
    s.vault('contoso-kv').grant(MI_CLIENT, 'get').setSecret('x', 'from-mi')
    const saved = process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST
    process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST = s.imdsUrl
    try {
      const credential = new ManagedIdentityCredential({ clientId: MI_CLIENT })
      expect((await client('contoso-kv', credential).getSecret('x')).value).toBe('from-mi')
      const imds = s.requestsTo('imds')
      expect(imds.at(-1)).toMatchObject({
        status: 200,
        authorized: true,
        query: { client_id: MI_CLIENT, resource: 'https://vault.azure.net' }
      })
    } finally {
      if (saved === undefined) delete process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST
      else process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST = saved
    }
  }, 30_000)

  it('serves a stand-in az CLI with tokens minted by the stand-in', async () => {
    s.vault('contoso-kv').setSecret('x', 'from-cli')
    const az = writeFakeAzCli(s, { tenantId: TENANT, appId: CLIENT })
    const savedPath = process.env.PATH
    process.env.PATH = az.path
    try {
      expect((await client('contoso-kv', new AzureCliCredential({ tenantId: TENANT })).getSecret('x')).value).toBe(
        'from-cli'
      )
      expect(az.calls()).toEqual([
        ['account', 'get-access-token', '--output', 'json', '--resource', 'https://vault.azure.net', '--tenant', TENANT]
      ])
    } finally {
      process.env.PATH = savedPath
      az.remove()
    }
  }, 30_000)

  it('injects faults before normal handling', async () => {
    s.vault('contoso-kv').setSecret('x', 'y')
    s.faults.push({
      match: (r) => r.service === 'vault' && r.method === 'GET',
      status: 503,
      headers: { 'Retry-After': '0' },
      body: { error: { code: 'ServiceUnavailable', message: 'try later' } },
      times: 1
    })
    expect((await client('contoso-kv').getSecret('x')).value).toBe('y')
    expect(s.requests.filter((r) => r.fault)).toHaveLength(1)
  }, 30_000)

  it('routes only known vault hosts and fails the rest like DNS', () => {
    const config = s.routeConfig()
    expect(routeDecision('contoso-kv.vault.azure.net', config)).toBe('route')
    expect(routeDecision('typo-kv.vault.azure.net', config)).toBe('notfound')
    expect(routeDecision('login.microsoftonline.com', config)).toBe('route')
    expect(routeDecision('pipelines.actions.githubusercontent.com', config)).toBe('route')
    expect(routeDecision('management.azure.com', config)).toBe('notfound')
    expect(routeDecision('127.0.0.1', config)).toBe('pass')
  })
})

describe('runner harness (fixture action in a child process)', () => {
  const fixture = { actionYml: '__tests__/support/fixtures/action.yml' }

  it('sets inputs, parses file commands, masks like the runner and runs the post step', async () => {
    const secret = 'top\nsecret value'
    const r = await runAction({ ...fixture, inputs: { 'secret-value': secret }, standin: s })
    expect(r.exitCode).toBe(0)
    expect(r.childEnv['INPUT_SECRET-VALUE']).toBe(secret)
    expect(r.childEnv['INPUT_WITH_SPACE']).toBe('')
    expect(r.outputs).toEqual({ value: secret, plain: 'visible' })
    expect(r.env).toEqual({ EXPORTED: secret })
    expect(r.state).toEqual({ token: secret })
    expect(r.log).toContain('after masking: ***')
    expect(r.log).toContain('line: ***')
    expect(r.log).toContain('greeting=hello space=')
    expect(r.log).toContain('stderr: ***')
    expect(r.warnings).toEqual(['a warning, 100% %0A escaped'])
    expect(r.debug).toEqual(['debug sees ***'])
    expect(r.log.some((line) => line.includes('::add-mask::'))).toBe(false)
    // Printed before add-mask: visible, as on GitHub, and the leak check says so without echoing it.
    expect(r.log).toContain('before masking: top')
    expect(() => assertNoLeak(r, ['unrelated', secret], { perLine: true })).toThrow(/value #1 appeared in log line 0/)
    expect(() => assertNoLeak(r, ['unrelated', secret], { perLine: true })).not.toThrow(/secret value/)

    const post = await runPost(r.state, { ...fixture, standin: s })
    expect(post.exitCode).toBe(0)
    expect(post.outputs).toEqual({ 'state-length': String(secret.length) })
    expect(post.log).toEqual(['post got token ***', '***'])
  }, 30_000)

  it('reports failure with the unescaped, masked error', async () => {
    const r = await runAction({ ...fixture, inputs: { 'secret-value': 's3cr3t' }, env: { FIXTURE_FAIL: '1' } })
    expect(r.exitCode).toBe(1)
    expect(r.conclusion).toBe('failure')
    expect(r.errors).toEqual(['failing on purpose: ***'])
  }, 30_000)

  it('routes the public host names to the stand-in in the child, keeping SNI and the certificate check', async () => {
    const r = await runAction({
      ...fixture,
      entry: '__tests__/support/fixtures/probe-network.mjs',
      standin: s,
      env: s.oidcEnv()
    })
    expect(r.stderr).toBe('')
    expect(r.outputs['vault-status']).toBe('401')
    expect(r.outputs['vault-challenge']).toBe(
      `Bearer authorization="https://login.microsoftonline.com/${TENANT}", resource="https://vault.azure.net"`
    )
    expect(r.outputs['login-address']).toBe('127.0.0.1')
    expect(r.outputs.typo).toBe(
      'ENOTFOUND getaddrinfo typo-kv.vault.azure.net getaddrinfo ENOTFOUND typo-kv.vault.azure.net'
    )
    expect(r.outputs['id-token-parts']).toBe('3')
  }, 30_000)
})

describe('masking and file commands', () => {
  it('masks overlapping values as one range and registers each line', () => {
    const masker = new SecretMasker()
    masker.add('abc')
    masker.add('bcd')
    expect(masker.mask('xabcdx')).toBe('x***x')
    masker.add('  multi\n line  \n\n')
    expect(masker.values).toContain('multi')
    expect(masker.values).toContain('line')
    masker.add('   ')
    expect(masker.values).not.toContain('   ')
  })

  it('parses commands and unescapes their data', () => {
    expect(parseCommand('::add-mask::a%25b%0Ac%0Dd')).toEqual({ name: 'add-mask', properties: {}, data: 'a%b\nc\rd' })
    expect(parseCommand('::error file=a%2Cb.ts,line=3::boom')).toEqual({
      name: 'error',
      properties: { file: 'a,b.ts', line: '3' },
      data: 'boom'
    })
    expect(parseCommand('plain text')).toBeUndefined()
  })

  it('masks only lines after the add-mask, and honours stop-commands', () => {
    const out = processStepOutput([
      { stream: 'stdout', text: 'pw is hunter2' },
      { stream: 'stdout', text: '::add-mask::hunter2' },
      { stream: 'stdout', text: '::stop-commands::tok' },
      { stream: 'stdout', text: '::add-mask::ignored' },
      { stream: 'stdout', text: '::tok::' },
      { stream: 'stdout', text: 'pw is hunter2, ignored' }
    ])
    expect(out.log).toEqual(['pw is hunter2', '::add-mask::ignored', 'pw is ***, ignored'])
  })

  it('parses GITHUB_OUTPUT as the runner does on Linux', () => {
    const text = 'a=1\nb<<EOF\nline1\r\nline2\nEOF\n\nc=x=y\nempty<<D\nD\n'
    expect(parseFileCommands(text).values).toEqual({ a: '1', b: 'line1\r\nline2', c: 'x=y', empty: '' })
    expect(parseFileCommands('x<<EOF\nvalue').error).toBe('Invalid value. EOF marker missing new line.')
    expect(parseFileCommands('x<<EOF\nvalue\n').error).toBe("Invalid value. Matching delimiter not found 'EOF'")
    expect(parseFileCommands('no-separator').error).toBe("Invalid format 'no-separator'")
  })
})
