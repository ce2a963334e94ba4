import { describe, expect, test } from '@jest/globals'
import type { SecretClient, SecretProperties } from '@azure/keyvault-secrets'
import { readInputs } from '../../src/operations/inputs.js'
import type { InputsOf } from '../../src/operations/index.js'
import { list, secretInfo, type ListOutcome } from '../../src/operations/list.js'
import type { RunContext } from '../../src/operations/module.js'
import { isolateEnv, setInputs, thrownBy } from './helpers.js'
import { WriteRecord } from '../../src/writeRecord.js'

isolateEnv()

const VAULT_URL = 'https://contoso-kv.vault.azure.net'

/** A listing entry as the SDK makes it of the vault's answer. */
const listed = (name: string, more: Partial<SecretProperties> = {}): SecretProperties => ({
  name,
  vaultUrl: VAULT_URL,
  id: `${VAULT_URL}/secrets/${name}`,
  enabled: true,
  ...more
})

/** A client whose listing is `secrets`; any other call fails the test. */
const clientListing = (secrets: readonly SecretProperties[]): SecretClient =>
  ({
    listPropertiesOfSecrets: async function* () {
      yield* secrets
    }
  }) as unknown as SecretClient

const NOW = new Date('2026-06-01T12:00:00Z')

const context: RunContext = {
  clock: { remainingMs: () => 60_000, sleep: () => Promise.resolve() },
  now: () => NOW,
  written: new WriteRecord(),
  clientFor: () => {
    throw new Error('list reads one vault, through the client it is given')
  }
}

function listInputs(inputs: Record<string, string> = {}): InputsOf<'list'> {
  setInputs({ 'vault-name': 'contoso-kv', operation: 'list', ...inputs })
  return readInputs({}).inputs as InputsOf<'list'>
}

const runList = (secrets: readonly SecretProperties[], inputs: Record<string, string> = {}): Promise<ListOutcome> =>
  list.run(clientListing(secrets), listInputs(inputs), context)

describe('secrets-info: one object per secret', () => {
  test('every property, dates as ISO 8601 strings', () => {
    const { info, cut } = secretInfo(
      listed('db-password', {
        contentType: 'text/plain',
        createdOn: new Date('2026-01-02T03:04:05Z'),
        updatedOn: new Date('2026-02-03T04:05:06Z'),
        expiresOn: new Date('2027-01-31T00:00:00Z'),
        notBefore: new Date('2026-01-03T00:00:00Z'),
        tags: { owner: 'platform', env: 'prod' }
      })
    )
    expect(cut).toBe(false)
    expect(info).toEqual({
      name: 'db-password',
      enabled: true,
      contentType: 'text/plain',
      created: '2026-01-02T03:04:05.000Z',
      updated: '2026-02-03T04:05:06.000Z',
      expires: '2027-01-31T00:00:00.000Z',
      notBefore: '2026-01-03T00:00:00.000Z',
      tags: { owner: 'platform', env: 'prod' }
    })
  })

  test('a field the vault did not send is left out, not null or empty', () => {
    const { info } = secretInfo({ name: 'bare', vaultUrl: VAULT_URL })
    expect(info).toEqual({ name: 'bare' })
    expect(JSON.stringify(info)).toBe('{"name":"bare"}')
  })

  test('a certificate-backed secret has managed: true; a plain one has no managed at all', () => {
    expect(secretInfo(listed('site-cert', { managed: true })).info.managed).toBe(true)
    const plain = secretInfo(listed('plain', { managed: false })).info
    expect('managed' in plain).toBe(false)
  })

  test('a disabled secret says enabled: false', () => {
    expect(secretInfo(listed('off', { enabled: false })).info.enabled).toBe(false)
  })

  test('a tag named __proto__ is a tag like any other', () => {
    const tags = JSON.parse('{"__proto__": "x", "owner": "me"}') as Record<string, string>
    expect(JSON.stringify(secretInfo(listed('odd', { tags })).info.tags)).toBe('{"__proto__":"x","owner":"me"}')
  })
})

describe('secrets-info: what a hostile vault sends is bounded', () => {
  test('more than 15 tags: the first 15, and cut says so', () => {
    const tags = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`t${i}`, 'v']))
    const { info, cut } = secretInfo(listed('many', { tags }))
    expect(Object.keys(info.tags ?? {})).toHaveLength(15)
    expect(cut).toBe(true)
  })

  test('tag names and values longer than 256 characters, a content type longer than 255: cut to the limit', () => {
    const { info, cut } = secretInfo(
      listed('long', { tags: { ['k'.repeat(1000)]: 'v'.repeat(100_000) }, contentType: 'c'.repeat(10_000) })
    )
    const [[key = '', value = ''] = []] = Object.entries(info.tags ?? {})
    expect([key.length, value.length, info.contentType?.length]).toEqual([256, 256, 255])
    expect(value.endsWith('…')).toBe(true)
    expect(cut).toBe(true)
  })

  test('fields of the wrong type are left out', () => {
    const { info, cut } = secretInfo({
      name: 'wrong',
      vaultUrl: VAULT_URL,
      enabled: 'yes',
      contentType: { html: '<b>' },
      tags: { fine: 'ok', nested: { a: 1 }, list: ['x'] },
      expiresOn: new Date('soon'),
      createdOn: 0
    } as unknown as SecretProperties)
    expect(info).toEqual({ name: 'wrong', tags: { fine: 'ok' } })
    expect(cut).toBe(true)
  })

  test('tags that are not an object are left out', () => {
    expect(secretInfo(listed('t', { tags: 'owner=me' } as unknown as Partial<SecretProperties>)).info.tags).toBe(
      undefined
    )
  })

  test('markup and control characters stay as sent in the JSON (escaped by JSON itself); the summary escapes them', () => {
    const { info } = secretInfo(listed('x', { tags: { owner: '<img src=x>\u001b[31m\n::error::' } }))
    expect(JSON.stringify(info)).toContain('"owner":"<img src=x>\\u001b[31m\\n::error::"')
  })
})

describe('list with secrets: names and globs', () => {
  const vault = [
    listed('api-key'),
    listed('Team-B-db'),
    listed('team-b-cache', { enabled: false }),
    listed('team-c-db'),
    listed('site-cert', { managed: true })
  ]

  test('without secrets, every secret', async () => {
    expect((await runList(vault)).secrets.map((s) => s.name)).toEqual([
      'api-key',
      'Team-B-db',
      'team-b-cache',
      'team-c-db',
      'site-cert'
    ])
  })

  test('a glob matches names ignoring case, disabled and certificate-backed secrets included', async () => {
    const outcome = await runList(vault, { secrets: 'team-b-*\nsite-*' })
    expect(outcome.secrets.map((s) => s.name)).toEqual(['Team-B-db', 'team-b-cache', 'site-cert'])
    expect(outcome.unmatched).toEqual([])
  })

  test('exact names and globs, comma-separated; an exact name the vault did not list is noted', async () => {
    const outcome = await runList(vault, { secrets: 'API-KEY, team-?-db, no-such-secret' })
    expect(outcome.secrets.map((s) => s.name)).toEqual(['api-key', 'Team-B-db', 'team-c-db'])
    expect(outcome.unmatched).toEqual(['no-such-secret'])
  })

  test('names, count and secrets-info cover the matches only; an unmatched name is a warning', async () => {
    const inputs = listInputs({ secrets: 'team-b-*\nmissing' })
    const outcome = await list.run(clientListing(vault), inputs, context)
    const publication = list.decide(outcome, inputs, {})
    expect(publication.outputs).toMatchObject({
      names: '["Team-B-db","team-b-cache"]',
      count: '2',
      'secrets-info': '[{"name":"Team-B-db","enabled":true},{"name":"team-b-cache","enabled":false}]'
    })
    expect(publication.warnings).toEqual([
      "Input 'secrets' names the secret 'missing', which the vault did not list. Check the name (a glob such as missing-* lists by pattern)."
    ])
  })

  test('secrets beyond Key Vault limits: one warning naming them', async () => {
    const inputs = listInputs()
    const tags = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`t${i}`, 'v']))
    const outcome = await list.run(clientListing([listed('a', { tags }), listed('b', { tags })]), inputs, context)
    expect(list.decide(outcome, inputs, {}).warnings).toEqual([
      "The vault listed 2 secrets ('a', 'b') with properties Key Vault never sends (more than 15 tags, a tag or content type longer than it allows, or a field of the wrong type): " +
        "'secrets-info' and the job summary show them cut to Key Vault's limits."
    ])
  })

  test.each([
    ['an alias', 'DB=team-b-db'],
    ['a version', 'team-b-db/0123456789abcdef0123456789abcdef'],
    ['a field', 'team-b-db#password'],
    ['a full identifier', 'https://other-kv.vault.azure.net/secrets/team-b-*']
  ])('%s is refused before any request', (_, entry) => {
    expect(thrownBy(() => listInputs({ secrets: entry })).message).toBe(
      `Input 'secrets' has the entry '${entry}'; 'operation: list' takes secret names and globs of the step's vault only (no versions, aliases, fields or full identifiers).`
    )
  })

  test('a malformed entry is refused as for get', () => {
    expect(thrownBy(() => listInputs({ secrets: 'team_b' })).message).toMatch(
      /^Input 'secrets' has a malformed entry 'team_b'/
    )
  })

  test('secret-name is still refused with list, pointing to secrets', () => {
    expect(thrownBy(() => listInputs({ 'secret-name': 'db-password' })).message).toBe(
      "Input 'secret-name' is not used with 'operation: list', which lists every secret. Remove it, or give 'secrets' to list only the secrets it names (globs such as app-* too)."
    )
  })
})

describe('list: expiry, with a fixed now', () => {
  const DAY = 86_400_000
  const at = (ms: number): Date => new Date(NOW.getTime() + ms)
  const vault = [
    listed('soon', { expiresOn: at(10 * DAY) }),
    listed('edge', { expiresOn: at(30 * DAY) }),
    listed('later', { expiresOn: at(30 * DAY + 1000) }),
    listed('gone', { expiresOn: at(-2 * DAY) }),
    listed('gone-but-off', { enabled: false, expiresOn: at(-2 * DAY) }),
    listed('never')
  ]

  test('expired and within the window (the edge included) are warned about, soonest first; a disabled secret is not', async () => {
    const inputs = listInputs()
    const outcome = await list.run(clientListing(vault), inputs, context)
    const publication = list.decide(outcome, inputs, {})
    expect(JSON.parse(publication.outputs.expiring ?? '')).toEqual([
      { name: 'gone', expires: '2026-05-30T12:00:00.000Z' },
      { name: 'soon', expires: '2026-06-11T12:00:00.000Z' },
      { name: 'edge', expires: '2026-07-01T12:00:00.000Z' }
    ])
    expect(publication.warnings.map((warning) => warning.split(' (')[0])).toEqual([
      "Secret 'gone' in vault 'contoso-kv' expired on 2026-05-30",
      "Secret 'soon' in vault 'contoso-kv' expires on 2026-06-11",
      "Secret 'edge' in vault 'contoso-kv' expires on 2026-07-01"
    ])
    expect(publication.warnings[0]).toContain(
      'Key Vault may refuse to read it (403 SecretExpired), or still return it.'
    )
  })

  test('expiry-warning 0: only the expired one; nothing noticed: no expiring output at all', async () => {
    const inputs = listInputs({ 'expiry-warning': '0' })
    const outcome = await list.run(clientListing(vault), inputs, context)
    expect(outcome.expiry.map((notice) => notice.name)).toEqual(['gone'])
    const quiet = listInputs({ secrets: 'never\nlater' })
    const none = list.decide(await list.run(clientListing(vault), quiet, context), quiet, {})
    expect('expiring' in none.outputs).toBe(false)
    expect(none.warnings).toEqual([])
  })

  test('fail-on-expired: the step fails before any output, naming the expired secret', async () => {
    const inputs = listInputs({ 'fail-on-expired': 'true' })
    await expect(list.run(clientListing(vault), inputs, context)).rejects.toMatchObject({
      name: 'SecretsExpired',
      expired: [expect.objectContaining({ name: 'gone', vault: 'contoso-kv' })]
    })
  })

  test('the summary has an Expires column that says which have expired or expire soon', async () => {
    const inputs = listInputs({ secrets: 'gone\nsoon\nnever' })
    const outcome = await list.run(clientListing(vault), inputs, context)
    const rows = list.summary(outcome, list.decide(outcome, inputs, {}), { filePaths: {} }, inputs.vault)
    const expiresColumn = 5
    expect(rows[0]?.[expiresColumn]).toEqual({ data: 'Expires', header: true })
    expect(rows.slice(1).map((row) => [row[0], row[expiresColumn]])).toEqual([
      ['soon', '2026-06-11T12:00:00.000Z (expires in 10 days)'],
      ['gone', '2026-05-30T12:00:00.000Z (expired)'],
      ['never', 'never']
    ])
  })
})
