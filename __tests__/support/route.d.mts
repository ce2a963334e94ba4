/** Types for route.mjs (plain JS so Node can preload it with --import, untranspiled). */
export interface RouteConfig {
  readonly address: string
  readonly port: number
  readonly hosts: readonly string[]
  readonly suffixes: readonly string[]
  readonly wildcardSuffixes: readonly string[]
  readonly denyUnrouted: boolean
}

export type RouteDecision = 'route' | 'notfound' | 'pass'

export function routeDecision(hostname: string, config?: RouteConfig): RouteDecision
export function notFoundError(hostname: string): Error & { errno: number; code: 'ENOTFOUND'; syscall: 'getaddrinfo'; hostname: string }
export function installRoute(source?: RouteConfig | string | Record<string, string | undefined>): () => void
export function uninstallRoute(): void
