import { json, type IncomingCall, type Reply } from './http.js'
import type { Directory } from './entra.js'
import { nowSeconds } from './jwt.js'

// Managed identity tokens live for a day; the SDK refreshes them at half-life.
const MI_TOKEN_LIFETIME = 86399

const imdsError = (status: number, error: string, description: string): Reply =>
  json(status, { error, error_description: description })

/**
 * The Azure Instance Metadata Service token endpoint (plain HTTP, as on a VM):
 * `GET /metadata/identity/oauth2/token?api-version=2018-02-01&resource=...[&client_id=...]`, header `Metadata: true`.
 * Values are strings, as the real IMDS sends them.
 */
export function handleImdsCall(directory: Directory, call: IncomingCall): Reply {
  // MSAL normalizes the endpoint URL with a trailing slash ('/metadata/identity/oauth2/token/'); IMDS accepts both.
  if (call.path.replace(/\/+$/, '') !== '/metadata/identity/oauth2/token')
    return imdsError(404, 'not_found', 'The requested path was not found.')
  if (call.method !== 'GET') return imdsError(405, 'invalid_request', 'Only GET is supported.')
  // @azure/identity probes availability without the header and expects a quick error.
  if (call.headers.metadata !== 'true')
    return imdsError(400, 'invalid_request', 'Required metadata header not specified')
  if (!call.query['api-version'])
    return imdsError(400, 'invalid_request', 'Required api-version parameter not specified')
  const resource = call.query.resource
  if (!resource) return imdsError(400, 'invalid_request', 'Required audience parameter not specified')

  const clientId = call.query.client_id
  const objectId = call.query.object_id ?? call.query.principal_id
  const identity = clientId
    ? directory.managedIdentities.find((mi) => mi.clientId === clientId)
    : objectId
      ? directory.managedIdentities.find((mi) => mi.objectId === objectId)
      : directory.managedIdentities[0]
  if (!identity) return imdsError(400, 'invalid_request', 'Identity not found')

  const minted = directory.mintAccessToken({
    tenantId: identity.tenantId,
    appId: identity.clientId,
    oid: identity.objectId,
    resource: resource.replace(/\/$/, ''),
    expiresInSeconds: MI_TOKEN_LIFETIME
  })
  const now = nowSeconds()
  return json(
    200,
    {
      access_token: minted.token,
      client_id: identity.clientId,
      expires_in: String(MI_TOKEN_LIFETIME),
      expires_on: String(minted.expiresOn),
      ext_expires_in: String(MI_TOKEN_LIFETIME),
      not_before: String(now),
      resource,
      token_type: 'Bearer'
    },
    { authorized: true }
  )
}
