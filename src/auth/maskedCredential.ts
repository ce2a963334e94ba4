import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity'
import * as core from '@actions/core'

// Reused while it has this long left; the SDK starts refreshing 2 minutes before expiry, so more than that.
const REUSE_UNTIL_EXPIRY_MS = 5 * 60_000

interface Entry {
  readonly token: Promise<AccessToken | null>
  /** Set once the token arrives. */
  expiresOnTimestamp?: number
}

/**
 * Registers every access token with the runner the moment it exists, whichever credential made it.
 * One token request serves every caller: concurrent calls for the same scopes and tenant share the
 * request in flight (the SDK's challenge policy asks once per concurrent first request), and later
 * calls reuse the token while it has time left.
 */
export class MaskedCredential implements TokenCredential {
  private readonly tokens = new Map<string, Entry>()

  constructor(
    private readonly inner: TokenCredential,
    private readonly now: () => number = Date.now
  ) {}

  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    // A claims challenge (continuous access evaluation) asks for a new token by definition.
    if (options?.claims) return this.request(scopes, options)
    const key = JSON.stringify([[scopes].flat().sort(), options?.tenantId ?? '', options?.enableCae ?? false])
    const cached = this.tokens.get(key)
    if (
      cached &&
      (cached.expiresOnTimestamp === undefined || cached.expiresOnTimestamp - this.now() > REUSE_UNTIL_EXPIRY_MS)
    ) {
      return cached.token
    }
    const entry: Entry = { token: this.request(scopes, options) }
    this.tokens.set(key, entry)
    entry.token.then(
      (token) => {
        if (token) entry.expiresOnTimestamp = token.expiresOnTimestamp
        else this.forget(key, entry)
      },
      () => this.forget(key, entry) // a failure is not cached: the next call tries again
    )
    return entry.token
  }

  private async request(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    const token = await this.inner.getToken(scopes, options)
    if (token) core.setSecret(token.token)
    return token
  }

  private forget(key: string, entry: Entry): void {
    if (this.tokens.get(key) === entry) this.tokens.delete(key)
  }
}
