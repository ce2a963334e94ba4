import { ActionError } from '../errors.js'
import { quote } from '../text.js'
import {
  OwnerName,
  RepositoryName,
  type GitHubOrgVisibility,
  type GitHubScope,
  type GitHubSecretStore
} from './githubNames.js'
import { parseSyncEntries, planSync, type SyncEntry, type SyncSource } from './githubPlan.js'
import { globMatcher, splitEntries, vaultChosenNames, variablePrefixOf, type SecretEntry } from './entries.js'
import { readChoice, readRaw, readText } from './read.js'
import { InputTable, Inputs } from './table.js'

/** `github-secrets` and where they go, read and checked before any request. */
export interface GitHubSync {
  readonly entries: readonly SyncEntry[]
  /** `github-token`: masked with the secret inputs. */
  readonly token: string
  readonly scope: GitHubScope
  readonly store: GitHubSecretStore
}

/** The secrets a step has to hand on: what `get` reads, or the one `set` writes. */
export type StepSecrets =
  | { readonly operation: 'get'; readonly targets: readonly SecretEntry[] }
  | { readonly operation: 'set'; readonly secretName: string }

const ScopeInputs = [
  InputTable.GitHubToken,
  InputTable.GitHubRepository,
  InputTable.GitHubEnvironment,
  InputTable.GitHubOrg,
  InputTable.GitHubOrgVisibility,
  InputTable.GitHubSelectedRepositories,
  InputTable.GitHubSecretStore
] as const

/**
 * Reads `github-secrets` and the inputs that say where they go. Every rule that can be checked
 * without a request is checked here: GitHub's name rules, that each source is a secret of this
 * step, that a token is given and that the scope inputs agree.
 */
export function readGitHubSync(step: StepSecrets, env: NodeJS.ProcessEnv): GitHubSync | undefined {
  const raw = readText(InputTable.GitHubSecrets)
  if (!raw) {
    const stray = ScopeInputs.find((spec) => isGiven(spec))
    if (stray)
      throw new ActionError(
        `Input '${stray.name}' is only used with '${Inputs.GitHubSecrets}', which names the secrets to write to GitHub. Give '${Inputs.GitHubSecrets}', or remove '${stray.name}'.`
      )
    return undefined
  }
  const entries = parseSyncEntries(splitEntries(raw))
  if (entries.length === 0)
    throw new ActionError(
      `Input '${Inputs.GitHubSecrets}' names no secret. Give \`GITHUB_NAME=source\`, \`source\` or \`*\`.`
    )
  const token = readText(InputTable.GitHubToken)
  if (!token)
    throw new ActionError(
      `Input '${Inputs.GitHubSecrets}' needs '${Inputs.GitHubToken}': a fine-grained personal access token or a GitHub App installation token ` +
        `(e.g. from actions/create-github-app-token) that may write secrets. The run's own GITHUB_TOKEN can never write secrets.`
    )
  // A header value: a control character or a space could split or end it, and no GitHub token has one.
  if (!/^[\x21-\x7e]+$/.test(token))
    throw new ActionError(
      `Input '${Inputs.GitHubToken}' has characters no GitHub token has (spaces, line breaks or other than printable ASCII). Give the token alone, as GitHub issued it.`
    )
  const store = readChoice(InputTable.GitHubSecretStore)
  const scope = readScope(env)
  if (store === 'dependabot' && scope.kind === 'environment')
    throw new ActionError(
      `Inputs '${Inputs.GitHubSecretStore}: dependabot' and '${Inputs.GitHubEnvironment}' were both given: Dependabot secrets belong to a repository or an organization, not to an environment. Remove one.`
    )
  checkSources(entries, step)
  return { entries, token, scope, store }
}

function readScope(env: NodeJS.ProcessEnv): GitHubScope {
  const org = readText(InputTable.GitHubOrg)
  const environment = readText(InputTable.GitHubEnvironment)
  const repository = readText(InputTable.GitHubRepository)
  const visibility = readChoice(InputTable.GitHubOrgVisibility)
  const selected = splitEntries(readText(InputTable.GitHubSelectedRepositories))
  if (org) return readOrganizationScope(org, { repository, environment, visibility, selected })
  for (const spec of [InputTable.GitHubOrgVisibility, InputTable.GitHubSelectedRepositories]) {
    if (isGiven(spec))
      throw new ActionError(
        `Input '${spec.name}' is only used with '${Inputs.GitHubOrg}' (organization secrets). Give '${Inputs.GitHubOrg}', or remove '${spec.name}'.`
      )
  }
  const fullName = repository || env[InputTable.GitHubRepository.envFallback] || ''
  const from = repository ? `Input '${Inputs.GitHubRepository}'` : InputTable.GitHubRepository.envFallback
  if (!fullName)
    throw new ActionError(
      `'${Inputs.GitHubSecrets}' needs a repository to write to: give '${Inputs.GitHubRepository}' (owner/name), or '${Inputs.GitHubOrg}' for organization secrets (${InputTable.GitHubRepository.envFallback} is not set).`
    )
  const [owner = '', repo = '', ...rest] = fullName.split('/')
  if (rest.length > 0 || !OwnerName.test(owner))
    throw new ActionError(`${from} has an invalid value ${quote(fullName)}. Accepted: owner/name, e.g. octo-org/app.`)
  checkRepositoryName(repo, from, 'owner/name, e.g. octo-org/app', fullName)
  if (!environment) return { kind: 'repository', owner, repo }
  // Octokit encodes the name into the path; a dot segment or a control character could still change which resource it names.
  if (environment.length > 255 || /\p{Cc}/u.test(environment) || environment === '.' || environment === '..')
    throw new ActionError(
      `Input '${Inputs.GitHubEnvironment}' has an invalid value ${quote(environment)}. Accepted: the name of an environment of ${owner}/${repo}, at most 255 characters, e.g. production.`
    )
  return { kind: 'environment', owner, repo, environment }
}

/** Organization secrets: no repository or environment beside them; the selected repositories, each once. */
function readOrganizationScope(
  org: string,
  given: {
    readonly repository: string
    readonly environment: string
    readonly visibility: GitHubOrgVisibility
    readonly selected: readonly string[]
  }
): GitHubScope {
  const { repository, environment, visibility, selected } = given
  for (const [given, input] of [
    [repository, Inputs.GitHubRepository],
    [environment, Inputs.GitHubEnvironment]
  ] as const) {
    if (given)
      throw new ActionError(
        `Inputs '${Inputs.GitHubOrg}' and '${input}' were both given: '${Inputs.GitHubOrg}' writes organization secrets, '${input}' those of one repository${input === Inputs.GitHubEnvironment ? "'s environment" : ''}. Remove one.`
      )
  }
  if (!OwnerName.test(org))
    throw new ActionError(
      `Input '${Inputs.GitHubOrg}' has an invalid value ${quote(org)}. Accepted: an organization's login (letters, digits and -, at most 39), e.g. octo-org.`
    )
  if (visibility === 'selected' && selected.length === 0)
    throw new ActionError(
      `'${Inputs.GitHubOrgVisibility}: selected' needs '${Inputs.GitHubSelectedRepositories}': the names of the organization's repositories that may read the secrets.`
    )
  if (visibility !== 'selected' && selected.length > 0)
    throw new ActionError(
      `Input '${Inputs.GitHubSelectedRepositories}' is only used with '${Inputs.GitHubOrgVisibility}: selected' (now '${visibility}'). Set the visibility to selected, or remove the list.`
    )
  for (const name of selected)
    checkRepositoryName(
      name,
      Inputs.GitHubSelectedRepositories,
      'a repository name of the organization, without the owner'
    )
  // GitHub's repository names ignore case: each once, as first written.
  const unique = selected.filter(
    (name, index) => selected.findIndex((other) => other.toLowerCase() === name.toLowerCase()) === index
  )
  return { kind: 'organization', org, visibility, selectedRepositories: unique }
}

function checkRepositoryName(name: string, input: string, accepted: string, shown = name): void {
  const label =
    input.startsWith('Input ') || input === InputTable.GitHubRepository.envFallback ? input : `Input '${input}'`
  if (!RepositoryName.test(name) || name === '.' || name === '..')
    throw new ActionError(`${label} has an invalid value ${quote(shown)}. Accepted: ${accepted}.`)
}

/** Each named source must be a secret of this step; those that only a glob can match are checked once the vault has listed them. */
function checkSources(entries: readonly SyncEntry[], step: StepSecrets): void {
  const targets: readonly SecretEntry[] =
    step.operation === 'set' ? [{ text: step.secretName, name: step.secretName, isGlob: false }] : step.targets
  const exact: SyncSource[] = targets
    .filter((target) => !target.isGlob)
    .map(({ name, alias }) => ({ name, alias, value: '' }))
  const globs = targets.filter((target) => target.isGlob).map((target) => globMatcher(target.name))
  const isExact = (entry: SyncEntry): boolean =>
    exact.some((source) =>
      [source.name, source.alias].some((name) => name?.toLowerCase() === entry.source.toLowerCase())
    )
  if (targets.length === 0)
    throw new ActionError(
      `Input '${Inputs.GitHubSecrets}' writes secrets this step reads by '${Inputs.SecretName}' or '${Inputs.Secrets}'; this step names none (a '${Inputs.Files}' entry is not written to GitHub).`
    )
  // `*` names each GitHub secret after its source: a glob's matches only under a prefix the workflow wrote.
  const unprefixed = targets.find((target) => target.isGlob && variablePrefixOf(target) === undefined)
  if (unprefixed && entries.some((entry) => entry.source === '*'))
    throw vaultChosenNames(unprefixed, `GitHub secrets ('*')`, Inputs.GitHubSecrets)
  const checkable: SyncEntry[] = []
  for (const entry of entries) {
    if (entry.source === '*' ? globs.length === 0 : isExact(entry)) checkable.push(entry)
    else if (entry.source !== '*' && !globs.some((matches) => matches(entry.source)))
      throw new ActionError(
        `Input '${Inputs.GitHubSecrets}': the entry ${quote(entry.text)} names ${quote(entry.source)}, which is not a secret this step ${step.operation === 'set' ? 'writes' : 'reads'}. ` +
          `Name ${step.operation === 'set' ? `'${step.secretName}' (the '${Inputs.SecretName}')` : `a secret of '${Inputs.SecretName}' or '${Inputs.Secrets}', by its name or alias`}.`
      )
  }
  // Names and their uniqueness, for what is known now; planSync checks all of them again once the secrets are read.
  planSync(checkable, exact)
}

/** An input counts as given when it says something other than its default (the runner passes action.yml's defaults). */
function isGiven(spec: (typeof ScopeInputs)[number]): boolean {
  const raw = readRaw(spec)
  return raw !== '' && raw.toLowerCase() !== ('default' in spec ? spec.default : '').toLowerCase()
}
