/**
 * readWithin against the real transport of @azure/core-rest-pipeline (Node's HTTP client, which
 * inflates gzip) and a local server: the bound counts inflated bytes, an endless answer is cut
 * off at the bound (the connection closed, not read to its end), and the request is left as found.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import { createGzip, gzipSync } from 'node:zlib'
import {
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineRequest,
  type PipelineRequest
} from '@azure/core-rest-pipeline'
import { checkVaultAnswers, MaxAnswerBytes, readWithin, UntrustedAnswer } from '../../src/vault/answers.js'

class TooLarge extends Error {}
const tooLarge = (): Error => new TooLarge('too large')

/** What the server answers next, and what it saw of the last answer. */
let answer: (res: http.ServerResponse) => void = (res) => res.end()
let server: http.Server
let base: string

beforeAll(async () => {
  server = http.createServer((_req, res) => answer(res))
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
const send = (req: PipelineRequest, limit: number) => readWithin(req, (r) => transport.sendRequest(r), limit, tooLarge)

const gzipped = (body: Buffer | string) => (res: http.ServerResponse) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' })
  res.end(gzipSync(body))
}

describe('readWithin', () => {
  test('the bound counts bytes after decompression: exactly the limit passes, one byte more is refused', async () => {
    const limit = 100_000
    answer = gzipped(Buffer.alloc(limit, 0x61))
    const response = await send(request(), limit)
    expect(response.bodyAsText).toHaveLength(limit)
    expect(response.readableStreamBody).toBeUndefined()
    answer = gzipped(Buffer.alloc(limit + 1, 0x61))
    await expect(send(request(), limit)).rejects.toBeInstanceOf(TooLarge)
  })

  test('an endless gzip answer is refused at the bound and its connection closed, not read to the end', async () => {
    let sent = 0
    let closed!: () => void
    const serverSawClose = new Promise<void>((resolve) => (closed = resolve))
    answer = (res) => {
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
    answer = gzipped('{}')
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
    answer = (res) => {
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
    answer = gzipped(body)
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
