/**
 * The GitHub REST API's Actions and Dependabot secrets endpoints, as api.github.com and a GitHub
 * Enterprise Server (`/api/v3`) answer them. Every status, header and wording here comes from
 * GitHub's REST reference or a real answer quoted in a public thread: see
 * `__tests__/fixtures/recorded/github/` and its README. Where neither says, the code says so, and
 * the stand-in's own wording starts with `stand-in (GitHub's wording not recorded)`.
 */
import { randomBytes, randomInt } from 'node:crypto'
import sodium from 'libsodium-wrappers'
import type { Fault } from './index.js'
import { isRecord, json, pathSegments, type IncomingCall, type Reply } from './http.js'

export type SecretStore = 'actions' | 'dependabot'
export type Access = 'read' | 'write'

/**
 * Fine-grained permissions, named as GitHub names them in `X-Accepted-GitHub-Permissions`
 * (the reference's "Secrets", "Environments", "Dependabot secrets", "Secrets" organization and
 * "Organization dependabot secrets" permissions). `write` implies `read`.
 */
export interface TokenPermissions {
  readonly secrets?: Access
  readonly environments?: Access
  readonly dependabot_secrets?: Access
  readonly organization_secrets?: Access
  readonly organization_dependabot_secrets?: Access
}

/**
 * - `fine-grained`: a fine-grained personal access token; a refusal reads "Resource not accessible by personal access token".
 * - `app-installation`: a GitHub App installation token; "Resource not accessible by integration".
 * - `github-token`: the run's own GITHUB_TOKEN: reads its repository (and its public keys) but holds no
 *   secrets permission at all (GitHub offers none to GITHUB_TOKEN), so every secret write is refused
 *   "Resource not accessible by integration", whatever `permissions` says.
 */
export type TokenKind = 'fine-grained' | 'app-installation' | 'github-token'

export interface TokenOptions {
  /** `owner/name` of the repositories the token reaches. */
  readonly repositories?: readonly string[]
  /** Organizations the token reaches: their org-level endpoints and every repository they own. */
  readonly organizations?: readonly string[]
  readonly permissions?: TokenPermissions
  /** Default `fine-grained`. */
  readonly kind?: TokenKind
}

export interface RepositoryOptions {
  readonly owner: string
  readonly name: string
  /** GitHub's numeric repository id; made up when not given. */
  readonly id?: number
  readonly private?: boolean
  readonly environments?: readonly string[]
}

export interface OrganizationOptions {
  readonly login: string
  readonly id?: number
  /** Repositories the organization owns: a name, or the options of `addRepository` less `owner`. */
  readonly repositories?: readonly (string | Omit<RepositoryOptions, 'owner'>)[]
}

export interface Repository {
  readonly id: number
  readonly owner: string
  readonly name: string
  readonly private: boolean
  readonly environments: Set<string>
}

export interface Organization {
  readonly id: number
  readonly login: string
}

/** Where a secret lives: a repository, one of its environments, or an organization. */
export type SecretScope =
  | { readonly repo: string; readonly environment?: undefined; readonly org?: undefined }
  | { readonly repo: string; readonly environment: string; readonly org?: undefined }
  | { readonly org: string; readonly repo?: undefined; readonly environment?: undefined }

export type Visibility = 'all' | 'private' | 'selected'

/** A secret as the stand-in stored it: the plaintext it opened, never the sealed value. */
export interface StoredGitHubSecret {
  readonly name: string
  /** The bytes the sealed value opened to; undefined when it did not open with the scope's key (GitHub stores it all the same). */
  plaintext: Buffer | undefined
  /** The `key_id` of the last accepted write. */
  keyId: string
  /** Organization secrets only. */
  visibility?: Visibility
  /** Organization secrets with `selected` visibility: the ids as sent (numbers; Dependabot also takes strings). */
  selectedRepositoryIds?: (number | string)[]
  readonly createdAt: Date
  updatedAt: Date
  /** Accepted writes (201 and 204). */
  writes: number
  /** When each accepted write was decided (ms since the epoch). */
  readonly writeTimes: number[]
  /** Each accepted `encrypted_value` as sent: a test checks that no log shows one. */
  readonly encryptedValues: string[]
}

interface KeyPair {
  readonly keyId: string
  readonly publicKey: Uint8Array
  readonly privateKey: Uint8Array
}

interface Token {
  readonly kind: TokenKind
  readonly repositories: Set<string>
  readonly organizations: Set<string>
  readonly permissions: TokenPermissions
}

/** The largest secret GitHub takes: "Secrets are limited to 48 KB in size" (docs, "Using secrets in GitHub Actions"). */
export const MaxSecretBytes = 48 * 1024

const DOCS = 'https://docs.github.com'
const NOT_RECORDED = "stand-in (GitHub's wording not recorded)"

/**
 * The name rule GitHub states for secrets: alphanumerics or underscores, not starting with a digit
 * (the recorded 422 message below), and not starting with GITHUB_ (any case).
 */
const NameCharacters = /^[A-Za-z_][A-Za-z0-9_]*$/
/** The 422 body's message, verbatim (millylee/anyrouter-check-in#126, 2026). */
export const InvalidNameMessage =
  'Secret names can only contain alphanumeric characters ([a-z], [A-Z], [0-9]) or underscores (_). Spaces are not allowed. Must start with a letter ([a-z], [A-Z]) or underscores (_).'
/** The web UI's words after "Failed to add secret. " (dequelabs/axe-linter-action#17); the API's own not recorded, taken as the same as for the rule above, whose UI and API words match. */
export const GitHubPrefixMessage = 'Secret names must not start with GITHUB_.'
/** The web UI's words after "Failed to add secret. " (game-ci/steam-deploy#77); the API's not recorded, taken as the same. */
export const TooLargeMessage = 'Value is too large.'

/** 18 digits, like the reference's example `012345678912345678` and real key ids. */
function newKeyId(): string {
  return `${randomInt(1, 10)}${Array.from({ length: 17 }, () => randomInt(0, 10)).join('')}`
}

function newKeyPair(): KeyPair {
  const { publicKey, privateKey } = sodium.crypto_box_keypair()
  return { keyId: newKeyId(), publicKey, privateKey }
}

const lower = (text: string): string => text.toLowerCase()
const satisfies = (held: Access | undefined, needed: Access): boolean =>
  held === 'write' || (held === 'read' && needed === 'read')

/** One operation of the API: what it needs, and the docs anchor GitHub names in its error bodies. */
interface Operation {
  /** e.g. `actions/secrets#get-a-repository-public-key`: 403/404 bodies link `https://docs.github.com/rest/{doc}`. */
  readonly doc: string
  /** 422 validation bodies still link the old `rest/reference/{category}#{anchor}` pages (recorded 2021 and 2026). */
  readonly validationDoc: string
  readonly permission: keyof TokenPermissions | 'metadata'
  readonly access: Access
}

const op = (
  category: 'actions' | 'dependabot',
  anchor: string,
  permission: Operation['permission'],
  access: Access
): Operation => ({
  doc: `${category}/secrets#${anchor}`,
  validationDoc: `reference/${category}#${anchor}`,
  permission,
  access
})

const Operations = {
  repoKey: op('actions', 'get-a-repository-public-key', 'secrets', 'read'),
  repoPut: op('actions', 'create-or-update-a-repository-secret', 'secrets', 'write'),
  envKey: op('actions', 'get-an-environment-public-key', 'environments', 'read'),
  envPut: op('actions', 'create-or-update-an-environment-secret', 'environments', 'write'),
  orgKey: op('actions', 'get-an-organization-public-key', 'organization_secrets', 'read'),
  orgPut: op('actions', 'create-or-update-an-organization-secret', 'organization_secrets', 'write'),
  depRepoKey: op('dependabot', 'get-a-repository-public-key', 'dependabot_secrets', 'read'),
  depRepoPut: op('dependabot', 'create-or-update-a-repository-secret', 'dependabot_secrets', 'write'),
  depOrgKey: op('dependabot', 'get-an-organization-public-key', 'organization_dependabot_secrets', 'read'),
  depOrgPut: op('dependabot', 'create-or-update-an-organization-secret', 'organization_dependabot_secrets', 'write'),
  getRepo: {
    doc: 'repos/repos#get-a-repository',
    validationDoc: 'reference/repos#get-a-repository',
    permission: 'metadata',
    access: 'read'
  } satisfies Operation
} as const

export interface GitHubRestApiOptions {
  /** The host it answers on. */
  readonly host: string
  /** Where the API lives on that host: '' for api.github.com, '/api/v3' for GitHub Enterprise Server. */
  readonly pathPrefix: string
  /**
   * Where its error bodies link. GitHub Enterprise Server's own links are not recorded; the
   * stand-in uses its versioned docs (`https://docs.github.com/enterprise-server@3.17`).
   */
  readonly docsBase?: string
  /** Send the `x-ratelimit-*` headers. GitHub Enterprise Server disables rate limits by default ("Rate limits for the REST API"). */
  readonly rateLimitHeaders?: boolean
}

/** One GitHub (api.github.com, or one Enterprise Server): its repositories, organizations, tokens, keys and secrets. */
export class GitHubRestApi {
  readonly host: string
  readonly pathPrefix: string
  readonly docsBase: string
  private readonly rateLimitHeaders: boolean
  private readonly repos = new Map<string, Repository>()
  private readonly orgs = new Map<string, Organization>()
  private readonly tokens = new Map<string, Token>()
  private readonly keys = new Map<string, KeyPair>()
  private readonly secrets = new Map<string, StoredGitHubSecret>()
  private readonly requestsByToken = new Map<string, number>()
  private nextId = 1_296_269

  constructor(options: GitHubRestApiOptions) {
    this.host = options.host
    this.pathPrefix = options.pathPrefix
    this.docsBase = options.docsBase ?? DOCS
    this.rateLimitHeaders = options.rateLimitHeaders ?? true
  }

  /** The base URL an Octokit takes (`baseUrl`, or GITHUB_API_URL in a run). */
  get url(): string {
    return `https://${this.host}${this.pathPrefix}`
  }

  // -- state ------------------------------------------------------------------------------------

  addRepository(options: RepositoryOptions): Repository {
    const key = lower(`${options.owner}/${options.name}`)
    if (this.repos.has(key)) throw new Error(`stand-in: repository ${options.owner}/${options.name} already exists`)
    const repository: Repository = {
      id: options.id ?? this.nextId++,
      owner: options.owner,
      name: options.name,
      private: options.private ?? true,
      environments: new Set((options.environments ?? []).map(lower))
    }
    this.repos.set(key, repository)
    return repository
  }

  addOrganization(options: OrganizationOptions): Organization {
    const key = lower(options.login)
    if (this.orgs.has(key)) throw new Error(`stand-in: organization ${options.login} already exists`)
    const organization: Organization = { id: options.id ?? this.nextId++, login: options.login }
    this.orgs.set(key, organization)
    for (const repository of options.repositories ?? [])
      this.addRepository(
        typeof repository === 'string'
          ? { owner: options.login, name: repository }
          : { ...repository, owner: options.login }
      )
    return organization
  }

  /** A repository by `owner/name`; throws when there is none. */
  repository(fullName: string): Repository {
    const found = this.repos.get(lower(fullName))
    if (!found) throw new Error(`stand-in: no repository ${fullName}`)
    return found
  }

  addEnvironment(fullName: string, environment: string): void {
    this.repository(fullName).environments.add(lower(environment))
  }

  addToken(token: string, options: TokenOptions = {}): void {
    this.tokens.set(token, {
      kind: options.kind ?? 'fine-grained',
      repositories: new Set((options.repositories ?? []).map(lower)),
      organizations: new Set((options.organizations ?? []).map(lower)),
      permissions: options.permissions ?? {}
    })
  }

  /** The key pair's public half as the API answers it, made on first use. */
  publicKey(scope: SecretScope, store: SecretStore = 'actions'): { key_id: string; key: string } {
    const pair = this.keyPair(scope, store)
    return { key_id: pair.keyId, key: Buffer.from(pair.publicKey).toString('base64') }
  }

  /** A new key pair for the scope: writes naming the old `key_id` are refused from now on. */
  rotateKey(scope: SecretScope, store: SecretStore = 'actions'): { key_id: string; key: string } {
    this.keys.set(scopeKey(scope, store), newKeyPair())
    return this.publicKey(scope, store)
  }

  /** A stored secret (names are case-insensitive), or undefined. */
  secret(scope: SecretScope, name: string, store: SecretStore = 'actions'): StoredGitHubSecret | undefined {
    return this.secrets.get(`${scopeKey(scope, store)}|${name.toUpperCase()}`)
  }

  /** Every stored secret of a scope, by name. */
  secretsOf(scope: SecretScope, store: SecretStore = 'actions'): Map<string, StoredGitHubSecret> {
    const prefix = `${scopeKey(scope, store)}|`
    return new Map(
      [...this.secrets]
        .filter(([key]) => key.startsWith(prefix))
        .map(([key, value]) => [key.slice(prefix.length), value])
    )
  }

  /** Forgets everything. */
  reset(): void {
    this.repos.clear()
    this.orgs.clear()
    this.tokens.clear()
    this.keys.clear()
    this.secrets.clear()
    this.requestsByToken.clear()
    this.nextId = 1_296_269
  }

  private keyPair(scope: SecretScope, store: SecretStore): KeyPair {
    const key = scopeKey(scope, store)
    let pair = this.keys.get(key)
    if (!pair) {
      pair = newKeyPair()
      this.keys.set(key, pair)
    }
    return pair
  }

  // -- HTTP -------------------------------------------------------------------------------------

  handle(call: IncomingCall): Reply {
    const reply = this.route(call)
    return { ...reply, headers: { ...this.commonHeaders(call), ...reply.headers } }
  }

  private commonHeaders(call: IncomingCall): Record<string, string> {
    const headers: Record<string, string> = {
      'x-github-api-version-selected': '2022-11-28',
      'x-github-media-type': 'github.v3; format=json',
      'x-github-request-id': `${randomBytes(2).toString('hex').toUpperCase()}:${randomBytes(3).toString('hex').toUpperCase()}`
    }
    const token = tokenOf(call)
    if (this.rateLimitHeaders && token !== undefined && this.tokens.has(token)) {
      // Documented headers ("Rate limits for the REST API"); the stand-in never runs out on its own
      // (inject primaryRateLimit() as a fault for that).
      const used = (this.requestsByToken.get(token) ?? 0) + 1
      this.requestsByToken.set(token, used)
      Object.assign(headers, {
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': String(Math.max(1, 5000 - used)),
        'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
        'x-ratelimit-used': String(used),
        'x-ratelimit-resource': 'core'
      })
    }
    return headers
  }

  private error(status: number, message: string, doc: string | undefined, extra: Partial<Reply> = {}): Reply {
    return json(
      status,
      {
        message,
        documentation_url: doc ? `${this.docsBase}/rest/${doc}` : `${this.docsBase}/rest`,
        status: String(status)
      },
      extra
    )
  }

  private notFound(doc?: string): Reply {
    return this.error(404, 'Not Found', doc)
  }

  private route(call: IncomingCall): Reply {
    // GitHub Enterprise Server serves the API under /api/v3 only; the rest of the host is its web UI.
    if (!call.path.startsWith(`${this.pathPrefix}/`)) return this.notFound()
    const segments = pathSegments(call.path.slice(this.pathPrefix.length))
    const [root, a, b, c, d, e, f] = segments
    const method = call.method.toUpperCase()
    // A trailing slash is a different path: 404 ("Troubleshooting the REST API").
    if (segments.includes('')) return this.notFound()
    if (root === 'repos' && a !== undefined && b !== undefined) {
      const fullName = `${a}/${b}`
      if (segments.length === 3 && method === 'GET') return this.getRepository(call, fullName)
      const store = c === 'actions' ? 'actions' : c === 'dependabot' ? 'dependabot' : undefined
      if (store && d === 'secrets' && e !== undefined && segments.length === 6) {
        const scope: SecretScope = { repo: fullName }
        if (e === 'public-key' && method === 'GET')
          return this.getKey(call, scope, store, store === 'actions' ? Operations.repoKey : Operations.depRepoKey)
        if (e !== 'public-key' && method === 'PUT')
          return this.put(call, scope, store, e, store === 'actions' ? Operations.repoPut : Operations.depRepoPut)
      }
      if (c === 'environments' && d !== undefined && e === 'secrets' && f !== undefined && segments.length === 7) {
        const scope: SecretScope = { repo: fullName, environment: d }
        if (f === 'public-key' && method === 'GET') return this.getKey(call, scope, 'actions', Operations.envKey)
        if (f !== 'public-key' && method === 'PUT') return this.put(call, scope, 'actions', f, Operations.envPut)
      }
    }
    if (root === 'orgs' && a !== undefined && (b === 'actions' || b === 'dependabot') && c === 'secrets') {
      const scope: SecretScope = { org: a }
      if (d !== undefined && segments.length === 5) {
        const actions = b === 'actions'
        if (d === 'public-key' && method === 'GET')
          return this.getKey(call, scope, b, actions ? Operations.orgKey : Operations.depOrgKey)
        if (d !== 'public-key' && method === 'PUT')
          return this.put(call, scope, b, d, actions ? Operations.orgPut : Operations.depOrgPut)
      }
    }
    // Any other path, or another method on a known one.
    return this.notFound()
  }

  /** Authentication, then the resource, then the permission: 401, 404, 403 (GitHub hides what a token cannot see behind 404). */
  private authorize(call: IncomingCall, scope: SecretScope, operation: Operation): Reply | Token {
    const presented = tokenOf(call)
    const token = presented === undefined ? undefined : this.tokens.get(presented)
    // No recorded answer for a request without credentials on these endpoints; "Bad credentials"
    // is the recorded answer for a token GitHub does not know.
    if (!token)
      return this.error(401, presented === undefined ? 'Requires authentication' : 'Bad credentials', undefined)
    if (scope.org !== undefined) {
      const org = this.orgs.get(lower(scope.org))
      if (!org) return this.notFound(operation.doc)
      // GITHUB_TOKEN reaches only its own repository ("Troubleshooting the REST API").
      if (token.kind === 'github-token') return this.forbidden(token, operation)
      if (!token.organizations.has(lower(org.login))) return this.notFound(operation.doc)
    } else {
      const repository = this.repos.get(lower(scope.repo))
      if (!repository || !this.reaches(token, repository)) return this.notFound(operation.doc)
      if (scope.environment !== undefined && !repository.environments.has(lower(scope.environment)))
        return this.notFound(operation.doc)
    }
    if (operation.permission === 'metadata') return token
    if (token.kind === 'github-token') {
      // It reads its repository, and "anyone with read access to the repository" may get a public key.
      return operation.access === 'read' ? token : this.forbidden(token, operation)
    }
    return satisfies(token.permissions[operation.permission], operation.access)
      ? token
      : this.forbidden(token, operation)
  }

  private forbidden(token: Token, operation: Operation): Reply {
    const message =
      token.kind === 'fine-grained'
        ? 'Resource not accessible by personal access token'
        : 'Resource not accessible by integration'
    return this.error(403, message, operation.doc, {
      headers: { 'x-accepted-github-permissions': `${operation.permission}=${operation.access}` }
    })
  }

  private reaches(token: Token, repository: Repository): boolean {
    return (
      token.repositories.has(lower(`${repository.owner}/${repository.name}`)) ||
      token.organizations.has(lower(repository.owner))
    )
  }

  private getRepository(call: IncomingCall, fullName: string): Reply {
    const allowed = this.authorize(call, { repo: fullName }, Operations.getRepo)
    if (!isToken(allowed)) return allowed
    const repository = this.repository(fullName)
    return json(200, this.repositoryObject(repository), { authorized: true })
  }

  /** The fields of GitHub's repository object (the reference's example) that a client reads. */
  repositoryObject(repository: Repository): Record<string, unknown> {
    const org = this.orgs.get(lower(repository.owner))
    const api = `https://${this.host}${this.pathPrefix}`
    const web = this.pathPrefix === '' ? 'https://github.com' : `https://${this.host}`
    const fullName = `${repository.owner}/${repository.name}`
    return {
      id: repository.id,
      node_id: Buffer.from(`010:Repository${repository.id}`).toString('base64'),
      name: repository.name,
      full_name: fullName,
      owner: {
        login: repository.owner,
        id: org?.id ?? 1,
        node_id: Buffer.from(`${org ? '012:Organization' : '04:User'}${org?.id ?? 1}`).toString('base64'),
        url: `${api}/users/${repository.owner}`,
        html_url: `${web}/${repository.owner}`,
        type: org ? 'Organization' : 'User',
        site_admin: false
      },
      private: repository.private,
      visibility: repository.private ? 'private' : 'public',
      html_url: `${web}/${fullName}`,
      description: null,
      fork: false,
      url: `${api}/repos/${fullName}`,
      default_branch: 'main',
      archived: false,
      disabled: false
    }
  }

  private getKey(call: IncomingCall, scope: SecretScope, store: SecretStore, operation: Operation): Reply {
    const allowed = this.authorize(call, scope, operation)
    if (!isToken(allowed)) return allowed
    return json(200, this.publicKey(canonical(this, scope), store), { authorized: true })
  }

  private put(
    call: IncomingCall,
    scope: SecretScope,
    store: SecretStore,
    rawName: string,
    operation: Operation
  ): Reply {
    const allowed = this.authorize(call, scope, operation)
    if (!isToken(allowed)) return allowed
    const invalid = (message: string): Reply =>
      json(
        422,
        { message, documentation_url: `${this.docsBase}/rest/${operation.validationDoc}`, status: '422' },
        { authorized: true }
      )
    // "Problems parsing JSON" and "Body should be a JSON object", both 400 ("Troubleshooting the REST API").
    let body: unknown
    try {
      body = call.body.length === 0 ? undefined : (JSON.parse(call.body.toString('utf8')) as unknown)
    } catch {
      return this.error(400, 'Problems parsing JSON', operation.doc, { authorized: true })
    }
    if (!isRecord(body)) return this.error(400, 'Body should be a JSON object', operation.doc, { authorized: true })
    const { encrypted_value: encrypted, key_id: keyId, visibility, selected_repository_ids: ids } = body
    // "Invalid request.\n\n\"key_id\" wasn't supplied." is recorded (octokit/request.js#403), and so is
    // the same for "visibility" (sigstore/cosign#3778); encrypted_value follows the same rule.
    for (const [field, value] of [
      ['encrypted_value', encrypted],
      ['key_id', keyId]
    ] as const)
      if (value === undefined || value === null) return invalid(`Invalid request.\n\n"${field}" wasn't supplied.`)
    if (typeof encrypted !== 'string' || typeof keyId !== 'string')
      return invalid(`Invalid request.\n\n${NOT_RECORDED}: encrypted_value and key_id must be strings.`)
    const org = scope.org !== undefined
    if (org) {
      if (visibility === undefined || visibility === null)
        return invalid('Invalid request.\n\n"visibility" wasn\'t supplied.')
      if (visibility !== 'all' && visibility !== 'private' && visibility !== 'selected')
        return invalid(
          `Invalid request.\n\n${NOT_RECORDED}: visibility must be one of "all", "private", "selected", not ${JSON.stringify(visibility)}.`
        )
      if (ids !== undefined && ids !== null) {
        if (!Array.isArray(ids))
          return invalid(`Invalid request.\n\n${NOT_RECORDED}: selected_repository_ids must be an array.`)
        for (const id of ids as unknown[]) {
          // Actions takes integers only: "For 'items', \"12345\" is not an integer." (github/rest-api-description#275).
          // The Dependabot reference types the items as strings or integers.
          if (store === 'actions' && !Number.isInteger(id))
            return invalid(`Invalid request.\n\nFor 'items', ${JSON.stringify(id)} is not an integer.`)
          if (store === 'dependabot' && !Number.isInteger(id) && typeof id !== 'string')
            return invalid(`Invalid request.\n\n${NOT_RECORDED}: ${JSON.stringify(id)} is not a repository id.`)
        }
        if ((ids as unknown[]).length > 0 && visibility !== 'selected')
          // "You can only provide a list of repository ids when the visibility is set to selected" (reference).
          return invalid(`Invalid request.\n\n${NOT_RECORDED}: selected_repository_ids needs visibility "selected".`)
        const owned = new Set(
          [...this.repos.values()].filter((r) => lower(r.owner) === lower(scope.org)).map((r) => r.id)
        )
        const stranger = (ids as (number | string)[]).find((id) => !owned.has(Number(id)))
        if (stranger !== undefined)
          return invalid(
            `Invalid request.\n\n${NOT_RECORDED}: repository ${String(stranger)} is not one of ${scope.org}'s.`
          )
      }
    }
    const name = rawName.toUpperCase()
    if (!NameCharacters.test(rawName)) return invalid(InvalidNameMessage)
    if (name.startsWith('GITHUB_')) return invalid(GitHubPrefixMessage)
    // The reference gives encrypted_value a base64 pattern.
    if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})?$/.test(encrypted))
      return invalid(`Invalid request.\n\n${NOT_RECORDED}: encrypted_value is not base64.`)
    const canonicalScope = canonical(this, scope)
    const pair = this.keyPair(canonicalScope, store)
    if (keyId !== pair.keyId)
      return invalid(`Invalid request.\n\n${NOT_RECORDED}: key_id ${keyId} is not this scope's current key.`)
    const sealed = Buffer.from(encrypted, 'base64')
    if (sealed.length - sodium.crypto_box_SEALBYTES > MaxSecretBytes) return invalid(TooLargeMessage)
    // GitHub does not check that the value opens: a value sealed with another scope's key is taken
    // and reads as empty in a run (cli/cli#3831, Developer-DAO/pixel-avatars#86).
    let plaintext: Buffer | undefined
    try {
      plaintext = Buffer.from(sodium.crypto_box_seal_open(sealed, pair.publicKey, pair.privateKey))
    } catch {
      plaintext = undefined
    }
    const key = `${scopeKey(canonicalScope, store)}|${name}`
    const now = new Date()
    const existing = this.secrets.get(key)
    const orgFields: { visibility?: Visibility; selectedRepositoryIds?: (number | string)[] } = org
      ? {
          visibility: visibility as Visibility,
          ...(visibility === 'selected' && {
            selectedRepositoryIds: [...((ids as (number | string)[] | undefined) ?? [])]
          })
        }
      : {}
    if (existing) {
      existing.plaintext = plaintext
      existing.keyId = keyId
      existing.updatedAt = now
      existing.writes += 1
      existing.writeTimes.push(now.getTime())
      existing.encryptedValues.push(encrypted)
      if (org) {
        if (orgFields.visibility) existing.visibility = orgFields.visibility
        if (orgFields.selectedRepositoryIds) existing.selectedRepositoryIds = orgFields.selectedRepositoryIds
        else delete existing.selectedRepositoryIds
      }
      // "Response when updating a secret": 204, no body.
      return { status: 204, authorized: true }
    }
    this.secrets.set(key, {
      name,
      plaintext,
      keyId,
      ...orgFields,
      createdAt: now,
      updatedAt: now,
      writes: 1,
      writeTimes: [now.getTime()],
      encryptedValues: [encrypted]
    })
    // "Response when creating a secret": 201, the empty-object schema (the reference shows no example body).
    return json(201, {}, { authorized: true })
  }

  // -- injected answers (push the result onto StandIn.faults) ------------------------------------

  /**
   * A secondary rate limit as GitHub answered one (github-changelog-generator/github-changelog-generator#993):
   * 403 by default (the docs: 403 or 429). `retryAfter` adds the `retry-after` header the docs say
   * "may" be present; the recorded answers had none.
   */
  secondaryRateLimit(
    options: { retryAfter?: number; status?: 403 | 429; times?: number; match?: Fault['match'] } = {}
  ): Fault {
    const status = options.status ?? 403
    return {
      match: options.match ?? ((request) => request.host === this.host),
      times: options.times ?? 1,
      status,
      headers: {
        ...(options.retryAfter !== undefined && { 'retry-after': String(options.retryAfter) }),
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': '4990',
        'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
        'x-ratelimit-resource': 'core'
      },
      body: {
        message: `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${randomBytes(2).toString('hex').toUpperCase()}:${randomBytes(2).toString('hex').toUpperCase()}:${randomBytes(3).toString('hex').toUpperCase()}:${randomBytes(4).toString('hex').toUpperCase()}:${randomBytes(4).toString('hex').toUpperCase()}.`,
        documentation_url:
          'https://docs.github.com/en/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
        status: String(status)
      }
    }
  }

  /**
   * A primary rate limit: 403 (or 429) with `x-ratelimit-remaining: 0` and `x-ratelimit-reset` in
   * UTC epoch seconds (the docs; the headers as in the reference's old example, hub4j/github-api#220).
   */
  primaryRateLimit(
    options: {
      resetInSeconds?: number
      status?: 403 | 429
      times?: number
      match?: Fault['match']
      message?: string
    } = {}
  ): Fault {
    const status = options.status ?? 403
    return {
      match: options.match ?? ((request) => request.host === this.host),
      times: options.times ?? 1,
      status,
      headers: {
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-used': '5000',
        'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + (options.resetInSeconds ?? 60)),
        'x-ratelimit-resource': 'core'
      },
      body: {
        message:
          options.message ??
          "API rate limit exceeded for 127.0.0.1. (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)",
        documentation_url: 'https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting',
        status: String(status)
      }
    }
  }
}

/** Key of a scope's key pair and secrets: repository and organization names are case-insensitive. */
function scopeKey(scope: SecretScope, store: SecretStore): string {
  if (scope.org !== undefined) return `${store}|org|${lower(scope.org)}`
  if (scope.environment !== undefined) return `${store}|env|${lower(scope.repo)}|${lower(scope.environment)}`
  return `${store}|repo|${lower(scope.repo)}`
}

/** The scope under the names the stand-in holds (for the key pair made on first use). */
function canonical(api: GitHubRestApi, scope: SecretScope): SecretScope {
  if (scope.org !== undefined) return { org: scope.org }
  const repository = api.repository(scope.repo)
  const repo = `${repository.owner}/${repository.name}`
  return scope.environment !== undefined ? { repo, environment: scope.environment } : { repo }
}

function isToken(value: Reply | Token): value is Token {
  return 'kind' in value
}

/** `Authorization: Bearer <t>` or `token <t>` (what @actions/github's getOctokit sends). */
function tokenOf(call: IncomingCall): string | undefined {
  const header = call.headers.authorization
  if (!header) return undefined
  return /^(?:Bearer|token)\s+(\S+)\s*$/i.exec(header)?.[1] ?? ''
}

/** libsodium must be ready before a key pair is made or a value opened. */
export const sodiumReady: Promise<void> = sodium.ready
