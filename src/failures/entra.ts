import { methodLabel as labelOf, type SignIn } from '../auth/index.js'
import { AzureCliFailure } from '../auth/azureCli.js'
import { explainAzureCli } from '../auth/cliAdvice.js'
import { MissingIdTokenPermission } from '../inputs/signIn.js'
import { OidcRequestEnv } from '../constants.js'
import { EnvFallbacks, Inputs } from '../inputs/table.js'
import { quote, serviceText } from '../text.js'
import type { ErrorLike, FailureContext } from './context.js'

/*
 * Signing in: Microsoft Entra ID's refusals (by AADSTS code), the GitHub OIDC token, no method
 * that worked, the tenant and the token resource the vault's challenge names. The Azure CLI's own
 * failures are explained in src/auth/cliAdvice.ts.
 */

/** The sign-in failures, tried in this order; undefined when `err` is not one (the vault's, the network's). */
export function explainSignInFailure(err: ErrorLike, context: FailureContext): string | undefined {
  if (err.name === 'AggregateAuthenticationError') return explainNoSignIn(err, context)
  const challengeResource = /The challenge resource '([^']*)' does not match the requested domain/.exec(
    err.message ?? ''
  )?.[1]
  if (challengeResource !== undefined) return explainForeignChallenge(challengeResource, context)
  if (isIdTokenFailure(err)) return explainIdTokenFailure(err)
  // The SDK's sentence ends with a full stop after the tenant: it is not part of a domain.
  const vaultTenant = /not configured to acquire tokens for tenant ([\w-]+(?:\.[\w-]+)*)/.exec(err.message ?? '')?.[1]
  if (vaultTenant) return explainTenantMismatch(vaultTenant, context)
  if (err.name === 'CredentialUnavailableError')
    return `Sign-in ${methodLabel(context)}is not available: ${serviceText(err.message)}`
  if (err.name === 'AuthenticationError' || /AADSTS\d+/.test(err.message ?? '')) return explainEntraError(err, context)
  return undefined
}

/** The AADSTS number Entra ID answered with: from the parsed answer first, from the message text as a fallback. */
function entraCodeOf(err: ErrorLike, description: string): string | undefined {
  const parsed = [err.cause?.errorNo, err.errorResponse?.errorCodes?.[0]].find(
    (code) => typeof code === 'string' || typeof code === 'number'
  )
  if (parsed !== undefined && /^\d{4,9}$/.test(String(parsed))) return String(parsed)
  return /AADSTS(\d+)/.exec(description)?.[1]
}

/** The client ID or tenant the sign-in was planned with, when one was: it names the identity in messages. */
function planned(signIn: SignIn | undefined, field: 'clientId' | 'tenantId'): string | undefined {
  for (const attempt of signIn?.plan.attempts ?? []) {
    const value = field in attempt ? (attempt as Partial<Record<typeof field, string>>)[field] : undefined
    if (value) return value
  }
  return undefined
}

/** The host asked for a token for another resource: the SDK refused, so no token went there. */
function explainForeignChallenge(resource: string, { inputs }: FailureContext): string {
  const url = inputs?.vault.url ?? 'the vault URL'
  return (
    `${url} asked for a token for ${quote(resource)}, which is not that host's domain, so no token was requested or sent. ` +
    `Key Vault has no custom domains: give '${Inputs.VaultUrl}' as the vault's own URL (https://<vault-name>.${inputs?.cloud.vaultDnsSuffix ?? 'vault.azure.net'}), or '${Inputs.VaultName}'.`
  )
}

/** The vault's challenge named another tenant than the one the credential was made for. */
function explainTenantMismatch(vaultTenant: string, { inputs, signIn }: FailureContext): string {
  const given = planned(signIn, 'tenantId') ?? '(none)'
  return (
    `Vault '${inputs?.vault.name ?? 'the vault'}' belongs to tenant '${vaultTenant}', but the sign-in is for tenant '${given}'. ` +
    `Set '${Inputs.TenantId}' (or ${EnvFallbacks.TenantId}) to the vault's tenant, and check that '${Inputs.Environment}' is the vault's cloud.`
  )
}

function explainNoSignIn(err: ErrorLike, { signIn }: FailureContext): string {
  const attempts = signIn?.plan.attempts ?? []
  const tried = (err.errors ?? []).map((inner, index) => {
    const attempt = attempts[index]
    const label = attempt ? labelOf(attempt.method) : `method ${index + 1}`
    if (inner instanceof AzureCliFailure) return `${label}: ${explainAzureCli(inner, serviceText)}`
    return `${label}: ${serviceText((inner as ErrorLike).message)}`
  })
  const lines = [...(signIn?.plan.passedOver ?? []), ...tried]
  return (
    `No way to sign in to Azure was found ('${Inputs.AuthType}: auto'). Tried:\n` +
    lines.map((line) => `- ${line}`).join('\n') +
    `\nFor keyless sign-in, give '${Inputs.ClientId}' and '${Inputs.TenantId}' and grant 'permissions: id-token: write'.`
  )
}

function isIdTokenFailure(err: ErrorLike): boolean {
  return /ACTIONS_ID_TOKEN_REQUEST|Failed to get ID Token/i.test(err.message ?? '')
}

function explainIdTokenFailure(err: ErrorLike): string {
  if ((err.message ?? '').includes(OidcRequestEnv.Url)) return MissingIdTokenPermission
  return `Could not get a GitHub OIDC token: ${serviceText(err.message).replace(/\.+$/, '')}. Check that the job has 'permissions: id-token: write'.`
}

function explainEntraError(err: ErrorLike, { signIn }: FailureContext): string {
  const causeMessage = typeof err.cause?.errorMessage === 'string' ? err.cause.errorMessage : ''
  const description = `${err.errorResponse?.errorDescription ?? ''} ${causeMessage} ${err.message ?? ''}`
  const code = entraCodeOf(err, description)
  const clientId = planned(signIn, 'clientId') ?? '(unknown)'
  const tenantId = planned(signIn, 'tenantId') ?? '(unknown)'
  const claims = signIn?.federatedClaims()
  // Entra puts "\r\n" (or a space) before "Trace ID", "Correlation ID" and "Timestamp": the sentence ends there.
  const said = /AADSTS\d+:[^\r\n]*/.exec(description)?.[0] ?? err.message
  const serviceSaid = serviceText(said).replace(/\s+Trace ID:.*$/, '')
  switch (code) {
    case '7000215':
      return `Microsoft Entra ID rejected the client secret of app '${clientId}' (AADSTS7000215). Check that '${Inputs.ClientSecret}' (or '${Inputs.Creds}') holds the secret's Value, not its Secret ID, and that the secret belongs to this app (an expired one gets AADSTS7000222).`
    case '7000222':
      return (
        `The client secret of app '${clientId}' has expired (AADSTS7000222). Create a new one (az ad app credential reset --id ${clientId} --append --years 1), ` +
        `store it where '${Inputs.ClientSecret}' (or '${Inputs.Creds}') comes from, and consider OIDC sign-in, which needs no secret.`
      )
    case '700016':
      return `Application '${clientId}' was not found in tenant '${tenantId}' (AADSTS700016). Check '${Inputs.ClientId}' and '${Inputs.TenantId}', and that '${Inputs.Environment}' names the app's cloud.`
    case '90002':
      return `Tenant '${tenantId}' was not found (AADSTS90002). Check '${Inputs.TenantId}' and that '${Inputs.Environment}' names the tenant's cloud.`
    case '700211': {
      const issuer = claims?.issuer ? `'${claims.issuer}'` : 'of the token (see what the service said, at the end)'
      return (
        `No federated credential of app '${clientId}' trusts the issuer of this workflow's OIDC token (AADSTS700211): the token's issuer is ${issuer}. ` +
        `Add a federated credential with exactly this issuer (github.com: https://token.actions.githubusercontent.com; an enterprise with a customized issuer: https://token.actions.githubusercontent.com/<enterprise>; GitHub Enterprise Server: https://<host>/_services/token). ` +
        `Service said: ${serviceSaid}`
      )
    }
    case '70021':
    case '700213':
    case '7002138': {
      const presented = claims
        ? `issuer '${claims.issuer ?? ''}', subject '${claims.subject ?? ''}', audience '${claims.audience ?? ''}'`
        : 'see what the service said, at the end'
      return (
        `No federated credential of app '${clientId}' matches this workflow's OIDC token (AADSTS${code}). The token presented: ${presented}. ` +
        `Add a federated credential to the app with exactly these values (the subject is case-sensitive), or run the job from the branch or environment the existing credential names. ` +
        `Service said: ${serviceSaid}`
      )
    }
    case '700024':
      return `The GitHub OIDC token was outside its validity window (AADSTS700024). Re-run the job; if it recurs, check the runner's clock.`
    default:
      return `Microsoft Entra ID refused the sign-in of app '${clientId}' in tenant '${tenantId}': ${serviceSaid}`
  }
}

function methodLabel({ signIn }: FailureContext): string {
  const [only, ...more] = signIn?.plan.attempts ?? []
  return only && more.length === 0 ? `with ${labelOf(only.method)} ` : ''
}
