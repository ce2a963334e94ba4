/** Types for route.mjs (plain JS so Node can preload it with --import, untranspiled). */
export interface RouteConfig {
  readonly address: string
  readonly port: number
  /** Exact host names sent to the stand-in. */
  readonly hosts: readonly string[]
  /** A host under one of these that is not in `hosts` fails DNS with ENOTFOUND (a typo'd vault name). */
  readonly suffixes: readonly string[]
  /** Every host under one of these is sent to the stand-in. */
  readonly wildcardSuffixes: readonly string[]
  /** Fail DNS for every other name too, so nothing leaves the machine. */
  readonly denyUnrouted: boolean
}

export type RouteDecision = 'route' | 'notfound' | 'pass'

export function routeDecision(hostname: string, config?: RouteConfig): RouteDecision
export function notFoundError(
  hostname: string
): Error & { errno: number; code: 'ENOTFOUND'; syscall: 'getaddrinfo'; hostname: string }
export function installRoute(source?: RouteConfig | string | Record<string, string | undefined>): () => void
export function uninstallRoute(): void
