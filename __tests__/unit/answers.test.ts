import { describe, expect, test } from '@jest/globals'
import {
  createHttpHeaders,
  createPipelineRequest,
  type PipelineRequest,
  type PipelineResponse
} from '@azure/core-rest-pipeline'
import { checkVaultAnswers, pinToVault, UntrustedAnswer } from '../../src/vault/answers.js'

const VAULT = 'https://contoso-kv.vault.azure.net'

const get = (url: string): PipelineRequest => createPipelineRequest({ url, method: 'GET' })

function answer(
  status: number,
  body?: string,
  headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' }
) {
  return async (request: PipelineRequest): Promise<PipelineResponse> => ({
    request,
    status,
    headers: createHttpHeaders(headers),
    bodyAsText: body
  })
}

async function refusal(promise: Promise<unknown>): Promise<UntrustedAnswer> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught
  )
  if (!(error instanceof UntrustedAnswer)) throw new Error(`expected an UntrustedAnswer, got ${String(error)}`)
  return error
}

describe('pinToVault', () => {
  test("requests to the vault's own origin pass, the default port written or not", async () => {
    const pin = pinToVault(VAULT)
    for (const url of [`${VAULT}/secrets/a/`, `${VAULT}:443/secrets?api-version=2025-07-01&$skiptoken=abc`]) {
      await expect(pin.sendRequest(get(url), answer(200, '{}'))).resolves.toMatchObject({ status: 200 })
    }
  })

  test.each([
    ['another host', 'https://kv.evil.test/secrets?api-version=1&$skiptoken=x', 'https://kv.evil.test'],
    ['another vault', 'https://other-kv.vault.azure.net/secrets', 'https://other-kv.vault.azure.net'],
    ['plain http', 'http://contoso-kv.vault.azure.net/secrets', 'http://contoso-kv.vault.azure.net'],
    ['another port', 'https://contoso-kv.vault.azure.net:8443/secrets', 'https://contoso-kv.vault.azure.net:8443'],
    ['credentials in the URL', 'https://user:pw@kv.evil.test/secrets', 'https://kv.evil.test']
  ])('a request to %s is refused before it is sent, naming only the origin', async (_, url, origin) => {
    let sent = false
    const error = await refusal(
      pinToVault(VAULT).sendRequest(get(url), async (request) => {
        sent = true
        return answer(200)(request)
      })
    )
    expect(error).toMatchObject({ kind: 'other-origin', detail: origin })
    expect(sent).toBe(false)
  })

  test('a listing page asked for a second time ends the listing at once', async () => {
    const pin = pinToVault(VAULT)
    const page = `${VAULT}:443/secrets?api-version=2025-07-01&$skiptoken=loop`
    await pin.sendRequest(get(page), answer(200, '{"value":[]}'))
    await expect(refusal(pin.sendRequest(get(page), answer(200, '{"value":[]}')))).resolves.toMatchObject({
      kind: 'paging-loop',
      detail: '/secrets'
    })
    // Reads of the same secret are not pages: they may repeat.
    await pin.sendRequest(get(`${VAULT}/secrets/a/`), answer(200, '{}'))
    await expect(pin.sendRequest(get(`${VAULT}/secrets/a/`), answer(200, '{}'))).resolves.toMatchObject({ status: 200 })
  })
})

describe('checkVaultAnswers', () => {
  const check = (request: PipelineRequest, respond: (request: PipelineRequest) => Promise<PipelineResponse>) =>
    checkVaultAnswers.sendRequest(request, respond)

  test('JSON answers and answers without a body pass; errors are left to the SDK', async () => {
    await expect(check(get(`${VAULT}/secrets/a/`), answer(200, '{"value":"x"}'))).resolves.toMatchObject({
      status: 200
    })
    await expect(check(get(`${VAULT}/secrets/a/`), answer(204))).resolves.toMatchObject({ status: 204 })
    await expect(
      check(get(`${VAULT}/secrets/a/`), answer(404, '<html>not found</html>', { 'content-type': 'text/html' }))
    ).resolves.toMatchObject({ status: 404 })
  })

  test('a redirect is refused, naming where it pointed (origin only)', async () => {
    const error = await refusal(
      check(get(`${VAULT}/secrets/a/`), answer(302, '', { location: 'https://login.evil.test/steal?token=abc' }))
    )
    expect(error).toMatchObject({ kind: 'redirect', detail: '302 to https://login.evil.test' })
  })

  test('an HTML page answering 200 is refused with its status, content type and size, never its text', async () => {
    const error = await refusal(
      check(
        get(`${VAULT}/secrets/a/`),
        answer(200, '<html>Sign in to the proxy</html>', { 'content-type': 'text/html; charset=utf-8' })
      )
    )
    expect(error).toMatchObject({
      kind: 'not-json',
      detail: '200, content type text/html; charset=utf-8, 33 characters'
    })
    expect(error.message).not.toContain('Sign in')
  })

  test('a body cut off mid-JSON is refused without quoting it (it can hold a value)', async () => {
    const error = await refusal(check(get(`${VAULT}/secrets/a/`), answer(200, '{"value":"S3cr3t-value-cut')))
    expect(error).toMatchObject({ kind: 'cut-off', detail: '200, 26 characters' })
    expect(error.message).not.toContain('S3cr3t')
  })

  test.each([
    ['no value', '{"nextLink":null}'],
    ['a value that is not a list', '{"value":{"a":1}}'],
    ['a nextLink that is not a string', '{"value":[],"nextLink":42}'],
    ['a list', '[]']
  ])('a listing answered with %s is refused', async (_, body) => {
    await expect(
      refusal(check(get(`${VAULT}/secrets?api-version=2025-07-01`), answer(200, body)))
    ).resolves.toMatchObject({ kind: 'not-a-listing' })
  })
})
