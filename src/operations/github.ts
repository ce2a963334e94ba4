import { Outputs } from '../constants.js'
import type { GitHubTarget } from '../github/client.js'
import { planSync, type SyncSource } from '../github/plan.js'
import type { GitHubSync } from '../inputs/github.js'

/** What a step wrote to GitHub. */
export interface GitHubOutcome {
  /** `repository octo-org/app`, ... */
  readonly where: string
  /** The GitHub secrets written (upper-case names, as GitHub stores them) and the Key Vault secret of each, in order. */
  readonly written: readonly { readonly githubName: string; readonly source: string }[]
}

/**
 * Writes the step's secrets to GitHub as `github-secrets` says, once Key Vault's part is done.
 * The names are checked again with every secret known (a glob's matches among them) before the
 * first write.
 */
export async function syncToGitHub(
  sync: GitHubSync | undefined,
  target: GitHubTarget | undefined,
  sources: readonly SyncSource[],
  missing: readonly string[] = []
): Promise<GitHubOutcome | undefined> {
  if (!sync) return undefined
  // main.ts connects before the operation runs whenever `github-secrets` is given.
  if (!target) throw new Error('GitHub was not connected before the operation ran')
  const items = planSync(sync.entries, sources, missing)
  const written = await target.write(items)
  return {
    where: target.where,
    written: items
      .filter((item) => written.includes(item.githubName))
      .map(({ githubName, source }) => ({ githubName, source }))
  }
}

/** Output `github-secrets-written`: the names written, as GitHub stores them. */
export function githubOutputs(github: GitHubOutcome | undefined): Record<string, string> {
  return github ? { [Outputs.GitHubSecretsWritten]: JSON.stringify(github.written.map((item) => item.githubName)) } : {}
}

/** The log line of a sync: which GitHub secrets, where; never a value. */
export function githubLog(github: GitHubOutcome | undefined): string[] {
  if (!github) return []
  const names = github.written.map((item) => item.githubName)
  if (names.length === 0) return [`Wrote no GitHub secret to ${github.where}: none of the secrets it names was found.`]
  return [
    `Wrote ${names.length} GitHub secret${names.length === 1 ? '' : 's'} to ${github.where}: ${names.join(', ')}.`
  ]
}
