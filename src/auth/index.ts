import * as core from '@actions/core'
import type { TokenCredential } from '@azure/identity'
import { vaultScope } from '../clouds.js'
import { isGuid } from '../inputs/names.js'
import { EarlyTokenCredential, type EarlyAsk } from './earlyToken.js'
import { DeferredCredential, loadIdentity } from './identity.js'
import { MaskedCredential } from './maskedCredential.js'
import { methodFor, SignInMethods } from './methods.js'
import type { FederatedClaims } from './oidc.js'
import type { MethodPlan, SignInMethod, SignInPlan } from '../inputs/signInPlan.js'

export type { FederatedClaims } from './oidc.js'
export type { MethodPlan, SignInMethod, SignInPlan } from '../inputs/signInPlan.js'

export interface SignIn {
  readonly plan: SignInPlan
  /** Masks every token it hands out. */
  readonly credential: TokenCredential
  /** For OIDC: the claims of the ID token last presented, to explain a federated credential mismatch. */
  federatedClaims(): FederatedClaims | undefined
  /**
   * Called once the vault's challenge is on its way: loads the sign-in code while it travels and,
   * when the workflow named the tenant, asks for the vault's token too. `signal` ends that request.
   */
  startEarly(signal: AbortSignal): void
}

/** `OIDC`, `service principal`: a method as messages name it. */
export const methodLabel = (method: SignInMethod): string => SignInMethods[method].label

/** Builds the credential of each planned method; no request is made until a token is needed. */
export function createSignIn(plan: SignInPlan): SignIn {
  let federatedClaims = (): FederatedClaims | undefined => undefined
  const built = plan.attempts.map((attempt) => {
    const method = methodFor(attempt).credential()
    if (method.federatedClaims) federatedClaims = method.federatedClaims
    return method.credential
  })
  const [only, ...more] = built
  // With several methods to try, the log says which one signed in, once it has.
  const credential =
    more.length === 0 && only
      ? only
      : new DeferredCredential(
          (identity) =>
            new identity.ChainedTokenCredential(
              ...built.map((inner, index) => announcing(inner, plan.attempts[index] as MethodPlan))
            )
        )
  if (more.length === 0)
    core.info(
      `Signing in with ${methodFor(plan.attempts[0]).describe()}${plan.chosenBecause ? ` (${plan.chosenBecause})` : ''}.`
    )
  else
    core.info(
      `Signing in with the first of: ${plan.attempts.map((attempt) => methodLabel(attempt.method)).join(', ')}.`
    )
  const early = new EarlyTokenCredential(new MaskedCredential(credential))
  const ask = earlyAsk(plan)
  return {
    plan,
    credential: early,
    federatedClaims: () => federatedClaims(),
    startEarly(signal) {
      void loadIdentity().catch(() => undefined)
      if (ask) early.requestEarly(ask, signal)
    }
  }
}

/**
 * What to ask for before the challenge names it: the vault's scope, in the one tenant (a GUID, as
 * the challenge names it) every planned method signs in to. Without one (a managed identity, an
 * Azure CLI session of its own tenant), the token waits for the challenge.
 */
export function earlyAsk(plan: SignInPlan): EarlyAsk | undefined {
  const tenants = new Set(plan.attempts.map((attempt) => ('tenantId' in attempt ? attempt.tenantId : undefined)))
  const [tenantId] = tenants
  if (tenants.size !== 1 || tenantId === undefined || !isGuid(tenantId)) return undefined
  return { scope: vaultScope(plan.attempts[0].cloud), tenantId }
}

/** Logs which method signed in, the first time its credential hands out a token. */
function announcing(inner: TokenCredential, plan: MethodPlan): TokenCredential {
  let told = false
  return {
    async getToken(scopes, options) {
      const token = await inner.getToken(scopes, options)
      if (token && !told) {
        told = true
        core.info(`Signed in with ${methodFor(plan).describe()}.`)
      }
      return token
    }
  }
}
