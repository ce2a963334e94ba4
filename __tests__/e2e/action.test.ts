/**
 * The committed action, run the way the runner runs it (dist/index.js as a child process with
 * INPUT_* and file commands), through the real Azure SDK over HTTPS to the stand-in: get, set,
 * delete, export-env, summary and list, values that round-trip byte for byte, and no value in any
 * log line after the runner's masking. Several secrets in one step and every sign-in method are in
 * secrets-and-sign-in.test.ts (the same setup, support/action-world.ts, in a file jest can run in
 * parallel with this one). The delete, which waits for the vault's poll, is a `waiting` test
 * (support/world.ts): with a stand-in of its own, beside the others.
 */
import { describe, expect, it, jest } from '@jest/globals'
import { assertNoLeak, runAction } from '../support/runner.js'
import {
  expectSuccess,
  OIDC_APP,
  oidcInputs,
  run,
  s,
  SpecialValues,
  TENANT,
  useActionWorld,
  VAULT
} from '../support/action-world.js'

jest.setTimeout(60_000)

const { waiting } = useActionWorld()

describe('get', () => {
  it('reads the latest version into value, an output named after the secret, version and id', async () => {
    const version = s.vault(VAULT).setSecret('db-password', 'old value')
    const latest = s.vault(VAULT).setSecret('db-password', 'S3cr3t!')
    expect(latest).not.toBe(version)

    const r = await run({ 'secret-name': 'db-password', ...oidcInputs })

    expectSuccess(r)
    expect(r.outputs).toEqual({
      value: 'S3cr3t!',
      'db-password': 'S3cr3t!',
      version: latest,
      id: `https://${VAULT}.vault.azure.net/secrets/db-password/${latest}`
    })
    expect(r.env).toEqual({})
    expect(r.log).toContain(`Read secret 'db-password' (version ${latest}) from vault '${VAULT}'.`)
    expect(r.summary).toContain('db-password')
    expect(r.summary).toContain(latest)
    assertNoLeak(r, ['S3cr3t!'])
  })

  it('uses one token request and asks the vault once after the challenge', async () => {
    s.vault(VAULT).setSecret('db-password', 'value-1')
    const r = await run({ 'secret-name': 'db-password', ...oidcInputs })

    expectSuccess(r)
    expect(s.requestsTo('entra', 'POST')).toHaveLength(1)
    const vaultCalls = s.requestsTo('vault').map((req) => [req.method, req.status])
    expect(vaultCalls).toEqual([
      ['GET', 401], // challenge: the first request carries no token
      ['GET', 200]
    ])
  })

  it('accepts vault-url instead of vault-name', async () => {
    s.vault(VAULT).setSecret('db-password', 'by-url')
    const r = await runAction({
      inputs: { 'vault-url': `https://${VAULT}.vault.azure.net/`, 'secret-name': 'db-password', ...oidcInputs },
      env: s.oidcEnv(),
      standin: s
    })
    expectSuccess(r)
    expect(r.outputs.value).toBe('by-url')
  })

  it('keeps the fixed outputs when a secret is named like one', async () => {
    const version = s.vault(VAULT).setSecret('version', 'not-a-version')
    const r = await run({ 'secret-name': 'version', ...oidcInputs })
    expectSuccess(r)
    expect(r.outputs.version).toBe(version)
    expect(r.outputs.value).toBe('not-a-version')
    expect(r.warnings.join('\n')).toContain("Secret 'version' has the name of a fixed output")
  })
})

describe('set', () => {
  it('writes a new version and outputs its version and id, never the value', async () => {
    const r = await run({
      operation: 'set',
      'secret-name': 'api-key',
      'secret-value': 'fresh-key-value',
      ...oidcInputs
    })

    expectSuccess(r)
    const stored = s.vault(VAULT).latest('api-key')
    expect(stored?.value).toBe('fresh-key-value')
    expect(r.outputs).toEqual({
      version: stored?.version,
      id: `https://${VAULT}.vault.azure.net/secrets/api-key/${stored?.version}`,
      changed: 'true'
    })
    assertNoLeak(r, ['fresh-key-value'])
  })

  it.each(Object.entries(SpecialValues))(
    'round-trips a %s value byte for byte through set and get, masked',
    async (name, value) => {
      for (const debug of [false, true]) {
        const set = await run(
          { operation: 'set', 'secret-name': name, 'secret-value': value, ...oidcInputs },
          { debug }
        )
        expectSuccess(set)
        expect(s.vault(VAULT).value(name)).toBe(value)

        const get = await run(
          { 'secret-name': name, ...oidcInputs },
          { debug, env: { AZURE_LOG_LEVEL: debug ? 'verbose' : undefined } }
        )
        expectSuccess(get)
        expect(get.outputs.value).toBe(value)
        expect(get.outputs[name]).toBe(value)
        assertNoLeak(set, [value], { perLine: true })
        assertNoLeak(get, [value], { perLine: true })
      }
    }
  )
})

describe('delete', () => {
  waiting('waits for the delete to finish and outputs the recovery details', async () => {
    s.vault(VAULT).setSecret('temp-token', 'short-lived')
    const r = await run({ operation: 'delete', 'secret-name': 'temp-token', ...oidcInputs })

    expectSuccess(r)
    expect(r.outputs['recovery-id']).toBe(`https://${VAULT}.vault.azure.net/deletedsecrets/temp-token`)
    expect(new Date(r.outputs['deleted-on'] ?? '').getTime()).toBeGreaterThan(Date.now() - 60_000)
    const purge = new Date(r.outputs['scheduled-purge-date'] ?? '').getTime()
    expect(purge - new Date(r.outputs['deleted-on'] ?? '').getTime()).toBe(90 * 24 * 3600 * 1000)
    expect(s.vault(VAULT).deleted.has('temp-token')).toBe(true)
    expect(s.vault(VAULT).latest('temp-token')).toBeUndefined()
    // The poller kept asking until the deleted secret was there (the stand-in answers 404 once first).
    expect(s.requestsTo('vault', 'GET').map((req) => req.status)).toEqual([404, 200])
    assertNoLeak(r, ['short-lived'])
  })
})

describe('export-env and summary', () => {
  it('exports the value as DB_PASSWORD for later steps, byte for byte and masked', async () => {
    const value = SpecialValues['path-line'] ?? ''
    s.vault(VAULT).setSecret('db-password', value)
    const r = await run({ 'secret-name': 'db-password', 'export-env': 'true', ...oidcInputs })
    expectSuccess(r)
    expect(r.env).toEqual({ DB_PASSWORD: value })
    expect(r.outputs.value).toBe(value)
    assertNoLeak(r, [value], { perLine: true })
  })

  it('refuses a secret whose variable would hijack later steps, before any request', async () => {
    const r = await run({ 'secret-name': 'ld-preload', 'export-env': 'true', ...oidcInputs })
    expect(r.exitCode).toBe(1)
    expect(r.errors).toHaveLength(1)
    expect(r.errors[0]).toContain("secret 'ld-preload' would be exported as LD_PRELOAD, which is refused")
    expect(r.env).toEqual({})
    expect(s.requests).toHaveLength(0)
  })

  it('summary: false writes no job summary', async () => {
    s.vault(VAULT).setSecret('db-password', 'quiet')
    const r = await run({ 'secret-name': 'db-password', summary: 'false', ...oidcInputs })
    expectSuccess(r)
    expect(r.summary).toBe('')
  })
})

describe('list', () => {
  it('lists names and properties over every page, reads no value, and summarizes without values', async () => {
    s.addVault({ name: 'paged-kv', tenantId: TENANT, pageSize: 4, grants: { [OIDC_APP]: ['list'] } })
    const names = Array.from({ length: 11 }, (_, i) => `app-secret-${String(i).padStart(2, '0')}`)
    for (const name of names)
      s.vault('paged-kv').setSecret(name, `value-of-${name}`, { contentType: 'text/plain', tags: { team: 'platform' } })
    s.vault('paged-kv').setSecret('switched-off', 'disabled-value', { enabled: false })

    const r = await runAction({
      inputs: { 'vault-name': 'paged-kv', operation: 'list', ...oidcInputs },
      env: s.oidcEnv(),
      standin: s
    })

    expectSuccess(r)
    expect(JSON.parse(r.outputs.names ?? '[]')).toEqual([...names, 'switched-off'].sort())
    expect(r.outputs.count).toBe('12')
    expect(Object.keys(r.outputs).sort()).toEqual(['count', 'names', 'secrets-info'])
    // 12 secrets at 4 a page: three list requests after the challenge, and no request for any one secret.
    const paths = s
      .requestsTo('vault')
      .filter((req) => req.status === 200)
      .map((req) => req.path)
    expect(paths).toEqual(['/secrets', '/secrets', '/secrets'])
    expect(r.summary).toContain('team=platform')
    expect(r.summary).toContain('switched-off')
    assertNoLeak(r, [...names.map((name) => `value-of-${name}`), 'disabled-value'])
  })

  it('a missing list permission names the permission and the role', async () => {
    s.addVault({ name: 'policy-kv', tenantId: TENANT, accessModel: 'accessPolicy', grants: { [OIDC_APP]: ['get'] } })
    const r = await runAction({
      inputs: { 'vault-name': 'policy-kv', operation: 'list', ...oidcInputs },
      env: s.oidcEnv(),
      standin: s
    })
    expect(r.exitCode).toBe(1)
    expect(r.errors).toHaveLength(1)
    expect(r.errors[0]).toContain("secret permission 'list'")
    expect(r.outputs).toEqual({})
  })

  it('secret-name with list is an input error, before any request', async () => {
    const r = await run({ operation: 'list', 'secret-name': 'db-password', ...oidcInputs })
    expect(r.exitCode).toBe(1)
    expect(r.errors[0]).toContain("Input 'secret-name' is not used with 'operation: list'")
    expect(s.requests).toHaveLength(0)
  })
})
