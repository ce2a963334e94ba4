import { envNameFor } from '../envNames.js'
import { ActionError } from '../errors.js'
import { quote } from '../text.js'
import { githubNameProblem } from './githubNames.js'

/** One entry of `github-secrets`: `GITHUB_NAME=source`, `source`, or `*` (every secret of the step). */
export interface SyncEntry {
  /** As written, for messages. */
  readonly text: string
  /** The GitHub name given before `=`; without one it comes from the source. */
  readonly githubName?: string
  /** A secret of this step, by its Key Vault name or its alias; `*` for all of them. */
  readonly source: string
}

/** A secret this step read or wrote, as a sync can name it. */
export interface SyncSource {
  /** Its Key Vault name. */
  readonly name: string
  readonly alias?: string
  /** The name `export-env` gives it, when it differs from its alias or name (a selected field's). */
  readonly exportName?: string
  readonly value: string
}

/** One GitHub secret to write. */
export interface SyncItem {
  /** Upper-case, as GitHub stores it. */
  readonly githubName: string
  /** The Key Vault secret it comes from. */
  readonly source: string
  readonly value: string
}

/** The input the entries come from, for messages: the reading passes its name. */
const Input = 'github-secrets'

/**
 * What a sync writes: each entry resolved against the secrets the step read or wrote, named by
 * GitHub's rules. A bare source becomes its GitHub name as `export-env` names a variable
 * (`db-password` -> `DB_PASSWORD`, an alias as written). Every name is checked, and names are
 * unique ignoring case, before anything is written. `whyNotRead` completes the error for a source
 * the step did not read (what `match-tags` left out of a glob).
 */
export function planSync(
  entries: readonly SyncEntry[],
  sources: readonly SyncSource[],
  missing: readonly string[] = [],
  whyNotRead = ''
): SyncItem[] {
  const items: (SyncItem & { readonly entry: string })[] = []
  const isMissing = (entry: SyncEntry): boolean =>
    missing.some((name) => name.toLowerCase() === entry.source.toLowerCase())
  // `ignore-missing` skipped it: there is nothing to write (the step warns about it already).
  for (const entry of entries.filter((entry) => !isMissing(entry))) {
    if (entry.source === '*') {
      for (const source of sources) items.push({ ...itemFor(entry, source), entry: entry.text })
      continue
    }
    const wanted = entry.source.toLowerCase()
    const byAlias = sources.filter((source) => source.alias?.toLowerCase() === wanted)
    const byName = sources.filter((source) => source.name.toLowerCase() === wanted)
    const matches = byAlias.length > 0 ? byAlias : byName
    const [source] = matches
    if (matches.length > 1)
      throw new ActionError(
        `Input '${Input}': the entry ${quote(entry.text)} names ${quote(entry.source)}, which this step read more than once (under several aliases). Name the alias.`
      )
    if (!source)
      throw new ActionError(
        `Input '${Input}': the entry ${quote(entry.text)} names ${quote(entry.source)}, which is not a secret this step read or wrote. ${whyNotRead}` +
          `Name a secret of 'secret-name' or 'secrets' (by its name or alias).`
      )
    items.push({ ...itemFor(entry, source), entry: entry.text })
  }
  const seen = new Map<string, string>()
  for (const item of items) {
    const first = seen.get(item.githubName)
    if (first !== undefined)
      throw new ActionError(
        `Input '${Input}': the entries ${quote(first)} and ${quote(item.entry)} would both write the GitHub secret ${item.githubName} (GitHub names ignore case). Give one of them another name (NAME=source).`
      )
    seen.set(item.githubName, item.entry)
  }
  return items.map(({ githubName, source, value }) => ({ githubName, source, value }))
}

/** The GitHub name: the entry's, else as `export-env` names the secret's variable (its alias, or its name upper-cased). */
function itemFor(entry: SyncEntry, source: SyncSource): SyncItem {
  const name = entry.githubName ?? source.exportName ?? source.alias ?? envNameFor(source.name)
  const problem = githubNameProblem(name)
  if (problem) {
    const from = entry.githubName ? '' : ` (from ${entry.source === '*' ? `secret '${source.name}'` : 'its source'})`
    throw new ActionError(
      `Input '${Input}': the entry ${quote(entry.text)} would write the GitHub secret ${quote(name)}${from}, which is refused: ${problem}. Nothing was written to GitHub. Give it a name: NAME=source.`
    )
  }
  return { githubName: name.toUpperCase(), source: source.name, value: source.value }
}

/** `github-secrets` as written: entries one a line or comma-separated, blank lines and `#` comments ignored. */
export function parseSyncEntries(texts: readonly string[]): SyncEntry[] {
  return texts.map((text) => {
    const match = /^(?:([^=\s]+)\s*=\s*)?(\*|[A-Za-z0-9_-]+)$/.exec(text)
    if (!match)
      throw new ActionError(
        `Input '${Input}' has a malformed entry ${quote(text)}. Accepted: \`GITHUB_NAME=source\`, \`source\` (a secret's name or alias), or \`*\` for every secret of the step.`
      )
    const [, githubName, source = ''] = match
    if (githubName !== undefined && source === '*')
      throw new ActionError(
        `Input '${Input}': the entry ${quote(text)} gives a name to \`*\`, which stands for several secrets. Write \`*\` alone, or name each secret.`
      )
    if (githubName !== undefined) {
      const problem = githubNameProblem(githubName)
      if (problem)
        throw new ActionError(
          `Input '${Input}': the entry ${quote(text)} names the GitHub secret ${quote(githubName)}: ${problem}.`
        )
    }
    return { text, githubName, source }
  })
}
