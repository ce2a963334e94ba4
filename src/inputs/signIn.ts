import type { MethodPlan, SignInPlan } from './signInPlan.js'
import type { Cloud } from '../clouds.js'
import { OidcRequestEnv } from '../constants.js'
import { ActionError } from '../errors.js'
import { quote } from '../text.js'
import { isGuid, isTenant } from './names.js'
import { readChoice, readText } from './read.js'
import { EnvFallbacks, InputTable, Inputs, type AuthType } from './table.js'

/** Why OIDC cannot work in this job: the runner gives the ID token variables only with the permission. */
export const MissingIdTokenPermission =
  `The job cannot request a GitHub OIDC token: ${OidcRequestEnv.Url} is not set. ` +
  `Add 'permissions: id-token: write' to the workflow or job (and keep 'contents: read').`

/** How to sign in, as the inputs, `creds` and the AZURE_* fallbacks give it, before a method is chosen. */
export interface SignInSettings {
  readonly authType: AuthType
  readonly clientId?: string
  readonly tenantId?: string
  readonly clientSecret?: string
  readonly audience: string
  readonly cloud: Cloud
  /** The AZURE_* variables of the job's environment gave the client ID or the tenant (no input did). */
  readonly idsFromEnvironment?: boolean
}

interface ServicePrincipalCreds {
  clientId?: string
  clientSecret?: string
  tenantId?: string
}

export function readSignInSettings(cloud: Cloud, env: NodeJS.ProcessEnv): SignInSettings {
  const authType = readChoice(InputTable.AuthType)
  const audience = readText(InputTable.Audience) || InputTable.Audience.default
  const explicit = {
    clientId: readText(InputTable.ClientId) || undefined,
    tenantId: readText(InputTable.TenantId) || undefined,
    clientSecret: readText(InputTable.ClientSecret) || undefined
  }
  const creds = readCreds()
  if (creds && (explicit.clientId || explicit.tenantId || explicit.clientSecret)) {
    throw new ActionError(
      `Input '${Inputs.Creds}' was given together with '${Inputs.ClientId}', '${Inputs.TenantId}' or '${Inputs.ClientSecret}'. Use either creds or the separate inputs.`
    )
  }
  const fromEnv = (name: string): string | undefined => env[name]?.trim() || undefined
  const clientId = explicit.clientId ?? creds?.clientId ?? fromEnv(EnvFallbacks.ClientId)
  const tenantId = explicit.tenantId ?? creds?.tenantId ?? fromEnv(EnvFallbacks.TenantId)
  const clientSecret = explicit.clientSecret ?? creds?.clientSecret ?? fromEnv(EnvFallbacks.ClientSecret)

  // Where a bad value came from, so the message names what to fix.
  const source = (input: string | undefined, inputName: string, envName: string): string =>
    creds ? `'${Inputs.Creds}'` : input ? `Input '${inputName}'` : `Environment variable ${envName}`
  if (clientId && !isGuid(clientId)) {
    throw new ActionError(
      `${source(explicit.clientId, Inputs.ClientId, EnvFallbacks.ClientId)} has an invalid client ID ${quote(clientId)}. Expected the application (client) ID, a GUID such as 00000000-0000-0000-0000-000000000000.`
    )
  }
  if (tenantId && !isTenant(tenantId)) {
    throw new ActionError(
      `${source(explicit.tenantId, Inputs.TenantId, EnvFallbacks.TenantId)} has an invalid tenant ID ${quote(tenantId)}. Expected the directory (tenant) ID, a GUID, or a tenant domain such as contoso.onmicrosoft.com.`
    )
  }
  const idsFromEnvironment =
    !creds &&
    ((!explicit.clientId && clientId !== undefined) ||
      (!explicit.tenantId && tenantId !== undefined) ||
      (!explicit.clientSecret && clientSecret !== undefined))
  return {
    authType,
    clientId,
    // A GUID is one tenant in any case; Key Vault's challenge names it in lower case, and
    // @azure/identity refuses a token for a tenant spelled otherwise than its credential's.
    tenantId: tenantId && isGuid(tenantId) ? tenantId.toLowerCase() : tenantId,
    clientSecret,
    audience,
    cloud,
    ...(idsFromEnvironment && { idsFromEnvironment })
  }
}

/** azure/login's JSON. Its text is never echoed: it holds a client secret (masked before this runs). */
function readCreds(): ServicePrincipalCreds | undefined {
  const raw = readText(InputTable.Creds)
  if (!raw) return undefined
  const malformed = (why: string): ActionError =>
    new ActionError(
      `Input '${Inputs.Creds}' is malformed: ${why}. Expected JSON like {"clientId": "...", "clientSecret": "...", "tenantId": "..."} (the output of 'az ad sp create-for-rbac --json-auth', or '--sdk-auth' before Azure CLI 2.51).`
    )
  let parsed: unknown
  try {
    parsed = JSON.parse(raw)
  } catch {
    throw malformed('it is not valid JSON')
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw malformed('it is not a JSON object')
  const fields = parsed as Record<string, unknown>
  const creds: ServicePrincipalCreds = {}
  for (const key of ['clientId', 'clientSecret', 'tenantId'] as const) {
    const value = fields[key]
    if (value === undefined || value === null || value === '') continue
    if (typeof value !== 'string') throw malformed(`field '${key}' is not a string`)
    creds[key] = value.trim()
  }
  if (!creds.clientId || !creds.tenantId) throw malformed(`fields 'clientId' and 'tenantId' are required`)
  return creds
}

/** Decides how to sign in from the settings: one method, or for `auto` without ids, a chain. */
export function planSignIn(settings: SignInSettings, env: NodeJS.ProcessEnv): SignInPlan {
  const { clientId, tenantId, clientSecret, audience, cloud } = settings
  const canRequestIdToken = Boolean(env[OidcRequestEnv.Url] && env[OidcRequestEnv.Token])
  const missingIds = `'${Inputs.ClientId}' and '${Inputs.TenantId}' (or ${EnvFallbacks.ClientId} and ${EnvFallbacks.TenantId})`
  const one = (attempt: MethodPlan, chosenBecause?: string): SignInPlan => ({
    attempts: [attempt],
    passedOver: [],
    ...(chosenBecause !== undefined && { chosenBecause })
  })
  // Variables an earlier step may have set for azure/login decide `auto` too: the log says so.
  const becauseOfEnvironment = (what: string): string | undefined =>
    settings.idsFromEnvironment
      ? `'${Inputs.AuthType}: auto' chose it: ${what} came from ${[EnvFallbacks.ClientId, EnvFallbacks.TenantId, ...(clientSecret ? [EnvFallbacks.ClientSecret] : [])].join(', ')} in the job's environment; to use the Azure CLI session of an azure/login step instead, set '${Inputs.AuthType}: azure-cli'`
      : undefined

  switch (settings.authType) {
    case 'service-principal':
      if (!clientId || !tenantId || !clientSecret) {
        throw new ActionError(
          `'${Inputs.AuthType}: service-principal' needs ${missingIds} and '${Inputs.ClientSecret}' (or ${EnvFallbacks.ClientSecret}), or '${Inputs.Creds}' with all three.`
        )
      }
      return one({ method: 'service-principal', clientId, tenantId, clientSecret, cloud })
    case 'oidc':
      if (!clientId || !tenantId) throw new ActionError(`'${Inputs.AuthType}: oidc' needs ${missingIds}.`)
      if (!canRequestIdToken) throw new ActionError(MissingIdTokenPermission)
      return one({ method: 'oidc', clientId, tenantId, audience, cloud })
    case 'azure-cli':
      return one({ method: 'azure-cli', tenantId, cloud })
    case 'managed-identity':
      return one({ method: 'managed-identity', clientId, cloud })
    case 'auto':
      return planAuto(settings, { canRequestIdToken, missingIds, one, becauseOfEnvironment })
  }
}

/** `auth-type: auto`: a client secret means a service principal, ids alone OIDC; otherwise the CLI session, then a managed identity. */
function planAuto(
  settings: SignInSettings,
  {
    canRequestIdToken,
    missingIds,
    one,
    becauseOfEnvironment
  }: {
    readonly canRequestIdToken: boolean
    readonly missingIds: string
    readonly one: (attempt: MethodPlan, chosenBecause?: string) => SignInPlan
    readonly becauseOfEnvironment: (what: string) => string | undefined
  }
): SignInPlan {
  const { clientId, tenantId, clientSecret, audience, cloud } = settings
  if (clientSecret) {
    if (!clientId || !tenantId)
      throw new ActionError(
        `A client secret was given, so this is a service principal sign-in, and it needs ${missingIds}.`
      )
    return one(
      { method: 'service-principal', clientId, tenantId, clientSecret, cloud },
      becauseOfEnvironment('a client ID, a tenant and a client secret')
    )
  }
  if (clientId && tenantId) {
    if (!canRequestIdToken) {
      throw new ActionError(
        `'${Inputs.ClientId}' and '${Inputs.TenantId}' were given without a client secret, so this is an OIDC sign-in. ${MissingIdTokenPermission}`
      )
    }
    return one(
      { method: 'oidc', clientId, tenantId, audience, cloud },
      becauseOfEnvironment('a client ID and a tenant without a client secret')
    )
  }
  return {
    attempts: [
      { method: 'azure-cli', tenantId, cloud },
      { method: 'managed-identity', clientId, cloud }
    ],
    passedOver: [
      `service principal: no '${Inputs.ClientSecret}', '${Inputs.Creds}' or ${EnvFallbacks.ClientSecret}`,
      `OIDC: needs ${missingIds}`
    ]
  }
}
