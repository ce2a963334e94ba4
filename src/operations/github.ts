import { Outputs } from '../constants.js'
import type { GitHubTarget } from '../github/client.js'
import { planSync, type SyncSource } from '../inputs/githubPlan.js'
import type { GitHubSync } from '../inputs/github.js'
import type { WriteRecord } from '../writeRecord.js'
import { GitHubSyncIncomplete } from '../github/errors.js'
import type { CommonInputs, GitHubHandOff, GitHubOutcome } from './module.js'

/**
 * GitHub's copies, once what later steps get is decided (main.ts): a write stopped part-way names
 * the Key Vault version it copies.
 */
export async function handOnToGitHub<Own, Out>(
  handOff: GitHubHandOff<Own, Out>,
  step: {
    readonly outcome: Out
    readonly inputs: Own & CommonInputs
    readonly sync: GitHubSync
    readonly github: GitHubTarget
    readonly written: WriteRecord
  }
): Promise<Out> {
  const { outcome, inputs, sync, github, written } = step
  const { sources, missing = [], whyNotRead } = handOff.sources(outcome, inputs)
  try {
    return handOff.record(outcome, await syncToGitHub(sync, github, { sources, missing, whyNotRead }, written))
  } catch (error) {
    const copied = handOff.copied?.(outcome)
    if (error instanceof GitHubSyncIncomplete && copied) throw error.withKeyVault(copied.secretName, copied.version)
    throw error
  }
}

/**
 * Writes the step's secrets to GitHub as `github-secrets` says, once Key Vault's part is done and
 * what later steps get is decided. The names are checked again with every secret known (a glob's
 * matches among them) before the first write; each write is recorded as it completes.
 */
export async function syncToGitHub(
  sync: GitHubSync,
  target: GitHubTarget,
  read: { readonly sources: readonly SyncSource[]; readonly missing: readonly string[]; readonly whyNotRead?: string },
  record: WriteRecord
): Promise<GitHubOutcome> {
  const items = planSync(sync.entries, read.sources, read.missing, read.whyNotRead)
  record.githubPlanned(
    target.where,
    items.map((item) => item.githubName)
  )
  const written = await target.write(items, (name) => record.githubWritten(name))
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
