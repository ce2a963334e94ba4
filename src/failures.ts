import { methodLabel as labelOf, type SignIn } from './auth/index.js'
import { MissingIdTokenPermission } from './auth/oidc.js'
import { AzureCliFailure } from './auth/azureCli.js'
import { explainAzureCli } from './auth/cliAdvice.js'
import { OidcRequestEnv, type Operation } from './constants.js'
import { ActionError, SecretFailure } from './errors.js'
import { capitalize, formatSeconds, quote, serviceText } from './text.js'
import { extendCommand, SecretsExpired, utcDay } from './expiry.js'
import { EnvFallbacks, Inputs } from './inputs/table.js'
import { OperationModules, type ActionInputs, type InputsOf, type Module } from './operations/index.js'
import { VaultHostNotFoundError, type Resilience } from './vault/client.js'
import { ProxyRefusedError, type ProxyInUse } from './vault/proxy.js'
import { RunTimedOut } from './vault/deadline.js'
import { describeTrouble, type Trouble } from './vault/retries.js'
import { callerOf, conditionOf, refusalOf } from './vault/serviceErrors.js'
import { StillInTransition, type TransitionCause } from './vault/transitions.js'
import { UntrustedAnswer } from './vault/answers.js'
import { explainGitHubRefusal, explainIncomplete } from './github/advice.js'
import { GitHubRefusal, GitHubSyncIncomplete } from './github/errors.js'
import type { WriteRecord } from './writeRecord.js'

/** What the run had got to when it failed: the more is known, the more precise the advice. */
export interface FailureContext {
  readonly inputs?: ActionInputs
  readonly signIn?: SignIn
  /** The secret whose request failed. */
  readonly secretName?: string
  /** The operation whose permission the failed request needed, when not the step's own. */
  readonly operation?: Operation
  /** The run's deadline, throttle and what it saw of the vault's health. */
  readonly resilience?: Resilience
  /** The proxy requests to the vault go through (HTTPS_PROXY and the like), when one does. */
  readonly proxy?: ProxyInUse
  /** A read refused as expired (SecretExpired): when the secret expired, when the step could find out. */
  readonly expiredOn?: Date
  /** What the step had written outside itself (Key Vault versions, GitHub secrets) before it failed. */
  readonly written?: WriteRecord
}

/**
 * The step's failure message: the explanation, then, when the step had already written something
 * outside itself, exactly what (a part-way GitHub sync and a timeout say it in their own words).
 */
export function explainStepFailure(error: unknown, context: FailureContext): string {
  const message = explainFailure(error, context)
  const written = context.written?.describe() ?? ''
  if (!written || error instanceof GitHubSyncIncomplete || error instanceof RunTimedOut) return message
  return `${message} ${written} No outputs were set.`
}

interface ErrorLike {
  name?: string
  message?: string
  code?: string
  errors?: unknown[]
  errorResponse?: { error?: string; errorDescription?: string; errorCodes?: unknown[] }
  /** MSAL's ServerError, under @azure/identity's AuthenticationRequiredError: `errorNo` is the AADSTS number. */
  cause?: { errorNo?: unknown; errorMessage?: unknown }
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

/**
 * Turns any error into one message that says what went wrong and what to do next. Messages from
 * Azure never contain secret values; every secret was masked before the first request anyway.
 */
export function explainFailure(error: unknown, context: FailureContext = {}): string {
  const err = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as ErrorLike
  if (error instanceof ActionError) return error.message
  if (error instanceof AzureCliFailure) return explainAzureCli(error, serviceText)
  if (error instanceof RunTimedOut) return explainTimeout(error, context)
  if (error instanceof SecretFailure) {
    const inputs = error.vault && context.inputs ? { ...context.inputs, vault: error.vault } : context.inputs
    return explainFailure(error.cause, {
      ...context,
      inputs,
      secretName: error.secretName,
      operation: error.operation ?? context.operation,
      expiredOn: error.expiredOn
    })
  }
  if (error instanceof SecretsExpired) return explainExpired(error)
  if (error instanceof VaultHostNotFoundError) return explainUnknownHost(error.host, context)
  if (error instanceof ProxyRefusedError) return explainProxyRefusal(error, context)
  if (error instanceof StillInTransition) return explainStillInTransition(error, context)
  if (error instanceof UntrustedAnswer) return explainUntrustedAnswer(error, context)
  if (error instanceof GitHubSyncIncomplete) return explainIncomplete(error, { serviceText })
  if (error instanceof GitHubRefusal) {
    const nothing = (context.inputs && OperationModules[context.inputs.operation].advice.nothingWrittenTo) ?? 'GitHub'
    return `${explainGitHubRefusal(error, { serviceText })} Nothing was written to ${nothing}, and no outputs were set.`
  }
  // The SDK's parse error quotes the whole body, which can hold a value: never shown.
  if (err.code === 'PARSE_ERROR')
    return explainUntrustedAnswer(
      new UntrustedAnswer('cut-off', `status ${refusalOf(error).status ?? 'unknown'}`),
      context
    )
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
  if (refusalOf(error).status !== undefined) return explainVaultError(err, context)
  if (err.code && (/^E[A-Z_]+$/.test(err.code) || isCertificateCode(err.code)))
    return explainNetworkError(err.code, err.message, context)
  return `Unexpected error: ${serviceText(err.message) || err.name || 'no details'}`
}

/** The host asked for a token for another resource: the SDK refused, so no token went there. */
function explainForeignChallenge(resource: string, { inputs }: FailureContext): string {
  const url = inputs?.vault.url ?? 'the vault URL'
  return (
    `${url} asked for a token for ${quote(resource)}, which is not that host's domain, so no token was requested or sent. ` +
    `Key Vault has no custom domains: give '${Inputs.VaultUrl}' as the vault's own URL (https://<vault-name>.${inputs?.cloud.vaultDnsSuffix ?? 'vault.azure.net'}), or '${Inputs.VaultName}'.`
  )
}

/**
 * OpenSSL's certificate verification failures as Node names them: CERT_HAS_EXPIRED,
 * SELF_SIGNED_CERT_IN_CHAIN, UNABLE_TO_VERIFY_LEAF_SIGNATURE (an untrusted CA, as a TLS-inspecting
 * proxy's is until NODE_EXTRA_CA_CERTS names it), ERR_TLS_CERT_ALTNAME_INVALID, ...
 */
function isCertificateCode(code: string): boolean {
  return /^([A-Z_]*(CERT|CRL)[A-Z_]*|UNABLE_TO_[A-Z_]+|INVALID_CA|INVALID_PURPOSE|PATH_LENGTH_EXCEEDED|HOSTNAME_MISMATCH)$/.test(
    code
  )
}

function explainNetworkError(code: string, message: string | undefined, context: FailureContext): string {
  const { proxy } = context
  const through = proxy?.url ? ` through the proxy ${proxy.url} (from ${proxy.variable})` : ''
  const failed = `Could not reach ${context.inputs?.vault.url ?? 'Azure'}${through}: ${code} (${serviceText(message)})${afterRetries(context)}.`
  if (proxy && !proxy.url) {
    return `${failed} ${proxy.variable} does not hold a proxy URL the Azure SDK can use: give it with its scheme, as http://host:port (in both https_proxy and HTTPS_PROXY).`
  }
  if (isCertificateCode(code)) {
    const check = proxy
      ? ''
      : ` Check the runner's network access (proxy, firewall, DNS, TLS inspection) to the vault and to Microsoft Entra ID.`
    return `${failed} A proxy that inspects TLS presents its own certificate: trust its CA by setting NODE_EXTRA_CA_CERTS to the CA's PEM file in the job's env.${check}`
  }
  if (proxy) {
    return `${failed} Check that the proxy is running and reachable from the runner, and that it allows the vault and Microsoft Entra ID; hosts listed in NO_PROXY are reached directly instead.`
  }
  return `${failed} Check the runner's network access (proxy, firewall, DNS, TLS inspection) to the vault and to Microsoft Entra ID.`
}

/** The proxy answered instead of the vault: Key Vault never saw the request. */
function explainProxyRefusal(error: ProxyRefusedError, context: FailureContext): string {
  const { inputs } = context
  const proxy = error.proxy.url
    ? `The proxy ${error.proxy.url} (from ${error.proxy.variable})`
    : `The proxy in ${error.proxy.variable}`
  if (error.status === 407) {
    return (
      `${proxy} asked for credentials (407 Proxy Authentication Required) before it would connect to '${error.host}'. ` +
      `Give them in the proxy URL of the runner's proxy settings (http://user:password@proxy:port, in https_proxy and HTTPS_PROXY).`
    )
  }
  const cloud = inputs?.cloud
  const hosts = cloud ? ` (*.${cloud.vaultDnsSuffix} and ${new URL(cloud.authorityHost).host})` : ''
  return (
    `${proxy} answered ${error.status} for '${error.host}' instead of Key Vault${afterRetries(context)}: the request never reached the vault. ` +
    `Check '${inputs?.vault.input ?? Inputs.VaultName}' for a typo (a proxy answers so for a name it cannot resolve), check that the proxy allows the vault and Microsoft Entra ID${hosts}, ` +
    `or list the vault in NO_PROXY to reach it directly.`
  )
}

function explainUnknownHost(host: string, { inputs }: FailureContext): string {
  const where = inputs?.cloud.name ?? 'AzureCloud'
  const check =
    inputs?.vault.input === Inputs.VaultUrl
      ? `Check '${Inputs.VaultUrl}' for a typo`
      : `Check '${Inputs.VaultName}' for a typo and that '${Inputs.Environment}' (${where}) is the vault's cloud`
  return `The vault host '${host}' does not resolve. ${check}; for a vault behind a private endpoint, the runner must be able to resolve its private DNS name.`
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

/** The one secret the step names, when it names exactly one, so an error can say which. */
function loneSecretOf<K extends Operation>(inputs: InputsOf<K>): string | undefined {
  const module: Module<K> = OperationModules[inputs.operation]
  return module.advice.loneSecret(inputs)
}

function explainVaultError(err: ErrorLike, context: FailureContext): string {
  const { inputs, signIn, secretName } = context
  const vault = inputs?.vault.name ?? 'the vault'
  const vaultInput = inputs?.vault.input ?? Inputs.VaultName
  const secret = secretName ?? (inputs && loneSecretOf(inputs)) ?? '(unknown)'
  const operation = context.operation ?? inputs?.operation ?? 'get'
  const refusal = refusalOf(err)
  const serviceSaid = `Key Vault said: ${serviceText(refusal.message)}`
  const condition = conditionOf(err)
  switch (condition) {
    case 'secretDisabled':
      return `Secret '${secret}' in vault '${vault}' is disabled, so it cannot be read. Enable it: az keyvault secret set-attributes --vault-name ${vault} --name ${secret} --enabled true`
    case 'secretExpired':
      return explainExpiredRefusal(vault, secret, context.expiredOn)
    case 'purgeProtected':
      return explainPurgeProtection(vault, secret, inputs)
    case 'forbiddenByFirewall':
      return (
        `Vault '${vault}' refused the runner's network address (403 Forbidden, ForbiddenByFirewall). Allow the runner's address in the vault's networking settings, ` +
        `use a self-hosted runner inside the vault's network, or reach it through its private endpoint. ${serviceSaid}`
      )
    case 'forbiddenByConnection':
      return (
        `Vault '${vault}' accepts no requests from public networks (403 Forbidden, ForbiddenByConnection): only through an approved private endpoint. ` +
        `Run the job on a runner in a network linked to the vault's private endpoint, with its private DNS name resolving there, or ask the vault's owner to allow public access from the runner. ${serviceSaid}`
      )
    case 'deletedButRecoverable':
      return (
        `Secret '${secret}' in vault '${vault}' is deleted but recoverable, so its name cannot be reused yet. ` +
        `Set '${Inputs.IfDeleted}: recover' (bring back the deleted secret, then write the new version) or '${Inputs.IfDeleted}: purge' (erase it for good, then write), ` +
        `or do it yourself: az keyvault secret recover --vault-name ${vault} --name ${secret} (or: az keyvault secret purge --vault-name ${vault} --name ${secret})`
      )
    case 'beingRecovered':
      return `Secret '${secret}' in vault '${vault}' is being recovered right now; run the step again in a minute.`
    case 'beingDeleted':
      return `Secret '${secret}' in vault '${vault}' is still being deleted or purged; run the step again in a minute.`
    case 'forbiddenByRbac':
    case 'accessDenied':
    case undefined:
      break
  }
  switch (refusal.status) {
    case 401:
      return `Key Vault '${vault}' did not accept the access token (401). Check that '${Inputs.TenantId}' is the vault's tenant and '${Inputs.Environment}' its cloud. ${serviceSaid}`
    case 403: {
      const need = OperationModules[operation].permission
      // Only a client ID the sign-in actually used names the identity; the CLI or a managed identity may be another.
      const [only, ...more] = signIn?.plan.attempts ?? []
      const clientId =
        more.length === 0 && (only?.method === 'oidc' || only?.method === 'service-principal')
          ? only.clientId
          : undefined
      // The vault's answer names whoever asked, for every sign-in method (the CLI's and a managed identity's too).
      const caller = callerOf(refusal.message)
      const appId = caller ? caller.appid : clientId
      const who = caller
        ? caller.appid
          ? `app '${caller.appid}' (object ${caller.oid})`
          : `the user with object ID ${caller.oid}`
        : clientId
          ? `app '${clientId}'`
          : 'the signed-in identity'
      const assignee = caller
        ? `--assignee-object-id ${caller.oid} --assignee-principal-type ${caller.appid ? 'ServicePrincipal' : 'User'}`
        : `--assignee ${clientId ?? '<client-id>'}`
      const scope = caller?.vaultScope ?? `$(az keyvault show --name ${vault} --query id --output tsv)`
      const policyFor = appId ? `--spn ${appId}` : caller ? `--object-id ${caller.oid}` : '--spn <client-id>'
      const model =
        condition === 'forbiddenByRbac'
          ? `The vault uses Azure RBAC: assign ${who} the role '${need.role}' (it grants ${need.dataAction}) on the vault or the secret (az role assignment create --role "${need.role}" ${assignee} --scope ${scope}).`
          : condition === 'accessDenied'
            ? `The vault uses access policies: give ${who} the secret permission '${need.policy}' (az keyvault set-policy --name ${vault} ${policyFor} --secret-permissions ${need.policy}).`
            : `With Azure RBAC, assign the role '${need.role}'; with access policies, grant the secret permission '${need.policy}'.`
      return `${capitalize(who)} may not ${operation} secrets in vault '${vault}' (403 Forbidden). ${model} ${serviceSaid}`
    }
    case 404:
      return OperationModules[operation].advice.notFound({ vault, secret, vaultInput })
    case 409:
      // A conflict the action has no advice for: say what the service said, no more.
      return `Key Vault '${vault}' refused to ${operation} secret '${secret}' (409 Conflict${refusal.innerCodes[0] ? `, ${refusal.innerCodes[0]}` : ''}). ${serviceSaid}`
    case 429:
      return explainThrottling(vault, serviceSaid, context)
    default: {
      const status = refusal.status ?? 0
      const answered = `Key Vault '${vault}' answered ${status}${err.code ? ` ${err.code}` : ''} to '${operation}' of secret '${secret}'`
      if (!isServerTrouble(status)) return `${answered}. ${serviceSaid}`
      return (
        `${answered}${afterRetries(context)}. This is a problem on Azure's side: check https://azure.status.microsoft (and Service Health in the Azure portal), ` +
        `then run the job again. ${serviceSaid}`
      )
    }
  }
}

/** How to give an expired secret a future: a later expiry, or a new version. */
const extendAdvice = (vault: string, secret: string): string =>
  `Extend it (${extendCommand(vault, secret)}), or store a new version with a later expiry ('${Inputs.Operation}: set' with '${Inputs.Expires}').`

/** Key Vault refused to read a secret because it has expired (403 SecretExpired); it sends no date with the refusal. */
function explainExpiredRefusal(vault: string, secret: string, expiredOn: Date | undefined): string {
  const when = expiredOn
    ? `expired on ${utcDay(expiredOn)}`
    : `has expired (when is not known: the signed-in identity may not list the secret's versions; az keyvault secret list-versions --vault-name ${vault} --name ${secret} shows them)`
  return `Secret '${secret}' in vault '${vault}' ${when}, and Key Vault refuses to read it (403 Forbidden, SecretExpired). ${extendAdvice(vault, secret)} Nothing was exported.`
}

/** `fail-on-expired: true`, and secrets read or listed whose expiry has passed. */
function explainExpired(error: SecretsExpired): string {
  const because = `('${Inputs.FailOnExpired}: true'), so the step failed and nothing was exported`
  const [only] = error.expired
  if (only && error.expired.length === 1)
    return `Secret '${only.name}' in vault '${only.vault}' expired on ${utcDay(only.expires)} ${because}. ${extendAdvice(only.vault, only.name)}`
  const vaults = new Set(error.expired.map((notice) => notice.vault))
  const [oneVault] = vaults
  const where = vaults.size === 1 && oneVault !== undefined ? ` in vault '${oneVault}'` : ''
  const shown = error.expired
    .slice(0, 10)
    .map((notice) => `'${where ? notice.name : `${notice.vault}/${notice.name}`}' on ${utcDay(notice.expires)}`)
  const more = error.expired.length > 10 ? `, and ${error.expired.length - 10} more` : ''
  return (
    `${error.expired.length} secrets${where} have expired ${because}: ${shown.join(', ')}${more}. ` +
    `Extend each (${extendCommand(oneVault !== undefined && vaults.size === 1 ? oneVault : '<vault>', '<name>')}), or store new versions with a later expiry ('${Inputs.Operation}: set' with '${Inputs.Expires}').`
  )
}

/** The vault (or something between) answered what Key Vault never answers: said for what it is, never quoted. */
function explainUntrustedAnswer(error: UntrustedAnswer, { inputs, secretName }: FailureContext): string {
  const vault = inputs?.vault.name ?? 'the vault'
  const origin = inputs?.vault.url ?? "the vault's origin"
  const between = `Something between the runner and Azure (a proxy, DNS, a TLS-inspecting middlebox) or whoever answers for '${origin}' is not behaving as Key Vault does.`
  switch (error.kind) {
    case 'other-origin':
      return `Key Vault '${vault}' pointed the step at ${error.detail}, which is not the vault (${origin}): the request was not sent, so no token went there. ${between}`
    case 'paging-loop':
      return `Key Vault '${vault}' sent a page of its listing (${error.detail}) that it had sent before: the listing was stopped. ${between}`
    case 'redirect':
      return `Key Vault '${vault}' answered ${error.detail} (a redirect), which Key Vault never does; it was not followed. ${between}`
    case 'not-json':
      return `Key Vault '${vault}' answered ${error.detail} instead of JSON, so the runner is most likely not talking to Key Vault (a proxy's error or login page, a wrong '${Inputs.VaultUrl}'). The body is not shown.`
    case 'cut-off':
      return `The answer of Key Vault '${vault}' (${error.detail}) is cut off or not valid JSON; it is not shown, since it can hold a secret's value. Run the job again; if it recurs, check the network between the runner and Azure.`
    case 'no-value':
      return `Key Vault '${vault}' answered the read of secret '${secretName ?? '(unknown)'}' without a value, so nothing was exported. ${between}`
    case 'not-a-listing':
      return `Key Vault '${vault}' answered a listing request (${error.detail}) with something that is not a listing. ${between}`
    case 'too-large':
      return `Key Vault '${vault}' answered with more than ${error.detail} bytes (counted after decompression), more than Key Vault ever sends for this request: the answer was refused unread and is not shown. ${between}`
  }
}

/**
 * What the step had done to the secret that the vault was still finishing: set's `if-deleted`
 * purge or recover, delete's purge after the delete (keyed by what was done, whichever the step).
 */
const StillFinishing: { readonly [Cause in TransitionCause]: string } = {
  purge: `This step purged the deleted secret first ('${Inputs.IfDeleted}: purge'); Key Vault accepted the purge but had not freed the name yet.`,
  recover: `This step recovered the deleted secret first ('${Inputs.IfDeleted}: recover'); Key Vault had not finished the recovery yet.`,
  delete: `This step deleted the secret and then tried to purge it ('${Inputs.Purge}: true'); the delete had not finished yet.`
}

/** The vault was still finishing a purge, recover or delete when the step had to stop waiting for it. */
function explainStillInTransition(error: StillInTransition, context: FailureContext): string {
  const vault = context.inputs?.vault.name ?? 'the vault'
  const secret = context.secretName ?? '(unknown)'
  const waited = `after ${error.attempts} tries over ${formatSeconds(error.waitedMs)}`
  const what =
    error.condition === 'beingRecovered'
      ? 'being recovered (409 ObjectIsBeingRecovered)'
      : 'being deleted (409 ObjectIsBeingDeleted)'
  const own = error.after
    ? StillFinishing[error.after]
    : 'Another run or tool is deleting, purging or recovering this secret.'
  return (
    `Secret '${secret}' in vault '${vault}' was still ${what} ${waited}, when '${Inputs.Timeout}' (${context.inputs?.timeout ?? '?'} s) left no time to try again. ${own} ` +
    `Key Vault gives no signal when it has finished: run the step again in a minute, or raise '${Inputs.Timeout}'.`
  )
}

/** 5xx (not 501/505) and 408: the answers that are retried. */
const isServerTrouble = (status: number): boolean =>
  status === 408 || (status >= 500 && status !== 501 && status !== 505)

/** `, also on 4 retries over 9.2 s` when the failed request was retried. */
function afterRetries({ resilience }: FailureContext): string {
  const gaveUp = resilience?.health.gaveUp
  if (!gaveUp || gaveUp.attempts < 2) return ''
  return `, also on ${gaveUp.attempts - 1} ${gaveUp.attempts === 2 ? 'retry' : 'retries'} over ${formatSeconds(gaveUp.elapsedMs)}`
}

function explainThrottling(vault: string, serviceSaid: string, context: FailureContext): string {
  const { inputs, resilience } = context
  const lowest = resilience?.throttle.report.lowestLimit
  const slowedDown =
    lowest !== undefined
      ? `, even after slowing down to ${lowest} request${lowest === 1 ? '' : 's'} in flight and pausing between tries`
      : ''
  const concurrency = inputs ? ` (now ${inputs.concurrency})` : ''
  return (
    `Key Vault '${vault}' kept throttling requests (429 Too Many Requests)${afterRetries(context)}${slowedDown}. ` +
    `More requests reach this vault than its limits allow: lower '${Inputs.Concurrency}'${concurrency}, spread out the jobs and workflows that use this vault, ` +
    `or read fewer secrets per run (several values can share one JSON secret read with '${Inputs.ParseJson}'). ${serviceSaid}`
  )
}

function lastTrouble(trouble: Trouble): string {
  if (trouble.status !== undefined) return `The vault's last failed answer was ${describeTrouble(trouble)}`
  return `The last failed request to the vault ended with ${describeTrouble(trouble)}`
}

function explainTimeout(error: RunTimedOut, { inputs, resilience, written }: FailureContext): string {
  const vault = inputs?.vault.name ?? 'the vault'
  if (written && !written.isEmpty)
    return `The step ran out of time: input '${Inputs.Timeout}' allows ${error.seconds} s, and it had written only part of its work. ${written.describe()} No outputs were set. Raise '${Inputs.Timeout}', then run the step again: it writes every secret again.`
  const health = resilience?.health
  const trouble: Trouble | undefined = health?.lastTrouble
  const retries =
    health && health.retries > 0 ? ` (after ${health.retries} ${health.retries === 1 ? 'retry' : 'retries'})` : ''
  const seen = trouble
    ? `${lastTrouble(trouble)}${retries}.`
    : health && health.unanswered > 0
      ? `${health.unanswered} request${health.unanswered === 1 ? '' : 's'} to the vault had no answer yet.`
      : `No request to the vault was waiting for an answer: the step was signing in or waiting between polls.`
  const advice =
    trouble?.status === 429
      ? `The vault is throttling: lower '${Inputs.Concurrency}', spread out the jobs that use this vault, or raise '${Inputs.Timeout}'.`
      : trouble?.status !== undefined
        ? `Check https://azure.status.microsoft for a Key Vault problem, then run the job again; raise '${Inputs.Timeout}' if the vault is only slow.`
        : `Check the runner's network access to the vault and to Microsoft Entra ID, or raise '${Inputs.Timeout}' if the vault is only slow.`
  return `The step ran out of time: input '${Inputs.Timeout}' allows ${error.seconds} s, and the work with Key Vault '${vault}' had not finished. Nothing was exported. ${seen} ${advice}`
}

function explainPurgeProtection(vault: string, secret: string, inputs: ActionInputs | undefined): string {
  const instead = OperationModules[inputs?.operation ?? 'get'].advice.purgeProtected
  return `Vault '${vault}' has purge protection, so secret '${secret}' cannot be purged before its retention period ends; the vault purges it then. ${instead}`
}

function methodLabel({ signIn }: FailureContext): string {
  const [only, ...more] = signIn?.plan.attempts ?? []
  return only && more.length === 0 ? `with ${labelOf(only.method)} ` : ''
}
