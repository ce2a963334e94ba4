import { randomUUID } from 'node:crypto'
import { rmSync } from 'node:fs'
import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { AllClouds, cloudByLoginHost, GitHubActionsSuffix, parseVaultHost } from './clouds.js'
import {
  Directory,
  type AccessTokenRequest,
  type AppOptions,
  type AppRegistration,
  type ManagedIdentity,
  type ManagedIdentityOptions,
  type MintedToken
} from './entra.js'
import { handleEntraCall } from './entra.js'
import {
  defaultGitHubConfig,
  handleGitHubCall,
  mintIdToken,
  type GitHubOidcConfig,
  type IdTokenRequest
} from './github-oidc.js'
import { GitHubRestApi, sodiumReady } from './github-rest.js'
import type { IncomingCall, Reply, ServiceName } from './http.js'
import { handleImdsCall } from './imds.js'
import { JwtSigner } from './jwt.js'
import { handleVaultCall, Vault, type VaultOptions } from './keyvault.js'
import { testPki, writeCaFile } from './pki.js'

export type {
  AccessModel,
  DeletedSecret,
  Permission,
  RateLimit,
  SecretSeed,
  SecretVersion,
  StoredSecret,
  VaultOptions
} from './keyvault.js'
export type {
  AppOptions,
  AppRegistration,
  FederatedCredential,
  ManagedIdentity,
  ManagedIdentityOptions,
  MintedToken
} from './entra.js'
export type { GitHubOidcConfig, IdTokenRequest } from './github-oidc.js'
export type {
  Access,
  Organization,
  OrganizationOptions,
  Repository,
  RepositoryOptions,
  SecretScope,
  SecretStore,
  StoredGitHubSecret,
  TokenKind,
  TokenOptions,
  TokenPermissions,
  Visibility
} from './github-rest.js'
export {
  GitHubPrefixMessage,
  GitHubRestApi,
  InvalidNameMessage,
  MaxSecretBytes,
  TooLargeMessage
} from './github-rest.js'
export type { CloudName } from './clouds.js'
export { ThrottledMessage, Vault } from './keyvault.js'

/** One line of the request log. No bodies, no headers: nothing secret. */
export interface RequestRecord {
  readonly service: ServiceName | 'unknown'
  readonly method: string
  readonly host: string
  readonly path: string
  readonly query: Readonly<Record<string, string>>
  /** 0 when there was no answer: a fault dropped the connection, or the client gave up during a fault's delay. */
  readonly status: number
  /** The request carried credentials the stand-in accepted (a valid token, request token, Metadata header...). */
  readonly authorized: boolean
  /** Answered (or delayed) by an injected fault. */
  readonly fault: boolean
  /** Answered 429 by the vault's rate limit (see RateLimit). */
  readonly rateLimited: boolean
  /** The Retry-After header of the answer, when it had one. */
  readonly retryAfter?: string
  /** When the request arrived (ms since the epoch). */
  readonly arrived: number
  /** When its answer was decided, after any fault delay and before `latencyMs`. */
  readonly time: number
  /** Requests to the same service being handled when this one arrived, this one included. */
  readonly inFlight: number
}

/** What a fault's `match` sees. */
export interface FaultRequest {
  readonly service: ServiceName | 'unknown'
  readonly method: string
  readonly host: string
  readonly path: string
  readonly query: Readonly<Record<string, string>>
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
}

/**
 * An injected answer, used before normal handling (429/503 tests and the like). The first fault
 * that matches and has `times` left fires; without `times` it fires for good (a persistent outage).
 */
export interface Fault {
  readonly match: (request: FaultRequest) => boolean
  /** The status to answer with. Without it (and without `drop`) the request is handled normally after `delayMs`: a slow answer. */
  readonly status?: number
  readonly headers?: Readonly<Record<string, string>>
  /**
   * An object is sent as JSON, a string as is, a Buffer as its bytes (with `content-encoding: gzip`
   * in `headers` and a gzipSync'd Buffer, a compressed answer).
   */
  readonly body?: unknown
  /** How many requests it answers; unlimited when not given. Counts down as it fires. */
  times?: number
  /** Wait this long before answering (or dropping); cut short when the client goes away. */
  readonly delayMs?: number
  /** Reset the connection (TCP RST) instead of answering: ECONNRESET on the client side. */
  readonly drop?: boolean
}

/** The JSON passed to route.mjs in STANDIN_ROUTE. */
export type { RouteConfig } from '../route.mjs'
import type { RouteConfig } from '../route.mjs'

/** Where a listener listens. */
export interface ListenOn {
  /** Default 127.0.0.1. */
  readonly address?: string
  /** Default 0: a free port. */
  readonly port?: number
}

export interface StandInOptions {
  /** Fail DNS for hosts the stand-in does not play, in processes using the preload. Default true. */
  readonly denyUnrouted?: boolean
  /**
   * The HTTPS listener. A fixed address and port are for clients that cannot be given a port, like
   * the real `az` in a network namespace of its own (capture-az.ts: 127.0.0.1:443).
   */
  readonly https?: ListenOn
  /** The IMDS listener (capture-az.ts: 169.254.169.254:80, where `az login --identity` asks). */
  readonly imds?: ListenOn
}

const LOOPBACK = '127.0.0.1'
const OIDC_REQUEST_URL_HOST = 'pipelines.actions.githubusercontent.com'
/** The GitHub Enterprise Server the stand-in plays: its API is at https://github.contoso-ghes.test/api/v3. */
export const GhesHost = 'github.contoso-ghes.test'

/**
 * Key Vault, Microsoft Entra ID, the GitHub Actions OIDC token service and the GitHub REST API
 * (api.github.com and a GitHub Enterprise Server) on one HTTPS listener (dispatching on the Host
 * header), plus Azure IMDS on a plain HTTP listener.
 */
export class StandIn {
  readonly requests: RequestRecord[] = []
  faults: Fault[] = []
  /** Added to every response. */
  latencyMs = 0
  private readonly inFlightBy = new Map<string, number>()
  github: GitHubOidcConfig = defaultGitHubConfig()
  /** The REST API at api.github.com (secrets endpoints; see github-rest.ts). */
  readonly githubApi = new GitHubRestApi({ host: 'api.github.com', pathPrefix: '' })
  /** A GitHub Enterprise Server: its own repositories, tokens and keys, its API under /api/v3. */
  readonly githubEnterprise = new GitHubRestApi({
    host: GhesHost,
    pathPrefix: '/api/v3',
    docsBase: 'https://docs.github.com/enterprise-server@3.17',
    rateLimitHeaders: false
  })
  directory: Directory
  private readonly vaultsByHost = new Map<string, Vault>()
  private readonly signer: JwtSigner

  private constructor(
    private readonly httpsServer: https.Server,
    private readonly imdsServer: http.Server,
    readonly caFile: string,
    readonly caPem: string,
    private readonly caDir: string,
    private readonly options: StandInOptions,
    jwtKeyPem: string
  ) {
    this.signer = new JwtSigner(jwtKeyPem)
    this.directory = new Directory(this.signer)
  }

  static async start(options: StandInOptions = {}): Promise<StandIn> {
    await sodiumReady
    const pki = testPki()
    const { dir, caFile } = writeCaFile(pki)
    const httpsServer = https.createServer({ key: pki.serverKeyPem, cert: pki.serverCertPem })
    const imdsServer = http.createServer()
    const standIn = new StandIn(httpsServer, imdsServer, caFile, pki.caCertPem, dir, options, pki.jwtKeyPem)
    httpsServer.on('request', (req, res) => void standIn.serve(req, res, 'https'))
    imdsServer.on('request', (req, res) => void standIn.serve(req, res, 'imds'))
    try {
      await Promise.all([listen(httpsServer, options.https), listen(imdsServer, options.imds)])
    } catch (error) {
      // A fixed port taken: leave nothing listening behind.
      await standIn.stop()
      throw error
    }
    return standIn
  }

  get port(): number {
    return (this.httpsServer.address() as AddressInfo).port
  }

  /** The HTTPS listener's address (127.0.0.1 unless `https.address` said otherwise). */
  get address(): string {
    return (this.httpsServer.address() as AddressInfo).address
  }

  get imdsPort(): number {
    return (this.imdsServer.address() as AddressInfo).port
  }

  get imdsUrl(): string {
    return `http://${(this.imdsServer.address() as AddressInfo).address}:${this.imdsPort}`
  }

  // -- state ------------------------------------------------------------------------------------

  addVault(options: VaultOptions): Vault {
    const vault = new Vault(options)
    if (this.vaultsByHost.has(vault.host)) throw new Error(`stand-in: vault ${vault.host} already exists`)
    this.vaultsByHost.set(vault.host, vault)
    this.directory.tenants.add(vault.tenantId)
    return vault
  }

  /** A vault by name (any cloud); throws when there is none. */
  vault(name: string): Vault {
    const found = [...this.vaultsByHost.values()].find((vault) => vault.name === name.toLowerCase())
    if (!found) throw new Error(`stand-in: no vault named ${name}`)
    return found
  }

  get vaults(): readonly Vault[] {
    return [...this.vaultsByHost.values()]
  }

  addTenant(tenantId: string): void {
    this.directory.tenants.add(tenantId)
  }

  addApp(options: AppOptions): AppRegistration {
    return this.directory.addApp(options)
  }

  /** An app with a federated credential that trusts this repository's GitHub OIDC tokens (the current `github.subject`). */
  addOidcApp(tenantId: string, clientId: string): AppRegistration {
    return this.addApp({
      tenantId,
      clientId,
      federated: [
        {
          issuer: 'https://token.actions.githubusercontent.com',
          subject: this.github.subject,
          audience: 'api://AzureADTokenExchange'
        }
      ]
    })
  }

  addManagedIdentity(options: ManagedIdentityOptions): ManagedIdentity {
    return this.directory.addManagedIdentity(options)
  }

  /** An access token as Entra ID would issue it, e.g. for a stand-in `az account get-access-token`. */
  mintAccessToken(request: AccessTokenRequest): MintedToken {
    return this.directory.mintAccessToken(request)
  }

  /** A GitHub Actions ID token signed like the ones the OIDC endpoint hands out (e.g. an expired one). */
  mintIdToken(request: IdTokenRequest = {}): string {
    return mintIdToken(this.signer, this.github, request)
  }

  /** The most requests to one service that were being handled at once (optionally among those that arrived from `since`). */
  peakInFlight(service: ServiceName, since = 0): number {
    return Math.max(
      0,
      ...this.requestsTo(service)
        .filter((r) => r.arrived >= since)
        .map((r) => r.inFlight)
    )
  }

  /** The GitHub REST APIs by host. */
  private get githubApis(): readonly GitHubRestApi[] {
    return [this.githubApi, this.githubEnterprise]
  }

  /**
   * Every PUT the GitHub REST API received (secret writes), in order, faulted ones included:
   * `arrived` is when each came, to check how the writes are spaced.
   */
  githubPuts(since = 0): RequestRecord[] {
    return this.requestsTo('github-api', 'PUT').filter((r) => r.arrived >= since)
  }

  /** Requests to one service, optionally one method. */
  requestsTo(service: ServiceName, method?: string): RequestRecord[] {
    return this.requests.filter((r) => r.service === service && (method === undefined || r.method === method))
  }

  /** Forgets every vault, app, identity, GitHub repository, token and secret, fault and logged request; the listeners, CA and request token stay. */
  reset(): void {
    this.vaultsByHost.clear()
    for (const api of this.githubApis) api.reset()
    this.directory = new Directory(this.signer)
    this.requests.length = 0
    this.faults = []
    this.latencyMs = 0
    this.inFlightBy.clear()
    this.github = { ...defaultGitHubConfig(), requestToken: this.github.requestToken }
  }

  async stop(): Promise<void> {
    await Promise.all([close(this.httpsServer), close(this.imdsServer)])
    rmSync(this.caDir, { recursive: true, force: true })
  }

  // -- what a child process needs ---------------------------------------------------------------

  /** Computed now: vaults added later are not routed in a process already started. */
  routeConfig(): RouteConfig {
    return {
      address: this.address,
      port: this.port,
      hosts: [
        ...AllClouds.flatMap((cloud) => [cloud.loginHost, ...cloud.loginAliases]),
        ...this.githubApis.map((api) => api.host),
        ...this.vaultsByHost.keys()
      ],
      suffixes: AllClouds.map((cloud) => cloud.vaultSuffix),
      wildcardSuffixes: [GitHubActionsSuffix],
      denyUnrouted: this.options.denyUnrouted ?? true
    }
  }

  /** STANDIN_ROUTE for the `--import route.mjs` preload. */
  routeEnv(): Record<string, string> {
    return { STANDIN_ROUTE: JSON.stringify(this.routeConfig()) }
  }

  /** Trust the stand-in's CA (read by Node at start-up) and route its hosts. */
  childEnv(): Record<string, string> {
    return { NODE_EXTRA_CA_CERTS: this.caFile, ...this.routeEnv() }
  }

  /** What the runner sets for a job with `permissions: id-token: write`. */
  oidcEnv(): Record<string, string> {
    return {
      ACTIONS_ID_TOKEN_REQUEST_URL: `https://${OIDC_REQUEST_URL_HOST}/${randomUUID()}/idtoken/standin?api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: this.github.requestToken
    }
  }

  /** Points @azure/identity and MSAL at the IMDS listener (both read AZURE_POD_IDENTITY_AUTHORITY_HOST). */
  managedIdentityEnv(): Record<string, string> {
    return { AZURE_POD_IDENTITY_AUTHORITY_HOST: this.imdsUrl }
  }

  // -- HTTP -------------------------------------------------------------------------------------

  private async serve(req: IncomingMessage, res: ServerResponse, listener: 'https' | 'imds'): Promise<void> {
    const arrived = Date.now()
    // Sleeps end early when the client gives up, so an abandoned request holds nothing open.
    const gone = new AbortController()
    res.on('close', () => gone.abort())
    const host = (req.headers.host ?? '').toLowerCase().replace(/:\d+$/, '')
    const service = listener === 'imds' ? 'imds' : this.serviceFor(host)
    const inFlight = (this.inFlightBy.get(service) ?? 0) + 1
    this.inFlightBy.set(service, inFlight)
    res.on('close', () => this.inFlightBy.set(service, (this.inFlightBy.get(service) ?? 1) - 1))
    try {
      const body = await readBody(req)
      const url = new URL(req.url ?? '/', 'http://standin.invalid')
      const call: IncomingCall = {
        service: service === 'unknown' ? 'vault' : service,
        method: req.method ?? 'GET',
        host,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body
      }
      const log = (reply: Reply | undefined, marks: { fault?: boolean; rateLimited?: boolean }): void =>
        this.log(call, service, {
          arrived,
          inFlight,
          status: reply?.status ?? 0,
          authorized: reply?.authorized ?? false,
          retryAfter: headerOf(reply, 'retry-after'),
          ...marks
        })
      const fault = this.takeFault({
        service,
        method: call.method,
        host,
        path: call.path,
        query: call.query,
        headers: req.headers
      })
      if (fault?.delayMs && !(await pause(fault.delayMs, gone.signal))) {
        // The client gave up waiting: logged with status 0, like a dropped connection.
        log(undefined, { fault: true })
        return
      }
      if (fault?.drop) {
        log(undefined, { fault: true })
        resetConnection(req)
        return
      }
      if (fault?.status !== undefined) {
        const reply: Reply = { status: fault.status, body: fault.body, headers: fault.headers ?? {} }
        log(reply, { fault: true })
        await this.reply(res, call, reply, gone.signal)
        return
      }
      const throttled = service === 'vault' ? this.vaultsByHost.get(host)?.admit() : undefined
      if (throttled) {
        log(throttled, { fault: fault !== undefined, rateLimited: true })
        await this.reply(res, call, throttled, gone.signal)
        return
      }
      const reply = this.dispatch(call, service)
      log(reply, { fault: fault !== undefined })
      await this.reply(res, call, reply, gone.signal)
    } catch (error) {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ error: { code: 'StandInError', message: String(error) } }))
      }
    }
  }

  private serviceFor(host: string): ServiceName | 'unknown' {
    if (parseVaultHost(host)) return 'vault'
    if (cloudByLoginHost(host)) return 'entra'
    if (host.endsWith(GitHubActionsSuffix)) return 'github'
    if (this.githubApis.some((api) => api.host === host)) return 'github-api'
    return 'unknown'
  }

  private dispatch(call: IncomingCall, service: ServiceName | 'unknown'): Reply {
    switch (service) {
      case 'vault': {
        const vault = this.vaultsByHost.get(call.host)
        // With the preload, an unknown vault host already failed DNS; in-process callers can still get here.
        if (!vault)
          return {
            status: 404,
            body: { error: { code: 'VaultNotFound', message: `stand-in: no vault at ${call.host}` } }
          }
        return handleVaultCall(vault, call, (token) => this.signer.verify(token))
      }
      case 'entra':
        return handleEntraCall(this.directory, this.signer, call)
      case 'github':
        return handleGitHubCall(this.signer, this.github, call)
      case 'github-api': {
        const api = this.githubApis.find((candidate) => candidate.host === call.host)
        if (!api) return { status: 421, body: { message: `stand-in: no GitHub API at ${call.host}` } }
        return api.handle(call)
      }
      case 'imds':
        return handleImdsCall(this.directory, call)
      case 'unknown':
        return { status: 421, body: { error: 'misdirected', message: `stand-in: nothing is served at ${call.host}` } }
    }
  }

  private takeFault(request: FaultRequest): Fault | undefined {
    const fault = this.faults.find((f) => (f.times === undefined || f.times > 0) && f.match(request))
    if (fault && fault.times !== undefined) fault.times -= 1
    return fault
  }

  private log(
    call: IncomingCall,
    service: ServiceName | 'unknown',
    entry: {
      arrived: number
      inFlight: number
      status: number
      authorized: boolean
      retryAfter?: string
      fault?: boolean
      rateLimited?: boolean
    }
  ): void {
    this.requests.push({
      service,
      method: call.method,
      host: call.host,
      path: call.path,
      query: call.query,
      status: entry.status,
      authorized: entry.authorized,
      fault: entry.fault ?? false,
      rateLimited: entry.rateLimited ?? false,
      ...(entry.retryAfter !== undefined && { retryAfter: entry.retryAfter }),
      arrived: entry.arrived,
      time: Date.now(),
      inFlight: entry.inFlight
    })
  }

  private async reply(res: ServerResponse, call: IncomingCall, reply: Reply, gone: AbortSignal): Promise<void> {
    if (this.latencyMs > 0 && !(await pause(this.latencyMs, gone))) return
    const headers: Record<string, string> =
      call.service === 'github-api'
        ? // GitHub's answers carry their own x-github-request-id (github-rest.ts).
          {}
        : { 'cache-control': 'no-cache', 'x-ms-request-id': randomUUID() }
    if (call.service === 'vault') {
      headers['x-ms-keyvault-service-version'] = '1.9.0.0'
      headers['x-ms-keyvault-region'] = 'eastus'
      headers['x-ms-keyvault-network-info'] = `conn_type=Ipv4;addr=${LOOPBACK};act_addr_fam=InterNetwork;`
    }
    let payload: string | Buffer | undefined
    if (typeof reply.body === 'string' || Buffer.isBuffer(reply.body)) {
      payload = reply.body
    } else if (reply.body !== undefined) {
      payload = JSON.stringify(reply.body)
      headers['content-type'] = 'application/json; charset=utf-8'
    }
    Object.assign(headers, reply.headers)
    if (payload !== undefined) headers['content-length'] = String(Buffer.byteLength(payload))
    res.writeHead(reply.status, headers)
    res.end(payload)
  }
}

const headerOf = (reply: Reply | undefined, name: string): string | undefined =>
  Object.entries(reply?.headers ?? {}).find(([key]) => key.toLowerCase() === name)?.[1]

/** Waits; false when the client went away first. */
async function pause(ms: number, gone: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal: gone })
    return true
  } catch {
    return false
  }
}

/**
 * Resets the TCP connection under the TLS socket (an RST, as a crashed or overloaded front end
 * sends): the client reads ECONNRESET. Falls back to closing the socket.
 */
function resetConnection(req: IncomingMessage): void {
  const tcp = (req.socket as { _parent?: { resetAndDestroy?: () => void } })._parent
  if (tcp?.resetAndDestroy) tcp.resetAndDestroy()
  else req.socket.destroy()
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

function listen(server: http.Server | https.Server, on: ListenOn = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(on.port ?? 0, on.address ?? LOOPBACK, () => resolve())
  })
}

function close(server: http.Server | https.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve())
    // Keep-alive sockets from SDK agents would hold close() open otherwise.
    server.closeAllConnections()
  })
}
