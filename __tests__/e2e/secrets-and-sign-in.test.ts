/**
 * The committed action, run the way the runner runs it, through the real Azure SDK over HTTPS to the
 * stand-in: several secrets in one step (names, versions, aliases, globs, files, parse-json, the post
 * step) and every sign-in method. The single-secret operations are in action.test.ts; the two files
 * share their setup (support/action-world.ts) and run in parallel. The delete, which waits for the
 * vault's poll, is a `waiting` test (support/world.ts), with a stand-in of its own, beside the
 * others; the test that measures when the reads go out is `timed`, alone in the worker.
 */
import { beforeEach, describe, expect, it, jest } from '@jest/globals'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { writeFakeAzCli } from '../support/fake-az.js'
import { assertNoLeak, runAction, runPost } from '../support/runner.js'
import {
  CLI_APP,
  expectSuccess,
  MI_APP,
  OIDC_APP,
  oidcInputs,
  run,
  s,
  seed,
  SP_APP,
  SP_SECRET,
  SpecialValues,
  TENANT,
  useActionWorld,
  VAULT
} from '../support/action-world.js'

jest.setTimeout(60_000)

const { waiting, timed } = useActionWorld()

describe('secrets: several in one step', () => {
  it('reads names, versions, aliases and globs across list pages, and exports them all', async () => {
    const kv = s.addVault({ name: 'many-kv', tenantId: TENANT, pageSize: 3, grants: { [OIDC_APP]: ['get', 'list'] } })
    kv.setSecret('db-password', 'db-value')
    const oldCert = kv.setSecret('tls-cert', 'cert-v1')
    kv.setSecret('tls-cert', 'cert-v2')
    kv.setSecret('api-key', 'api-value')
    for (const n of [1, 2, 3, 4, 5]) kv.setSecret(`app-setting-${n}`, `app-value-${n}`)
    kv.setSecret('app-disabled', 'disabled-value', { enabled: false })

    const r = await runAction({
      inputs: {
        'vault-name': 'many-kv',
        ...oidcInputs,
        'export-env': 'true',
        secrets: ['# the database', 'db-password', '', `OLD_CERT=tls-cert/${oldCert}`, 'API_KEY=api-key, app-*'].join(
          '\n'
        )
      },
      env: s.oidcEnv(),
      standin: s
    })

    expectSuccess(r)
    const apps = Object.fromEntries([1, 2, 3, 4, 5].map((n) => [`app-setting-${n}`, `app-value-${n}`]))
    expect(r.outputs).toEqual({ 'db-password': 'db-value', OLD_CERT: 'cert-v1', API_KEY: 'api-value', ...apps })
    expect(r.env).toEqual({
      DB_PASSWORD: 'db-value',
      OLD_CERT: 'cert-v1',
      API_KEY: 'api-value',
      ...Object.fromEntries([1, 2, 3, 4, 5].map((n) => [`APP_SETTING_${n}`, `app-value-${n}`]))
    })
    // The disabled secret is neither read nor exported; every page of the listing was followed.
    expect(s.requestsTo('vault').some((req) => req.path.startsWith('/secrets/app-disabled'))).toBe(false)
    // 9 secrets at 3 a page: three listing pages.
    expect(s.requestsTo('vault').filter((req) => req.path === '/secrets' && req.status === 200)).toHaveLength(3)
    expect(r.summary).toContain('env DB_PASSWORD')
    assertNoLeak(r, ['db-value', 'cert-v1', 'cert-v2', 'api-value', 'disabled-value', ...Object.values(apps)])
  })

  it('is all or nothing: one missing secret fails the step and exports nothing', async () => {
    s.vault(VAULT).setSecret('db-password', 'db-value')
    const r = await run({ secrets: 'db-password\nno-such-secret', 'export-env': 'true', ...oidcInputs })
    expect(r.exitCode).toBe(1)
    expect(r.errors).toHaveLength(1)
    expect(r.errors[0]).toContain("Secret 'no-such-secret' was not found in vault 'contoso-kv'")
    expect(r.outputs).toEqual({})
    expect(r.env).toEqual({})
    assertNoLeak(r, ['db-value'])
  })

  it('ignore-missing: a missing secret is a warning and the rest are exported', async () => {
    s.vault(VAULT).setSecret('db-password', 'db-value')
    const r = await run({ secrets: 'db-password, no-such-secret', 'ignore-missing': 'true', ...oidcInputs })
    expectSuccess(r)
    expect(r.outputs).toEqual({
      'db-password': 'db-value',
      value: 'db-value',
      version: expect.any(String),
      id: expect.any(String)
    })
    expect(r.warnings.join('\n')).toContain("Secret 'no-such-secret' was not found in the vault; skipped")
  })

  it('a disabled secret named explicitly is an error', async () => {
    s.vault(VAULT).setSecret('off', 'off-value', { enabled: false })
    s.vault(VAULT).setSecret('on', 'on-value')
    const r = await run({ secrets: 'on\noff', ...oidcInputs })
    expect(r.exitCode).toBe(1)
    expect(r.errors[0]).toContain("Secret 'off' in vault 'contoso-kv' is disabled")
    expect(r.outputs).toEqual({})
  })

  it('two entries landing on one variable are an error before anything is exported', async () => {
    s.vault(VAULT).setSecret('db-password', 'a-value')
    s.vault(VAULT).setSecret('other', 'b-value')
    const r = await run({ secrets: 'DB_PASSWORD=other\ndb-password', 'export-env': 'true', ...oidcInputs })
    expect(r.exitCode).toBe(1)
    expect(r.errors[0]).toContain('two secrets would be exported as DB_PASSWORD')
    expect(r.outputs).toEqual({})
    expect(r.env).toEqual({})
  })

  it('a glob match that would hijack later steps is skipped with a warning; an explicit one is an error before any request', async () => {
    s.vault(VAULT).setSecret('node-options', '--require=/tmp/evil.js')
    s.vault(VAULT).setSecret('node-version', 'fine')
    const globbed = await run({ secrets: 'node-*', 'export-env': 'true', ...oidcInputs })
    expectSuccess(globbed)
    expect(globbed.env).toEqual({ NODE_VERSION: 'fine' })
    expect(globbed.outputs).toEqual({ 'node-options': '--require=/tmp/evil.js', 'node-version': 'fine' })
    expect(globbed.warnings.join('\n')).toContain("Secret 'node-options' was not exported as NODE_OPTIONS")
    seed()
    const explicit = await run({ secrets: 'PATH=db-password', 'export-env': 'true', ...oidcInputs })
    expect(explicit.exitCode).toBe(1)
    expect(explicit.errors[0]).toContain('would be exported as PATH, which is refused')
    expect(s.requests).toHaveLength(0)
  })

  it.each([
    ['a glob with an alias', 'X=app-*', 'a glob cannot have an alias or a version'],
    ['a bad version', 'db-password/123', 'a version is 32 hexadecimal characters'],
    ['a bad character', 'db_password', 'it is not of a known form']
  ])('a malformed entry (%s) is quoted in the error, before any request', async (_, entry, why) => {
    const r = await run({ secrets: entry, ...oidcInputs })
    expect(r.exitCode).toBe(1)
    expect(r.errors[0]).toContain(`Input 'secrets' has a malformed entry '${entry}': ${why}`)
    expect(s.requests).toHaveLength(0)
  })

  waiting('deletes several secrets in one step', async () => {
    s.vault(VAULT).setSecret('temp-a', 'a')
    s.vault(VAULT).setSecret('temp-b', 'b')
    const r = await run({ operation: 'delete', secrets: 'temp-a\ntemp-b', ...oidcInputs })
    expectSuccess(r)
    expect(s.vault(VAULT).deleted.has('temp-a')).toBe(true)
    expect(s.vault(VAULT).deleted.has('temp-b')).toBe(true)
    expect(r.summary).toContain('temp-a')
    expect(r.summary).toContain('temp-b')
  })

  it('parse-json: a JSON object becomes one output and variable per leaf, each masked on its own', async () => {
    const json = { user: 'db-admin-user', password: 'p@ss-w0rd-leaf', port: 5432, nested: { key: 'deep-secret-leaf' } }
    s.vault(VAULT).setSecret('db', JSON.stringify(json))
    s.vault(VAULT).setSecret('plain', 'not json at all')
    const r = await run({ secrets: 'db\nplain', 'parse-json': 'true', 'export-env': 'true', ...oidcInputs })
    expectSuccess(r)
    expect(r.outputs).toEqual({
      db_user: 'db-admin-user',
      db_password: 'p@ss-w0rd-leaf',
      db_port: '5432',
      db_nested_key: 'deep-secret-leaf',
      plain: 'not json at all'
    })
    expect(r.env).toEqual({
      DB_USER: 'db-admin-user',
      DB_PASSWORD: 'p@ss-w0rd-leaf',
      DB_PORT: '5432',
      DB_NESTED_KEY: 'deep-secret-leaf',
      PLAIN: 'not json at all'
    })
    // A later step printing one field sees ***: each leaf is registered with the runner on its own.
    for (const leaf of ['db-admin-user', 'p@ss-w0rd-leaf', 'deep-secret-leaf']) expect(r.masks).toContain(leaf)
    assertNoLeak(r, ['db-admin-user', 'p@ss-w0rd-leaf', 'deep-secret-leaf', 'not json at all'])
  })

  it('files: writes values 0600 (certificates decoded), outputs the paths, and the post step removes them', async () => {
    const pem = SpecialValues.pem ?? ''
    const pfx = Buffer.from([0x30, 0x82, 0x01, 0x00, 0xff, 0x00, 0x7f])
    s.vault(VAULT).setSecret('tls-key', pem)
    s.vault(VAULT).setSecret('tls-pfx', pfx.toString('base64'), { contentType: 'application/x-pkcs12' })
    const absoluteDir = mkdtempSync(join(tmpdir(), 'kv-files-'))
    try {
      const r = await run(
        { files: `certs/tls.key=tls-key\n${absoluteDir}/cert.pfx=tls-pfx`, ...oidcInputs },
        { keepWorkDir: true }
      )
      expectSuccess(r)
      const paths = JSON.parse(r.outputs.files ?? '{}') as Record<string, string>
      const keyPath = paths['certs/tls.key=tls-key'] ?? ''
      const pfxPath = paths[`${absoluteDir}/cert.pfx=tls-pfx`] ?? ''
      expect(keyPath).toBe(join(r.workDir, 'certs', 'tls.key'))
      expect(pfxPath).toBe(join(absoluteDir, 'cert.pfx'))
      expect(readFileSync(keyPath, 'utf8')).toBe(pem)
      expect(readFileSync(pfxPath)).toEqual(pfx)
      expect(statSync(keyPath).mode & 0o777).toBe(0o600)
      expect(statSync(join(r.workDir, 'certs')).mode & 0o777).toBe(0o700)
      expect(r.summary).toContain(`file ${keyPath}`)
      assertNoLeak(r, [pem], { perLine: true })

      const post = await runPost(r.state, { standin: s })
      expect(post.exitCode).toBe(0)
      expect(existsSync(keyPath)).toBe(false)
      expect(existsSync(pfxPath)).toBe(false)
      expect(post.log).toContain('Removed 2 secret file(s).')
      rmSync(r.workDir, { recursive: true, force: true })
    } finally {
      rmSync(absoluteDir, { recursive: true, force: true })
    }
  })

  it('the post step after a failed main step (same dist/index.js) does nothing and makes no request', async () => {
    const r = await run({ 'secret-name': 'bad_name', ...oidcInputs })
    expect(r.exitCode).toBe(1)
    expect(r.state).toEqual({ 'written-files': '[]' })
    const post = await runPost(r.state, { standin: s })
    expect({ exitCode: post.exitCode, errors: post.errors, log: post.log }).toEqual({
      exitCode: 0,
      errors: [],
      log: []
    })
    expect(s.requests).toHaveLength(0)
  })

  it('delete refuses globs before any request', async () => {
    const r = await run({ operation: 'delete', secrets: 'temp-*', ...oidcInputs })
    expect(r.exitCode).toBe(1)
    expect(r.errors[0]).toContain("'operation: delete' takes exact secret names of the step's vault only")
    expect(s.requests).toHaveLength(0)
  })
})

describe('sign-in methods', () => {
  beforeEach(() => {
    s.vault(VAULT).setSecret('db-password', 'signed-in-value')
  })

  it('OIDC: presents a GitHub ID token for the requested audience as the client assertion', async () => {
    const r = await run({ 'secret-name': 'db-password', ...oidcInputs, 'auth-type': 'oidc' })
    expectSuccess(r)
    expect(r.outputs.value).toBe('signed-in-value')
    // One GitHub ID token serves the sign-in (MSAL asks for the assertion twice).
    const idTokenRequests = s.requestsTo('github')
    expect(idTokenRequests).toHaveLength(1)
    expect(idTokenRequests.every((req) => req.query.audience === 'api://AzureADTokenExchange')).toBe(true)
  })

  it('one challenge and one token request serve 100 secrets read at once by name', async () => {
    const names = Array.from({ length: 100 }, (_, i) => `many-${String(i).padStart(3, '0')}`)
    for (const name of names) s.vault(VAULT).setSecret(name, `value-of-${name}`)
    const r = await run({ secrets: names.join('\n'), concurrency: '64', ...oidcInputs })
    expectSuccess(r)
    expect(names.every((name) => r.outputs[name] === `value-of-${name}`)).toBe(true)
    expect(s.requestsTo('entra', 'POST')).toHaveLength(1)
    expect(s.requestsTo('github')).toHaveLength(1)
    // The other reads wait for the first one's token instead of each meeting the challenge (401).
    expect(s.requestsTo('vault').filter((req) => req.status === 401)).toHaveLength(1)
    expect(s.requestsTo('vault', 'GET').filter((req) => req.status === 200)).toHaveLength(100)
    assertNoLeak(
      r,
      names.map((name) => `value-of-${name}`)
    )
  })

  timed('reads waiting for the first token go out as soon as it has one, not after its answer', async () => {
    const names = ['first', 'second', 'third', 'fourth']
    for (const name of names) s.vault(VAULT).setSecret(name, `value-of-${name}`)
    // Long enough that a read sent after the first one's answer is plainly later.
    s.latencyMs = 300
    const r = await run({ secrets: names.join('\n'), ...oidcInputs })
    expectSuccess(r)
    const reads = s.requestsTo('vault', 'GET').filter((req) => req.status === 200)
    expect(reads).toHaveLength(names.length)
    const firstArrived = Math.min(...reads.map((req) => req.arrived))
    expect(reads.every((req) => req.arrived - firstArrived < 300)).toBe(true)
  })

  it('reads waiting for the first token end with its sign-in error, not a hang', async () => {
    const names = Array.from({ length: 20 }, (_, i) => `many-${String(i).padStart(3, '0')}`)
    for (const name of names) s.vault(VAULT).setSecret(name, `value-of-${name}`)
    // An app the directory does not know: the first read's sign-in fails.
    const r = await run({
      secrets: names.join('\n'),
      'client-id': '99999999-9999-9999-9999-999999999999',
      'tenant-id': TENANT
    })
    expect(r.exitCode).toBe(1)
    expect(r.errors).toHaveLength(1)
    expect(r.errors[0]).toMatch(/99999999-9999-9999-9999-999999999999/)
    expect(Object.keys(r.outputs)).toHaveLength(0)
    // Released by the failure, the waiting reads found the run stopped: none was sent.
    expect(s.requestsTo('vault').map((req) => req.status)).toEqual([401])
    expect(s.requestsTo('entra', 'POST')).toHaveLength(1)
    expect(s.requestsTo('github')).toHaveLength(1)
  })

  it.each([
    ['client-secret input', { 'client-id': SP_APP, 'tenant-id': TENANT, 'client-secret': SP_SECRET }, {}],
    [
      'creds input',
      {
        creds: JSON.stringify(
          { clientId: SP_APP, clientSecret: SP_SECRET, tenantId: TENANT, subscriptionId: 'x' },
          null,
          2
        )
      },
      {}
    ],
    ['AZURE_* environment', {}, { AZURE_CLIENT_ID: SP_APP, AZURE_TENANT_ID: TENANT, AZURE_CLIENT_SECRET: SP_SECRET }]
  ])('service principal from the %s', async (_, inputs: Record<string, string>, env: Record<string, string>) => {
    for (const debug of [false, true]) {
      const r = await run({ 'secret-name': 'db-password', ...inputs }, { env, debug })
      expectSuccess(r)
      expect(r.outputs.value).toBe('signed-in-value')
      expect(s.requestsTo('github')).toHaveLength(0)
      assertNoLeak(r, [SP_SECRET, 'signed-in-value'])
    }
  })

  it('Azure CLI: uses the session an earlier azure/login left, for the vault resource', async () => {
    const az = writeFakeAzCli(s, { tenantId: TENANT, appId: CLI_APP })
    try {
      const r = await run({ 'secret-name': 'db-password', 'auth-type': 'azure-cli' }, { env: { PATH: az.path } })
      expectSuccess(r)
      expect(r.outputs.value).toBe('signed-in-value')
      expect(az.calls()[0]).toEqual(
        expect.arrayContaining(['account', 'get-access-token', '--resource', 'https://vault.azure.net'])
      )
      expect(s.requestsTo('entra')).toHaveLength(0)
    } finally {
      az.remove()
    }
  })

  it('auto without ids or secret falls back to the Azure CLI session', async () => {
    const az = writeFakeAzCli(s, { tenantId: TENANT, appId: CLI_APP })
    try {
      const r = await runAction({
        inputs: { 'vault-name': VAULT, 'secret-name': 'db-password' },
        env: { PATH: az.path },
        standin: s
      })
      expectSuccess(r)
      expect(r.outputs.value).toBe('signed-in-value')
    } finally {
      az.remove()
    }
  })

  it('managed identity: a user-assigned identity picked by client-id, through IMDS', async () => {
    const r = await run(
      { 'secret-name': 'db-password', 'auth-type': 'managed-identity', 'client-id': MI_APP },
      { env: s.managedIdentityEnv() }
    )
    expectSuccess(r)
    expect(r.outputs.value).toBe('signed-in-value')
    const imds = s.requestsTo('imds')
    expect(imds.length).toBeGreaterThan(0)
    expect(imds.at(-1)?.query.client_id).toBe(MI_APP)
  })

  it('sovereign cloud: AzureChinaCloud signs in at its authority and reads from vault.azure.cn', async () => {
    s.addVault({
      name: 'china-kv',
      tenantId: TENANT,
      cloud: 'AzureChinaCloud',
      grants: { [SP_APP]: ['get'] }
    }).setSecret('db-password', 'china-value')
    const r = await runAction({
      inputs: {
        'vault-name': 'china-kv',
        'secret-name': 'db-password',
        environment: 'AzureChinaCloud',
        'client-id': SP_APP,
        'tenant-id': TENANT,
        'client-secret': SP_SECRET
      },
      standin: s
    })
    expectSuccess(r)
    expect(r.outputs.value).toBe('china-value')
    expect(s.requestsTo('vault').every((req) => req.host === 'china-kv.vault.azure.cn')).toBe(true)
    expect(s.requestsTo('entra', 'POST').every((req) => req.host.endsWith('.cn'))).toBe(true)
  })
})
