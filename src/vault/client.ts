import type { TokenCredential } from '@azure/identity'
import { SecretClient } from '@azure/keyvault-secrets'
import { formDataPolicyName, type Pipeline, type PipelinePolicy } from '@azure/core-rest-pipeline'
import { checkVaultAnswers, pinToVault } from './answers.js'
import { challengeGate } from './challengeGate.js'
import { proxyRefusalPolicy, vaultProxy, type ProxyInUse } from './proxy.js'
import { deadlinePolicy, type Deadline } from './deadline.js'
import type { VaultHealth } from './health.js'
import { retryPolicy } from './retries.js'
import type { Throttle } from './throttle.js'

/** The vault's host does not resolve: almost always a typo in the vault name. */
export class VaultHostNotFoundError extends Error {
  override readonly name = 'VaultHostNotFoundError'
  constructor(readonly host: string) {
    super(`The vault host ${host} does not resolve`)
  }
}

/**
 * Retrying DNS failures (as the SDK's retry policy does) turns a typo'd vault name into a long
 * wait. A name that does not resolve will not start resolving in seconds, so fail at once: the
 * retry policy (retries.ts) rethrows errors that are not RestErrors without retrying.
 */
const failFastOnUnknownHost: PipelinePolicy = {
  name: 'failFastOnUnknownHost',
  async sendRequest(request, next) {
    try {
      return await next(request)
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOTFOUND')
        throw new VaultHostNotFoundError(new URL(request.url).hostname)
      throw error
    }
  }
}

/** What the run shares among its requests: one deadline, one throttle, one record of the vault's health. */
export interface Resilience {
  readonly deadline: Deadline
  readonly throttle: Throttle
  readonly health: VaultHealth
}

export function createSecretClient(
  vaultUrl: string,
  credential: TokenCredential,
  resilience: Resilience,
  proxy: ProxyInUse | undefined = vaultProxy(vaultUrl)
): SecretClient {
  const gate = challengeGate()
  const client = new SecretClient(vaultUrl, credential, {
    // perCall policies run before the SDK's challenge policy, perRetry policies after it, in the order given.
    additionalPolicies: [
      // First: a request for another origin is refused before anything, a token included, is attached.
      { policy: pinToVault(vaultUrl), position: 'perCall' },
      { policy: deadlinePolicy(resilience.deadline), position: 'perCall' },
      { policy: gate.beforeChallenge, position: 'perCall' },
      { policy: gate.afterChallenge, position: 'perRetry' },
      // Outside the retries: judges the final answer, after retries as for any other.
      ...(proxy ? [{ policy: proxyRefusalPolicy(proxy), position: 'perRetry' as const }] : []),
      // Retries wrap the fail-fast check, which turns ENOTFOUND into an error they do not retry.
      { policy: retryPolicy(resilience), position: 'perRetry' },
      { policy: failFastOnUnknownHost, position: 'perRetry' },
      // Next to the transport: each answer is checked before the SDK parses it.
      { policy: checkVaultAnswers, position: 'perRetry' }
    ],
    // Key Vault never redirects; a redirect followed would carry the token to wherever it points.
    redirectOptions: { maxRetries: 0 },
    // retries.ts retries every request; the SDK's own retries would multiply with those.
    retryOptions: { maxRetries: 0 },
    userAgentOptions: { userAgentPrefix: 'keyvault-secrets-action' }
  })
  withoutFormData(client)
  return client
}

/**
 * Key Vault's requests carry JSON, never form data, so the pipeline's form-data policy has nothing
 * to do; but its first run tests `typeof FormData`, which makes Node load its fetch classes (about
 * 20 ms) before the vault's challenge can go out. The policy is removed the way SecretClient
 * removes the default bearer policy from the same pipeline (Pipeline.removePolicy). (The token
 * request's pipeline, inside @azure/identity, is out of reach and still loads them, later, while
 * the challenge travels.) Should the SDK's shape change, the client keeps the policy: slower,
 * never different.
 */
function withoutFormData(client: SecretClient): void {
  const pipeline = (client as unknown as { client?: { pipeline?: Pipeline } }).client?.pipeline
  pipeline?.removePolicy?.({ name: formDataPolicyName })
}
