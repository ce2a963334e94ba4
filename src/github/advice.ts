import type { GitHubRefusal, GitHubSyncIncomplete } from './errors.js'

/** What the advice needs from outside (passed in so this file loads nothing). */
interface AdviceContext {
  /** GitHub's words, made safe to print (one line, bounded). */
  readonly serviceText: (text: string) => string
}

const TokenKinds =
  "a fine-grained personal access token or a GitHub App installation token (e.g. from actions/create-github-app-token); the run's own GITHUB_TOKEN can never write secrets"

/** What GitHub's refusal means and what to do, in one message. */
export function explainGitHubRefusal(refusal: GitHubRefusal, { serviceText }: AdviceContext): string {
  const text = serviceText(refusal.serviceMessage)
  const said = text ? ` GitHub said: ${text}${/[.!?]$/.test(text) ? '' : '.'}` : ''
  const doing =
    refusal.step === 'write'
      ? `write the secret ${refusal.secretName ?? ''} to ${refusal.where}`
      : refusal.step === 'repository'
        ? `look up the repository ${refusal.where} (for 'github-selected-repositories')`
        : `read the public key of ${refusal.where}`
  if (refusal.untrusted)
    return `GitHub's answer when asked to ${doing} is not one GitHub gives: ${serviceText(refusal.serviceMessage)}. Check that GITHUB_API_URL is GitHub's API.`
  const status = refusal.status
  if (status === 0)
    return `Could not reach GitHub to ${doing}: ${serviceText(refusal.code ?? refusal.serviceMessage)}. Check the runner's network access to GITHUB_API_URL (and the proxy variables, if the runner uses a proxy).`
  if (status >= 300 && status < 400)
    return `GitHub answered ${status} (a redirect) when asked to ${doing}; it was not followed, so the token went nowhere else. A renamed or transferred repository answers so: give its current name.`
  if (status === 401)
    return `GitHub did not accept the token in 'github-token' (401) when asked to ${doing}: it is invalid, expired or revoked (an App installation token lasts an hour). Give a new one: ${TokenKinds}.${said}`
  if ((status === 403 || status === 429) && /rate limit/i.test(refusal.serviceMessage))
    return `GitHub kept refusing with its rate limit (${status}) when asked to ${doing}, also after waiting as it asked. Run the job again later, or write fewer secrets per run.${said}`
  if (status === 403)
    return (
      `GitHub refused to let the token in 'github-token' ${doing} (403): it lacks the ${refusal.need ?? 'permission to write these secrets'}` +
      (refusal.accepted ? ` (GitHub asks for ${refusal.accepted})` : '') +
      ` (a classic token needs the repo scope, and admin:org for organization secrets). Give ${TokenKinds}.${said}`
    )
  if (status === 404) {
    const what =
      refusal.step === 'repository'
        ? 'That repository does not exist in the organization, or the token cannot see it.'
        : `It does not exist, or the token in 'github-token' is not granted it (GitHub answers 404 rather than say which). An environment must exist before secrets can be written to it; GitHub does not create one.`
    return `GitHub found nothing when asked to ${doing} (404). ${what}${said}`
  }
  if (status === 422) return `GitHub refused to ${doing} (422): it did not accept the name or the request.${said}`
  if (status >= 500)
    return `GitHub answered ${status} when asked to ${doing}, also on retries. This is a problem on GitHub's side: check https://www.githubstatus.com, then run the job again.${said}`
  return `GitHub answered ${status} when asked to ${doing}.${said}`
}

/** A GitHub write failed after other writes: say exactly what now exists where. */
export function explainIncomplete(error: GitHubSyncIncomplete, context: AdviceContext): string {
  const written = error.written.length > 0 ? error.written.join(', ') : 'none'
  const keyVault = error.keyVault
    ? `Key Vault has the new value: secret '${error.keyVault.secretName}' version ${error.keyVault.version}. `
    : ''
  const again = error.keyVault
    ? `To finish, copy it from Key Vault: a step with 'operation: get', 'secret-name: ${error.keyVault.secretName}' and the same 'github-secrets' writes GitHub without changing Key Vault.`
    : 'Run the step again once the cause is fixed: it writes every secret again.'
  return (
    `${explainGitHubRefusal(error.refusal, context)} ${keyVault}` +
    `GitHub secrets written to ${error.where}: ${written}; not written: ${error.notWritten.join(', ')}. No outputs were set. ${again}`
  )
}
