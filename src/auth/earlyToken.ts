import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity'

/** What the early request asked for: the vault's scope in the tenant the workflow named. */
export interface EarlyAsk {
  readonly scope: string
  readonly tenantId: string
}

/**
 * Asks for the vault's token while the vault's challenge is still on its way, and hands that one
 * token to the challenge's getToken when the challenge asks for exactly it.
 *
 * Without it a sign-in costs three round trips in sequence: the challenge (which names the scope
 * and the tenant), the token, the read. When the workflow names the tenant, the token's request
 * need not wait for the challenge: the read then follows the slower of the two.
 *
 * The challenge still decides. Its getToken takes the early token only for the same scope, the same
 * tenant and no claims; anything else (another tenant, another resource, a claims challenge) goes
 * to the credential as it would have without the early request, in today's order, and the early
 * answer is dropped unread. The early answer, a failure included, is taken once: a failure is
 * reported by the challenge's request as it would have been, without asking Entra ID twice.
 */
export class EarlyTokenCredential implements TokenCredential {
  private early: { readonly ask: EarlyAsk; readonly token: Promise<AccessToken | null>; taken: boolean } | undefined

  constructor(private readonly inner: TokenCredential) {}

  /** Starts the early request (once). `signal` ends it if the run ends first. */
  requestEarly(ask: EarlyAsk, signal: AbortSignal): void {
    if (this.early) return
    const token = this.inner.getToken([ask.scope], { enableCae: true, tenantId: ask.tenantId, abortSignal: signal })
    // Nobody may ever take it (the challenge named another tenant): its failure is not unhandled.
    token.catch(() => undefined)
    this.early = { ask, token, taken: false }
  }

  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    const early = this.early
    if (early && !early.taken && isTheEarlyAsk(early.ask, scopes, options)) {
      early.taken = true
      return early.token
    }
    return this.inner.getToken(scopes, options)
  }
}

function isTheEarlyAsk(ask: EarlyAsk, scopes: string | string[], options: GetTokenOptions | undefined): boolean {
  const asked = [scopes].flat()
  return (
    asked.length === 1 &&
    asked[0] === ask.scope &&
    options?.tenantId === ask.tenantId &&
    options.enableCae === true &&
    options.claims === undefined
  )
}
