import { AttributeLimits } from '../inputs/attributes.js'
import { ProvenanceTags } from '../inputs/githubNames.js'

type ProvenanceTag = keyof typeof ProvenanceTags

/**
 * The version's tags with the run that wrote it (`tag-provenance`), from @actions/github's context
 * (loaded only here, when asked for). A tag given in `tags` wins over the one of the same name,
 * ignoring case as Azure does.
 */
export async function withProvenance(
  tags: Readonly<Record<string, string>> | undefined
): Promise<Record<string, string>> {
  const { context } = await import('@actions/github')
  const { owner, repo } = context.repo
  const provenance: Record<ProvenanceTag, string> = {
    'github-repository': `${owner}/${repo}`,
    'github-workflow': context.workflow,
    'github-run': `${context.serverUrl}/${owner}/${repo}/actions/runs/${context.runId}`,
    'github-sha': context.sha
  }
  const given = new Set(Object.keys(tags ?? {}).map((key) => key.toLowerCase()))
  const added: Record<string, string> = {}
  for (const [key, value] of Object.entries(provenance)) {
    // Key Vault refuses a longer tag value; a workflow's name is the only one that can be this long.
    if (!given.has(key))
      added[key] =
        value.length > AttributeLimits.tagLength ? `${value.slice(0, AttributeLimits.tagLength - 1)}…` : value
  }
  return { ...added, ...tags }
}
