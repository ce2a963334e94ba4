import { ClientSecretCredential, type TokenCredential } from '@azure/identity'
import type { SignInSettings } from '../inputs.js'

/** An app registration's client secret; planSignIn has checked all three values are present. */
export function servicePrincipalCredential(settings: SignInSettings): TokenCredential {
  return new ClientSecretCredential(settings.tenantId ?? '', settings.clientId ?? '', settings.clientSecret ?? '', {
    authorityHost: settings.cloud.authorityHost
  })
}
