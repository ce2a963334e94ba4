import { AzureCliFailure } from '../auth/azureCli.js'
import { explainAzureCli } from '../auth/cliAdvice.js'
import { ActionError } from '../errors.js'
import { SecretFailure } from '../vault/secretFailure.js'
import { SecretsExpired } from '../expiry.js'
import { GitHubRefusal, GitHubSyncIncomplete } from '../github/errors.js'
import { serviceText } from '../text.js'
import { UntrustedAnswer } from '../vault/answers.js'
import { VaultHostNotFoundError } from '../vault/client.js'
import { RunTimedOut } from '../vault/deadline.js'
import { ProxyRefusedError } from '../vault/proxy.js'
import { refusalOf } from '../vault/serviceErrors.js'
import { StillInTransition } from '../vault/transitions.js'
import type { ErrorLike, FailureContext } from './context.js'
import { explainSignInFailure } from './entra.js'
import { explainGitHubFailure } from './github.js'
import { explainExpired, explainStillInTransition, explainUntrustedAnswer, explainVaultError } from './keyvault.js'
import {
  explainNetworkError,
  explainProxyRefusal,
  explainTimeout,
  explainUnknownHost,
  isCertificateCode
} from './network.js'

/*
 * Every failure as advice, by service: entra.ts (signing in), keyvault.ts (the vault's refusals
 * and answers), network.ts (reaching Azure, proxies, retries, the deadline), github.ts (GitHub
 * secrets). main.ts loads this module only when a step fails; nothing below main.ts imports it.
 */

export type { FailureContext } from './context.js'

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

/**
 * Turns any error into one message that says what went wrong and what to do next. Messages from
 * Azure never contain secret values; every secret was masked before the first request anyway.
 */
export function explainFailure(error: unknown, context: FailureContext = {}): string {
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
  if (error instanceof GitHubSyncIncomplete || error instanceof GitHubRefusal)
    return explainGitHubFailure(error, context)
  return explainOtherError(error, context)
}

/** An error that is not one of the action's own: the SDK's, MSAL's or Node's, told apart by its fields. */
function explainOtherError(error: unknown, context: FailureContext): string {
  const err = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as ErrorLike
  // The SDK's parse error quotes the whole body, which can hold a value: never shown.
  if (err.code === 'PARSE_ERROR')
    return explainUntrustedAnswer(
      new UntrustedAnswer('cut-off', `status ${refusalOf(error).status ?? 'unknown'}`),
      context
    )
  const signIn = explainSignInFailure(err, context)
  if (signIn !== undefined) return signIn
  if (refusalOf(error).status !== undefined) return explainVaultError(err, context)
  if (err.code && (/^E[A-Z_]+$/.test(err.code) || isCertificateCode(err.code)))
    return explainNetworkError(err.code, err.message, context)
  return `Unexpected error: ${serviceText(err.message) || err.name || 'no details'}`
}
