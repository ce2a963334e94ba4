import { EnvFallbacks, Inputs, OidcRequestEnv } from '../constants.js'
import { ActionError } from '../errors.js'
import type { SignInSettings } from '../inputs.js'

export type SignInMethod = 'oidc' | 'service-principal' | 'azure-cli' | 'managed-identity'

export interface SignInPlan {
  /** Methods to try in order; the first that can sign in is used. */
  readonly methods: readonly SignInMethod[]
  /** Why `auto` passed over the methods it did not pick, for the error when nothing works. */
  readonly passedOver: readonly string[]
}

export const MissingIdTokenPermission =
  `The job cannot request a GitHub OIDC token: ${OidcRequestEnv.Url} is not set. ` +
  `Add 'permissions: id-token: write' to the workflow or job (and keep 'contents: read').`

/** Decides how to sign in, before any network request, so a missing setting fails at once. */
export function planSignIn(settings: SignInSettings, env: NodeJS.ProcessEnv): SignInPlan {
  const hasIds = Boolean(settings.clientId && settings.tenantId)
  const canRequestIdToken = Boolean(env[OidcRequestEnv.Url] && env[OidcRequestEnv.Token])
  const missingIds = `'${Inputs.ClientId}' and '${Inputs.TenantId}' (or ${EnvFallbacks.ClientId} and ${EnvFallbacks.TenantId})`

  switch (settings.authType) {
    case 'service-principal':
      if (!hasIds || !settings.clientSecret) {
        throw new ActionError(
          `'${Inputs.AuthType}: service-principal' needs ${missingIds} and '${Inputs.ClientSecret}' (or ${EnvFallbacks.ClientSecret}), or '${Inputs.Creds}' with all three.`
        )
      }
      return { methods: ['service-principal'], passedOver: [] }
    case 'oidc':
      if (!hasIds) throw new ActionError(`'${Inputs.AuthType}: oidc' needs ${missingIds}.`)
      if (!canRequestIdToken) throw new ActionError(MissingIdTokenPermission)
      return { methods: ['oidc'], passedOver: [] }
    case 'azure-cli':
      return { methods: ['azure-cli'], passedOver: [] }
    case 'managed-identity':
      return { methods: ['managed-identity'], passedOver: [] }
    case 'auto':
      if (settings.clientSecret) {
        if (!hasIds)
          throw new ActionError(
            `A client secret was given, so this is a service principal sign-in, and it needs ${missingIds}.`
          )
        return { methods: ['service-principal'], passedOver: [] }
      }
      if (hasIds) {
        if (!canRequestIdToken) {
          throw new ActionError(
            `'${Inputs.ClientId}' and '${Inputs.TenantId}' were given without a client secret, so this is an OIDC sign-in. ${MissingIdTokenPermission}`
          )
        }
        return { methods: ['oidc'], passedOver: [] }
      }
      return {
        methods: ['azure-cli', 'managed-identity'],
        passedOver: [
          `service principal: no '${Inputs.ClientSecret}', '${Inputs.Creds}' or ${EnvFallbacks.ClientSecret}`,
          `OIDC: needs ${missingIds}`
        ]
      }
  }
}
