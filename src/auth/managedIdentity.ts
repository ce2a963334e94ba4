import { ManagedIdentityCredential, type TokenCredential } from '@azure/identity'
import type { SignInSettings } from '../inputs.js'

/** The identity of a self-hosted runner on Azure; a client ID picks a user-assigned one. */
export function managedIdentityCredential(settings: SignInSettings): TokenCredential {
  return settings.clientId
    ? new ManagedIdentityCredential({ clientId: settings.clientId })
    : new ManagedIdentityCredential()
}
