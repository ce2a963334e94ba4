import { AzureCliCredential, type TokenCredential } from '@azure/identity'
import type { SignInSettings } from '../inputs.js'

/** The session an earlier azure/login step left in the Azure CLI. */
export function azureCliCredential(settings: SignInSettings): TokenCredential {
  return new AzureCliCredential({ tenantId: settings.tenantId })
}
