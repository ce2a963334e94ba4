import type { TokenCredential } from '@azure/identity'
import { AzureCliSession } from './azureCli.js'
import { credentialOptions, DeferredCredential } from './identity.js'
import { oidcSignIn, type FederatedClaims } from './oidc.js'
import type { PlanOf, SignInMethod } from '../inputs/signInPlan.js'

export type { SignInMethod } from '../inputs/signInPlan.js'

/** A method's credential, and for OIDC the claims of the ID token last presented. */
export interface MethodCredential {
  readonly credential: TokenCredential
  readonly federatedClaims?: () => FederatedClaims | undefined
}

interface Method<M extends SignInMethod> {
  /** As messages name it: `OIDC`, `service principal`. */
  readonly label: string
  /** What the log says of it (an audit of how the run signed in): never a secret. */
  readonly describe: (plan: PlanOf<M>) => string
  /** No request is made until a token is needed. */
  readonly credential: (plan: PlanOf<M>) => MethodCredential
}

const inCloud = (plan: { readonly cloud: { readonly name: string } }): string =>
  plan.cloud.name === 'AzureCloud' ? '' : ` (${plan.cloud.name})`

/** One entry per sign-in method: adding one is an entry here and a branch in the plan (inputs/signIn.ts). */
export const SignInMethods: { readonly [M in SignInMethod]: Method<M> } = {
  oidc: {
    label: 'OIDC',
    describe: (plan) =>
      `OIDC: app ${plan.clientId} in tenant ${plan.tenantId}, GitHub ID token for audience ${plan.audience}${inCloud(plan)}`,
    credential: (plan) => {
      const oidc = oidcSignIn(plan)
      return { credential: oidc.credential, federatedClaims: oidc.lastClaims }
    }
  },
  'service-principal': {
    label: 'service principal',
    describe: (plan) => `a service principal: app ${plan.clientId} in tenant ${plan.tenantId}${inCloud(plan)}`,
    credential: (plan) => ({
      credential: new DeferredCredential(
        (identity) =>
          new identity.ClientSecretCredential(plan.tenantId, plan.clientId, plan.clientSecret, {
            ...credentialOptions,
            authorityHost: plan.cloud.authorityHost
          })
      )
    })
  },
  'azure-cli': {
    label: 'Azure CLI',
    describe: (plan) => `the Azure CLI session of an earlier step${plan.tenantId ? `, tenant ${plan.tenantId}` : ''}`,
    // The session an earlier azure/login step left in the Azure CLI.
    credential: (plan) => ({ credential: new AzureCliSession(plan.tenantId) })
  },
  'managed-identity': {
    label: 'managed identity',
    describe: (plan) =>
      plan.clientId
        ? `the user-assigned managed identity with client ID ${plan.clientId}`
        : "the runner's system-assigned managed identity",
    // The identity of a self-hosted runner on Azure; a client ID picks a user-assigned one.
    credential: (plan) => ({
      credential: new DeferredCredential((identity) =>
        plan.clientId
          ? new identity.ManagedIdentityCredential({ clientId: plan.clientId })
          : new identity.ManagedIdentityCredential()
      )
    })
  }
}

/** A plan's entry of the table, bound to it (each entry takes only its own kind of plan). */
export function methodFor(plan: PlanOf<SignInMethod>): {
  readonly label: string
  describe(): string
  credential(): MethodCredential
} {
  // The table is keyed so that SignInMethods[plan.method] takes exactly this plan; TypeScript cannot
  // follow that through the union, hence the one cast.
  const method = SignInMethods[plan.method] as unknown as Method<SignInMethod> & {
    describe: (plan: PlanOf<SignInMethod>) => string
    credential: (plan: PlanOf<SignInMethod>) => MethodCredential
  }
  return { label: method.label, describe: () => method.describe(plan), credential: () => method.credential(plan) }
}
