/**
 * End-to-end: answers larger than Key Vault can send. Key Vault holds a value of at most 25 KiB
 * and sends at most 25 items a page (src/vault/answers.ts derives the bounds), so a larger body
 * comes from whoever else answers for the vault: a compromised vault front, a proxy. A gzip body
 * of a few KiB can inflate to megabytes (or gigabytes): the bound counts the bytes after
 * decompression, and the answer is refused before the SDK parses it or the step uses it.
 */
import { gzipSync } from 'node:zlib'
import { describe, expect, it, jest } from '@jest/globals'
import { assertNoLeak } from '../support/runner.js'
import type { FaultRequest } from '../support/standin/index.js'
import { expectFailure, expectSuccess } from '../support/steps.js'
import { useStandIn } from '../support/world.js'

jest.setTimeout(60_000)

const TENANT = '5d3c1b2a-7e6f-4a8b-9c0d-1e2f3a4b5c6d'
const APP = '6e4d2c3b-8f7a-4b9c-8d1e-2f3a4b5c6d7e'
const VAULT = 'sizes-kv'
const VALUE = 'Sm4ll-And-Real-Value!'
const HOST = `${VAULT}.vault.azure.net`

const { s, step: run } = useStandIn({
  vault: { name: VAULT, tenantId: TENANT, clientId: APP, grants: ['get', 'list'], secrets: { 'db-password': VALUE } }
})
const authorized = (request: FaultRequest): boolean => request.headers.authorization !== undefined
const readOf = (request: FaultRequest): boolean =>
  request.host === HOST && request.path.startsWith('/secrets/db-password') && authorized(request)
const firstListPage = (request: FaultRequest): boolean =>
  request.host === HOST && request.path === '/secrets' && authorized(request)
const gzipJson = { 'content-type': 'application/json; charset=utf-8', 'content-encoding': 'gzip' }
const MiB = 1024 * 1024

/** A secret as Key Vault answers a read of it, with the given value and metadata. */
const bundle = (value: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  value,
  id: `https://${HOST}/secrets/db-password/0123456789abcdef0123456789abcdef`,
  attributes: { enabled: true, created: 1_700_000_000, updated: 1_700_000_000, recoveryLevel: 'Recoverable' },
  ...extra
})

/** Every character a control character, which JSON writes as \uXXXX: six bytes each, the most a character takes. */
const escaped = (length: number, code: number): string => String.fromCharCode(code).repeat(length)

/** The most metadata Key Vault keeps: 15 tags (512-character names, 256-character values) and a 255-character content type. */
const fullMetadata = (item: number): Record<string, unknown> => ({
  contentType: escaped(255, 1),
  tags: Object.fromEntries(
    Array.from({ length: 15 }, (_, tag) => [`${item}-${tag}-${escaped(500, 2)}`, escaped(256, 3)])
  )
})

describe('an answer larger than Key Vault sends is refused, counted after decompression', () => {
  it('a gzip read answer of a few KiB that inflates to 8 MiB: the step fails naming the vault and the bound; nothing is exported', async () => {
    const bomb = gzipSync(JSON.stringify(bundle('A'.repeat(8 * MiB))))
    expect(bomb.length).toBeLessThan(16 * 1024)
    s.faults.push({ match: readOf, status: 200, headers: gzipJson, body: bomb })
    const r = await run({ secrets: 'db-password', 'export-env': 'true' })
    const error = expectFailure(
      r,
      `Key Vault '${VAULT}' answered with more than 262144 bytes (counted after decompression), more than Key Vault ever sends`
    )
    expect(error).not.toContain('AAAA')
    expect(r.stdout.length).toBeLessThan(100_000)
    expect(r.masks.some((mask) => mask.includes('AAAA'))).toBe(false)
  })

  it('a gzip listing page that inflates to 8 MiB: list fails naming the vault and the bound', async () => {
    const page = { value: [{ id: `https://${HOST}/secrets/big`, tags: { t: 'x'.repeat(8 * MiB) } }], nextLink: null }
    s.faults.push({ match: firstListPage, status: 200, headers: gzipJson, body: gzipSync(JSON.stringify(page)) })
    const r = await run({ operation: 'list' })
    expectFailure(
      r,
      `Key Vault '${VAULT}' answered with more than 2097152 bytes (counted after decompression), more than Key Vault ever sends`
    )
  })

  it('an uncompressed read answer of 300 KiB is refused the same way, its text never shown', async () => {
    s.faults.push({
      match: readOf,
      status: 200,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(bundle(`${VALUE}-${'B'.repeat(300 * 1024)}`))
    })
    const r = await run({ 'secret-name': 'db-password' }, { debug: true })
    expectFailure(r, `Key Vault '${VAULT}' answered with more than 262144 bytes`)
    assertNoLeak(r, [VALUE])
  })
})

describe('the largest answers Key Vault can send still pass', () => {
  it('a 25 KiB value, 15 full tags and a full content type, every character escaped, compressed: read and handed on', async () => {
    const value = escaped(25 * 1024, 1)
    const body = JSON.stringify(bundle(value, fullMetadata(0)))
    expect(Buffer.byteLength(body)).toBeGreaterThan(200 * 1024)
    s.faults.push({ match: readOf, status: 200, headers: gzipJson, body: gzipSync(body) })
    const r = await run({ 'secret-name': 'db-password' })
    expectSuccess(r)
    expect(r.outputs.value).toBe(value)
  })

  it('a page of 25 items, each with 15 full tags and a full content type, every character escaped: listed', async () => {
    const page = {
      value: Array.from({ length: 25 }, (_, item) => ({
        id: `https://${HOST}/secrets/item-${item}`,
        attributes: { enabled: true, created: 1_700_000_000, updated: 1_700_000_000 },
        ...fullMetadata(item)
      })),
      nextLink: null
    }
    const body = JSON.stringify(page)
    expect(Buffer.byteLength(body)).toBeGreaterThan(1.5 * MiB)
    s.faults.push({ match: firstListPage, status: 200, headers: gzipJson, body: gzipSync(body) })
    const r = await run({ operation: 'list' })
    expectSuccess(r)
    expect(JSON.parse(r.outputs.names ?? '[]')).toHaveLength(25)
  })
})

describe('Microsoft Entra ID answers are bounded the same way', () => {
  const tokenRequest = (request: FaultRequest): boolean =>
    request.service === 'entra' && request.method === 'POST' && request.path.endsWith('/oauth2/v2.0/token')

  it('a gzip token answer that inflates to 8 MiB: the sign-in fails naming Entra ID and the bound, before any secret is read', async () => {
    const token = { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: 'e'.repeat(8 * MiB) }
    s.faults.push({ match: tokenRequest, status: 200, headers: gzipJson, body: gzipSync(JSON.stringify(token)) })
    const r = await run({ secrets: 'db-password', 'export-env': 'true' })
    expectFailure(
      r,
      'Microsoft Entra ID (login.microsoftonline.com) answered with more than 1048576 bytes (counted after decompression), more than it sends for a sign-in',
      'the step did not sign in'
    )
    // The challenge, then nothing: no token, real or inflated, went to the vault.
    expect(s.requestsTo('vault').map((request) => request.status)).toEqual([401])
  })
})
