/**
 * End-to-end: rotation and the secret lifecycle, run as the runner runs the committed action,
 * through the real Azure SDK to the stand-in. Generated values, values from files, attributes,
 * skip-unchanged, every `if-deleted` choice, delete with wait and purge, recover, purge, purge
 * protection, and bad input refused before any request.
 *
 * The tests that wait out the vault's delays (a recovery or purge that finishes later, polls) are
 * `waiting` tests (support/world.ts): with a stand-in of their own, beside the others.
 */
import { beforeEach, describe, expect, it, jest } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Charsets } from '../../src/inputs/generate.js'
import { assertNoLeak } from '../support/runner.js'
import { expectFailure, expectSuccess, vaultCalls as vaultCallsOf } from '../support/steps.js'
import { AllPermissions, useStandIn } from '../support/world.js'

jest.setTimeout(60_000)

const TENANT = '61f0c1de-5c1b-4b4e-9c33-0a7e3b9b1d01'
const APP = '72a1d2ef-6d2c-4c5f-8d44-1b8f4cac2e02'
const VAULT = 'rotation-kv'
const DAY_MS = 24 * 3600 * 1000

const {
  s,
  step: run,
  vault,
  waiting
} = useStandIn({
  vault: { name: VAULT, tenantId: TENANT, clientId: APP, grants: AllPermissions }
})
const vaultCalls = (method?: string): string[] => vaultCallsOf(s, method)

describe('rotation: generate, set and hand on in one step', () => {
  it.each([false, true])(
    'generates a printable value, stores it with tags, content type and a 90-day expiry, and outputs it masked (debug %s)',
    async (debug) => {
      vault().setSecret('db-password', 'previous-password')
      const before = Date.now()
      const r = await run(
        {
          operation: 'set',
          'secret-name': 'db-password',
          generate: 'true',
          'generate-length': '40',
          'generate-charset': 'printable',
          'content-type': 'text/plain',
          tags: 'rotated-by=github-actions\nticket=OPS-42\n# comments are skipped\nnote=a=b',
          expires: '90d',
          'not-before': '2026-01-01T00:00:00Z'
        },
        { debug, env: { AZURE_LOG_LEVEL: debug ? 'verbose' : undefined } }
      )
      const after = Date.now()

      expectSuccess(r)
      const stored = vault().latest('db-password')
      const generated = r.outputs.value ?? ''
      expect(generated).toHaveLength(40)
      expect([...generated].every((char) => Charsets.printable.includes(char))).toBe(true)
      expect(stored?.value).toBe(generated)
      expect(r.outputs).toEqual({
        value: generated,
        version: stored?.version,
        id: `https://${VAULT}.vault.azure.net/secrets/db-password/${stored?.version}`,
        changed: 'true'
      })
      expect(stored?.contentType).toBe('text/plain')
      expect(stored?.tags).toEqual({ 'rotated-by': 'github-actions', ticket: 'OPS-42', note: 'a=b' })
      // Expiry is computed from the relative duration when the step starts (the service keeps whole seconds).
      expect((stored?.exp ?? 0) * 1000).toBeGreaterThanOrEqual(Math.floor((before + 90 * DAY_MS) / 1000) * 1000)
      expect((stored?.exp ?? 0) * 1000).toBeLessThanOrEqual(after + 90 * DAY_MS)
      expect(stored?.nbf).toBe(Date.UTC(2026, 0, 1) / 1000)
      expect(r.masks).toContain(generated)
      expect(r.summaryMasked).toContain('new version written')
      assertNoLeak(r, [generated, 'previous-password'])
    }
  )

  it.each(Object.keys(Charsets))('generate-charset %s draws only from its characters', async (charset) => {
    const r = await run({ operation: 'set', 'secret-name': 'api-key', generate: 'true', 'generate-charset': charset })
    expectSuccess(r)
    const generated = r.outputs.value ?? ''
    expect(generated).toHaveLength(32)
    expect([...generated].every((char) => Charsets[charset as keyof typeof Charsets].includes(char))).toBe(true)
    expect(vault().value('api-key')).toBe(generated)
    assertNoLeak(r, [generated])
  })

  it('enabled: false stores a disabled version', async () => {
    const r = await run({ operation: 'set', 'secret-name': 'staged', 'secret-value': 'not-yet-live', enabled: 'false' })
    expectSuccess(r)
    expect(vault().latest('staged')).toMatchObject({ value: 'not-yet-live', enabled: false })
    assertNoLeak(r, ['not-yet-live'])
  })
})

describe('secret-value-file', () => {
  it('stores the file byte for byte (trailing newline kept), never echoing it, and outputs no value', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kv-value-'))
    try {
      const value = '-----BEGIN KEY-----\r\n  line two with %25 and ü\n-----END KEY-----\n'
      writeFileSync(join(dir, 'key.pem'), value)
      const r = await run({ operation: 'set', 'secret-name': 'tls-key', 'secret-value-file': join(dir, 'key.pem') })
      expectSuccess(r)
      expect(vault().value('tls-key')).toBe(value)
      expect(r.outputs.value).toBeUndefined()
      assertNoLeak(r, [value], { perLine: true })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('skip-unchanged', () => {
  it('writes no version when value and content type already match, and says changed: false', async () => {
    const version = vault().setSecret('api-key', 'same-value', { contentType: 'text/plain' })
    const r = await run({
      operation: 'set',
      'secret-name': 'api-key',
      'secret-value': 'same-value',
      'content-type': 'text/plain',
      'skip-unchanged': 'true'
    })
    expectSuccess(r)
    expect(r.outputs).toMatchObject({ changed: 'false', version })
    expect(vault().secrets.get('api-key')?.versions).toHaveLength(1)
    expect(vaultCalls('PUT')).toEqual([])
    expect(r.log.join('\n')).toContain('already has this value')
    assertNoLeak(r, ['same-value'])
  })

  it.each([
    ['a different value', 'new-value', 'text/plain'],
    ['a different content type', 'same-value', 'application/json']
  ])('writes a new version for %s', async (_, value, contentType) => {
    vault().setSecret('api-key', 'same-value', { contentType: 'text/plain' })
    const r = await run({
      operation: 'set',
      'secret-name': 'api-key',
      'secret-value': value,
      'content-type': contentType,
      'skip-unchanged': 'true'
    })
    expectSuccess(r)
    expect(r.outputs.changed).toBe('true')
    expect(vault().secrets.get('api-key')?.versions).toHaveLength(2)
    expect(vault().latest('api-key')).toMatchObject({ value, contentType })
    assertNoLeak(r, ['same-value', value])
  })

  it('writes the first version of a secret that does not exist yet', async () => {
    const r = await run({
      operation: 'set',
      'secret-name': 'brand-new',
      'secret-value': 'first-value',
      'skip-unchanged': 'true'
    })
    expectSuccess(r)
    expect(r.outputs.changed).toBe('true')
    expect(vault().value('brand-new')).toBe('first-value')
  })

  it('without permission to read, names the get permission it needs', async () => {
    vault().setSecret('api-key', 'same-value')
    vault().revoke(APP, 'get')
    const r = await run({
      operation: 'set',
      'secret-name': 'api-key',
      'secret-value': 'same-value',
      'skip-unchanged': 'true'
    })
    expectFailure(r, 'may not get secrets', 'Key Vault Secrets User')
    expect(vaultCalls('PUT')).toEqual([])
  })
})

describe('if-deleted', () => {
  const seedDeleted = (): void => {
    vault().seedDeleted('db-password', 'deleted-value')
  }
  beforeEach(seedDeleted)

  it('fail (the default) stops with advice to recover or purge, and writes nothing', async () => {
    const r = await run({ operation: 'set', 'secret-name': 'db-password', 'secret-value': 'new-value' })
    expectFailure(r, 'deleted but recoverable', "'if-deleted: recover'", "'if-deleted: purge'")
    expect(vault().deleted.has('db-password')).toBe(true)
    expect(vault().latest('db-password')).toBeUndefined()
    assertNoLeak(r, ['new-value'])
  })

  waiting(
    'recover brings the deleted secret back, waits until it reads, then writes a new version on top once the vault takes writes again',
    async () => {
      // A waiting test runs no beforeEach: the deleted secret, as above.
      seedDeleted()
      const r = await run({
        operation: 'set',
        'secret-name': 'db-password',
        'secret-value': 'new-value',
        'if-deleted': 'recover'
      })
      expectSuccess(r)
      expect(
        vault()
          .secrets.get('db-password')
          ?.versions.map((v) => v.value)
      ).toEqual(['deleted-value', 'new-value'])
      expect(vaultCalls()).toEqual([
        'PUT /secrets/db-password 401',
        'PUT /secrets/db-password 409',
        'GET /secrets/db-password/ 404',
        'POST /deletedsecrets/db-password/recover 200',
        'GET /secrets/db-password/ 404',
        'GET /secrets/db-password/ 200',
        // Readable again, but not yet writable (409 ObjectIsBeingRecovered): tried again.
        'PUT /secrets/db-password 409',
        'PUT /secrets/db-password 200'
      ])
      expect(r.log.join('\n')).toContain(
        "Key Vault is still finishing the recovery of secret 'db-password'; trying again"
      )
      expect(r.summaryMasked).toContain('recovered, then new version written')
      assertNoLeak(r, ['new-value', 'deleted-value'])
    }
  )

  it('recover with skip-unchanged writes nothing when the recovered value is the same', async () => {
    // How long the recovery takes is not what this checks (the test above counts its polls).
    vault().recoverPolls = 0
    const r = await run({
      operation: 'set',
      'secret-name': 'db-password',
      'secret-value': 'deleted-value',
      'if-deleted': 'recover',
      'skip-unchanged': 'true'
    })
    expectSuccess(r)
    expect(r.outputs.changed).toBe('false')
    expect(vault().secrets.get('db-password')?.versions).toHaveLength(1)
  })

  waiting(
    'purge erases the deleted secret, then writes the first version once the vault has freed the name',
    async () => {
      // A waiting test runs no beforeEach: the deleted secret, as above.
      seedDeleted()
      const r = await run({
        operation: 'set',
        'secret-name': 'db-password',
        'secret-value': 'new-value',
        'if-deleted': 'purge'
      })
      expectSuccess(r)
      expect(
        vault()
          .secrets.get('db-password')
          ?.versions.map((v) => v.value)
      ).toEqual(['new-value'])
      expect(vault().deleted.size).toBe(0)
      expect(vaultCalls()).toEqual([
        'PUT /secrets/db-password 401',
        'PUT /secrets/db-password 409',
        'DELETE /deletedsecrets/db-password 204',
        // The purge is accepted before it is finished: the name takes no write yet (409 ObjectIsBeingDeleted).
        'PUT /secrets/db-password 409',
        'PUT /secrets/db-password 200'
      ])
      expect(r.log.join('\n')).toContain("Key Vault is still finishing the purge of secret 'db-password'; trying again")
      expect(r.summaryMasked).toContain('purged, then new version written')
    }
  )

  it('purge in a vault with purge protection fails clearly and writes nothing', async () => {
    vault().purgeProtection = true
    const r = await run({
      operation: 'set',
      'secret-name': 'db-password',
      'secret-value': 'new-value',
      'if-deleted': 'purge'
    })
    expectFailure(r, 'purge protection', "'if-deleted: recover'")
    expect(vault().deleted.has('db-password')).toBe(true)
    expect(vaultCalls('PUT').filter((call) => call.endsWith('200'))).toEqual([])
  })
})

describe('delete, recover, purge', () => {
  it('wait: false returns once the delete is accepted, without waiting for it to finish', async () => {
    vault().setSecret('temp-token', 'short-lived')
    vault().deletePolls = 5
    const r = await run({ operation: 'delete', 'secret-name': 'temp-token', wait: 'false' })
    expectSuccess(r)
    expect(r.outputs['recovery-id']).toBe(`https://${VAULT}.vault.azure.net/deletedsecrets/temp-token`)
    // The SDK's poller looks once as it starts; the delete is still in progress when the step ends.
    expect(vaultCalls('GET')).toEqual(['GET /deletedsecrets/temp-token 404'])
    expect(vault().deleted.get('temp-token')?.pendingPolls).toBe(4)
    expect(r.summaryMasked).toContain('started deleting')
  })

  it('purge: true deletes, waits, then purges for good', async () => {
    vault().setSecret('temp-token', 'short-lived')
    // Not how long the delete takes (see the next test): the delete is done at the first look.
    vault().deletePolls = 0
    const r = await run({ operation: 'delete', 'secret-name': 'temp-token', purge: 'true' })
    expectSuccess(r)
    expect(vault().deleted.size).toBe(0)
    expect(vault().latest('temp-token')).toBeUndefined()
    expect(r.outputs['recovery-id']).toBe('')
    expect(r.summaryMasked).toContain('deleted and purged')
  })

  waiting(
    'purge: true without permission to read deleted secrets waits for the delete by retrying the purge while it answers 409',
    async () => {
      vault().setSecret('temp-token', 'short-lived')
      vault().deletePolls = 2
      vault().revoke(APP, 'get')
      const r = await run({ operation: 'delete', 'secret-name': 'temp-token', purge: 'true' })
      expectSuccess(r)
      expect(vault().deleted.has('temp-token')).toBe(false)
      expect(vault().purging.has('temp-token')).toBe(true)
      // The poller stops watching at the first 403; the purge answers 409 ("Secret is currently being deleted.") until the delete is done.
      expect(vaultCalls('DELETE').slice(1)).toEqual([
        'DELETE /secrets/temp-token 200',
        'DELETE /deletedsecrets/temp-token 409',
        'DELETE /deletedsecrets/temp-token 409',
        'DELETE /deletedsecrets/temp-token 204'
      ])
    }
  )

  it('purge: true in a vault with purge protection says the secret stays deleted and recoverable', async () => {
    vault().purgeProtection = true
    vault().setSecret('temp-token', 'short-lived')
    vault().deletePolls = 0
    const r = await run({ operation: 'delete', 'secret-name': 'temp-token', purge: 'true' })
    expectFailure(r, 'purge protection', 'deleted and recoverable')
    expect(vault().deleted.has('temp-token')).toBe(true)
  })

  waiting('operation recover brings back several secrets and waits until each reads', async () => {
    vault().seedDeleted('alpha', 'a-value')
    vault().seedDeleted('beta', 'b-value')
    // One look each that still sees it deleted: the step must wait for both.
    vault().recoverPolls = 1
    const r = await run({ operation: 'recover', secrets: 'alpha\nbeta' })
    expectSuccess(r)
    expect([vault().value('alpha'), vault().value('beta')]).toEqual(['a-value', 'b-value'])
    expect(vault().deleted.size).toBe(0)
    expect(r.outputs).toEqual({})
    expect(r.summaryMasked).toMatch(/alpha.*recovered/)
    assertNoLeak(r, ['a-value', 'b-value'])
  })

  it('operation recover of one secret outputs its version and id', async () => {
    const { secret } = vault().seedDeleted('alpha', 'a-value')
    vault().recoverPolls = 0
    const version = secret.versions.at(-1)?.version
    const r = await run({ operation: 'recover', 'secret-name': 'alpha' })
    expectSuccess(r)
    expect(r.outputs).toEqual({ version, id: `https://${VAULT}.vault.azure.net/secrets/alpha/${version}` })
  })

  it('operation recover of a name that is not deleted explains where to look', async () => {
    const r = await run({ operation: 'recover', 'secret-name': 'never-deleted' })
    expectFailure(r, "no deleted secret named 'never-deleted'", 'az keyvault secret list-deleted')
  })

  it('operation purge erases a deleted secret and says the vault frees the name later; ignore-missing skips names not deleted', async () => {
    vault().seedDeleted('old-key', 'old-value')
    const r = await run({ operation: 'purge', secrets: 'old-key\nnot-deleted', 'ignore-missing': 'true' })
    expectSuccess(r)
    expect(vault().deleted.size).toBe(0)
    expect(r.warnings).toEqual([
      "Secret 'not-deleted' was not found among the deleted secrets; skipped ('ignore-missing: true')."
    ])
    // Nothing to watch: the service gives no signal when the name is free again.
    expect(vaultCalls('GET')).toEqual([])
    expect(r.log.join('\n')).toContain('does not say when the name is free again')
    expect(r.summaryMasked).toContain('purged (the vault frees the name shortly after)')
  })

  it('operation purge in a vault with purge protection fails clearly', async () => {
    vault().purgeProtection = true
    vault().seedDeleted('old-key', 'old-value')
    const r = await run({ operation: 'purge', 'secret-name': 'old-key' })
    expectFailure(r, 'purge protection', "'operation: recover'")
    expect(vault().deleted.has('old-key')).toBe(true)
  })

  it('a missing purge permission names the permission and the role', async () => {
    vault().seedDeleted('old-key', 'old-value')
    vault().revoke(APP, 'purge')
    const r = await run({ operation: 'purge', 'secret-name': 'old-key' })
    expectFailure(r, 'may not purge secrets', 'Key Vault Secrets Officer', 'purge/action')
  })
})

// The other refusals of set, delete, recover and purge inputs run in process:
// __tests__/unit/lifecycle-inputs.test.ts.
describe('bad input is refused before any request', () => {
  const setInputs = { operation: 'set', 'secret-name': 'api-key' }
  it.each([
    [
      "a missing value file (its relative path resolved in the step's working folder)",
      { ...setInputs, 'secret-value-file': 'no/such/file' },
      "Input 'secret-value-file': the file 'no/such/file' does not exist"
    ]
  ])('%s', async (_, inputs, message) => {
    const r = await run(inputs)
    expectFailure(r, message)
    expect(s.requests).toEqual([])
    assertNoLeak(r, ['v1'])
  })
})
