import * as core from '@actions/core'
import { ClientAssertionCredential, type TokenCredential } from '@azure/identity'
import type { SignInSettings } from '../inputs.js'

/** The claims Entra ID matches against a federated credential: shown when none matches. */
export interface FederatedClaims {
  readonly issuer?: string
  readonly subject?: string
  readonly audience?: string
}

export interface OidcSignIn {
  readonly credential: TokenCredential
  /** Claims of the last GitHub ID token presented (never the token itself). */
  lastClaims(): FederatedClaims | undefined
}

/**
 * Keyless sign-in: a GitHub ID token is the client assertion. It is requested afresh whenever
 * Entra ID needs one, so a long job never presents an expired token (AADSTS700024).
 */
export function oidcSignIn(settings: SignInSettings): OidcSignIn {
  let claims: FederatedClaims | undefined
  const getAssertion = async (): Promise<string> => {
    const idToken = await core.getIDToken(settings.audience) // masked by @actions/core
    claims = readClaims(idToken)
    return idToken
  }
  const credential = new ClientAssertionCredential(settings.tenantId ?? '', settings.clientId ?? '', getAssertion, {
    authorityHost: settings.cloud.authorityHost
  })
  return { credential, lastClaims: () => claims }
}

function readClaims(jwt: string): FederatedClaims | undefined {
  try {
    const payload = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>
    const text = (claim: unknown): string | undefined =>
      typeof claim === 'string' ? claim : Array.isArray(claim) ? claim.join(', ') : undefined
    return { issuer: text(payload.iss), subject: text(payload.sub), audience: text(payload.aud) }
  } catch {
    return undefined
  }
}
