import type { SecretClient, SecretProperties } from '@azure/keyvault-secrets'
import { globMatcher, type SecretEntry } from '../../inputs/entries.js'
import type { Vault } from '../../inputs/vault.js'
import { listedSecrets } from '../shared.js'

/** A secret to read: a named entry, or one a glob found. */
export interface Target {
  readonly name: string
  readonly alias?: string
  readonly prefix?: string
  readonly version?: string
  readonly field?: readonly string[]
  /** The entry it came from, for messages; a glob's matches have none of their own. */
  readonly text?: string
  readonly vault: Vault
  readonly fromGlob: boolean
}

/** A vault's listing as globs see it: its enabled plain secrets (sorted), and the certificate-backed ones. */
interface Listing {
  readonly enabled: readonly string[]
  readonly certificates: readonly string[]
}

/** Where an entry's secret is: the vault its full identifier names, or the step's. */
const vaultOf = (entry: SecretEntry, stepVault: Vault): Vault => entry.vault ?? stepVault

/** A name from another vault than the step's is shown with its vault. */
const shownName = (vault: Vault, name: string, stepVault: Vault): string =>
  vault.url === stepVault.url ? name : `${vault.name}/${name}`

/**
 * Expands globs over the names of every enabled secret of their vault (one listing each, all
 * pages); named entries pass as they are. A glob skips the secrets that back Key Vault
 * certificates (`managed`): their values are certificates with private keys, which `*` should not
 * hand to every later step unasked; named in an entry, one is read like any secret.
 */
export async function resolveTargets(
  clientOf: (vault: Vault) => SecretClient,
  entries: readonly SecretEntry[],
  stepVault: Vault
): Promise<{ targets: Target[]; certificatesSkipped: string[]; invalidNames: string[] }> {
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
    listings.set(vault.url, globListing(listing.listed))
  }
  const found = entries.flatMap((entry) => targetsOf(entry, vaultOf(entry, stepVault), listings))
  const certificatesSkipped = skippedCertificates(entries, globVaults, listings, stepVault)
  return { targets: readOnce(found), certificatesSkipped, invalidNames }
}

/** What globs may match in one listing: enabled secrets only, certificate-backed ones apart. */
function globListing(listed: readonly SecretProperties[]): Listing {
  const enabled: string[] = []
  const certificates: string[] = []
  for (const properties of listed) {
    if (properties.enabled === false) continue
    if (properties.managed === true) certificates.push(properties.name)
    else enabled.push(properties.name)
  }
  return { enabled: enabled.sort(), certificates }
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
  const matched = (vault: Vault, name: string): boolean =>
    entries.some(
      (entry) => entry.isGlob && vaultOf(entry, stepVault).url === vault.url && globMatcher(entry.name)(name)
    )
  return globVaults
    .flatMap((vault) =>
      (listings.get(vault.url)?.certificates ?? [])
        .filter((name) => !named.has(`${vault.url}|${name.toLowerCase()}`) && matched(vault, name))
        .map((name) => shownName(vault, name, stepVault))
    )
    .sort()
}
