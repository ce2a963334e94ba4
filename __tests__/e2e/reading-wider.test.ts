/**
 * End-to-end: reading wider - secrets of several vaults in one step by their full identifiers (one
 * sign-in, one token request), and one field of a JSON secret. The committed action against the
 * stand-in, through the real SDK, over HTTPS.
 */
import { describe, expect, it, jest } from '@jest/globals'
import { readFileSync, rmSync } from 'node:fs'
import { dirname } from 'node:path'
import { assertNoLeak } from '../support/runner.js'
import { expectFailure, expectSuccess } from '../support/steps.js'
import { useStandIn } from '../support/world.js'

jest.setTimeout(60_000)

const TENANT = '5e4d3c2b-1a09-4f8e-9d7c-6b5a4f3e2d1c'
const APP = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d'
const MAIN = 'main-kv'
const OTHER = 'other-kv'
const DB_PASSWORD = 'Main-Vault-P@ss-1'
const API_KEY = 'Other-Vault-Key-2'
const CONFIG = JSON.stringify({
  password: 'Js0n-Field-P@ss',
  conn: { host: 'db.internal', port: 5432 },
  hosts: ['h1', 'h2']
})

const { s, step: run } = useStandIn({
  vault: {
    name: MAIN,
    tenantId: TENANT,
    clientId: APP,
    grants: ['get', 'list'],
    secrets: { 'db-password': DB_PASSWORD, 'db-config': CONFIG }
  },
  seed: (s) => {
    const other = s.addVault({ name: OTHER, tenantId: TENANT, grants: { [APP]: ['get', 'list'] } })
    other.setSecret('api-key', API_KEY)
    other.setSecret('db-password', 'Other-Vault-Same-Name-3')
  }
})
const tokenRequests = (): number => s.requestsTo('entra', 'POST').length

describe('several vaults in one step', () => {
  it('a plain name from the step vault and a full identifier from another: both read, one token request in all; the log and summary name each vault', async () => {
    const r = await run({ secrets: `db-password\nKEY=https://${OTHER}.vault.azure.net/secrets/api-key` })
    expectSuccess(r)
    expect(r.outputs).toMatchObject({ 'db-password': DB_PASSWORD, KEY: API_KEY })
    expect(tokenRequests()).toBe(1)
    // Each vault answers its own challenge (an unauthenticated first request), then the reads.
    expect(s.requestsTo('vault').map((req) => `${req.host} ${req.status}`)).toEqual(
      expect.arrayContaining([
        `${MAIN}.vault.azure.net 401`,
        `${OTHER}.vault.azure.net 401`,
        `${MAIN}.vault.azure.net 200`,
        `${OTHER}.vault.azure.net 200`
      ])
    )
    expect(r.log.join('\n')).toContain(`Read secret 'api-key' (version `)
    expect(r.log.join('\n')).toContain(`from vault '${OTHER}'.`)
    expect(r.summary).toContain(`<th>Vault</th>`)
    expect(r.summary).toContain(OTHER)
    assertNoLeak(r, [DB_PASSWORD, API_KEY])
  })

  it('without vault-name when every secret is a full identifier; a glob over another vault lists that vault', async () => {
    s.vault(OTHER).setSecret('app-one', 'A1-value-xyz')
    s.vault(OTHER).setSecret('app-two', 'A2-value-xyz')
    const r = await run({ 'vault-name': '', secrets: `https://${OTHER}.vault.azure.net/secrets/app-*` })
    expectSuccess(r)
    expect(r.outputs).toMatchObject({ 'app-one': 'A1-value-xyz', 'app-two': 'A2-value-xyz' })
    expect(s.requestsTo('vault').every((req) => req.host === `${OTHER}.vault.azure.net`)).toBe(true)
  })

  it('files from another vault', async () => {
    const r = await run({
      'secret-name': 'db-password',
      files: `key.txt=https://${OTHER}.vault.azure.net/secrets/api-key`
    })
    expectSuccess(r)
    const paths = JSON.parse(r.outputs.files ?? '{}') as Record<string, string>
    expect(Object.values(paths)).toHaveLength(1)
  })

  it('the same name in two vaults without an alias: an error asking for one, before any request', async () => {
    const r = await run({ secrets: `db-password\nhttps://${OTHER}.vault.azure.net/secrets/db-password` })
    expectFailure(r, "would both be the output 'db-password'. Give one of them an alias")
    expect(s.requests).toEqual([])
  })

  it.each([
    [
      'a host that is not a vault',
      'https://attacker.example/secrets/api-key',
      "is not a vault of 'environment: AzureCloud'"
    ],
    [
      'a vault of another cloud',
      'https://cn-kv.vault.azure.cn/secrets/api-key',
      "is not a vault of 'environment: AzureCloud'"
    ],
    ['a look-alike host', `https://${OTHER}.vault.azure.net.attacker.example/secrets/api-key`, 'is not a vault'],
    [
      'credentials',
      `https://u:Pa55word-in-url@${OTHER}.vault.azure.net/secrets/api-key`,
      'a URL in it has a user or password'
    ],
    ['a query', `https://${OTHER}.vault.azure.net/secrets/api-key?x=1`, 'no query or fragment'],
    ['another path', `https://${OTHER}.vault.azure.net/keys/api-key`, 'the path of a secret identifier']
  ])('%s is refused with zero requests', async (_, entry, message) => {
    const r = await run({ secrets: entry })
    expectFailure(r, "Input 'secrets' has a malformed entry", message)
    expect(s.requests).toEqual([])
    assertNoLeak(r, ['Pa55word-in-url'])
  })

  it('a plain name without vault-name is refused before any request', async () => {
    const r = await run({ 'vault-name': '', secrets: `db-password\nhttps://${OTHER}.vault.azure.net/secrets/api-key` })
    expectFailure(r, "Input 'vault-name' is required", 'or name every secret by its full identifier')
    expect(s.requests).toEqual([])
  })

  it('a refusal from the other vault names that vault', async () => {
    s.vault(OTHER).revoke(APP, 'get')
    const r = await run({ secrets: `db-password\nhttps://${OTHER}.vault.azure.net/secrets/api-key` })
    expectFailure(r, `'${OTHER}'`)
  })
})

describe('one field of a JSON secret', () => {
  it('outputs, variables and files get the field alone, masked; named as parse-json names leaves', async () => {
    const r = await run(
      {
        secrets: 'DB_PASS=db-config#password\ndb-config#conn.host\ndb-config#hosts.1',
        files: 'db.pass=db-config#password',
        'export-env': 'true'
      },
      { keepWorkDir: true }
    )
    expectSuccess(r)
    expect(r.outputs).toMatchObject({
      DB_PASS: 'Js0n-Field-P@ss',
      'db-config_conn_host': 'db.internal',
      'db-config_hosts_1': 'h2'
    })
    expect(r.env).toMatchObject({
      DB_PASS: 'Js0n-Field-P@ss',
      DB_CONFIG_CONN_HOST: 'db.internal',
      DB_CONFIG_HOSTS_1: 'h2'
    })
    const path = (JSON.parse(r.outputs.files ?? '{}') as Record<string, string>)['db.pass=db-config#password'] ?? ''
    expect(readFileSync(path, 'utf8')).toBe('Js0n-Field-P@ss')
    expect(Object.values(r.outputs)).not.toContain(CONFIG)
    expect(r.log.join('\n')).toContain("Read field 'password' of secret 'db-config'")
    assertNoLeak(r, ['Js0n-Field-P@ss', CONFIG])
    rmSync(dirname(r.workDir), { recursive: true, force: true })
  })

  it.each([
    ['a field that is not there', 'db-config#user', "secret 'db-config' has no field 'user'"],
    ['a field that is an object', 'db-config#conn', "the field 'conn' of secret 'db-config' is an object, not a value"],
    ['a value that is not JSON', 'db-password#x', "secret 'db-password' is not JSON"]
  ])('%s: one error naming the entry and the path, nothing exported', async (_, entry, message) => {
    const r = await run({ secrets: entry })
    expectFailure(r, `entry '${entry}'`, message)
    assertNoLeak(r, [DB_PASSWORD, CONFIG])
  })
})
