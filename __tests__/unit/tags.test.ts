/**
 * `match-tags`: the parser (src/inputs/tags.ts), the one test a secret's listed tags pass, and how
 * `get` (its globs, over any vault), `list` and `github-secrets` apply it. End to end through the
 * stand-in: __tests__/e2e/tags.test.ts.
 */
import { describe, expect, test } from '@jest/globals'
import type { SecretClient, SecretProperties } from '@azure/keyvault-secrets'
import { parseSecretsInput } from '../../src/inputs/entries.js'
import { parseSyncEntries, planSync } from '../../src/inputs/githubPlan.js'
import { carriesTags, parseMatchTags } from '../../src/inputs/tags.js'
import type { Vault } from '../../src/inputs/vault.js'
import { get } from '../../src/operations/get/index.js'
import { resolveTargets } from '../../src/operations/get/globs.js'
import type { InputsOf } from '../../src/operations/index.js'
import { readInputs } from '../../src/operations/inputs.js'
import { list } from '../../src/operations/list.js'
import type { RunContext } from '../../src/operations/module.js'
import { WriteRecord } from '../../src/writeRecord.js'
import { captureStdout, isolateEnv, setInputs, thrownBy, VAULT } from './helpers.js'

isolateEnv()
captureStdout() // readInputs registers masks on stdout

const listed = (name: string, tags?: unknown, more: Partial<SecretProperties> = {}): SecretProperties => ({
  name,
  vaultUrl: VAULT.url,
  id: `${VAULT.url}/secrets/${name}`,
  enabled: true,
  ...(tags !== undefined && { tags: tags as Record<string, string> }),
  ...more
})

/** A client whose listing is `secrets`; any other call fails the test. */
const clientListing = (secrets: readonly SecretProperties[]): SecretClient =>
  ({
    listPropertiesOfSecrets: async function* () {
      yield* secrets
    }
  }) as unknown as SecretClient

const context: RunContext = {
  clock: { remainingMs: () => 60_000, sleep: () => Promise.resolve() },
  now: () => new Date('2026-06-01T12:00:00Z'),
  written: new WriteRecord(),
  clientFor: () => {
    throw new Error('one vault')
  }
}

const Accepted =
  'Accepted: one tag a line: `key=value` (the tag with exactly that value; `key=` an empty one) or `key` alone (the tag with any value), ' +
  'keys and values of at most 256 characters, at most 15 lines (a secret carries at most 15 tags).'

describe('parseMatchTags', () => {
  test('key=value, key= (an empty value) and key alone (any value); blank lines and # lines skipped; spaces around a line and its first = dropped', () => {
    expect(parseMatchTags('env=prod\r\n\n# a comment\n  owner  \nreviewed=\n team = a=b # c, d ')).toEqual([
      { key: 'env', value: 'prod' },
      { key: 'owner' },
      { key: 'reviewed', value: '' },
      { key: 'team', value: 'a=b # c, d' }
    ])
  })

  test('keys and values are kept as written: case, inner spaces, any character but control ones', () => {
    expect(parseMatchTags('Cost Center=R&D <1>\n__proto__\nконтакт=команда 🔑')).toEqual([
      { key: 'Cost Center', value: 'R&D <1>' },
      { key: '__proto__' },
      { key: 'контакт', value: 'команда 🔑' }
    ])
  })

  test("Key Vault's limits: 256 characters a key and a value, 15 lines", () => {
    expect(parseMatchTags(`${'k'.repeat(256)}=${'v'.repeat(256)}`)).toHaveLength(1)
    expect(parseMatchTags(Array.from({ length: 15 }, (_, i) => `t${i}=v`).join('\n'))).toHaveLength(15)
  })

  test.each([
    ['no key', '=prod', "Input 'match-tags' has a malformed line '=prod': it has no key before =."],
    ['no key, spaces', '  = prod', "Input 'match-tags' has a malformed line '= prod': it has no key before =."],
    [
      'a control character, shown escaped',
      'env=prod\u0007',
      "Input 'match-tags' has a malformed line 'env=prod\\u0007': it has a control character."
    ],
    ['a tab inside', 'env\tx=1', "Input 'match-tags' has a malformed line 'env\\tx=1': it has a control character."],
    [
      'a value over 256 characters',
      `env=${'v'.repeat(257)}`,
      "it has a malformed line 'env=vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv...': Key Vault's tag keys and values are at most 256 characters."
    ],
    ['a key over 256 characters', 'k'.repeat(257), "Key Vault's tag keys and values are at most 256 characters."],
    [
      'a key twice',
      'env=prod\nowner\nenv=dev',
      "Input 'match-tags' has a malformed line 'env=dev': it names the key 'env' again; a secret has one value for each key."
    ]
  ])('%s is refused, saying what is accepted', (_, raw, message) => {
    const error = thrownBy(() => parseMatchTags(raw)).message
    expect(error).toContain(message.replace(/^it has/, 'has'))
    expect(error.endsWith(Accepted)).toBe(true)
  })

  test('keys differing in case are two keys, as they are compared exactly', () => {
    expect(parseMatchTags('env=prod\nEnv=prod')).toHaveLength(2)
  })

  test('16 lines: refused, since no secret carries more than 15 tags', () => {
    expect(thrownBy(() => parseMatchTags(Array.from({ length: 16 }, (_, i) => `t${i}`).join('\n'))).message).toBe(
      `Input 'match-tags' has 16 lines; a secret carries at most 15 tags, so no secret could match them all. ${Accepted}`
    )
  })
})

describe('carriesTags: every condition, compared exactly', () => {
  const filter = parseMatchTags('env=prod\nowner\nreviewed=')

  test('all present: a match; extra tags do not matter', () => {
    expect(carriesTags(filter, { env: 'prod', owner: 'team-b', reviewed: '', other: 'x' })).toBe(true)
    expect(carriesTags(filter, { env: 'prod', owner: '', reviewed: '' })).toBe(true)
  })

  test.each([
    ['a tag missing', { env: 'prod', reviewed: '' }],
    ['another value', { env: 'production', owner: 'x', reviewed: '' }],
    ['another case of the value', { env: 'Prod', owner: 'x', reviewed: '' }],
    ['another case of the key', { ENV: 'prod', owner: 'x', reviewed: '' }],
    ['a space more', { env: 'prod ', owner: 'x', reviewed: '' }],
    ['a non-empty value for key=', { env: 'prod', owner: 'x', reviewed: 'yes' }],
    ['no tags at all', undefined],
    ['tags that are not an object', 'env=prod'],
    ['tags as an array', ['env', 'prod']],
    ['a value that is not a string', { env: 'prod', owner: 1, reviewed: '' }],
    ['null', null]
  ])('%s: no match', (_, tags) => {
    expect(carriesTags(filter, tags)).toBe(false)
  })

  test('a key only inherited from Object.prototype is not present; an own __proto__ tag is', () => {
    expect(carriesTags(parseMatchTags('constructor'), {})).toBe(false)
    expect(carriesTags(parseMatchTags('toString'), { env: 'x' })).toBe(false)
    expect(carriesTags(parseMatchTags('__proto__=x'), JSON.parse('{"__proto__":"x"}'))).toBe(true)
  })
})

function inputsOf<K extends 'get' | 'list'>(operation: K, inputs: Record<string, string>): InputsOf<K> {
  setInputs({ 'vault-name': 'contoso-kv', operation, ...inputs })
  return readInputs({}).inputs as unknown as InputsOf<K>
}

describe('reading match-tags, before any request', () => {
  test('get and list read it; blank or only comments is no filter', () => {
    expect(inputsOf('get', { secrets: 'app-*', 'match-tags': 'env=prod' }).matchTags).toEqual([
      { key: 'env', value: 'prod' }
    ])
    expect(inputsOf('list', { 'match-tags': 'owner' }).matchTags).toEqual([{ key: 'owner' }])
    expect(inputsOf('get', { secrets: 'app-*', 'match-tags': '# env=prod' }).matchTags).toBeUndefined()
    expect(inputsOf('get', { secrets: 'app-*' }).matchTags).toBeUndefined()
  })

  test.each([
    ['secret-name', { 'secret-name': 'db-password' }],
    ['exact names in secrets', { secrets: 'db-password\nAPI=api-key' }],
    ['files alone', { files: 'db.txt=db-password' }]
  ])('get with no glob (%s): refused, since the filter would do nothing', (_, inputs) => {
    expect(thrownBy(() => inputsOf('get', { ...inputs, 'match-tags': 'env=prod' })).message).toBe(
      "Input 'match-tags' narrows what globs match, and this step has no glob: names written exactly are read whatever their tags. " +
        "Give a glob in 'secrets' (such as app-* or *), or remove 'match-tags'."
    )
  })

  test('list with exact names only: refused; without secrets it filters every secret', () => {
    expect(thrownBy(() => inputsOf('list', { secrets: 'api-key', 'match-tags': 'env=prod' })).message).toBe(
      "Input 'match-tags' narrows what globs match, and this step has no glob: names written exactly are listed whatever their tags. " +
        "Give a glob in 'secrets' (such as app-*), leave 'secrets' out to filter every secret, or remove 'match-tags'."
    )
  })

  test('a malformed line is refused before the missing glob is', () => {
    expect(thrownBy(() => inputsOf('get', { 'secret-name': 'db-password', 'match-tags': '=prod' })).message).toMatch(
      /^Input 'match-tags' has a malformed line '=prod'/
    )
  })

  test.each(['set', 'delete', 'recover', 'purge'])('with %s: refused as an input of get and list', (operation) => {
    setInputs({
      'vault-name': 'contoso-kv',
      operation,
      'secret-name': 'db-password',
      'secret-value': 'v',
      'match-tags': 'env=prod'
    })
    expect(thrownBy(() => readInputs({})).message).toBe(
      `Input 'match-tags' is only used with 'operation: get' or 'operation: list', not '${operation}'. Remove it.`
    )
  })
})

describe('get: globs match only tagged secrets; names written exactly are read whatever their tags', () => {
  const OTHER: Vault = { url: 'https://other-kv.vault.azure.net', name: 'other-kv', input: 'secrets' }
  const step = [
    listed('app-db', { env: 'prod' }),
    listed('app-cache', { env: 'dev' }),
    listed('app-api', { env: 'prod', owner: 'b' }),
    listed('app-old', { env: 'prod' }, { enabled: false }),
    listed('app-cert', { env: 'dev' }, { managed: true }),
    listed('app-site', { env: 'prod' }, { managed: true }),
    listed('app-none'),
    listed('db-password', { env: 'dev' })
  ]
  const other = [listed('feature-a', { env: 'prod' }), listed('feature-b', { env: 'test' })]
  const clientOf = (vault: Vault): SecretClient => clientListing(vault.url === OTHER.url ? other : step)

  test('each glob, in any vault, matches the enabled secrets that carry the tags; an exact name is read as named', async () => {
    const entries = parseSecretsInput(
      `app-*\ndb-password\nhttps://other-kv.vault.azure.net/secrets/feature-*\nAPP_CACHE=app-cache`
    )
    const { targets, certificatesSkipped, narrowing } = await resolveTargets(
      clientOf,
      entries,
      VAULT,
      parseMatchTags('env=prod')
    )
    expect(targets.map((target) => `${target.vault.name}/${target.alias ?? target.name}`)).toEqual([
      'contoso-kv/app-api',
      'contoso-kv/app-db',
      'contoso-kv/db-password',
      'other-kv/feature-a',
      'contoso-kv/APP_CACHE'
    ])
    // A certificate the tags left out is not reported as skipped: the glob did not match it.
    expect(certificatesSkipped).toEqual(['app-site'])
    // Plain enabled secrets the globs matched: app-db, app-cache, app-api, app-none, feature-a, feature-b.
    expect(narrowing).toEqual({ matched: 6, kept: 3 })
  })

  test('without match-tags: every enabled secret, and no count', async () => {
    const { targets, narrowing } = await resolveTargets(clientOf, parseSecretsInput('app-*'), VAULT)
    expect(targets.map((target) => target.name)).toEqual(['app-api', 'app-cache', 'app-db', 'app-none'])
    expect(narrowing).toBeUndefined()
  })

  test("the log says what the filter kept, in counts: never a tag's key or value", () => {
    const log = (narrowing: { matched: number; kept: number }): readonly string[] =>
      get.log(VAULT, {
        operation: 'get',
        secrets: [],
        files: [],
        missing: [],
        certificatesSkipped: [],
        invalidNames: [],
        expiry: [],
        narrowing
      })
    expect(log({ matched: 6, kept: 3 })).toEqual([
      "'match-tags' kept 3 of the 6 secrets the globs matched; the others lack a tag it names, or have another value."
    ])
    expect(log({ matched: 1, kept: 1 })).toEqual(["'match-tags' kept 1 of the 1 secret the globs matched."])
    expect(log({ matched: 0, kept: 0 })).toEqual(["'match-tags' had no secret to narrow: the globs matched none."])
  })

  test('github-secrets: a source only a glob brings, left out by match-tags, fails before any write, saying why', () => {
    const sources = [{ name: 'app-db', value: 'v' }]
    expect(planSync(parseSyncEntries(['APP_DB=app-db']), sources)).toHaveLength(1)
    expect(
      thrownBy(() =>
        planSync(
          parseSyncEntries(['CACHE=app-cache']),
          sources,
          [],
          "A glob reads only the secrets that carry the tags of 'match-tags'. "
        )
      ).message
    ).toBe(
      "Input 'github-secrets': the entry 'CACHE=app-cache' names 'app-cache', which is not a secret this step read or wrote. " +
        "A glob reads only the secrets that carry the tags of 'match-tags'. Name a secret of 'secret-name' or 'secrets' (by its name or alias)."
    )
  })
})

describe('list: names, count and secrets-info cover the matches only', () => {
  const vault = [
    listed('team-b-db', { owner: 'team-b', env: 'prod' }),
    listed('team-b-cache', { owner: 'team-b', env: 'dev' }, { enabled: false }),
    listed('team-b-cert', { owner: 'team-b', env: 'prod' }, { managed: true }),
    listed('team-c-db', { owner: 'team-c', env: 'prod' }),
    listed('shared-key')
  ]

  test('without secrets: every secret carrying the tags', async () => {
    const inputs = inputsOf('list', { 'match-tags': 'env=prod' })
    const outcome = await list.run(clientListing(vault), inputs, context)
    expect(outcome.secrets.map((secret) => secret.name)).toEqual(['team-b-db', 'team-b-cert', 'team-c-db'])
    expect(list.decide(outcome, inputs, {}).outputs).toMatchObject({
      names: '["team-b-db","team-b-cert","team-c-db"]',
      count: '3'
    })
    expect(list.log(VAULT, outcome)).toEqual([
      "Listed 3 secrets in vault 'contoso-kv'.",
      "'match-tags' kept 3 of the 5 secrets the vault listed; the others lack a tag it names, or have another value."
    ])
  })

  test('a glob is narrowed, disabled secrets included; an exact name is listed whatever its tags', async () => {
    const inputs = inputsOf('list', { secrets: 'team-b-*\nshared-key', 'match-tags': 'owner=team-b\nenv' })
    const outcome = await list.run(clientListing(vault), inputs, context)
    expect(outcome.secrets.map((secret) => secret.name)).toEqual([
      'team-b-db',
      'team-b-cache',
      'team-b-cert',
      'shared-key'
    ])
    expect(JSON.parse(list.decide(outcome, inputs, {}).outputs['secrets-info'] ?? '')).toHaveLength(4)
    expect(outcome.narrowing).toEqual({ matched: 3, kept: 3, wholeListing: false })
  })

  test('the tags a hostile vault sends are matched exactly, never trusted to be an object of strings', async () => {
    const hostile = [
      listed('h-array', ['env', 'prod']),
      listed('h-number', { env: 1 }),
      listed('h-long', { env: `prod${'x'.repeat(10_000)}` }),
      listed('h-many', Object.fromEntries([...Array.from({ length: 40 }, (_, i) => [`t${i}`, 'v']), ['env', 'prod']])),
      listed('h-ok', { env: 'prod' })
    ]
    const outcome = await list.run(clientListing(hostile), inputsOf('list', { 'match-tags': 'env=prod' }), context)
    expect(outcome.secrets.map((secret) => secret.name)).toEqual(['h-many', 'h-ok'])
  })
})
