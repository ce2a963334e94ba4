import type { SecretClient, SecretProperties } from '@azure/keyvault-secrets'
import { globMatcher, type SecretEntry } from '../../inputs/entries.js'
import { carriesTags, type TagFilter } from '../../inputs/tags.js'
import type { Vault } from '../../inputs/vault.js'
import { listedSecrets, type TagNarrowing } from '../shared.js'
import type { Target } from './types.js'

/**
 * A vault's listing as globs see it: its enabled plain secrets (sorted) and the certificate-backed
 * ones, each carrying the tags of `match-tags`; and the enabled plain secrets it left out.
 */
interface Listing {
  readonly enabled: readonly string[]
  readonly certificates: readonly string[]
  readonly untagged: readonly string[]
}

/** Where an entry's secret is: the vault its full identifier names, or the step's. */
const vaultOf = (entry: SecretEntry, stepVault: Vault): Vault => entry.vault ?? stepVault

/** A name from another vault than the step's is shown with its vault. */
const shownName = (vault: Vault, name: string, stepVault: Vault): string =>
  vault.url === stepVault.url ? name : `${vault.name}/${name}`

/**
 * Expands globs over the names of every enabled secret of their vault (one listing each, all
 * pages); named entries pass as they are. With `match-tags`, a glob matches only the secrets whose
 * tags (as the listing carries them: no request more) hold every condition; a named entry is read
 * whatever its tags. A glob skips the secrets that back Key Vault certificates (`managed`): their
 * values are certificates with private keys, which `*` should not hand to every later step unasked;
 * named in an entry, one is read like any secret.
 */
export async function resolveTargets(
  clientOf: (vault: Vault) => SecretClient,
  entries: readonly SecretEntry[],
  stepVault: Vault,
  matchTags?: TagFilter
): Promise<{ targets: Target[]; certificatesSkipped: string[]; invalidNames: string[]; narrowing?: TagNarrowing }> {
  const globVaults = [
    ...new Map(
      entries.filter((entry) => entry.isGlob).map((entry) => [vaultOf(entry, stepVault).url, vaultOf(entry, stepVault)])
    ).values()
  ]
  const listings = new Map<string, Listing>()
  const invalidNames: string[] = []
  for (const vault of globVaults) {
    const listing = await listedSecrets(clientOf(vault))
    invalidNames.push(...listing.invalidNames.map((name) => shownName(vault, name, stepVault)))
    listings.set(vault.url, globListing(listing.listed, matchTags))
  }
  const found = entries.flatMap((entry) => targetsOf(entry, vaultOf(entry, stepVault), listings))
  const certificatesSkipped = skippedCertificates(entries, globVaults, listings, stepVault)
  return {
    targets: readOnce(found),
    certificatesSkipped,
    invalidNames,
    ...(matchTags && { narrowing: narrowingOf(entries, globVaults, listings, stepVault) })
  }
}

/** What globs may match in one listing: enabled secrets carrying the tags, certificate-backed ones apart. */
function globListing(listed: readonly SecretProperties[], matchTags: TagFilter | undefined): Listing {
  const enabled: string[] = []
  const certificates: string[] = []
  const untagged: string[] = []
  for (const properties of listed) {
    if (properties.enabled === false) continue
    if (matchTags && !carriesTags(matchTags, properties.tags)) {
      if (properties.managed !== true) untagged.push(properties.name)
    } else if (properties.managed === true) certificates.push(properties.name)
    else enabled.push(properties.name)
  }
  return { enabled: enabled.sort(), certificates, untagged }
}

/** What one entry names: a named secret as it is, or a glob's matches in its vault's listing. */
function targetsOf(entry: SecretEntry, vault: Vault, listings: ReadonlyMap<string, Listing>): Target[] {
  if (entry.isGlob)
    return (listings.get(vault.url)?.enabled ?? [])
      .filter(globMatcher(entry.name))
      .map((name) => ({ name, prefix: entry.prefix, vault, fromGlob: true }))
  return [
    {
      name: entry.name,
      alias: entry.alias,
      version: entry.version,
      field: entry.field,
      text: entry.text,
      vault,
      fromGlob: false
    }
  ]
}

/** The same secret reached twice (two globs, or a glob and its name) is read once; a named entry wins. */
function readOnce(found: readonly Target[]): Target[] {
  const targets = new Map<string, Target>()
  for (const target of found) {
    const key = [
      target.vault.url,
      target.prefix ?? '',
      (target.alias ?? target.name).toLowerCase(),
      target.version ?? '',
      (target.field ?? []).join('.')
    ].join('|')
    if (!targets.has(key) || !target.fromGlob) targets.set(key, target)
  }
  return [...targets.values()]
}

/** Whether any glob of `vault` matches a name. */
const globsOf =
  (entries: readonly SecretEntry[], vault: Vault, stepVault: Vault) =>
  (name: string): boolean =>
    entries.some(
      (entry) => entry.isGlob && vaultOf(entry, stepVault).url === vault.url && globMatcher(entry.name)(name)
    )

/** The certificate-backed secrets a glob matched and no entry named: skipped, and said so. */
function skippedCertificates(
  entries: readonly SecretEntry[],
  globVaults: readonly Vault[],
  listings: ReadonlyMap<string, Listing>,
  stepVault: Vault
): string[] {
  const named = new Set(
    entries
      .filter((entry) => !entry.isGlob)
      .map((entry) => `${vaultOf(entry, stepVault).url}|${entry.name.toLowerCase()}`)
  )
  return globVaults
    .flatMap((vault) =>
      (listings.get(vault.url)?.certificates ?? [])
        .filter((name) => !named.has(`${vault.url}|${name.toLowerCase()}`) && globsOf(entries, vault, stepVault)(name))
        .map((name) => shownName(vault, name, stepVault))
    )
    .sort()
}

/** How many plain secrets the globs matched, and how many of them carry the tags of `match-tags`. */
function narrowingOf(
  entries: readonly SecretEntry[],
  globVaults: readonly Vault[],
  listings: ReadonlyMap<string, Listing>,
  stepVault: Vault
): TagNarrowing {
  let kept = 0
  let leftOut = 0
  for (const vault of globVaults) {
    const matches = globsOf(entries, vault, stepVault)
    kept += (listings.get(vault.url)?.enabled ?? []).filter(matches).length
    leftOut += (listings.get(vault.url)?.untagged ?? []).filter(matches).length
  }
  return { kept, matched: kept + leftOut }
}
