import type { TokenCredential } from '@azure/identity'
import { SecretClient } from '@azure/keyvault-secrets'
import type { PipelinePolicy } from '@azure/core-rest-pipeline'

/** The vault's host does not resolve: almost always a typo in the vault name. */
export class VaultHostNotFoundError extends Error {
  override readonly name = 'VaultHostNotFoundError'
  constructor(readonly host: string) {
    super(`The vault host ${host} does not resolve`)
  }
}

/**
 * The SDK retries DNS failures with exponential backoff, which turns a typo'd vault name into a
 * long wait. A name that does not resolve will not start resolving in seconds, so fail at once:
 * the retry policy rethrows errors that are not RestErrors without retrying.
 */
const failFastOnUnknownHost: PipelinePolicy = {
  name: 'failFastOnUnknownHost',
  async sendRequest(request, next) {
    try {
      return await next(request)
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOTFOUND') throw new VaultHostNotFoundError(new URL(request.url).hostname)
      throw error
    }
  }
}

export function createSecretClient(vaultUrl: string, credential: TokenCredential): SecretClient {
  return new SecretClient(vaultUrl, credential, {
    additionalPolicies: [{ policy: failFastOnUnknownHost, position: 'perRetry' }],
    userAgentOptions: { userAgentPrefix: 'keyvault-secrets-action' }
  })
}
