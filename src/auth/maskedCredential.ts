import * as core from '@actions/core'
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity'

/** Registers every access token with the runner the moment it exists, whichever credential made it. */
export class MaskedCredential implements TokenCredential {
  constructor(private readonly inner: TokenCredential) {}

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    const token = await this.inner.getToken(scopes, options)
    if (token) core.setSecret(token.token)
    return token
  }
}
