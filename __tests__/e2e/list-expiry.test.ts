/**
 * End-to-end: `list` with a filter of names and globs and its `secrets-info` output, and expiry
 * awareness in `get` and `list` (warning annotations, `fail-on-expired`, output `expiring`, the
 * summary's Expires column, and Key Vault's 403 SecretExpired refusal). The committed action
 * against the stand-in, through the real SDK, over HTTPS. The stand-in's clock is the real one:
 * expiry dates are set relative to now, with margins of minutes, and the exact edge of the window
 * is pinned by the unit tests with a fixed clock (__tests__/unit/expiry.test.ts).
 */
import { beforeEach, describe, expect, it, jest } from '@jest/globals'
import { assertNoLeak } from '../support/runner.js'
import { expectFailure, expectSuccess, vaultCalls } from '../support/steps.js'
import { useStandIn } from '../support/world.js'

jest.setTimeout(60_000)

const TENANT = '3c5e7a9b-2d4f-4a6c-8e0b-1f3a5c7e9b2d'
const APP = '7b9d1f3a-5c7e-4b9d-a1f3-5c7e9b1d3f5a'
const VAULT = 'expiry-kv'
const OTHER = 'other-expiry-kv'
const DAY_S = 86_400
const VALUE = 'Expiry-Test-V@lue-1'

const { s, step: run } = useStandIn({
  vault: { name: VAULT, tenantId: TENANT, clientId: APP, grants: ['get', 'list'] }
})
const nowS = (): number => Math.floor(Date.now() / 1000)
/** Unix seconds `days` from now (negative: ago), plus `extraS`. */
const fromNow = (days: number, extraS = 0): number => nowS() + days * DAY_S + extraS
/** `2027-01-31`: the UTC day of unix seconds. */
const dayOf = (seconds: number): string => new Date(seconds * 1000).toISOString().slice(0, 10)
const isoOf = (seconds: number): string => new Date(seconds * 1000).toISOString()
const expiryWarningsOf = (warnings: readonly string[]): string[] =>
  warnings.filter((warning) => /^Secret '[^']+' in vault '[^']+' expire[sd] on /.test(warning))

interface Info {
  readonly name: string
  readonly enabled?: boolean
  readonly contentType?: string
  readonly created?: string
  readonly updated?: string
  readonly expires?: string
  readonly notBefore?: string
  readonly tags?: Record<string, string>
  readonly managed?: boolean
}

describe('list with a filter, and secrets-info', () => {
  beforeEach(() => {
    const v = s.vault(VAULT)
    v.setSecret('team-a-db', 'a-db-value-1')
    v.setSecret('team-b-db', 'b-db-value-2', {
      contentType: 'text/plain',
      tags: { owner: 'team-b', env: 'prod' },
      nbf: fromNow(-10),
      exp: fromNow(365)
    })
    v.setSecret('Team-B-cache', 'b-cache-value-3', { enabled: false })
    v.setSecret('team-b-cert', 'b-cert-value-4', { certificate: true, contentType: 'application/x-pkcs12' })
    v.setSecret('team-c-api', 'c-api-value-5')
  })

  it('globs and names choose the secrets listed; names, count and secrets-info cover the matches only; no value is read', async () => {
    const r = await run({ operation: 'list', secrets: 'team-b-*\nteam-c-api' })
    expectSuccess(r)
    expect(JSON.parse(r.outputs.names ?? '')).toEqual(['Team-B-cache', 'team-b-cert', 'team-b-db', 'team-c-api'])
    expect(r.outputs.count).toBe('4')
    const info = JSON.parse(r.outputs['secrets-info'] ?? '') as Info[]
    expect(info.map((secret) => secret.name)).toEqual(['Team-B-cache', 'team-b-cert', 'team-b-db', 'team-c-api'])
    const db = info.find((secret) => secret.name === 'team-b-db')
    expect(db).toEqual({
      name: 'team-b-db',
      enabled: true,
      contentType: 'text/plain',
      created: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/),
      updated: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/),
      expires: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/),
      notBefore: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/),
      tags: { owner: 'team-b', env: 'prod' }
    })
    // Absent fields are left out, not null; `managed` only for the certificate-backed secret.
    expect(info.find((secret) => secret.name === 'team-c-api')).toEqual({
      name: 'team-c-api',
      enabled: true,
      created: expect.any(String),
      updated: expect.any(String)
    })
    expect(info.find((secret) => secret.name === 'Team-B-cache')?.enabled).toBe(false)
    expect(info.find((secret) => secret.name === 'team-b-cert')).toMatchObject({
      managed: true,
      contentType: 'application/x-pkcs12'
    })
    expect(info.filter((secret) => 'managed' in secret).map((secret) => secret.name)).toEqual(['team-b-cert'])
    expect(r.outputs['secrets-info']).not.toContain('value')
    // The listing only: no request reads a secret.
    expect(vaultCalls(s, 'GET').filter((call) => !call.startsWith('GET /secrets '))).toEqual([])
    expect(r.log.join('\n')).toContain(`Listed 4 secrets in vault '${VAULT}'.`)
    expect(r.summary).toContain('<th>Expires</th>')
    expect(r.summary).toContain('team-b-cert (certificate)')
    expect(r.summary).toContain('owner=team-b, env=prod')
    assertNoLeak(r, ['a-db-value-1', 'b-db-value-2', 'b-cache-value-3', 'b-cert-value-4', 'c-api-value-5'])
  })

  it('an exact name the vault does not hold is a warning; the matches are listed', async () => {
    const r = await run({ operation: 'list', secrets: 'team-a-db\nno-such-secret' })
    expectSuccess(r)
    expect(JSON.parse(r.outputs.names ?? '')).toEqual(['team-a-db'])
    expect(r.warnings).toContain(
      "Input 'secrets' names the secret 'no-such-secret', which the vault did not list. Check the name (a glob such as no-such-secret-* lists by pattern)."
    )
  })

  it('a glob that matches nothing: an empty listing, not an error', async () => {
    const r = await run({ operation: 'list', secrets: 'team-z-*' })
    expectSuccess(r)
    expect(r.outputs).toMatchObject({ names: '[]', count: '0', 'secrets-info': '[]' })
  })

  it.each([
    ['a version', 'team-b-db/0123456789abcdef0123456789abcdef'],
    ['an alias', 'DB=team-b-db'],
    ['a field', 'team-b-db#password'],
    ['a full identifier', `https://${OTHER}.vault.azure.net/secrets/team-b-*`]
  ])('%s in secrets is refused before any request', async (_, entry) => {
    const r = await run({ operation: 'list', secrets: entry })
    expectFailure(r, `Input 'secrets' has the entry '${entry}'`, "'operation: list' takes secret names and globs")
    expect(s.requests).toEqual([])
  })

  it('hostile tags and content type: in secrets-info as sent (JSON-escaped), in the summary escaped, one line, capped', async () => {
    s.vault(VAULT).setSecret('team-b-evil', 'evil-value-6', {
      contentType: '<img src=x onerror=alert(1)>',
      tags: {
        '<script>': '</td></tr></table><h1>Pwned</h1>',
        note: `line one\nline two ::error::forged ${'x'.repeat(300)}`
      }
    })
    const r = await run({ operation: 'list', secrets: 'team-b-evil' })
    expectSuccess(r)
    const [evil] = JSON.parse(r.outputs['secrets-info'] ?? '') as Info[]
    expect(evil?.contentType).toBe('<img src=x onerror=alert(1)>')
    expect(evil?.tags?.['<script>']).toBe('</td></tr></table><h1>Pwned</h1>')
    expect(r.summary).not.toContain('<img')
    expect(r.summary).not.toContain('<script>')
    expect(r.summary).not.toContain('<h1>')
    expect(r.summary).toContain('&lt;img src=x onerror=alert(1)&gt;')
    expect(r.summary).toContain('&lt;script&gt;=&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;h1&gt;Pwned&lt;/h1&gt;')
    expect(r.summary.match(/<\/table>/g)).toHaveLength(1)
    // A cell is one line of at most 200 characters; the forged command is text in a cell, never a command.
    expect(r.summary).not.toContain('x'.repeat(200))
    expect(r.summary).toContain('line one line two ::error::forged x')
    expect(r.summary).not.toMatch(/<td>[^<]*\n/)
    expect(r.errors).toEqual([])
    assertNoLeak(r, ['evil-value-6'])
  })
})

describe('expiry in get', () => {
  it('a secret that expires within the window (default 30d): a warning naming it and the day (UTC); output expiring; the summary says so', async () => {
    const exp = fromNow(10)
    s.vault(VAULT).setSecret('db-password', VALUE, { exp })
    s.vault(VAULT).setSecret('api-key', 'Api-Key-V@lue-2', { exp: fromNow(90) })
    s.vault(VAULT).setSecret('no-expiry', 'No-Expiry-V@lue-3')
    const r = await run({ secrets: 'db-password\napi-key\nno-expiry' })
    expectSuccess(r)
    expect(r.outputs).toMatchObject({ 'db-password': VALUE, 'api-key': 'Api-Key-V@lue-2' })
    expect(expiryWarningsOf(r.warnings)).toEqual([
      `Secret 'db-password' in vault '${VAULT}' expires on ${dayOf(exp)} (in 9 days; 'expiry-warning' is 30d). ` +
        `Extend it (az keyvault secret set-attributes --vault-name ${VAULT} --name db-password --expires <YYYY-MM-DDThh:mm:ssZ>) or store a new version.`
    ])
    expect(JSON.parse(r.outputs.expiring ?? '')).toEqual([{ name: 'db-password', expires: isoOf(exp) }])
    expect(r.summary).toContain('<th>Expires</th>')
    expect(r.summary).toContain(`${isoOf(exp)} (expires in 9 days)`)
    assertNoLeak(r, [VALUE, 'Api-Key-V@lue-2', 'No-Expiry-V@lue-3'])
  })

  it('the edge of the window: just inside warns, just past does not', async () => {
    const inside = fromNow(7, -120)
    s.vault(VAULT).setSecret('inside', 'Inside-V@lue-1', { exp: inside })
    s.vault(VAULT).setSecret('outside', 'Outside-V@lue-2', { exp: fromNow(7, 3600) })
    const r = await run({ secrets: 'inside\noutside', 'expiry-warning': '7d' })
    expectSuccess(r)
    expect(expiryWarningsOf(r.warnings).map((warning) => warning.split(' (')[0])).toEqual([
      `Secret 'inside' in vault '${VAULT}' expires on ${dayOf(inside)}`
    ])
    const expiring = JSON.parse(r.outputs.expiring ?? '') as { name: string }[]
    expect(expiring.map((notice) => notice.name)).toEqual(['inside'])
  })

  it('a secret the vault returns although it has expired: a warning, the value still exported', async () => {
    const exp = fromNow(-3, -60)
    s.vault(VAULT).setSecret('db-password', VALUE, { exp })
    const r = await run({ 'secret-name': 'db-password' })
    expectSuccess(r)
    expect(r.outputs.value).toBe(VALUE)
    expect(expiryWarningsOf(r.warnings)).toEqual([
      `Secret 'db-password' in vault '${VAULT}' expired on ${dayOf(exp)} (3 days ago). ` +
        'Key Vault returned it all the same, and may refuse to read it at any time (403 SecretExpired). ' +
        `Extend it (az keyvault secret set-attributes --vault-name ${VAULT} --name db-password --expires <YYYY-MM-DDThh:mm:ssZ>) or store a new version. ` +
        "'fail-on-expired: true' fails the step instead."
    ])
    expect(JSON.parse(r.outputs.expiring ?? '')).toEqual([{ name: 'db-password', expires: isoOf(exp) }])
    expect(r.summary).toContain(`${isoOf(exp)} (expired)`)
    assertNoLeak(r, [VALUE])
  })

  it('fail-on-expired: true fails the step before anything is exported (outputs, variables, files), naming the secret and the day', async () => {
    const exp = fromNow(-1, -60)
    s.vault(VAULT).setSecret('db-password', VALUE, { exp })
    s.vault(VAULT).setSecret('api-key', 'Api-Key-V@lue-2', { exp: fromNow(90) })
    const r = await run({
      secrets: 'db-password\napi-key',
      files: 'db.pass=db-password',
      'export-env': 'true',
      'fail-on-expired': 'true'
    })
    expectFailure(
      r,
      `Secret 'db-password' in vault '${VAULT}' expired on ${dayOf(exp)} ('fail-on-expired: true'), so the step failed and nothing was exported.`,
      `az keyvault secret set-attributes --vault-name ${VAULT} --name db-password --expires`
    )
    expect(r.summary).toBe('')
    assertNoLeak(r, [VALUE, 'Api-Key-V@lue-2'])
  })

  it('fail-on-expired: true with a secret only within the window: a warning, the step succeeds', async () => {
    s.vault(VAULT).setSecret('db-password', VALUE, { exp: fromNow(5) })
    const r = await run({ 'secret-name': 'db-password', 'fail-on-expired': 'true' })
    expectSuccess(r)
    expect(expiryWarningsOf(r.warnings)).toHaveLength(1)
  })

  it("expiry-warning: 0 turns the window's warning off (an expired secret is still warned about); nothing noticed, no output expiring", async () => {
    const gone = fromNow(-2)
    s.vault(VAULT).setSecret('soon', 'Soon-V@lue-1', { exp: fromNow(1) })
    s.vault(VAULT).setSecret('gone', 'Gone-V@lue-2', { exp: gone })
    const r = await run({ secrets: 'soon\ngone', 'expiry-warning': '0' })
    expectSuccess(r)
    expect(expiryWarningsOf(r.warnings).map((warning) => warning.split(' (')[0])).toEqual([
      `Secret 'gone' in vault '${VAULT}' expired on ${dayOf(gone)}`
    ])
    const quiet = await run({ 'secret-name': 'soon', 'expiry-warning': '0' })
    expectSuccess(quiet)
    expect(expiryWarningsOf(quiet.warnings)).toEqual([])
    expect('expiring' in quiet.outputs).toBe(false)
  })

  it('a glob and a file reading one expiring secret: noticed once', async () => {
    s.vault(VAULT).setSecret('app-one', 'App-One-V@lue-1', { exp: fromNow(3) })
    const r = await run({ secrets: 'app-*', files: 'one.txt=app-one' })
    expectSuccess(r)
    expect(expiryWarningsOf(r.warnings)).toHaveLength(1)
    expect(JSON.parse(r.outputs.expiring ?? '')).toHaveLength(1)
  })

  it('secrets of another vault are warned about with their vault', async () => {
    s.addVault({ name: OTHER, tenantId: TENANT, grants: { [APP]: ['get', 'list'] } })
    const exp = fromNow(2)
    s.vault(OTHER).setSecret('api-key', 'Other-Api-V@lue-1', { exp })
    s.vault(VAULT).setSecret('db-password', VALUE)
    const r = await run({ secrets: `db-password\nhttps://${OTHER}.vault.azure.net/secrets/api-key` })
    expectSuccess(r)
    expect(expiryWarningsOf(r.warnings).map((warning) => warning.split(' (')[0])).toEqual([
      `Secret 'api-key' in vault '${OTHER}' expires on ${dayOf(exp)}`
    ])
    expect(expiryWarningsOf(r.warnings)[0]).toContain(`--vault-name ${OTHER} --name api-key`)
  })
})

describe('Key Vault refuses an expired secret (403 SecretExpired)', () => {
  beforeEach(() => {
    s.reset()
    s.addVault({ name: VAULT, tenantId: TENANT, grants: { [APP]: ['get', 'list'] }, expiredSecrets: 'refused' })
    s.addOidcApp(TENANT, APP)
  })

  it('the failure names the secret and the day it expired (from its versions), and how to extend it; nothing exported', async () => {
    const exp = fromNow(-4, -60)
    s.vault(VAULT).setSecret('db-password', VALUE, { exp })
    s.vault(VAULT).setSecret('api-key', 'Api-Key-V@lue-2')
    const r = await run({ secrets: 'api-key\ndb-password' })
    expectFailure(
      r,
      `Secret 'db-password' in vault '${VAULT}' expired on ${dayOf(exp)}, and Key Vault refuses to read it (403 Forbidden, SecretExpired). ` +
        `Extend it (az keyvault secret set-attributes --vault-name ${VAULT} --name db-password --expires <YYYY-MM-DDThh:mm:ssZ>), ` +
        "or store a new version with a later expiry ('operation: set' with 'expires'). Nothing was exported."
    )
    expect(vaultCalls(s)).toEqual(expect.arrayContaining(['GET /secrets/db-password/ 403']))
    expect(vaultCalls(s).some((call) => call.startsWith('GET /secrets/db-password/versions '))).toBe(true)
    assertNoLeak(r, [VALUE, 'Api-Key-V@lue-2'])
  })

  it('an identity that may not list versions: the failure says the date is not known and where to find it', async () => {
    s.vault(VAULT).revoke(APP, 'list')
    s.vault(VAULT).setSecret('db-password', VALUE, { exp: fromNow(-4) })
    const r = await run({ 'secret-name': 'db-password' })
    expectFailure(
      r,
      `Secret 'db-password' in vault '${VAULT}' has expired (when is not known: the signed-in identity may not list the secret's versions; ` +
        `az keyvault secret list-versions --vault-name ${VAULT} --name db-password shows them)`,
      `az keyvault secret set-attributes --vault-name ${VAULT} --name db-password --expires`
    )
  })

  it('a set over an expired current version writes a new version', async () => {
    s.vault(VAULT).grant(APP, 'set')
    s.vault(VAULT).setSecret('db-password', 'Old-V@lue-1', { exp: fromNow(-4) })
    const r = await run({ operation: 'set', 'secret-name': 'db-password', 'secret-value': 'New-V@lue-2' })
    expectSuccess(r)
    expect(s.vault(VAULT).secrets.get('db-password')?.versions.at(-1)?.value).toBe('New-V@lue-2')
  })
})

describe('expiry in list', () => {
  it('the same window and default: expired and expiring enabled secrets warned about, a disabled one not; output expiring; Expires column', async () => {
    const soon = fromNow(20)
    const gone = fromNow(-1, -60)
    const v = s.vault(VAULT)
    v.setSecret('soon', 'v1', { exp: soon })
    v.setSecret('gone', 'v2', { exp: gone })
    v.setSecret('gone-off', 'v3', { exp: gone, enabled: false })
    v.setSecret('later', 'v4', { exp: fromNow(60) })
    const r = await run({ operation: 'list' })
    expectSuccess(r)
    expect(expiryWarningsOf(r.warnings).map((warning) => warning.split(' (')[0])).toEqual([
      `Secret 'gone' in vault '${VAULT}' expired on ${dayOf(gone)}`,
      `Secret 'soon' in vault '${VAULT}' expires on ${dayOf(soon)}`
    ])
    expect(expiryWarningsOf(r.warnings)[0]).toContain(
      'Key Vault may refuse to read it (403 SecretExpired), or still return it.'
    )
    expect(JSON.parse(r.outputs.expiring ?? '')).toEqual([
      { name: 'gone', expires: isoOf(gone) },
      { name: 'soon', expires: isoOf(soon) }
    ])
    expect(r.summary).toContain(`${isoOf(gone)} (expired)`)
    expect(r.summary).toContain(`${isoOf(soon)} (expires in 19 days)`)
  })

  it('fail-on-expired: true fails a list with an expired secret, with no outputs', async () => {
    const gone = fromNow(-1, -60)
    s.vault(VAULT).setSecret('gone', 'v2', { exp: gone })
    const r = await run({ operation: 'list', 'fail-on-expired': 'true' })
    expectFailure(r, `Secret 'gone' in vault '${VAULT}' expired on ${dayOf(gone)} ('fail-on-expired: true')`)
  })
})

describe('bad values are refused before any request', () => {
  it.each([
    ['expiry-warning', '30 days', "Input 'expiry-warning' has an invalid value '30 days'"],
    ['expiry-warning', '2027-01-31', 'that is a date, and this input takes a duration'],
    ['fail-on-expired', 'yes', "Input 'fail-on-expired' has an unknown value 'yes'. Accepted values: true, false."]
  ])('%s: %s', async (input, value, message) => {
    const r = await run({ 'secret-name': 'db-password', [input]: value })
    expectFailure(r, message)
    expect(s.requests).toEqual([])
  })
})
