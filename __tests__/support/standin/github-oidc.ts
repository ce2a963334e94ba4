import { randomUUID } from 'node:crypto'
import { GitHubIssuer } from './clouds.js'
import { bearerToken, json, pathSegments, type IncomingCall, type Reply } from './http.js'
import { nowSeconds, type JwtSigner } from './jwt.js'

/** What the job's OIDC token service says about the job; tests change `subject` and friends. */
export interface GitHubOidcConfig {
  /** The value of ACTIONS_ID_TOKEN_REQUEST_TOKEN the service accepts. */
  requestToken: string
  subject: string
  /** `iss` of the ID tokens; default https://token.actions.githubusercontent.com. */
  issuer?: string
  /** `owner/repo`; default octo-org/app. */
  repository?: string
  /** ID token lifetime; GitHub's are short-lived (default 300 s). */
  lifetimeSeconds?: number
}

export const defaultGitHubConfig = (): GitHubOidcConfig => ({
  requestToken: `standin-request-${randomUUID()}`,
  subject: 'repo:octo-org/app:ref:refs/heads/main',
  repository: 'octo-org/app'
})

export interface IdTokenRequest {
  readonly audience?: string
  readonly subject?: string
  readonly issuer?: string
  /** Seconds from now; negative gives an already expired token. */
  readonly expiresInSeconds?: number
}

/** Signs a GitHub Actions ID token with the claims GitHub puts in one. */
export function mintIdToken(signer: JwtSigner, config: GitHubOidcConfig, request: IdTokenRequest = {}): string {
  const repository = config.repository ?? 'octo-org/app'
  const owner = repository.split('/')[0] ?? 'octo-org'
  const now = nowSeconds()
  const lifetime = request.expiresInSeconds ?? config.lifetimeSeconds ?? 300
  return signer.sign({
    jti: randomUUID(),
    sub: request.subject ?? config.subject,
    aud: request.audience ?? `https://github.com/${owner}`,
    ref: 'refs/heads/main',
    sha: '0000000000000000000000000000000000000000',
    repository,
    repository_owner: owner,
    run_id: '1',
    run_number: '1',
    run_attempt: '1',
    actor: 'octocat',
    workflow: 'ci',
    event_name: 'push',
    ref_type: 'branch',
    job_workflow_ref: `${repository}/.github/workflows/ci.yml@refs/heads/main`,
    runner_environment: 'github-hosted',
    iss: request.issuer ?? config.issuer ?? GitHubIssuer,
    nbf: Math.min(now - 5, now + lifetime),
    exp: now + lifetime,
    iat: now
  })
}

/** Any host under .actions.githubusercontent.com: `GET <path>?api-version=2.0&audience=...`. */
export function handleGitHubCall(signer: JwtSigner, config: GitHubOidcConfig, call: IncomingCall): Reply {
  const segments = pathSegments(call.path)
  if (call.method === 'GET' && segments[0] === '.well-known') {
    if (segments[1] === 'openid-configuration') {
      const issuer = config.issuer ?? GitHubIssuer
      return json(200, {
        issuer,
        jwks_uri: `${issuer}/.well-known/jwks`,
        subject_types_supported: ['public', 'pairwise'],
        response_types_supported: ['id_token'],
        claims_supported: ['sub', 'aud', 'exp', 'iat', 'iss', 'jti', 'nbf', 'ref', 'repository', 'repository_owner'],
        id_token_signing_alg_values_supported: ['RS256'],
        scopes_supported: ['openid']
      })
    }
    if (segments[1] === 'jwks') return json(200, signer.jwks())
  }
  if (call.method !== 'GET') return json(405, { message: 'Method not allowed' })
  if (bearerToken(call.headers) !== config.requestToken) {
    return json(401, { message: 'The token is not valid for this request.' })
  }
  const audience = call.query.audience || undefined
  return json(
    200,
    { value: mintIdToken(signer, config, audience === undefined ? {} : { audience }) },
    { authorized: true }
  )
}
