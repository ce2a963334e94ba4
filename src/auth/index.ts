import * as core from '@actions/core'
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
  // With several methods to try, the log says which one signed in, once it has.
  const credential =
    credentials.length === 1 && only
      ? only
      : new ChainedTokenCredential(
          ...credentials.map((inner, index) =>
            announcing(inner, signInLine(plan.methods[index] as SignInMethod, settings, 'Signed in'))
          )
        )
  if (credentials.length === 1) core.info(signInLine(plan.methods[0] as SignInMethod, settings, 'Signing in'))
  else core.info(`Signing in with the first of: ${plan.methods.map((method) => MethodNames[method]).join(', ')}.`)
  return { settings, plan, credential: new MaskedCredential(credential), federatedClaims: () => federatedClaims() }
}

/** `Signing in with OIDC: app 1111... in tenant 2222....`: what a run's log should say, for an audit; never a secret. */
export function signInLine(method: SignInMethod, settings: SignInSettings, verb: 'Signing in' | 'Signed in'): string {
  const app = settings.clientId ? `app ${settings.clientId}` : undefined
  const tenant = settings.tenantId ? `tenant ${settings.tenantId}` : undefined
  const cloud = settings.cloud.name === 'AzureCloud' ? '' : ` (${settings.cloud.name})`
  switch (method) {
    case 'oidc':
      return `${verb} with OIDC: ${app} in ${tenant}, GitHub ID token for audience ${settings.audience}${cloud}.`
    case 'service-principal':
      return `${verb} with a service principal: ${app} in ${tenant}${cloud}.`
    case 'azure-cli':
      return `${verb} with the Azure CLI session of an earlier step${tenant ? `, ${tenant}` : ''}.`
    case 'managed-identity':
      return `${verb} with ${settings.clientId ? `the user-assigned managed identity with client ID ${settings.clientId}` : "the runner's system-assigned managed identity"}.`
  }
}

/** Logs `line` the first time the credential hands out a token. */
function announcing(inner: TokenCredential, line: string): TokenCredential {
  let told = false
  return {
    async getToken(scopes, options) {
      const token = await inner.getToken(scopes, options)
      if (token && !told) {
        told = true
        core.info(line)
      }
      return token
    }
  }
}
