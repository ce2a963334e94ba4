import type { IncomingHttpHeaders } from 'node:http'

/** `github` is the Actions OIDC token service; `github-api` the REST API (api.github.com and GitHub Enterprise Server). */
export type ServiceName = 'vault' | 'entra' | 'github' | 'github-api' | 'imds'

/** One request as the service handlers see it: body already read, query already decoded. */
export interface IncomingCall {
  readonly service: ServiceName
  readonly method: string
  /** Lower-case host name from the Host header, without the port. */
  readonly host: string
  /** The path as sent (still percent-encoded). */
  readonly path: string
  /** Decoded query; `api%2Dversion` arrives here as `api-version`. */
  readonly query: Readonly<Record<string, string>>
  readonly headers: IncomingHttpHeaders
  readonly body: Buffer
}

/** What a handler answers. An object body is sent as JSON, a string or Buffer as is; undefined sends no body. */
export interface Reply {
  readonly status: number
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: unknown
  /** For the request log: did the request carry credentials the stand-in accepted. */
  readonly authorized?: boolean
}

export const json = (status: number, body: unknown, extra: Partial<Reply> = {}): Reply => ({ status, body, ...extra })

/** Path segments, percent-decoded; a trailing slash gives a trailing ''. */
export function pathSegments(path: string): string[] {
  const segments = path.replace(/^\/+/, '').split('/')
  return segments.map((segment) => {
    try {
      return decodeURIComponent(segment)
    } catch {
      return segment
    }
  })
}

export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const header = headers.authorization
  if (!header) return undefined
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  return match?.[1]
}

export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) return undefined
  try {
    return JSON.parse(body.toString('utf8')) as unknown
  } catch {
    return undefined
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
