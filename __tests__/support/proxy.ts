import { fork, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import net, { type AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { routeModuleUrl } from './runner.js'
import type { RouteConfig, StandIn } from './standin/index.js'

const serverScript = fileURLToPath(new URL('./proxy-server.mjs', import.meta.url))

/** One request the proxy handled, recorded as it arrived (before the proxy answered). */
export interface ProxyEvent {
  /** `connect`: a CONNECT tunnel (HTTPS); `request`: an absolute-form plain-HTTP request it forwarded. */
  readonly kind: 'connect' | 'request'
  /** `host:port` as the client asked for it (`contoso-kv.vault.azure.net:443`, `127.0.0.1:41234`). */
  readonly target: string
  readonly method: string
  readonly at: number
}

export interface TestProxy {
  /** `http://127.0.0.1:<port>`: the value for HTTPS_PROXY / HTTP_PROXY. */
  readonly url: string
  readonly port: number
  /** Everything the proxy handled since it started or was last reset, in order. */
  events(): Promise<ProxyEvent[]>
  /** The `host:port` of every CONNECT, in order. */
  connects(): Promise<string[]>
  /** The `host:port` of every plain-HTTP request it forwarded, in order. */
  requests(): Promise<string[]>
  /** Forgets the events and takes the stand-in's current route (vaults added since the last reset). */
  reset(): Promise<void>
  stop(): Promise<void>
}

/**
 * Starts a real HTTP proxy (the `proxy` package) in its own process, with the route preload and
 * the stand-in's route: the proxy resolves the public host names to the stand-in and tunnels to it.
 * The stand-in's route is taken now and at every `reset()`.
 */
export async function startProxy(standin: StandIn): Promise<TestProxy> {
  const child = fork(serverScript, [], {
    execArgv: ['--import', routeModuleUrl],
    env: { PATH: process.env.PATH ?? '', ...standin.routeEnv() },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'json'
  })
  const port = await new Promise<number>((resolve, reject) => {
    const onMessage = (message: { listening?: number }): void => {
      if (typeof message.listening !== 'number') return
      child.off('message', onMessage)
      child.off('exit', onExit)
      resolve(message.listening)
    }
    const onExit = (code: number | null): void =>
      reject(new Error(`proxy-server.mjs exited (${code}) before it listened`))
    child.on('message', onMessage)
    child.once('exit', onExit)
  })
  const ask = (query: 'events' | 'reset', extra: Record<string, unknown> = {}): Promise<ProxyEvent[]> =>
    askChild(child, query, extra)
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    events: () => ask('events'),
    connects: async () => (await ask('events')).filter((e) => e.kind === 'connect').map((e) => e.target),
    requests: async () => (await ask('events')).filter((e) => e.kind === 'request').map((e) => e.target),
    reset: async () => {
      await ask('reset', { route: standin.routeConfig() })
    },
    stop: () => stopChild(child)
  }
}

/** One question over the IPC channel; answers are matched by id. */
function askChild(child: ChildProcess, query: string, extra: Record<string, unknown>): Promise<ProxyEvent[]> {
  const id = randomUUID()
  return new Promise((resolve, reject) => {
    const onMessage = (message: { id?: string; events?: ProxyEvent[] }): void => {
      if (message.id !== id) return
      child.off('message', onMessage)
      child.off('exit', onExit)
      resolve(message.events ?? [])
    }
    const onExit = (): void => reject(new Error('the proxy process exited'))
    child.on('message', onMessage)
    child.once('exit', onExit)
    child.send({ id, query, ...extra })
  })
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    child.kill()
  })
}

/**
 * STANDIN_ROUTE for an action child that resolves no name at all (every DNS lookup fails with
 * ENOTFOUND), except the `direct` hosts, which go straight to the stand-in. With a proxy in
 * HTTPS_PROXY, the proxy at 127.0.0.1 (an address, not a name) is then the only way out.
 */
export function isolatedRouteEnv(standin: StandIn, direct: readonly string[] = []): { STANDIN_ROUTE: string } {
  const route: RouteConfig = {
    address: '127.0.0.1',
    port: standin.port,
    hosts: direct.map((host) => host.toLowerCase()),
    suffixes: [],
    wildcardSuffixes: [],
    denyUnrouted: true
  }
  return { STANDIN_ROUTE: JSON.stringify(route) }
}

/** A loopback port nothing listens on (it was free a moment ago): a proxy that is down. */
export async function closedPort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}
