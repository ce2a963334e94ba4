import * as core from '@actions/core'
import type { TokenCredential } from '@azure/identity'
import { credentialOptions, DeferredCredential } from './identity.js'
import type { PlanOf } from '../inputs/signInPlan.js'

/** The claims Entra ID matches against a federated credential: shown when none matches. */
export interface FederatedClaims {
  readonly issuer?: string
  readonly subject?: string
  readonly audience?: string
  /** When the token expires (its `exp`), for deciding when to request a new one. */
  readonly expiresAtMs?: number
}

// A GitHub ID token lives about 5 minutes; one with less than this left is not presented again.
const REFETCH_BEFORE_EXPIRY_MS = 60_000

/**
 * Keyless sign-in: a GitHub ID token is the client assertion. It is requested once, as the step
 * starts (in parallel with the vault's challenge, so its round trip is off the critical path), and
 * shared by every assertion MSAL asks for (it asks twice per token); a new one is requested only
 * when it is about to expire, so a long job never presents an expired token (AADSTS700024).
 */
export function oidcSignIn(plan: PlanOf<'oidc'>): {
  readonly credential: TokenCredential
  /** Claims of the last GitHub ID token presented (never the token itself). */
  readonly lastClaims: () => FederatedClaims | undefined
} {
  let claims: FederatedClaims | undefined
  let idToken: Promise<string> | undefined
  /** Unknown while the request is in flight: it is shared then. */
  let expiresAtMs: number | undefined
  const getAssertion = (): Promise<string> => {
    if (!idToken || (expiresAtMs !== undefined && Date.now() > expiresAtMs - REFETCH_BEFORE_EXPIRY_MS)) {
      expiresAtMs = undefined
      const request = core.getIDToken(plan.audience).then((token) => {
        // Masked by @actions/core the moment it arrived.
        claims = readClaims(token)
        expiresAtMs = claims?.expiresAtMs ?? 0
        return token
      })
      // A failed request is not kept: the next assertion asks again (and its caller sees the error).
      request.catch(() => {
        if (idToken === request) idToken = undefined
      })
      idToken = request
    }
    return idToken
  }
  void getAssertion().catch(() => undefined)
  const credential = new DeferredCredential(
    (identity) =>
      new identity.ClientAssertionCredential(plan.tenantId, plan.clientId, getAssertion, {
        ...credentialOptions,
        authorityHost: plan.cloud.authorityHost
      })
  )
  return { credential, lastClaims: () => claims }
}

function readClaims(jwt: string): FederatedClaims | undefined {
  try {
    const payload = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >
    const text = (claim: unknown): string | undefined =>
      typeof claim === 'string' ? claim : Array.isArray(claim) ? claim.join(', ') : undefined
    const expiresAtMs = typeof payload.exp === 'number' ? payload.exp * 1000 : undefined
    return { issuer: text(payload.iss), subject: text(payload.sub), audience: text(payload.aud), expiresAtMs }
  } catch {
    return undefined
  }
}
