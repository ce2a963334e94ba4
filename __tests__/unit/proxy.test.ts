import { describe, expect, test } from '@jest/globals'
import {
  createHttpHeaders,
  createPipelineRequest,
  type PipelineRequest,
  type PipelineResponse
} from '@azure/core-rest-pipeline'
import { ProxyRefusedError, proxyRefusalPolicy, vaultProxy } from '../../src/vault/proxy.js'

const VAULT = 'https://contoso-kv.vault.azure.net'

describe('vaultProxy: the proxy the Azure SDK sends vault requests through, read as its proxy policy reads it', () => {
  test('none without proxy variables', () => {
    expect(vaultProxy(VAULT, {})).toBeUndefined()
    expect(vaultProxy(VAULT, { HTTPS_PROXY: '' })).toBeUndefined()
  })

  test.each([
    [{ HTTPS_PROXY: 'http://a:1' }, 'http://a:1', 'HTTPS_PROXY'],
    [{ https_proxy: 'http://a:1' }, 'http://a:1', 'https_proxy'],
    // Upper case first, as the Azure SDK reads them (the runner's own tools prefer lower case).
    [{ https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2' }, 'http://upper:2', 'HTTPS_PROXY'],
    [{ HTTPS_PROXY: '', https_proxy: 'http://lower:1' }, 'http://lower:1', 'https_proxy'],
    [{ ALL_PROXY: 'http://all:1', HTTP_PROXY: 'http://http:2' }, 'http://all:1', 'ALL_PROXY'],
    // HTTP_PROXY serves https URLs too.
    [{ HTTP_PROXY: 'http://http:2' }, 'http://http:2', 'HTTP_PROXY'],
    [{ HTTPS_PROXY: 'http://a:1', HTTP_PROXY: 'http://b:2' }, 'http://a:1', 'HTTPS_PROXY']
  ])('%j -> %s from %s', (env, url, variable) => {
    expect(vaultProxy(VAULT, env)).toEqual({ url, variable })
  })

  test('a user name and password in the proxy URL are never repeated', () => {
    expect(vaultProxy(VAULT, { HTTPS_PROXY: 'http://me:s3cret@proxy.corp:3128/' })).toEqual({
      url: 'http://proxy.corp:3128',
      variable: 'HTTPS_PROXY'
    })
    expect(JSON.stringify(vaultProxy(VAULT, { HTTPS_PROXY: '127.0.0.1:s3cret' }))).not.toContain('s3cret')
  })

  test.each(['127.0.0.1:3128', 'proxy.corp:3128', 'socks5://proxy.corp:1080'])(
    '%s, no http:// or https:// URL, is in use but has no url to show',
    (value) => {
      expect(vaultProxy(VAULT, { HTTPS_PROXY: value })).toEqual({ variable: 'HTTPS_PROXY' })
    }
  )

  test.each([
    ['.vault.azure.net', true],
    ['contoso-kv.vault.azure.net', true],
    ['other.example.com, contoso-kv.vault.azure.net', true],
    ['.contoso-kv.vault.azure.net', true],
    // Without the leading dot an entry is one host name only (unlike @actions/http-client).
    ['vault.azure.net', false],
    ['contoso-kv.vault.azure.net:443', false],
    ['*', false],
    ['', false]
  ])('NO_PROXY=%j bypasses the proxy: %s', (noProxy, bypassed) => {
    const found = vaultProxy(VAULT, { HTTPS_PROXY: 'http://a:1', NO_PROXY: noProxy })
    expect(found === undefined).toBe(bypassed)
  })

  test('lower-case no_proxy counts when NO_PROXY is unset', () => {
    expect(vaultProxy(VAULT, { https_proxy: 'http://a:1', no_proxy: '.vault.azure.net' })).toBeUndefined()
  })
})

describe('proxyRefusalPolicy', () => {
  const proxy = { url: 'http://proxy.corp:3128', variable: 'HTTPS_PROXY' }
  const request: PipelineRequest = createPipelineRequest({ url: `${VAULT}/secrets/db-password` })
  const answer =
    (status: number, headers: Record<string, string> = {}) =>
    async (req: PipelineRequest): Promise<PipelineResponse> => ({
      request: req,
      status,
      headers: createHttpHeaders(headers)
    })

  test("a failed answer without Key Vault's x-ms-request-id is the proxy's", async () => {
    const sent = proxyRefusalPolicy(proxy).sendRequest(request, answer(404))
    await expect(sent).rejects.toBeInstanceOf(ProxyRefusedError)
    await expect(sent).rejects.toMatchObject({ host: 'contoso-kv.vault.azure.net', status: 404, proxy })
  })

  test("Key Vault's own answers pass, failed or not", async () => {
    const policy = proxyRefusalPolicy(proxy)
    await expect(policy.sendRequest(request, answer(404, { 'x-ms-request-id': 'r' }))).resolves.toMatchObject({
      status: 404
    })
    await expect(policy.sendRequest(request, answer(401, { 'x-ms-request-id': 'r' }))).resolves.toMatchObject({
      status: 401
    })
    await expect(policy.sendRequest(request, answer(200))).resolves.toMatchObject({ status: 200 })
  })
})
