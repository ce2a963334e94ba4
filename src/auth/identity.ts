import type * as Identity from '@azure/identity'
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity'

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
 * A credential of @azure/identity, built once the package is loaded: the same credential, with the
 * same options, only made later. A constructor that throws fails every getToken with its error.
 */
export class DeferredCredential implements TokenCredential {
  private inner: Promise<TokenCredential> | undefined

  constructor(private readonly build: (identity: IdentityModule) => TokenCredential) {}

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    this.inner ??= loadIdentity().then(this.build)
    return (await this.inner).getToken(scopes, options)
  }
}
