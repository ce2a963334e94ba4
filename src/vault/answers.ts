import type { PipelinePolicy, PipelineRequest, PipelineResponse } from '@azure/core-rest-pipeline'

/**
 * The vault's answers come from whoever controls the vault or the network between: they are
 * checked before the SDK acts on them. Every request goes to the vault's own origin (a listing's
 * nextLink that names another host would otherwise receive the access token, which Key Vault
 * accepts for every vault the identity can reach); a paging loop ends at once; a redirect, an
 * answer that is not JSON or a body cut short is reported for what it is, never quoted.
 */
export class UntrustedAnswer extends Error {
  override readonly name = 'UntrustedAnswer'
  constructor(
    readonly kind: 'other-origin' | 'paging-loop' | 'redirect' | 'not-json' | 'cut-off' | 'not-a-listing' | 'no-value',
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
 * Added `perRetry`, next to the transport: each answer is checked before the SDK parses it. The
 * SDK would follow a redirect with the token attached (redirects are switched off: Key Vault
 * never redirects), quote a body it cannot parse in its error, and fail on a listing without
 * `value` with a TypeError that says nothing.
 */
export const checkVaultAnswers: PipelinePolicy = {
  name: 'keyvaultSecretsActionCheckAnswers',
  async sendRequest(request, next) {
    const response = await next(request)
    checkAnswer(request, response)
    return response
  }
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
