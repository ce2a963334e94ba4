/**
 * GitHub's side of a sync, as plain facts: where secrets can be written and what GitHub accepts as
 * a secret's name. Nothing here loads Octokit, so reading inputs costs nothing extra.
 */

/** `github-org-visibility`: which of the organization's repositories may read the secret. */
export const GitHubOrgVisibilities = ['private', 'all', 'selected'] as const
export type GitHubOrgVisibility = (typeof GitHubOrgVisibilities)[number]

/** `github-secret-store`: the secrets of Actions workflows, or those of Dependabot's runs. */
export const GitHubSecretStores = ['actions', 'dependabot'] as const
export type GitHubSecretStore = (typeof GitHubSecretStores)[number]

/** Where the secrets go: one scope per step. */
export type GitHubScope =
  | { readonly kind: 'repository'; readonly owner: string; readonly repo: string }
  | { readonly kind: 'environment'; readonly owner: string; readonly repo: string; readonly environment: string }
  | {
      readonly kind: 'organization'
      readonly org: string
      readonly visibility: GitHubOrgVisibility
      /** Repository names of the organization, for `selected`. */
      readonly selectedRepositories: readonly string[]
    }

/** `repository octo-org/app`, `environment production of octo-org/app`, `organization octo-org`. */
export function describeScope(scope: GitHubScope, store: GitHubSecretStore = 'actions'): string {
  const where =
    scope.kind === 'repository'
      ? `repository ${scope.owner}/${scope.repo}`
      : scope.kind === 'environment'
        ? `environment '${scope.environment}' of repository ${scope.owner}/${scope.repo}`
        : `organization ${scope.org}`
  return store === 'dependabot' ? `${where} (Dependabot secrets)` : where
}

/** GitHub's rule for a secret name, as its documentation states it. */
const GitHubNameRule = 'letters, digits and _, not starting with a digit or GITHUB_'

/**
 * Names GitHub or the runner give a meaning to, never written whoever chose them: GitHub keeps
 * GITHUB_ for itself; the runner reads ACTIONS_ secrets (ACTIONS_STEP_DEBUG and
 * ACTIONS_RUNNER_DEBUG turn on debug logging in every later run) and sets RUNNER_ variables.
 */
const ReservedPrefixes = {
  GITHUB_: 'GitHub keeps names starting with GITHUB_ for itself',
  ACTIONS_:
    'the runner reads secrets starting with ACTIONS_ (ACTIONS_STEP_DEBUG turns on debug logging in every later run)',
  RUNNER_: 'the runner gives names starting with RUNNER_ a meaning of its own'
} as const

/** Why `name` may not be a GitHub secret's name, or undefined when it may. */
export function githubNameProblem(name: string): string | undefined {
  if (!/^[A-Za-z0-9_]+$/.test(name)) return `a GitHub secret name is ${GitHubNameRule}`
  if (/^[0-9]/.test(name)) return 'a GitHub secret name does not start with a digit'
  const reserved = (Object.keys(ReservedPrefixes) as (keyof typeof ReservedPrefixes)[]).find((prefix) =>
    name.toUpperCase().startsWith(prefix)
  )
  return reserved && `${ReservedPrefixes[reserved]}, so the action never writes one`
}

/** An owner, organization or repository name as GitHub allows it (checked before it goes into a URL path). */
export const OwnerName = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/
export const RepositoryName = /^[A-Za-z0-9._-]{1,100}$/

/** `tag-provenance`: the tags that name the run that wrote a version, and the variables they come from. */
export const ProvenanceTags = {
  'github-repository': 'GITHUB_REPOSITORY',
  'github-workflow': 'GITHUB_WORKFLOW',
  'github-run': 'GITHUB_RUN_ID',
  'github-sha': 'GITHUB_SHA'
} as const

/** The permission a token needs to write each scope's secrets (fine-grained tokens and GitHub Apps name them alike). */
export const WritePermission: {
  readonly [S in GitHubSecretStore]: { readonly [K in GitHubScope['kind']]?: string }
} = {
  actions: {
    repository: '"Secrets" repository permission (read and write)',
    environment: '"Environments" repository permission (read and write)',
    organization: '"Secrets" organization permission (read and write)'
  },
  dependabot: {
    repository: '"Dependabot secrets" repository permission (read and write)',
    organization: '"Dependabot secrets" organization permission (read and write)'
  }
}
