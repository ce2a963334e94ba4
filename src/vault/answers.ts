import type { Readable } from 'node:stream'
import {
  RestError,
  type PipelinePolicy,
  type PipelineRequest,
  type PipelineResponse,
  type SendRequest
} from '@azure/core-rest-pipeline'

/**
 * The vault's answers come from whoever controls the vault or the network between: they are
 * checked before the SDK acts on them. Every request goes to the vault's own origin (a listing's
 * nextLink that names another host would otherwise receive the access token, which Key Vault
 * accepts for every vault the identity can reach); a paging loop ends at once; a redirect, an
 * answer that is not JSON, a body cut short or larger than Key Vault sends is reported for what it
 * is, never quoted.
 */
export class UntrustedAnswer extends Error {
  override readonly name = 'UntrustedAnswer'
  constructor(
    readonly kind:
      'other-origin' | 'paging-loop' | 'redirect' | 'not-json' | 'cut-off' | 'not-a-listing' | 'no-value' | 'too-large',
    /** What the vault answered or asked for, in words safe to show: a host, a status, a content type. */
    readonly detail: string
  ) {
    super(`The vault's answer was refused: ${kind} (${detail})`)
  }
}

/** `https://evil.example:8443` as shown in a message: the origin only, never a path or query (they may carry tokens). */
const originOf = (url: string): string => {
  try {
    return new URL(url).origin
  } catch {
    return '(not a URL)'
  }
}

/**
 * Added `perCall`, before the SDK's challenge policy: a request for another origin is refused
 * before any token is attached to it, and a listing page asked for twice ends the listing.
 */
export function pinToVault(vaultUrl: string): PipelinePolicy {
  const vaultOrigin = new URL(vaultUrl).origin
  const pagesSeen = new Set<string>()
  return {
    name: 'keyvaultSecretsActionPinToVault',
    sendRequest(request, next) {
      if (originOf(request.url) !== vaultOrigin)
        return Promise.reject(new UntrustedAnswer('other-origin', originOf(request.url)))
      if (isNextPage(request)) {
        if (pagesSeen.has(request.url))
          return Promise.reject(new UntrustedAnswer('paging-loop', new URL(request.url).pathname))
        pagesSeen.add(request.url)
      }
      return next(request)
    }
  }
}

/** A page after the first of a listing: the vault's nextLink carries a $skiptoken. */
const isNextPage = (request: PipelineRequest): boolean =>
  request.method === 'GET' && new URL(request.url).searchParams.has('$skiptoken')

/** A listing of secrets, deleted secrets or versions: `GET /secrets`, `/deletedsecrets`, `/secrets/{name}/versions`. */
const isListing = (request: PipelineRequest): boolean => {
  if (request.method !== 'GET') return false
  const path = new URL(request.url).pathname.replace(/\/+$/, '')
  return path === '/secrets' || path === '/deletedsecrets' || /^\/secrets\/[^/]+\/versions$/.test(path)
}

/**
 * The most bytes Key Vault sends in one answer, counted as JSON text after any decompression.
 * From its documented limits: a value of at most 25 KB (taken as 25,600 octets, so at most 25,600
 * UTF-16 units: each takes at least one octet), a content type of at most 255 characters, at most 15 tags of a 512-character
 * name and a 256-character value, and at most 25 items a listing page. JSON may write any
 * character as \uXXXX, 6 bytes, so every character is counted 6 times:
 * - one secret (a read, a write's or delete's answer, an error): value 25,600 x 6 = 153,600;
 *   tags 15 x (512 + 256) x 6 = 69,120; content type 255 x 6 = 1,530; id, kid and recoveryId,
 *   URLs of at most 300 characters, 3 x 300 x 6 = 5,400; attributes, dates and field names under
 *   1,024. In all 230,674 bytes: 256 KiB leaves about 30 KiB to spare.
 * - a listing page: 25 items of the same without a value, 25 x 77,074 = 1,926,850, and a nextLink
 *   (Key Vault's run to a few hundred characters; counted as 4 KiB of URL), 24,576 escaped. In all
 *   1,951,426 bytes: 2 MiB leaves about 140 KiB.
 * Key Vault's answers are smaller by far; the bounds are what no answer of Key Vault can exceed.
 */
export const MaxAnswerBytes = { secret: 256 * 1024, page: 2 * 1024 * 1024 } as const

/**
 * Added `perRetry`, next to the transport: each answer is read within its bound, then checked
 * before the SDK parses it. The SDK would follow a redirect with the token attached (redirects are
 * switched off: Key Vault never redirects), quote a body it cannot parse in its error, fail on a
 * listing without `value` with a TypeError that says nothing, and take a body of any size.
 */
export const checkVaultAnswers: PipelinePolicy = {
  name: 'keyvaultSecretsActionCheckAnswers',
  async sendRequest(request, next) {
    const limit = isListing(request) || isNextPage(request) ? MaxAnswerBytes.page : MaxAnswerBytes.secret
    const response = await readWithin(request, next, limit, () => new UntrustedAnswer('too-large', `${limit}`))
    checkAnswer(request, response)
    return response
  }
}

/** Every status: the transport hands each answer's body over as a stream (POSITIVE_INFINITY means any). */
const AnyStatus: ReadonlySet<number> = new Set([Number.POSITIVE_INFINITY])

/**
 * Sends the request and reads its answer's body, refusing it (`tooLarge`) once more than `limit`
 * bytes have arrived. Node's HTTP client of @azure/core-rest-pipeline inflates gzip and deflate
 * (every request asks for them) and would buffer the whole body into `bodyAsText` before any
 * policy sees it: a few KiB of gzip can hold gigabytes. So the transport is asked for the body as
 * a stream (`streamResponseStatusCodes`), which is the inflated one, and it is read here: at most
 * one chunk beyond the bound (16 KiB inflated, or one network read) is ever held, then the
 * connection is closed. The
 * SDK then finds `bodyAsText` as the transport would have left it. A transport that ignores the
 * request and buffers anyway still has its text measured before anything reads it.
 */
export async function readWithin(
  request: PipelineRequest,
  next: SendRequest,
  limit: number,
  tooLarge: () => Error
): Promise<PipelineResponse> {
  const asked = request.streamResponseStatusCodes
  const signal = request.abortSignal as AbortSignal | undefined
  // A caller that wants the raw stream reads it itself: Key Vault's secrets API has no such request.
  if (asked !== undefined && asked.size > 0) return next(request)
  const stop = new AbortController()
  request.streamResponseStatusCodes = AnyStatus as Set<number>
  request.abortSignal = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal
  try {
    const response = await next(request)
    const stream = response.readableStreamBody as Readable | undefined
    response.readableStreamBody = undefined
    if (stream) {
      const text = await textWithin(stream, limit, request.abortSignal as AbortSignal)
      if (text === undefined) {
        // Closes the connection: the rest of the body is neither received nor inflated.
        stop.abort()
        stream.destroy()
        throw tooLarge()
      }
      response.bodyAsText = text
    } else if (response.bodyAsText && Buffer.byteLength(response.bodyAsText) > limit) throw tooLarge()
    return response
  } finally {
    request.streamResponseStatusCodes = asked
    request.abortSignal = signal
  }
}

/**
 * The body as text; undefined as soon as it passes `limit` bytes (the stream is paused there). A
 * request aborted meanwhile (the attempt timeout, the run's deadline) rejects with the signal's
 * reason; a stream error as the transport reports it: a PARSE_ERROR, "Error reading response as text".
 */
function textWithin(stream: Readable, limit: number, signal: AbortSignal): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let bytes = 0
    const settle = (): void => {
      signal.removeEventListener('abort', onAbort)
      stream.removeAllListeners('data')
    }
    const onAbort = (): void => {
      settle()
      stream.destroy()
      reject(signal.reason instanceof Error ? signal.reason : new Error('The request was aborted'))
    }
    if (signal.aborted) return onAbort()
    signal.addEventListener('abort', onAbort, { once: true })
    stream.on('data', (chunk: Buffer | string) => {
      const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
      bytes += data.length
      if (bytes <= limit) {
        chunks.push(data)
        return
      }
      settle()
      stream.pause()
      resolve(undefined)
    })
    stream.on('end', () => {
      settle()
      resolve(Buffer.concat(chunks).toString('utf8'))
    })
    stream.on('error', (error: Error) => {
      settle()
      reject(new RestError(`Error reading response as text: ${error.message}`, { code: RestError.PARSE_ERROR }))
    })
  })
}

function checkAnswer(request: PipelineRequest, response: PipelineResponse): void {
  const { status } = response
  if (status >= 300 && status < 400) {
    const location = response.headers.get('location')
    throw new UntrustedAnswer(
      'redirect',
      `${status}${location ? ` to ${originOf(new URL(location, request.url).href)}` : ''}`
    )
  }
  if (status < 200 || status >= 300) return
  const body = response.bodyAsText
  if (body === undefined || body === null || body === '') return
  const contentType = response.headers.get('content-type') ?? ''
  if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType)) {
    throw new UntrustedAnswer(
      'not-json',
      `${status}, ${contentType ? `content type ${contentType.slice(0, 60)}` : 'no content type'}, ${body.length} characters`
    )
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    throw new UntrustedAnswer('cut-off', `${status}, ${body.length} characters`)
  }
  if (isListing(request) || isNextPage(request)) {
    const page = parsed as { value?: unknown; nextLink?: unknown }
    const nextLinkOk = page.nextLink === undefined || page.nextLink === null || typeof page.nextLink === 'string'
    if (typeof parsed !== 'object' || parsed === null || !Array.isArray(page.value) || !nextLinkOk)
      throw new UntrustedAnswer('not-a-listing', `${status}`)
  }
}

/**
 * A date the SDK made of a vault's answer, when it is one: the SDK turns `"exp": "soon"` into an
 * invalid Date and `"exp": 0` into 0, which must pass as no date rather than fail later.
 */
export const validDate = (value: unknown): Date | undefined =>
  value instanceof Date && Number.isFinite(value.getTime()) ? value : undefined
