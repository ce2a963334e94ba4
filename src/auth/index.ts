import { ChainedTokenCredential, type TokenCredential } from '@azure/identity'
import type { SignInSettings } from '../inputs.js'
import { azureCliCredential } from './azureCli.js'
import { managedIdentityCredential } from './managedIdentity.js'
import { MaskedCredential } from './maskedCredential.js'
import { oidcSignIn, type FederatedClaims } from './oidc.js'
import { planSignIn, type SignInMethod, type SignInPlan } from './plan.js'
import { servicePrincipalCredential } from './servicePrincipal.js'

export type { FederatedClaims } from './oidc.js'
export type { SignInMethod } from './plan.js'

export interface SignIn {
  readonly settings: SignInSettings
  readonly plan: SignInPlan
  /** Masks every token it hands out. */
  readonly credential: TokenCredential
  /** For OIDC: the claims of the ID token last presented, to explain a federated credential mismatch. */
  federatedClaims(): FederatedClaims | undefined
}

export const MethodNames: Readonly<Record<SignInMethod, string>> = {
  oidc: 'OIDC',
  'service-principal': 'service principal',
  'azure-cli': 'Azure CLI',
  'managed-identity': 'managed identity'
}

/** Builds the credential for the planned method; no request is made until a token is needed. */
export function createSignIn(settings: SignInSettings, env: NodeJS.ProcessEnv = process.env): SignIn {
  const plan = planSignIn(settings, env)
  let federatedClaims = (): FederatedClaims | undefined => undefined
  const credentials = plan.methods.map((method): TokenCredential => {
    switch (method) {
      case 'oidc': {
        const oidc = oidcSignIn(settings)
        federatedClaims = oidc.lastClaims
        return oidc.credential
      }
      case 'service-principal':
        return servicePrincipalCredential(settings)
      case 'azure-cli':
        return azureCliCredential(settings)
      case 'managed-identity':
        return managedIdentityCredential(settings)
    }
  })
  const [only] = credentials
  const credential = credentials.length === 1 && only ? only : new ChainedTokenCredential(...credentials)
  return { settings, plan, credential: new MaskedCredential(credential), federatedClaims: () => federatedClaims() }
}
