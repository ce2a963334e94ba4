import type * as Identity from '@azure/identity'
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity'
import type { PipelinePolicy } from '@azure/core-rest-pipeline'
import { ActionError } from '../errors.js'
import { readWithin } from '../vault/answers.js'

export type IdentityModule = typeof Identity

let loading: Promise<IdentityModule> | undefined

/**
 * @azure/identity (and MSAL with it) is the largest part of the stack a step needs, and it is not
 * needed until a token is: after the vault has answered its challenge. So it is loaded once, on
 * demand: main starts loading it as soon as the step's first request is on its way, and the first
 * getToken waits for it.
 */
export const loadIdentity = (): Promise<IdentityModule> =>
  (loading ??= import('@azure/identity').then((identity) => {
    // The token request's pipeline tests `typeof FormData`, which makes Node load its fetch classes
    // (about 20 ms): done now, while the vault's challenge is still on its way, not after it.
    void globalThis.FormData
    return identity
  }))

/**
 * The most bytes, after decompression, taken from Microsoft Entra ID in one answer. Entra ID
 * documents no maximum. What it sends a sign-in is a token, which must fit in the Authorization
 * header of every request to the vault (servers refuse headers of more than tens of KiB; Node's
 * own limit is 16 KiB), and MSAL's discovery documents of a few KiB. 1 MiB is far above both, and
 * far below what could exhaust a runner (a few KiB of gzip can inflate to gigabytes).
 */
const MaxEntraAnswerBytes = 1024 * 1024

/**
 * Answers refused for their size. MSAL replaces any error of its network client with a bare
 * `network_error`, so the refusal is kept here, and the credential that asked (DeferredCredential)
 * throws it in place of MSAL's.
 */
const refusals: Error[] = []

const boundEntraAnswers: PipelinePolicy = {
  name: 'keyvaultSecretsActionBoundEntraAnswers',
  sendRequest: (request, next) =>
    readWithin(request, next, MaxEntraAnswerBytes, () => {
      const refusal = new ActionError(
        `Microsoft Entra ID (${new URL(request.url).host}) answered with more than ${MaxEntraAnswerBytes} bytes (counted after decompression), more than it sends for a sign-in: the answer was refused unread and is not shown, and the step did not sign in. Something between the runner and Azure (a proxy, DNS, a TLS-inspecting middlebox) is not behaving as Entra ID does.`
      )
      refusals.push(refusal)
      return refusal
    })
}

/**
 * Options for every credential that signs in over HTTP: the bound on Entra ID's answers, next to
 * the transport. (ManagedIdentityCredential replaces additionalPolicies with its own: IMDS's
 * answers, from the runner's own host, are not bounded.)
 */
export const credentialOptions = {
  additionalPolicies: [{ policy: boundEntraAnswers, position: 'perRetry' as const }]
}

/**
 * A credential of @azure/identity, built once the package is loaded: the same credential, with the
 * same options, only made later. A constructor that throws fails every getToken with its error.
 */
export class DeferredCredential implements TokenCredential {
  private inner: Promise<TokenCredential> | undefined

  constructor(private readonly build: (identity: IdentityModule) => TokenCredential) {}

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    this.inner ??= loadIdentity().then(this.build)
    const refused = refusals.length
    try {
      return await (await this.inner).getToken(scopes, options)
    } catch (error) {
      throw refusals.length > refused ? refusals[refusals.length - 1] : error
    }
  }
}
