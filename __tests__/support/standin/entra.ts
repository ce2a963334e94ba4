import { randomUUID } from 'node:crypto'
import { cloudByLoginHost, CloudProfiles, type CloudName, type CloudProfile } from './clouds.js'
import { json, pathSegments, type IncomingCall, type Reply } from './http.js'
import { nowSeconds, type JwtSigner } from './jwt.js'

export interface FederatedCredential {
  readonly issuer: string
  readonly subject: string
  readonly audience: string
}

export interface AppOptions {
  readonly tenantId: string
  readonly clientId: string
  readonly clientSecret?: string
  /** Secrets of the app that have passed their end date: Entra ID answers AADSTS7000222 for them. */
  readonly expiredClientSecrets?: readonly string[]
  readonly federated?: readonly FederatedCredential[]
  /** Object id of the app's service principal (the token's `oid`); random when not given. */
  readonly objectId?: string
}

/** An app registration with its service principal in one tenant. */
export interface AppRegistration {
  readonly tenantId: string
  readonly clientId: string
  readonly objectId: string
  readonly clientSecrets: string[]
  readonly expiredClientSecrets: string[]
  readonly federated: FederatedCredential[]
}

export interface ManagedIdentityOptions {
  readonly clientId: string
  readonly tenantId: string
  /** The identity's principal (object) id; random when not given. */
  readonly objectId?: string
}

export interface ManagedIdentity {
  readonly clientId: string
  readonly tenantId: string
  readonly objectId: string
}

export interface AccessTokenRequest {
  readonly tenantId: string
  readonly appId: string
  /** Default `https://vault.azure.net` (or the cloud's vault resource). */
  readonly resource?: string
  readonly oid?: string
  readonly cloud?: CloudName
  readonly expiresInSeconds?: number
  /** Group object ids, as a user's token names them (an app's names none). */
  readonly groups?: readonly string[]
}

export interface MintedToken {
  readonly token: string
  /** Unix seconds. */
  readonly expiresOn: number
}

export const ACCESS_TOKEN_LIFETIME = 3599
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

/** The directory: tenants, app registrations, managed identities; and the token minting they share. */
export class Directory {
  readonly tenants = new Set<string>()
  readonly apps: AppRegistration[] = []
  readonly managedIdentities: ManagedIdentity[] = []

  constructor(private readonly signer: JwtSigner) {}

  addApp(options: AppOptions): AppRegistration {
    const app: AppRegistration = {
      tenantId: options.tenantId,
      clientId: options.clientId,
      objectId: options.objectId ?? randomUUID(),
      clientSecrets: options.clientSecret === undefined ? [] : [options.clientSecret],
      expiredClientSecrets: [...(options.expiredClientSecrets ?? [])],
      federated: [...(options.federated ?? [])]
    }
    this.tenants.add(options.tenantId)
    this.apps.push(app)
    return app
  }

  addManagedIdentity(options: ManagedIdentityOptions): ManagedIdentity {
    const identity: ManagedIdentity = {
      clientId: options.clientId,
      tenantId: options.tenantId,
      objectId: options.objectId ?? randomUUID()
    }
    this.tenants.add(options.tenantId)
    this.managedIdentities.push(identity)
    return identity
  }

  findApp(tenantId: string, clientId: string): AppRegistration | undefined {
    return this.apps.find((app) => app.tenantId === tenantId && app.clientId === clientId)
  }

  /** The object id a principal's tokens carry: the app's or identity's when known. */
  objectIdOf(appId: string, tenantId: string): string {
    return (
      this.findApp(tenantId, appId)?.objectId ??
      this.managedIdentities.find((mi) => mi.clientId === appId && mi.tenantId === tenantId)?.objectId ??
      appId
    )
  }

  /** An access token as Entra ID would issue it (v1 claims, as Key Vault tokens are). */
  mintAccessToken(request: AccessTokenRequest): MintedToken {
    const cloud = CloudProfiles[request.cloud ?? 'AzureCloud']
    const now = nowSeconds()
    const expiresOn = now + (request.expiresInSeconds ?? ACCESS_TOKEN_LIFETIME)
    const oid = request.oid ?? this.objectIdOf(request.appId, request.tenantId)
    const token = this.signer.sign({
      aud: request.resource ?? cloud.vaultResource,
      iss: cloud.tokenIssuer(request.tenantId),
      iat: now,
      nbf: now,
      exp: expiresOn,
      aio: randomUUID(),
      appid: request.appId,
      appidacr: '1',
      idp: cloud.tokenIssuer(request.tenantId),
      idtyp: 'app',
      oid,
      rh: '0.standin.',
      sub: oid,
      tid: request.tenantId,
      uti: randomUUID().replace(/-/g, '').slice(0, 22),
      ver: '1.0',
      ...(request.groups && { groups: [...request.groups] })
    })
    return { token, expiresOn }
  }
}

// ---------------------------------------------------------------------------------------------
// Errors, in the shape of the token endpoint

function timestamp(): string {
  return new Date()
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z')
}

/**
 * Entra's error body. Since 2024 its error_description separates "Trace ID", "Correlation ID" and
 * "Timestamp" by a space; older answers (several fixtures) used "\r\n".
 */
function aadError(host: string, status: number, error: string, code: number, message: string): Reply {
  const traceId = randomUUID()
  const correlationId = randomUUID()
  const time = timestamp()
  return json(status, {
    error,
    error_description: `AADSTS${code}: ${message} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${time}`,
    error_codes: [code],
    timestamp: time,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://${host}/error?code=${code}`
  })
}

const isoWithTicks = (seconds: number): string => new Date(seconds * 1000).toISOString().replace(/\.\d+Z$/, '.0000000Z')

// ---------------------------------------------------------------------------------------------
// Endpoints

/** Serves `login.microsoftonline.com` and the sovereign authority hosts. */
export function handleEntraCall(directory: Directory, signer: JwtSigner, call: IncomingCall): Reply {
  const cloud = cloudByLoginHost(call.host)
  if (!cloud) return json(404, { error: 'not_found' })
  const segments = pathSegments(call.path)
  const [tenant, first, second, third] = segments

  if (call.method === 'GET' && tenant === 'common' && first === 'discovery' && second === 'instance') {
    return instanceDiscovery(cloud, call)
  }
  if (
    call.method === 'GET' &&
    tenant &&
    first === 'v2.0' &&
    second === '.well-known' &&
    third === 'openid-configuration'
  ) {
    return openIdConfiguration(call.host, cloud, tenant)
  }
  if (call.method === 'GET' && tenant && first === 'discovery' && second === 'v2.0' && third === 'keys') {
    return json(200, signer.jwks())
  }
  if (tenant && first === 'oauth2' && second === 'v2.0' && third === 'token') {
    if (call.method !== 'POST')
      return json(405, { error: 'invalid_request', error_description: 'The token endpoint only accepts POST.' })
    return tokenRequest(directory, signer, cloud, tenant, call)
  }
  return json(404, { error: 'not_found', error_description: `No such endpoint: ${call.path}` })
}

function instanceDiscovery(cloud: CloudProfile, call: IncomingCall): Reply {
  const authority = call.query.authorization_endpoint ?? `https://${call.host}/common/oauth2/v2.0/authorize`
  const tenant = /^https:\/\/[^/]+\/([^/]+)\//.exec(authority)?.[1] ?? 'common'
  const hosts = [cloud.loginHost, ...cloud.loginAliases]
  return json(200, {
    tenant_discovery_endpoint: `https://${call.host}/${tenant}/v2.0/.well-known/openid-configuration`,
    'api-version': '1.1',
    metadata: [{ preferred_network: call.host, preferred_cache: call.host, aliases: hosts }]
  })
}

function openIdConfiguration(host: string, cloud: CloudProfile, tenant: string): Reply {
  const base = `https://${host}/${tenant}`
  return json(200, {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${base}/v2.0`,
    request_uri_parameter_supported: false,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    tenant_region_scope: 'NA',
    cloud_instance_name: cloud.loginHost.replace(/^login\./, ''),
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com'
  })
}

/** `https://vault.azure.net/.default` -> `https://vault.azure.net`; undefined if no .default scope. */
function resourceFromScope(scope: string): string | undefined {
  const scopes = scope.split(/\s+/).filter((s) => s && !['openid', 'profile', 'offline_access'].includes(s))
  const [first] = scopes
  if (scopes.length !== 1 || !first?.endsWith('/.default')) return undefined
  return first.slice(0, -'/.default'.length)
}

function tokenRequest(
  directory: Directory,
  signer: JwtSigner,
  cloud: CloudProfile,
  tenant: string,
  call: IncomingCall
): Reply {
  const host = call.host
  const form = new URLSearchParams(call.body.toString('utf8'))
  if (!directory.tenants.has(tenant)) {
    return aadError(
      host,
      400,
      'invalid_request',
      90002,
      `Tenant '${tenant}' not found. This may happen if there are no active subscriptions for the tenant. Check to make sure you have the correct tenant ID. Check with your subscription administrator.`
    )
  }
  const grantType = form.get('grant_type')
  if (grantType !== 'client_credentials') {
    return aadError(
      host,
      400,
      'unsupported_grant_type',
      70003,
      `The app requested an unsupported grant type '${grantType ?? ''}'.`
    )
  }
  const clientId = form.get('client_id') ?? ''
  const app = directory.findApp(tenant, clientId)
  if (!app) {
    return aadError(
      host,
      400,
      'unauthorized_client',
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`
    )
  }
  const scope = form.get('scope') ?? ''
  const resource = resourceFromScope(scope)
  if (!resource) {
    return aadError(
      host,
      400,
      'invalid_scope',
      1002012,
      `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`
    )
  }

  const clientSecret = form.get('client_secret')
  const assertion = form.get('client_assertion')
  if (clientSecret !== null) {
    if (app.expiredClientSecrets.includes(clientSecret)) {
      return aadError(
        host,
        401,
        'invalid_client',
        7000222,
        `The provided client secret keys for app '${clientId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.`
      )
    }
    if (!app.clientSecrets.includes(clientSecret)) {
      // The service answers 401 for invalid_client on the token endpoint.
      return aadError(
        host,
        401,
        'invalid_client',
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`
      )
    }
  } else if (assertion !== null) {
    if (form.get('client_assertion_type') !== JWT_BEARER) {
      return aadError(
        host,
        400,
        'invalid_request',
        7000219,
        "'client_assertion_type' is not valid; it must be 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'."
      )
    }
    const rejected = checkFederatedAssertion(host, app, signer, assertion)
    if (rejected) return rejected
  } else {
    return aadError(
      host,
      401,
      'invalid_client',
      7000218,
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."
    )
  }

  const minted = directory.mintAccessToken({
    tenantId: tenant,
    appId: app.clientId,
    oid: app.objectId,
    resource,
    cloud: cloud.name
  })
  return json(
    200,
    {
      token_type: 'Bearer',
      expires_in: ACCESS_TOKEN_LIFETIME,
      ext_expires_in: ACCESS_TOKEN_LIFETIME,
      access_token: minted.token
    },
    { authorized: true }
  )
}

/**
 * Workload identity federation: the assertion must be a token the stand-in signed (it is also
 * GitHub's issuer), in its time window, and match one federated record exactly (case-sensitive).
 */
function checkFederatedAssertion(
  host: string,
  app: AppRegistration,
  signer: JwtSigner,
  assertion: string
): Reply | undefined {
  const check = signer.verify(assertion)
  if (!check.ok) return aadError(host, 400, 'invalid_request', 50027, 'JWT token is invalid or malformed.')
  const claims = check.jwt.payload
  const now = nowSeconds()
  const exp = typeof claims.exp === 'number' ? claims.exp : 0
  const nbf = typeof claims.nbf === 'number' ? claims.nbf : 0
  if (exp <= now || nbf > now + 300) {
    return aadError(
      host,
      401,
      'invalid_client',
      700024,
      `Client assertion is not within its valid time range. Current time: ${isoWithTicks(now)}, assertion valid from ${isoWithTicks(nbf)}, expiry time of assertion ${isoWithTicks(exp)}. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .`
    )
  }
  const issuer = typeof claims.iss === 'string' ? claims.iss : ''
  const subject = typeof claims.sub === 'string' ? claims.sub : ''
  const audiences = Array.isArray(claims.aud) ? claims.aud.map(String) : [String(claims.aud ?? '')]
  // Federated-credential refusals are 401 invalid_client, as the service answers them since 2023.
  const refuse = (code: number, message: string): Reply => aadError(host, 401, 'invalid_client', code, message)
  const sameIssuer = app.federated.filter((record) => record.issuer === issuer)
  if (sameIssuer.length === 0) {
    return refuse(
      700211,
      `No matching federated identity record found for presented assertion issuer '${issuer}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://docs.microsoft.com/en-us/azure/active-directory/develop/workload-identity-federation`
    )
  }
  const sameIssuerAndAudience = sameIssuer.filter((record) => audiences.includes(record.audience))
  if (sameIssuerAndAudience.some((record) => record.subject === subject)) return undefined
  if (sameIssuerAndAudience.some((record) => record.subject.toLowerCase() === subject.toLowerCase())) {
    return refuse(
      7002138,
      `No matching federated identity record found for presented assertion subject '${subject}'. The subject matches with case-insensitive comparison, but not with case-sensitive comparison. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. See documentation at: https://learn.microsoft.com/entra/workload-id/workload-identity-federation. See breaking change notification and remediation at: https://learn.microsoft.com/en-us/entra/identity-platform/reference-breaking-changes#august-2024.`
    )
  }
  if (sameIssuerAndAudience.length > 0) {
    return refuse(
      700213,
      `No matching federated identity record found for presented assertion subject '${subject}'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation`
    )
  }
  return refuse(
    70021,
    `No matching federated identity record found for presented assertion. Assertion Issuer: '${issuer}'. Assertion Subject: '${subject}'. Assertion Audience: '${audiences.join(',')}'. https://docs.microsoft.com/en-us/azure/active-directory/develop/workload-identity-federation`
  )
}
