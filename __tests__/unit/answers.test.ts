import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import { createGzip, gzipSync } from 'node:zlib'
import {
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineRequest,
  type PipelineRequest,
  type PipelineResponse
} from '@azure/core-rest-pipeline'
import { checkVaultAnswers, MaxAnswerBytes, pinToVault, readWithin, UntrustedAnswer } from '../../src/vault/answers.js'

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

/**
 * readWithin against the real transport of @azure/core-rest-pipeline (Node's HTTP client, which
 * inflates gzip) and a local server: the bound counts inflated bytes, an endless answer is cut off
 * at the bound (the connection closed, not read to its end), and the request is left as found.
 */
describe('against the real transport and a local server', () => {
  class TooLarge extends Error {}
  const tooLarge = (): Error => new TooLarge('too large')

  /** What the server answers next, and what it saw of the last answer. */
  let serve: (res: http.ServerResponse) => void = (res) => res.end()
  let server: http.Server
  let base: string

  beforeAll(async () => {
    server = http.createServer((_req, res) => serve(res))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })

  const transport = createDefaultHttpClient()
  /** As the pipeline's decompress policy asks: gzip and deflate. */
  const request = (path = '/secrets/a'): PipelineRequest =>
    createPipelineRequest({
      url: `${base}${path}`,
      method: 'GET',
      allowInsecureConnection: true,
      headers: createHttpHeaders({ 'accept-encoding': 'gzip,deflate' })
    })
  const send = (req: PipelineRequest, limit: number) =>
    readWithin(req, (r) => transport.sendRequest(r), limit, tooLarge)

  const gzipped = (body: Buffer | string) => (res: http.ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' })
    res.end(gzipSync(body))
  }

  describe('readWithin', () => {
    test('the bound counts bytes after decompression: exactly the limit passes, one byte more is refused', async () => {
      const limit = 100_000
      serve = gzipped(Buffer.alloc(limit, 0x61))
      const response = await send(request(), limit)
      expect(response.bodyAsText).toHaveLength(limit)
      expect(response.readableStreamBody).toBeUndefined()
      serve = gzipped(Buffer.alloc(limit + 1, 0x61))
      await expect(send(request(), limit)).rejects.toBeInstanceOf(TooLarge)
    })

    test('an endless gzip answer is refused at the bound and its connection closed, not read to the end', async () => {
      let sent = 0
      let closed!: () => void
      const serverSawClose = new Promise<void>((resolve) => (closed = resolve))
      serve = (res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' })
        const zeros = new Readable({ read: () => void zeros.push(Buffer.alloc(64 * 1024)) })
        const gzip = createGzip()
        gzip.on('data', (chunk: Buffer) => (sent += chunk.length))
        res.on('close', () => {
          zeros.destroy()
          gzip.destroy()
          closed()
        })
        zeros.pipe(gzip).pipe(res)
      }
      await expect(send(request(), MaxAnswerBytes.secret)).rejects.toBeInstanceOf(TooLarge)
      await serverSawClose
      // 1 MiB of gzip inflates to about 1 GiB: the client stopped long before.
      expect(sent).toBeLessThan(1024 * 1024)
    })

    test('the request is left as it was found: no stream asked for, its own abort signal', async () => {
      serve = gzipped('{}')
      const req = request()
      const signal = new AbortController().signal
      req.abortSignal = signal
      const before = req.streamResponseStatusCodes
      await send(req, 10)
      expect(req.streamResponseStatusCodes).toBe(before)
      expect(req.abortSignal).toBe(signal)
    })

    test("an abort while the body arrives rejects with the signal's reason", async () => {
      const controller = new AbortController()
      serve = (res) => {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.write('{"value":"')
        setTimeout(() => controller.abort(new Error('the deadline')), 50)
      }
      const req = request()
      req.abortSignal = controller.signal
      await expect(send(req, 1000)).rejects.toThrow('the deadline')
    })

    test('a transport that buffers anyway has its text measured before anything reads it', async () => {
      const buffering = async (req: PipelineRequest) => ({
        request: req,
        status: 200,
        headers: createHttpHeaders({ 'content-type': 'application/json' }),
        bodyAsText: 'x'.repeat(11)
      })
      await expect(readWithin(request(), buffering, 10, tooLarge)).rejects.toBeInstanceOf(TooLarge)
      await expect(readWithin(request(), buffering, 11, tooLarge)).resolves.toMatchObject({ status: 200 })
    })
  })

  describe('checkVaultAnswers bounds', () => {
    const check = (path: string, body: string) => {
      serve = gzipped(body)
      return checkVaultAnswers.sendRequest(request(path), (r) => transport.sendRequest(r))
    }
    const over = (bytes: number): string => JSON.stringify({ value: 'v'.repeat(bytes) })

    test('a secret answer above 256 KiB is refused as too-large, naming the bound', async () => {
      await expect(check('/secrets/a', over(MaxAnswerBytes.secret))).rejects.toMatchObject({
        kind: 'too-large',
        detail: '262144'
      })
      await expect(check('/secrets/a', over(MaxAnswerBytes.secret - 20))).resolves.toMatchObject({ status: 200 })
    })

    test('a listing page may be up to 2 MiB, and no more', async () => {
      const page = (bytes: number): string => JSON.stringify({ value: [], nextLink: null, pad: 'p'.repeat(bytes) })
      await expect(check('/secrets', page(MaxAnswerBytes.secret * 4))).resolves.toMatchObject({ status: 200 })
      const error: unknown = await check('/secrets', page(MaxAnswerBytes.page)).catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(UntrustedAnswer)
      expect(error).toMatchObject({ kind: 'too-large', detail: '2097152' })
    })
  })
})
