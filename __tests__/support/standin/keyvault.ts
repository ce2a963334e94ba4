import { randomBytes } from 'node:crypto'
import { CloudProfiles, type CloudName, type CloudProfile } from './clouds.js'
import { bearerToken, isRecord, json, parseJsonBody, pathSegments, type IncomingCall, type Reply } from './http.js'
import { nowSeconds, type JwtCheck } from './jwt.js'

export type Permission = 'get' | 'list' | 'set' | 'delete' | 'recover' | 'purge'
export type AccessModel = 'rbac' | 'accessPolicy'

export interface VaultOptions {
  readonly name: string
  readonly tenantId: string
  readonly cloud?: CloudName
  /** Default 'rbac', as for new vaults. */
  readonly accessModel?: AccessModel
  /** principalId (the token's appid or oid) -> permissions. */
  readonly grants?: Readonly<Record<string, readonly Permission[]>>
  /** Purge is refused (403) and deleted secrets report recoveryLevel 'Recoverable'. */
  readonly purgeProtection?: boolean
  /**
   * Days a deleted secret is kept (`recoverableDays`): 90 by default, as for new vaults; the
   * recorded test vaults keep 7 (`CustomizedRecoverable+Purgeable`).
   */
  readonly retentionDays?: number
  /** False for the vaults of old that keep no deleted secrets: a delete is final and a purge is 400 NotSupported. Default true. */
  readonly softDelete?: boolean
  /**
   * How many GET /deletedsecrets/{name} answer 404 after a delete, while it is in progress (during
   * which a purge or recover of the name is 409 and a write 409 ObjectIsBeingDeleted). Default 1.
   */
  readonly deletePolls?: number
  /** How many GET /secrets/{name}/ answer 404 SecretNotFound after a recover. Default 1. */
  readonly recoverPolls?: number
  /**
   * How many writes of a name answer 409 ObjectIsBeingDeleted after its purge was accepted (204),
   * although GET /deletedsecrets/{name} answers 404 at once. The service's window lasts seconds
   * (10 s in a recording); here it is counted in writes so tests need not wait. Default 1.
   */
  readonly purgeWindow?: number
  /** How many writes answer 409 ObjectIsBeingRecovered after a recover, even once GET reads the secret again. Default 1. */
  readonly recoverWindow?: number
  /** The vault's network rules: 'firewall' refuses the runner's address, 'private' all public traffic. Default 'public'. */
  readonly network?: NetworkAccess
  /** Cap on `maxresults` (the service's own cap is 25). Default 25. */
  readonly pageSize?: number
  /** Page sizes as the service chose them in the recordings (irregular, with empty pages); see Paging. */
  readonly paging?: Paging
  readonly location?: string
  readonly subscriptionId?: string
  readonly resourceGroup?: string
  /** Answer 429 Throttled beyond this many requests per second, as the service does beyond its limits. */
  readonly rateLimit?: RateLimit
  /**
   * What a get of a version whose `exp` has passed answers. The service has been seen to do both
   * (Azure/AzureKeyVault issue 19): 'returned' (the default, the 200 the issue reports as the
   * actual result) or 'refused' (403 Forbidden, inner SecretExpired, the answer it quotes;
   * fixture thread-get-expired-secret-403.json).
   */
  readonly expiredSecrets?: 'returned' | 'refused'
}

/**
 * Key Vault's request limit, scaled down for tests. The service counts requests per vault over a
 * sliding 10-second window (4,000 reads per 10 s); here the period is configurable (default one
 * second, so tests stay fast). A request is admitted while fewer than `requests` were admitted in
 * the last `periodMs`; every further request is answered 429 `Throttled` until the oldest ages
 * out. Throttled requests do not count against the limit.
 */
export interface RateLimit {
  /** Requests admitted per period. */
  readonly requests: number
  /** The sliding window's length in ms. Default 1000. */
  readonly periodMs?: number
  /**
   * Retry-After on a 429. By default none: the one complete real 429 header dump found
   * (vcsjones/AzureSignTool issue 219) has none. 'window': whole seconds until the oldest admitted
   * request leaves the window, rounded up; or a fixed number of seconds.
   */
  readonly retryAfterSeconds?: number | 'window' | 'omit'
}

export type NetworkAccess = 'public' | 'firewall' | 'private'

/**
 * How listings are cut into pages. The service does not fill pages evenly: recorded listings have
 * pages of 2, 1, 8, 7 items, empty pages with a nextLink in mid-listing, and a last page of items
 * that still carries a nextLink to a final `{"value":[],"nextLink":null}`.
 */
export interface Paging {
  /** Items on each page in turn (0 for an empty page); later pages are full. */
  readonly sizes?: readonly number[]
  /** The page with the last items links to one more, empty, page. */
  readonly endsWithEmptyPage?: boolean
}

export const ThrottledMessage =
  'Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached'

const RATE_PERIOD_MS = 1000

export interface SecretSeed {
  /** Backs a Key Vault certificate: listed with `managed: true`, read with a `kid`. */
  readonly certificate?: boolean
  /**
   * What Key Vault answers for a certificate-backed PKCS#12 secret read with
   * `outContentType=application/x-pem-file`: its conversion of the PFX to PEM (key PKCS#8, then the
   * leaf, then the chain). Made by the test (openssl), as the service makes it; never by the stand-in.
   */
  readonly pem?: string
  readonly contentType?: string
  readonly tags?: Readonly<Record<string, string>>
  readonly enabled?: boolean
  /** Unix seconds or a Date. */
  readonly nbf?: number | Date
  readonly exp?: number | Date
}

export interface SecretVersion {
  readonly version: string
  readonly value: string
  readonly certificate?: boolean
  /** The PEM of a certificate-backed PKCS#12 version (SecretSeed.pem). */
  readonly pem?: string
  contentType?: string
  tags?: Record<string, string>
  enabled: boolean
  nbf?: number
  exp?: number
  readonly created: number
  updated: number
}

export interface StoredSecret {
  /** The name as first written (names are case-insensitive; maps are keyed by lower case). */
  readonly name: string
  /** Oldest first; the last one is the current version. */
  readonly versions: SecretVersion[]
}

export interface DeletedSecret {
  readonly secret: StoredSecret
  readonly deletedDate: number
  readonly scheduledPurgeDate: number
  /**
   * While above zero the delete is "in progress": GET /deletedsecrets/{name} answers 404 (each
   * counts it down), a purge or recover 409, a write 409 ObjectIsBeingDeleted.
   */
  pendingPolls: number
}

export interface RecoveringSecret {
  readonly secret: StoredSecret
  /** GET /secrets/{name} answers 404 while this is above zero. */
  pendingPolls: number
  /** Writes left that answer 409 ObjectIsBeingRecovered, even once the secret reads again. */
  writesRefused: number
}

/** A purge accepted (204) whose name is not free yet: already gone from /deletedsecrets, still refused to writes. */
export interface PurgingSecret {
  readonly name: string
  writesRefused: number
}

/** Who called, from a verified access token. */
export interface Caller {
  readonly appid: string
  readonly oid: string
  readonly tid: string
  readonly iss: string
  /** How many groups the token names (a user's token); undefined when it names none (an app's). */
  readonly groups?: number
}

const SECRET_NAME = /^[0-9a-zA-Z-]{1,127}$/
const MAX_VALUE_BYTES = 25 * 1024
const MAX_CONTENT_TYPE = 255
const MAX_TAGS = 15
const MAX_TAG_LENGTH = 256
const DEFAULT_RETENTION_DAYS = 90
const DAY_SECONDS = 24 * 60 * 60

const toSeconds = (value: number | Date | undefined): number | undefined =>
  value === undefined ? undefined : value instanceof Date ? Math.floor(value.getTime() / 1000) : value

const newVersion = (): string => randomBytes(16).toString('hex')

/** One vault's state and the knobs tests turn. The HTTP side is `handleVaultCall`. */
export class Vault {
  readonly name: string
  readonly tenantId: string
  readonly cloud: CloudProfile
  accessModel: AccessModel
  readonly grants = new Map<string, Set<Permission>>()
  purgeProtection: boolean
  retentionDays: number
  softDelete: boolean
  deletePolls: number
  recoverPolls: number
  purgeWindow: number
  recoverWindow: number
  network: NetworkAccess
  pageSize: number
  paging: Paging
  readonly location: string
  readonly subscriptionId: string
  readonly resourceGroup: string
  /** Live secrets, keyed by lower-case name. */
  readonly secrets = new Map<string, StoredSecret>()
  /** Soft-deleted secrets, keyed by lower-case name. */
  readonly deleted = new Map<string, DeletedSecret>()
  /** Secrets whose recovery is still "in progress", keyed by lower-case name. */
  readonly recovering = new Map<string, RecoveringSecret>()
  /** Names whose purge was accepted and is not finished, keyed by lower-case name. */
  readonly purging = new Map<string, PurgingSecret>()
  /** See RateLimit; undefined admits everything. */
  rateLimit: RateLimit | undefined
  expiredSecrets: 'returned' | 'refused'
  /** When each request the rate limit admitted arrived, oldest first, within the last period. */
  private readonly admitted: number[] = []

  constructor(options: VaultOptions) {
    this.name = options.name.toLowerCase()
    this.tenantId = options.tenantId
    this.cloud = CloudProfiles[options.cloud ?? 'AzureCloud']
    this.accessModel = options.accessModel ?? 'rbac'
    this.purgeProtection = options.purgeProtection ?? false
    this.retentionDays = options.retentionDays ?? DEFAULT_RETENTION_DAYS
    this.softDelete = options.softDelete ?? true
    this.deletePolls = options.deletePolls ?? 1
    this.recoverPolls = options.recoverPolls ?? 1
    this.purgeWindow = options.purgeWindow ?? 1
    this.recoverWindow = options.recoverWindow ?? 1
    this.network = options.network ?? 'public'
    this.pageSize = Math.min(options.pageSize ?? 25, 25)
    this.paging = options.paging ?? {}
    this.location = options.location ?? 'eastus'
    this.subscriptionId = options.subscriptionId ?? '00000000-0000-0000-0000-00000000cafe'
    this.resourceGroup = options.resourceGroup ?? 'rg-standin'
    for (const [principal, permissions] of Object.entries(options.grants ?? {})) this.grant(principal, ...permissions)
    this.rateLimit = options.rateLimit
    this.expiredSecrets = options.expiredSecrets ?? 'returned'
  }

  /**
   * Counts a request against the rate limit: undefined when admitted, else the 429 the service
   * answers (with the seconds to wait in Retry-After unless the limit omits it).
   */
  admit(now = Date.now()): Reply | undefined {
    const limit = this.rateLimit
    if (!limit) return undefined
    const period = limit.periodMs ?? RATE_PERIOD_MS
    const admitted = this.admitted
    while (admitted.length > 0 && (admitted[0] ?? 0) <= now - period) admitted.shift()
    if (admitted.length < limit.requests) {
      admitted.push(now)
      return undefined
    }
    const asked = limit.retryAfterSeconds ?? 'omit'
    const wait = asked === 'window' ? Math.max(1, Math.ceil(((admitted[0] ?? now) + period - now) / 1000)) : asked
    return kvError(
      429,
      'Throttled',
      ThrottledMessage,
      undefined,
      wait === 'omit' ? {} : { 'Retry-After': String(wait) }
    )
  }

  get host(): string {
    return `${this.name}${this.cloud.vaultSuffix}`
  }

  get url(): string {
    return `https://${this.host}`
  }

  /** As the service reports it: `Customized` when the retention is not the default 90 days. */
  get recoveryLevel(): string {
    if (!this.softDelete) return 'Purgeable'
    const level = this.purgeProtection ? 'Recoverable' : 'Recoverable+Purgeable'
    return this.retentionDays === DEFAULT_RETENTION_DAYS ? level : `Customized${level}`
  }

  grant(principalId: string, ...permissions: Permission[]): this {
    const set = this.grants.get(principalId) ?? new Set<Permission>()
    for (const permission of permissions) set.add(permission)
    this.grants.set(principalId, set)
    return this
  }

  /** Removes the given permissions, or all of them when none are named. */
  revoke(principalId: string, ...permissions: Permission[]): this {
    if (permissions.length === 0) this.grants.delete(principalId)
    else for (const permission of permissions) this.grants.get(principalId)?.delete(permission)
    return this
  }

  /** Seeds a new version, as a PUT would; returns the version. */
  setSecret(name: string, value: string, seed: SecretSeed = {}): string {
    const key = name.toLowerCase()
    const secret = this.secrets.get(key) ?? { name, versions: [] }
    const now = nowSeconds()
    const version: SecretVersion = {
      version: newVersion(),
      value,
      enabled: seed.enabled ?? true,
      created: now,
      updated: now,
      ...(seed.certificate && { certificate: true }),
      ...(seed.pem !== undefined && { pem: seed.pem }),
      ...(seed.contentType !== undefined && { contentType: seed.contentType }),
      ...(seed.tags !== undefined && { tags: { ...seed.tags } }),
      ...(seed.nbf !== undefined && { nbf: toSeconds(seed.nbf) }),
      ...(seed.exp !== undefined && { exp: toSeconds(seed.exp) })
    }
    secret.versions.push(version)
    this.secrets.set(key, secret)
    return version.version
  }

  latest(name: string): SecretVersion | undefined {
    return this.secrets.get(name.toLowerCase())?.versions.at(-1)
  }

  /** The current value of a live secret, for assertions. */
  value(name: string): string | undefined {
    return this.latest(name)?.value
  }

  /** Soft-deletes a live secret at once (no polls pending unless asked). */
  softDeleteSecret(name: string, pendingPolls = 0): DeletedSecret {
    const key = name.toLowerCase()
    const secret = this.secrets.get(key)
    if (!secret) throw new Error(`stand-in: vault ${this.name} has no secret ${name} to delete`)
    this.secrets.delete(key)
    const now = nowSeconds()
    const deleted: DeletedSecret = {
      secret,
      deletedDate: now,
      scheduledPurgeDate: now + this.retentionDays * DAY_SECONDS,
      pendingPolls
    }
    if (this.softDelete) this.deleted.set(key, deleted)
    return deleted
  }

  /** Seeds a secret that is already in the deleted-but-recoverable state. */
  seedDeleted(name: string, value: string, seed: SecretSeed = {}): DeletedSecret {
    this.setSecret(name, value, seed)
    return this.softDeleteSecret(name)
  }

  secretId(name: string, version?: string): string {
    return version === undefined ? `${this.url}/secrets/${name}` : `${this.url}/secrets/${name}/${version}`
  }

  recoveryId(name: string): string {
    return `${this.url}/deletedsecrets/${name}`
  }

  /**
   * Recoveries whose polls ran out make the secret live again, so every operation sees it; the
   * record stays while writes are still refused (recoverWindow).
   */
  settle(): void {
    for (const [key, recovering] of this.recovering) {
      if (recovering.pendingPolls > 0) continue
      this.secrets.set(key, recovering.secret)
      if (recovering.writesRefused <= 0) this.recovering.delete(key)
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Wire shapes

function attributes(vault: Vault, version: SecretVersion): Record<string, unknown> {
  return {
    enabled: version.enabled,
    ...(version.nbf !== undefined && { nbf: version.nbf }),
    ...(version.exp !== undefined && { exp: version.exp }),
    created: version.created,
    updated: version.updated,
    recoveryLevel: vault.recoveryLevel,
    ...(vault.softDelete && { recoverableDays: vault.retentionDays })
  }
}

/** The fields of a version that lists show too (no value, no kid). */
function versionFields(vault: Vault, version: SecretVersion): Record<string, unknown> {
  return {
    ...(version.contentType !== undefined && { contentType: version.contentType }),
    ...(version.certificate && { managed: true }),
    attributes: attributes(vault, version),
    ...(version.tags !== undefined && { tags: version.tags })
  }
}

function secretBundle(
  vault: Vault,
  secret: StoredSecret,
  version: SecretVersion,
  withValue: boolean
): Record<string, unknown> {
  return {
    ...(withValue && { value: version.value }),
    id: vault.secretId(secret.name, version.version),
    ...versionFields(vault, version),
    // A certificate's secret names the certificate's key.
    ...(version.certificate && { kid: `${vault.url}/keys/${secret.name}/${version.version}` })
  }
}

function deletedBundle(vault: Vault, deleted: DeletedSecret): Record<string, unknown> {
  const current = deleted.secret.versions.at(-1)
  return {
    // A vault without soft delete keeps nothing to recover: no recovery id, no dates.
    ...(vault.softDelete && {
      recoveryId: vault.recoveryId(deleted.secret.name),
      deletedDate: deleted.deletedDate,
      scheduledPurgeDate: deleted.scheduledPurgeDate
    }),
    id: vault.secretId(deleted.secret.name, current?.version ?? ''),
    ...(current && versionFields(vault, current))
  }
}

function deletedItem(vault: Vault, deleted: DeletedSecret): Record<string, unknown> {
  const bundle = deletedBundle(vault, deleted)
  return { ...bundle, id: vault.secretId(deleted.secret.name) }
}

// ---------------------------------------------------------------------------------------------
// Errors, worded as the service words them

const kvError = (
  status: number,
  code: string,
  message: string,
  inner?: string,
  headers?: Record<string, string>
): Reply =>
  json(status, { error: { code, message, ...(inner && { innererror: { code: inner } }) } }, headers ? { headers } : {})

const secretNotFound = (name: string): Reply =>
  kvError(
    404,
    'SecretNotFound',
    `A secret with (name/id) ${name} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`
  )

/**
 * No deleted secret of that name. The service words it two ways: "Deleted Secret not found: X"
 * for a name it knows is being deleted or was just purged, and the plain not-found message for a
 * name it never saw deleted (recordings: a get of a deleted secret, a recover of a name never deleted).
 */
function deletedSecretNotFound(vault: Vault, name: string): Reply {
  const key = name.toLowerCase()
  const known = (vault.deleted.get(key)?.pendingPolls ?? 0) > 0 || vault.purging.has(key)
  return known ? kvError(404, 'SecretNotFound', `Deleted Secret not found: ${name}`) : secretNotFound(name)
}

/** A write of a name whose delete or purge is not finished. */
const beingDeleted = (name: string): Reply =>
  kvError(
    409,
    'Conflict',
    `Secret ${name} is currently being deleted and cannot be re-created; retry later.`,
    'ObjectIsBeingDeleted'
  )

/** A purge or recover of a deleted secret whose delete is not finished: no name, no inner code (terraform-provider-azurerm issue 10454). */
const deleteStillInProgress = (): Reply => kvError(409, 'Conflict', 'Secret is currently being deleted.')

const beingRecovered = (name: string): Reply =>
  kvError(
    409,
    'Conflict',
    `Secret ${name} is currently being recovered and cannot be re-created; retry later.`,
    'ObjectIsBeingRecovered'
  )

const badParameter = (message: string): Reply => kvError(400, 'BadParameter', message)

const invalidName = (name: string): Reply => badParameter(`The request URI contains an invalid name: ${name}`)

function challengeHeader(vault: Vault): Record<string, string> {
  return {
    'WWW-Authenticate': `Bearer authorization="https://${vault.cloud.loginHost}/${vault.tenantId}", resource="${vault.cloud.vaultResource}"`
  }
}

const unauthorized = (vault: Vault, message: string): Reply =>
  kvError(401, 'Unauthorized', message, undefined, challengeHeader(vault))

// ---------------------------------------------------------------------------------------------
// Authentication and authorization

type TokenVerifier = (token: string) => JwtCheck

function authenticate(
  vault: Vault,
  call: IncomingCall,
  verifyToken: TokenVerifier
): { caller: Caller } | { reply: Reply } {
  const token = bearerToken(call.headers)
  if (!token) return { reply: unauthorized(vault, 'AKV10000: Request is missing a Bearer, PoP, or MTLS_POP token.') }
  const check = verifyToken(token)
  if (!check.ok)
    return { reply: unauthorized(vault, 'AKV10046: Unable to resolve the key used for signature validation.') }
  const claims = check.jwt.payload
  const aud = typeof claims.aud === 'string' ? claims.aud : ''
  if (aud.replace(/\/$/, '') !== vault.cloud.vaultResource) {
    return {
      reply: unauthorized(vault, `AKV10022: Invalid audience. Expected ${vault.cloud.vaultResource}, found: ${aud}.`)
    }
  }
  const expectedIssuer = vault.cloud.tokenIssuer(vault.tenantId)
  const iss = typeof claims.iss === 'string' ? claims.iss : ''
  if (claims.tid !== vault.tenantId || iss !== expectedIssuer) {
    return { reply: unauthorized(vault, `AKV10032: Invalid issuer. Expected one of ${expectedIssuer}, found ${iss}.`) }
  }
  const exp = typeof claims.exp === 'number' ? claims.exp : 0
  if (exp <= nowSeconds()) return { reply: unauthorized(vault, 'AKV10021: Token is expired.') }
  const groups = Array.isArray(claims.groups) ? claims.groups.length : undefined
  return {
    caller: {
      appid: String(claims.appid ?? ''),
      oid: String(claims.oid ?? ''),
      tid: String(claims.tid),
      iss,
      ...(groups !== undefined && { groups })
    }
  }
}

/** As the service names the caller in its refusals. */
const callerLabel = (caller: Caller): string =>
  `appid=${caller.appid};oid=${caller.oid};${caller.groups !== undefined ? `numgroups=${caller.groups};` : ''}iss=${caller.iss}`

/** The vault's network rules, checked once the caller is known (the refusals name it). */
function refuseByNetwork(vault: Vault, caller: Caller): Reply | undefined {
  const vaultLabel = `${vault.name};location=${vault.location}`
  switch (vault.network) {
    case 'public':
      return undefined
    case 'firewall':
      return kvError(
        403,
        'Forbidden',
        `Client address is not authorized and caller is not a trusted service.\r\nClient address: ${CLIENT_ADDRESS}\r\nCaller: ${callerLabel(caller)}\r\nVault: ${vaultLabel}`,
        'ForbiddenByFirewall'
      )
    case 'private':
      return kvError(
        403,
        'Forbidden',
        `Public network access is disabled and request is not from a trusted service nor via an approved private link.\r\nCaller: ${callerLabel(caller)}\r\nVault: ${vaultLabel}`,
        'ForbiddenByConnection'
      )
  }
}

/** The runner's public address, as a firewall refusal quotes it (a documentation address). */
const CLIENT_ADDRESS = '203.0.113.7'

/** How an operation is named by each access model. */
interface Operation {
  readonly permission: Permission
  readonly rbacAction: string
}

const Operations = {
  get: { permission: 'get', rbacAction: 'Microsoft.KeyVault/vaults/secrets/getSecret/action' },
  set: { permission: 'set', rbacAction: 'Microsoft.KeyVault/vaults/secrets/setSecret/action' },
  update: { permission: 'set', rbacAction: 'Microsoft.KeyVault/vaults/secrets/update/action' },
  list: { permission: 'list', rbacAction: 'Microsoft.KeyVault/vaults/secrets/readMetadata/action' },
  delete: { permission: 'delete', rbacAction: 'Microsoft.KeyVault/vaults/secrets/delete' },
  getDeleted: { permission: 'get', rbacAction: 'Microsoft.KeyVault/vaults/secrets/readMetadata/action' },
  listDeleted: { permission: 'list', rbacAction: 'Microsoft.KeyVault/vaults/secrets/readMetadata/action' },
  recover: { permission: 'recover', rbacAction: 'Microsoft.KeyVault/vaults/secrets/recover/action' },
  purge: { permission: 'purge', rbacAction: 'Microsoft.KeyVault/vaults/secrets/purge/action' }
} as const satisfies Record<string, Operation>

function isAllowed(vault: Vault, caller: Caller, permission: Permission): boolean {
  return [caller.appid, caller.oid].some(
    (principal) => principal !== '' && vault.grants.get(principal)?.has(permission) === true
  )
}

function forbidden(vault: Vault, caller: Caller, operation: Operation, secretName?: string): Reply {
  const vaultLabel = `${vault.name};location=${vault.location}`
  if (vault.accessModel === 'accessPolicy') {
    return kvError(
      403,
      'Forbidden',
      `The user, group or application '${callerLabel(caller)}' does not have secrets ${operation.permission} permission on key vault '${vaultLabel}'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287`,
      'AccessDenied'
    )
  }
  const vaultResource = `/subscriptions/${vault.subscriptionId}/resourcegroups/${vault.resourceGroup}/providers/microsoft.keyvault/vaults/${vault.name}`
  const resource = secretName ? `${vaultResource}/secrets/${secretName}` : vaultResource
  return kvError(
    403,
    'Forbidden',
    `Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\nCaller: ${callerLabel(caller)}\r\nAction: '${operation.rbacAction}'\r\nResource: '${resource}'\r\nAssignment: (not found)\r\nDenyAssignmentId: null\r\nDecisionReason: 'DeniedWithNoValidRBAC' \r\nVault: ${vaultLabel}\r\n`,
    'ForbiddenByRbac'
  )
}

// ---------------------------------------------------------------------------------------------
// Operations

interface Context {
  readonly vault: Vault
  readonly call: IncomingCall
  readonly caller: Caller
}

function authorize(ctx: Context, operation: Operation, secretName?: string): Reply | undefined {
  return isAllowed(ctx.vault, ctx.caller, operation.permission)
    ? undefined
    : forbidden(ctx.vault, ctx.caller, operation, secretName)
}

function readSecretBody(body: Buffer): { fields: Record<string, unknown> } | { reply: Reply } {
  const parsed = parseJsonBody(body)
  if (!isRecord(parsed)) return { reply: badParameter('The request body is not valid JSON.') }
  return { fields: parsed }
}

function validateMetadata(fields: Record<string, unknown>): Reply | undefined {
  const contentType = fields.contentType
  if (contentType !== undefined && contentType !== null) {
    if (typeof contentType !== 'string' || contentType.length > MAX_CONTENT_TYPE) {
      return badParameter(
        `Property contentType has invalid value: it must be a string of at most ${MAX_CONTENT_TYPE} characters.`
      )
    }
  }
  const tags = fields.tags
  if (tags !== undefined && tags !== null) {
    if (!isRecord(tags)) return badParameter('Property tags has invalid value.')
    const entries = Object.entries(tags)
    if (entries.length > MAX_TAGS) return badParameter(`A secret can have at most ${MAX_TAGS} tags.`)
    for (const [name, value] of entries) {
      if (typeof value !== 'string' || name.length > MAX_TAG_LENGTH || value.length > MAX_TAG_LENGTH) {
        return badParameter(`Tag names and values must be strings of at most ${MAX_TAG_LENGTH} characters.`)
      }
    }
  }
  const attrs = fields.attributes
  if (attrs !== undefined && attrs !== null && !isRecord(attrs))
    return badParameter('Property attributes has invalid value.')
  return undefined
}

function applyMetadata(version: SecretVersion, fields: Record<string, unknown>): void {
  if (typeof fields.contentType === 'string') version.contentType = fields.contentType
  if (isRecord(fields.tags))
    version.tags = Object.fromEntries(Object.entries(fields.tags).map(([k, v]) => [k, String(v)]))
  const attrs = isRecord(fields.attributes) ? fields.attributes : {}
  if (typeof attrs.enabled === 'boolean') version.enabled = attrs.enabled
  if (typeof attrs.nbf === 'number') version.nbf = attrs.nbf
  if (typeof attrs.exp === 'number') version.exp = attrs.exp
}

/** Why a write of the name is refused now, if it is: a delete, purge or recovery not finished, or a soft-deleted secret. */
function conflictIfBlocked(vault: Vault, name: string): Reply | undefined {
  const key = name.toLowerCase()
  const purging = vault.purging.get(key)
  if (purging) {
    purging.writesRefused -= 1
    if (purging.writesRefused <= 0) vault.purging.delete(key)
    return beingDeleted(name)
  }
  const deleted = vault.deleted.get(key)
  if (deleted && deleted.pendingPolls > 0) {
    // Time passes for the delete with every refused write too.
    deleted.pendingPolls -= 1
    return beingDeleted(name)
  }
  if (deleted) {
    return kvError(
      409,
      'Conflict',
      `Secret ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.`,
      'ObjectIsDeletedButRecoverable'
    )
  }
  const recovering = vault.recovering.get(key)
  if (recovering && recovering.pendingPolls > 0) {
    recovering.pendingPolls -= 1
    return beingRecovered(name)
  }
  if (recovering && recovering.writesRefused > 0) {
    recovering.writesRefused -= 1
    if (recovering.writesRefused <= 0) vault.recovering.delete(key)
    return beingRecovered(name)
  }
  return undefined
}

function setSecret(ctx: Context, name: string): Reply {
  const denied = authorize(ctx, Operations.set, name)
  if (denied) return denied
  const body = readSecretBody(ctx.call.body)
  if ('reply' in body) return body.reply
  const { fields } = body
  if (typeof fields.value !== 'string') return badParameter('Property value is required and must be a string.')
  if (Buffer.byteLength(fields.value, 'utf8') > MAX_VALUE_BYTES) {
    return badParameter(`The secret value exceeds the maximum allowed size of ${MAX_VALUE_BYTES} bytes.`)
  }
  const invalid = validateMetadata(fields)
  if (invalid) return invalid
  const blocked = conflictIfBlocked(ctx.vault, name)
  if (blocked) return blocked

  const versionId = ctx.vault.setSecret(name, fields.value)
  const secret = ctx.vault.secrets.get(name.toLowerCase())
  const version = secret?.versions.at(-1)
  if (!secret || version?.version !== versionId) throw new Error('stand-in: secret vanished while being set')
  applyMetadata(version, fields)
  return json(200, secretBundle(ctx.vault, secret, version, true))
}

/** Finds a live secret, counting down a recovery still in progress. */
function findLive(vault: Vault, name: string): StoredSecret | undefined {
  const key = name.toLowerCase()
  const recovering = vault.recovering.get(key)
  if (recovering && recovering.pendingPolls > 0) {
    recovering.pendingPolls -= 1
    return undefined
  }
  return vault.secrets.get(key)
}

function getSecret(ctx: Context, name: string, versionId: string | undefined): Reply {
  const denied = authorize(ctx, Operations.get, name)
  if (denied) return denied
  const secret = findLive(ctx.vault, name)
  const version = versionId ? secret?.versions.find((v) => v.version === versionId) : secret?.versions.at(-1)
  if (!secret || !version) return secretNotFound(versionId ? `${name}/${versionId}` : name)
  if (!version.enabled)
    return kvError(403, 'Forbidden', 'Operation get is not allowed on a disabled secret.', 'SecretDisabled')
  // Worded "a expired" as the service words it; it sends no date with the refusal.
  if (ctx.vault.expiredSecrets === 'refused' && version.exp !== undefined && version.exp <= nowSeconds())
    return kvError(403, 'Forbidden', 'Operation get is not allowed on a expired secret.', 'SecretExpired')
  const outContentType = ctx.call.query.outContentType
  if (outContentType !== undefined) return converted(ctx, secret, version, outContentType)
  return json(200, secretBundle(ctx.vault, secret, version, true))
}

// What `outContentType` names, as the service names the formats in its refusals.
const Formats: Readonly<Record<string, string>> = { 'application/x-pem-file': 'PEM', 'application/x-pkcs12': 'PFX' }

/**
 * GET with `outContentType` (API 2025-07-01 and later). Learn: "If a supported format is
 * specified, the certificate content is converted to the requested format. Currently, only PFX to
 * PEM conversion is supported. If an unsupported format is specified, the request is rejected."
 * Recorded (keyvault/get-out-content-type-*): a secret that backs no certificate is refused with
 * 400 BadParameter "The 'Unsupported' to 'PEM' transformation is not supported...", even with
 * content type application/x-pkcs12, and so is a conversion to PFX. Not recorded, the stand-in's
 * choices: a certificate-backed PKCS#12 secret answers its PEM (SecretSeed.pem) with content type
 * application/x-pem-file (keyvault/get-out-content-type-pem-converted.json, documented); a
 * certificate-backed PEM secret is a 'PEM' source, refused like the others; a value that names no
 * format is refused with the stand-in's own words.
 */
function converted(ctx: Context, secret: StoredSecret, version: SecretVersion, outContentType: string): Reply {
  const target = Formats[outContentType]
  if (target === undefined)
    return kvError(
      400,
      'BadParameter',
      `stand-in (Key Vault's wording not recorded): outContentType '${outContentType}' is not a supported format.`
    )
  const source = version.certificate ? (Formats[version.contentType ?? ''] ?? 'Unsupported') : 'Unsupported'
  if (source !== 'PFX' || target !== 'PEM')
    return kvError(
      400,
      'BadParameter',
      `The '${source}' to '${target}' transformation is not supported. Only PFX to PEM transformation is supported.`
    )
  if (version.pem === undefined)
    return kvError(
      500,
      'InternalServerError',
      `stand-in: the certificate-backed secret ${secret.name} was seeded without its PEM (SecretSeed.pem)`
    )
  const bundle = secretBundle(ctx.vault, secret, version, true)
  return json(200, { ...bundle, value: version.pem, contentType: 'application/x-pem-file' })
}

function updateSecret(ctx: Context, name: string, versionId: string | undefined): Reply {
  const denied = authorize(ctx, Operations.update, name)
  if (denied) return denied
  const body = readSecretBody(ctx.call.body)
  if ('reply' in body) return body.reply
  const invalid = validateMetadata(body.fields)
  if (invalid) return invalid
  const secret = findLive(ctx.vault, name)
  const version = versionId ? secret?.versions.find((v) => v.version === versionId) : secret?.versions.at(-1)
  if (!secret || !version) return secretNotFound(versionId ? `${name}/${versionId}` : name)
  applyMetadata(version, body.fields)
  version.updated = nowSeconds()
  return json(200, secretBundle(ctx.vault, secret, version, false))
}

function deleteSecret(ctx: Context, name: string): Reply {
  const denied = authorize(ctx, Operations.delete, name)
  if (denied) return denied
  const key = name.toLowerCase()
  if (!ctx.vault.secrets.has(key)) return secretNotFound(name)
  // A recovery whose write window was still open is over once the secret is deleted again.
  ctx.vault.recovering.delete(key)
  const deleted = ctx.vault.softDeleteSecret(name, ctx.vault.deletePolls)
  return json(200, deletedBundle(ctx.vault, deleted))
}

function getDeletedSecret(ctx: Context, name: string): Reply {
  const denied = authorize(ctx, Operations.getDeleted, name)
  if (denied) return denied
  const deleted = ctx.vault.deleted.get(name.toLowerCase())
  if (!deleted) return deletedSecretNotFound(ctx.vault, name)
  if (deleted.pendingPolls > 0) {
    // A delete still in progress is not yet a deleted secret; every look at it brings the end nearer.
    const reply = deletedSecretNotFound(ctx.vault, name)
    deleted.pendingPolls -= 1
    return reply
  }
  return json(200, deletedBundle(ctx.vault, deleted))
}

/** The deleted secret a purge or recover acts on: one whose delete has finished. */
function settledDeleted(
  ctx: Context,
  operation: Operation,
  name: string
): { key: string; deleted: DeletedSecret } | { reply: Reply } {
  const denied = authorize(ctx, operation, name)
  if (denied) return { reply: denied }
  const key = name.toLowerCase()
  const deleted = ctx.vault.deleted.get(key)
  if (!deleted) return { reply: deletedSecretNotFound(ctx.vault, name) }
  if (deleted.pendingPolls > 0) {
    deleted.pendingPolls -= 1
    return { reply: deleteStillInProgress() }
  }
  return { key, deleted }
}

/**
 * Accepted (204) before it is finished: the deleted secret is gone from /deletedsecrets at once,
 * but writes of the name are refused for a while (purgeWindow), and nothing says when that ends.
 */
function purgeDeletedSecret(ctx: Context, name: string): Reply {
  if (!ctx.vault.softDelete) {
    const denied = authorize(ctx, Operations.purge, name)
    return denied ?? kvError(400, 'NotSupported', 'Operation "purge" is not enabled for this vault.')
  }
  const found = settledDeleted(ctx, Operations.purge, name)
  if ('reply' in found) return found.reply
  const { key } = found
  if (ctx.vault.purgeProtection) {
    // Worded as the service answers (seen in Terraform and Azure CLI reports); no innererror is reported there.
    return kvError(
      403,
      'Forbidden',
      `Operation "purge" is not allowed because purge protection is enabled for this vault. Key Vault service will automatically purge it after the retention period has passed.\r\nVault: ${ctx.vault.name};location=${ctx.vault.location}`
    )
  }
  ctx.vault.deleted.delete(key)
  if (ctx.vault.purgeWindow > 0) ctx.vault.purging.set(key, { name, writesRefused: ctx.vault.purgeWindow })
  return { status: 204 }
}

/** Accepted at once (200, no value); the secret reads again after recoverPolls looks, and takes writes after recoverWindow more. */
function recoverDeletedSecret(ctx: Context, name: string): Reply {
  const found = settledDeleted(ctx, Operations.recover, name)
  if ('reply' in found) return found.reply
  const { key, deleted } = found
  ctx.vault.deleted.delete(key)
  ctx.vault.recovering.set(key, {
    secret: deleted.secret,
    pendingPolls: ctx.vault.recoverPolls,
    writesRefused: ctx.vault.recoverWindow
  })
  const current = deleted.secret.versions.at(-1)
  if (!current) throw new Error('stand-in: deleted secret without versions')
  ctx.vault.settle()
  return json(200, secretBundle(ctx.vault, deleted.secret, current, false))
}

// -- paging: ids are absolute; nextLink carries the api-version, a $skiptoken and (only when the
// request gave one) maxresults, as the service's do. Page sizes follow `vault.paging`.

function pageSize(ctx: Context): number | Reply {
  const raw = ctx.call.query.maxresults
  if (raw === undefined || raw === '') return ctx.vault.pageSize
  const requested = Number(raw)
  if (!Number.isInteger(requested) || requested < 1 || requested > 25) {
    return badParameter(`Invalid maxresults value ${raw}. It must be an integer between 1 and 25.`)
  }
  return Math.min(requested, ctx.vault.pageSize)
}

function page<T>(ctx: Context, basePath: string, items: readonly T[], render: (item: T) => unknown): Reply {
  const size = pageSize(ctx)
  if (typeof size !== 'number') return size
  const skipToken = ctx.call.query.$skiptoken
  const position = skipToken ? decodeSkipToken(skipToken) : { offset: 0, page: 0 }
  if (position === undefined) return badParameter('The $skiptoken is invalid.')
  const { sizes = [], endsWithEmptyPage = false } = ctx.vault.paging
  const thisSize = Math.min(sizes[position.page] ?? size, size)
  const slice = items.slice(position.offset, position.offset + thisSize)
  const offset = position.offset + slice.length
  // More items, or the empty last page the service sometimes adds after the last item.
  const hasNext = offset < items.length || (endsWithEmptyPage && slice.length > 0)
  const apiVersion = ctx.call.query['api-version'] ?? ''
  const maxResults = ctx.call.query.maxresults ? `&maxresults=${size}` : ''
  const nextLink = hasNext
    ? `${ctx.vault.url}:443${basePath}?api-version=${encodeURIComponent(apiVersion)}&$skiptoken=${encodeSkipToken({ offset, page: position.page + 1 })}${maxResults}`
    : null
  return json(200, { value: slice.map(render), nextLink })
}

function encodeSkipToken({ offset, page }: { offset: number; page: number }): string {
  return Buffer.from(JSON.stringify({ NextMarker: `2!${offset}!${page}!MDAwMDA`, TargetLocation: 0 })).toString(
    'base64url'
  )
}

function decodeSkipToken(token: string): { offset: number; page: number } | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown
    const marker = isRecord(parsed) && typeof parsed.NextMarker === 'string' ? parsed.NextMarker : ''
    const [, offset, page] = marker.split('!').map(Number)
    return Number.isInteger(offset) && Number.isInteger(page) && (offset ?? -1) >= 0 && (page ?? -1) >= 0
      ? { offset: offset as number, page: page as number }
      : undefined
  } catch {
    return undefined
  }
}

/** Case-insensitive, ordinal (as recorded: CRUDCertificateName-... < crudcertoperation-1348 < CRUDSecretName-...). */
const byName = <T extends { name: string }>(a: T, b: T): number => {
  const [x, y] = [a.name.toLowerCase(), b.name.toLowerCase()]
  return x < y ? -1 : x > y ? 1 : 0
}

function listSecrets(ctx: Context): Reply {
  const denied = authorize(ctx, Operations.list)
  if (denied) return denied
  const secrets = [...ctx.vault.secrets.values()].sort(byName)
  return page(ctx, '/secrets', secrets, (secret) => {
    const current = secret.versions.at(-1)
    return { id: ctx.vault.secretId(secret.name), ...(current && versionFields(ctx.vault, current)) }
  })
}

function listVersions(ctx: Context, name: string): Reply {
  const denied = authorize(ctx, Operations.list, name)
  if (denied) return denied
  const secret = ctx.vault.secrets.get(name.toLowerCase())
  const versions = secret?.versions ?? []
  return page(ctx, `/secrets/${encodeURIComponent(name)}/versions`, versions, (version) => ({
    id: ctx.vault.secretId(secret?.name ?? name, version.version),
    ...versionFields(ctx.vault, version)
  }))
}

function listDeleted(ctx: Context): Reply {
  const denied = authorize(ctx, Operations.listDeleted)
  if (denied) return denied
  const deleted = [...ctx.vault.deleted.values()]
    .filter((d) => d.pendingPolls <= 0)
    .sort((a, b) => byName(a.secret, b.secret))
  return page(ctx, '/deletedsecrets', deleted, (d) => deletedItem(ctx.vault, d))
}

const notFoundPath = (): Reply => kvError(404, 'NotFound', 'The requested resource was not found.')
const methodNotAllowed = (method: string): Reply =>
  kvError(405, 'MethodNotAllowed', `The requested HTTP method ${method} is not allowed.`)

/** Routes one request to a known vault. Order as the service: api-version, then authentication, then the rest. */
export function handleVaultCall(vault: Vault, call: IncomingCall, verifyToken: TokenVerifier): Reply {
  if (!call.query['api-version']) {
    return badParameter('The api-version query parameter (?api-version=) is required for all requests.')
  }
  const auth = authenticate(vault, call, verifyToken)
  if ('reply' in auth) return auth.reply
  const refused = refuseByNetwork(vault, auth.caller)
  if (refused) return { ...refused, authorized: true }
  vault.settle()
  const ctx: Context = { vault, call, caller: auth.caller }
  const reply = route(ctx)
  return { ...reply, authorized: true }
}

function route(ctx: Context): Reply {
  const { method } = ctx.call
  const segments = pathSegments(ctx.call.path)
  const [collection, name, third, fourth] = segments
  const extra = segments.length > 4 || (fourth !== undefined && fourth !== '')
  if (extra) return notFoundPath()

  if (collection === 'secrets') {
    if (name === undefined || name === '') {
      if (segments.length > 2) return notFoundPath()
      return method === 'GET' ? listSecrets(ctx) : methodNotAllowed(method)
    }
    if (!SECRET_NAME.test(name)) return invalidName(name)
    if (third === undefined || third === '') {
      // /secrets/{name} and /secrets/{name}/ (the SDK's "latest" form)
      switch (method) {
        case 'PUT':
          return setSecret(ctx, name)
        case 'GET':
          return getSecret(ctx, name, undefined)
        case 'PATCH':
          return updateSecret(ctx, name, undefined)
        case 'DELETE':
          return deleteSecret(ctx, name)
        default:
          return methodNotAllowed(method)
      }
    }
    if (third === 'versions') return method === 'GET' ? listVersions(ctx, name) : methodNotAllowed(method)
    switch (method) {
      case 'GET':
        return getSecret(ctx, name, third)
      case 'PATCH':
        return updateSecret(ctx, name, third)
      default:
        return methodNotAllowed(method)
    }
  }

  if (collection === 'deletedsecrets') {
    if (name === undefined || name === '') {
      if (segments.length > 2) return notFoundPath()
      return method === 'GET' ? listDeleted(ctx) : methodNotAllowed(method)
    }
    if (!SECRET_NAME.test(name)) return invalidName(name)
    if (third === undefined || third === '') {
      if (method === 'GET') return getDeletedSecret(ctx, name)
      if (method === 'DELETE') return purgeDeletedSecret(ctx, name)
      return methodNotAllowed(method)
    }
    if (third === 'recover') return method === 'POST' ? recoverDeletedSecret(ctx, name) : methodNotAllowed(method)
  }
  return notFoundPath()
}
