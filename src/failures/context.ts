import type { SignIn } from '../auth/index.js'
import type { Operation } from '../constants.js'
import type { ActionInputs } from '../operations/index.js'
import type { Resilience } from '../vault/client.js'
import type { ProxyInUse } from '../vault/proxy.js'
import type { WriteRecord } from '../writeRecord.js'

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

/** What the explanations read of an error that is not one of the action's own: the SDK's, MSAL's, Node's. */
export interface ErrorLike {
  name?: string
  message?: string
  code?: string
  errors?: unknown[]
  errorResponse?: { error?: string; errorDescription?: string; errorCodes?: unknown[] }
  /** MSAL's ServerError, under @azure/identity's AuthenticationRequiredError: `errorNo` is the AADSTS number. */
  cause?: { errorNo?: unknown; errorMessage?: unknown }
}
