import type { Operation } from '../constants.js'
import { extendCommand, renewAdvice, utcDay, type SecretsExpired } from '../expiry.js'
import { Inputs } from '../inputs/table.js'
import { OperationModules, type ActionInputs, type InputsOf, type Module } from '../operations/index.js'
import type { UntrustedAnswer } from '../vault/answers.js'
import { callerOf, conditionOf, refusalOf, type VaultCondition, type VaultRefusal } from '../vault/serviceErrors.js'
import type { StillInTransition, TransitionCause } from '../vault/transitions.js'
import { capitalize, formatSeconds, serviceText } from '../text.js'
import type { ErrorLike, FailureContext } from './context.js'
import { afterRetries, explainThrottling } from './network.js'

/*
 * Key Vault's refusals, by the condition it named and then by status; expired secrets; answers
 * Key Vault never gives; purges, recoveries and deletes it was still finishing. What differs by
 * operation comes from the operation's module (its OperationAdvice).
 */

/** The request a refusal answered, as the messages name it. */
interface Refused {
  readonly vault: string
  /** `vault-name` or `vault-url`: the input that named the vault. */
  readonly vaultInput: string
  readonly secret: string
  /** The operation whose permission the request needed. */
  readonly operation: Operation
  /** `Key Vault said: ...`, the service's own words, made safe to print. */
  readonly serviceSaid: string
}

/** Key Vault answered with a status: explained by the condition its answer names, else by the status. */
export function explainVaultError(err: ErrorLike, context: FailureContext): string {
  const { inputs, secretName } = context
  const refusal = refusalOf(err)
  const refused: Refused = {
    vault: inputs?.vault.name ?? 'the vault',
    vaultInput: inputs?.vault.input ?? Inputs.VaultName,
    secret: secretName ?? (inputs && loneSecretOf(inputs)) ?? '(unknown)',
    operation: context.operation ?? inputs?.operation ?? 'get',
    serviceSaid: `Key Vault said: ${serviceText(refusal.message)}`
  }
  const condition = conditionOf(err)
  return explainCondition(condition, refused, context) ?? explainStatus(err, refusal, condition, refused, context)
}

/** The conditions that explain themselves, whatever the status; undefined for the rest (a 403 says which model). */
function explainCondition(
  condition: VaultCondition | undefined,
  { vault, secret, serviceSaid }: Refused,
  context: FailureContext
): string | undefined {
  switch (condition) {
    case 'secretDisabled':
      return `Secret '${secret}' in vault '${vault}' is disabled, so it cannot be read. Enable it: az keyvault secret set-attributes --vault-name ${vault} --name ${secret} --enabled true`
    case 'secretExpired':
      return explainExpiredRefusal(vault, secret, context.expiredOn)
    case 'purgeProtected':
      return explainPurgeProtection(vault, secret, context.inputs)
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
      return undefined
  }
}

/** The refusals told apart by status alone. */
function explainStatus(
  err: ErrorLike,
  refusal: VaultRefusal,
  condition: VaultCondition | undefined,
  refused: Refused,
  context: FailureContext
): string {
  const { vault, secret, operation, serviceSaid } = refused
  switch (refusal.status) {
    case 401:
      return `Key Vault '${vault}' did not accept the access token (401). Check that '${Inputs.TenantId}' is the vault's tenant and '${Inputs.Environment}' its cloud. ${serviceSaid}`
    case 403:
      return explainForbidden(condition, refusal, refused, context)
    case 404:
      return OperationModules[operation].advice.notFound(refused)
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

/** 403 without another condition: the identity lacks the operation's permission, in the vault's permission model. */
function explainForbidden(
  condition: VaultCondition | undefined,
  refusal: VaultRefusal,
  { vault, operation, serviceSaid }: Refused,
  { signIn }: FailureContext
): string {
  const need = OperationModules[operation].permission
  // Only a client ID the sign-in actually used names the identity; the CLI or a managed identity may be another.
  const [only, ...more] = signIn?.plan.attempts ?? []
  const clientId =
    more.length === 0 && (only?.method === 'oidc' || only?.method === 'service-principal') ? only.clientId : undefined
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

/** 5xx (not 501/505) and 408: the answers that are retried. */
const isServerTrouble = (status: number): boolean =>
  status === 408 || (status >= 500 && status !== 501 && status !== 505)

/** The one secret the step names, when it names exactly one, so an error can say which. */
function loneSecretOf<K extends Operation>(inputs: InputsOf<K>): string | undefined {
  const module: Module<K> = OperationModules[inputs.operation]
  return module.advice.loneSecret(inputs)
}

/** Purge protection refused a purge: the step's operation says what to do instead. */
function explainPurgeProtection(vault: string, secret: string, inputs: ActionInputs | undefined): string {
  const instead = OperationModules[inputs?.operation ?? 'get'].advice.purgeProtected
  return `Vault '${vault}' has purge protection, so secret '${secret}' cannot be purged before its retention period ends; the vault purges it then. ${instead}`
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
export function explainExpired(error: SecretsExpired): string {
  const because = `('${Inputs.FailOnExpired}: true'), so the step failed and nothing was exported`
  const [only] = error.expired
  if (only?.certificate && error.expired.length === 1)
    return `The certificate in secret '${only.name}' in vault '${only.vault}' expired on ${utcDay(only.expires)} ${because}. ${renewAdvice(only.vault, only.name)}`
  if (only && error.expired.length === 1)
    return `Secret '${only.name}' in vault '${only.vault}' expired on ${utcDay(only.expires)} ${because}. ${extendAdvice(only.vault, only.name)}`
  const vaults = new Set(error.expired.map((notice) => notice.vault))
  const [oneVault] = vaults
  const where = vaults.size === 1 && oneVault !== undefined ? ` in vault '${oneVault}'` : ''
  const shown = error.expired
    .slice(0, 10)
    .map(
      (notice) =>
        `'${where ? notice.name : `${notice.vault}/${notice.name}`}'${notice.certificate ? ' (its certificate)' : ''} on ${utcDay(notice.expires)}`
    )
  const more = error.expired.length > 10 ? `, and ${error.expired.length - 10} more` : ''
  return (
    `${error.expired.length} secrets${where} have expired ${because}: ${shown.join(', ')}${more}. ` +
    `Extend each (${extendCommand(oneVault !== undefined && vaults.size === 1 ? oneVault : '<vault>', '<name>')}), or store new versions with a later expiry ('${Inputs.Operation}: set' with '${Inputs.Expires}')` +
    `${error.expired.some((notice) => notice.certificate) ? '; renew a certificate and store it anew' : ''}.`
  )
}

/** The vault (or something between) answered what Key Vault never answers: said for what it is, never quoted. */
export function explainUntrustedAnswer(error: UntrustedAnswer, { inputs, secretName }: FailureContext): string {
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
export function explainStillInTransition(error: StillInTransition, context: FailureContext): string {
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
