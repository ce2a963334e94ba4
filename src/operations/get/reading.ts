import type { KeyVaultSecret, SecretClient, SecretProperties } from '@azure/keyvault-secrets'
import { mapWithConcurrency } from '../../concurrency.js'
import { SecretFailure } from '../../vault/secretFailure.js'
import { decideExpiry, type Dated } from '../../expiry.js'
import type { FileSecret } from '../../files.js'
import { globMatcher, type SecretEntry } from '../../inputs/entries.js'
import type { Vault } from '../../inputs/vault.js'
import { UntrustedAnswer, validDate } from '../../vault/answers.js'
import { attempt } from '../../vault/attempt.js'
import { isCondition } from '../../vault/serviceErrors.js'
import type { CommonInputs, RunContext } from '../module.js'
import { listedSecrets } from '../shared.js'
import { readFile, readTarget } from './selection.js'
import type { GetInputs, GetOutcome, Read, ReadSecret, Target } from './types.js'

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

/**
 * Reads every secret and file entry; nothing is exported until all of them have arrived. The
 * step's vault is read with `client`; a vault a full identifier names, with its own client.
 */
export async function getSecrets(
  client: SecretClient,
  inputs: GetInputs & CommonInputs,
  context: RunContext
): Promise<GetOutcome> {
  const clientOf = (vault: Vault): SecretClient => (vault.url === inputs.vault.url ? client : context.clientFor(vault))
  const { targets, certificatesSkipped, invalidNames } = await resolveTargets(clientOf, inputs.targets, inputs.vault)
  const missing: string[] = []
  const read = reader(clientOf, missing)
  // One pool for secrets and files, so `concurrency` bounds every request in flight.
  const tasks = [...targets.map((target) => ({ target })), ...inputs.files.map((file) => ({ file }))]
  const results = await mapWithConcurrency(
    tasks,
    inputs.concurrency,
    async (task): Promise<ReadSecret | FileSecret | undefined> =>
      'file' in task
        ? readFile(read, task.file, inputs)
        : readTarget(read, task.target, inputs.ignoreMissing && !task.target.fromGlob)
  )
  const secrets = results.filter((result): result is ReadSecret => result !== undefined && 'name' in result)
  const files = results.filter((result): result is FileSecret => result !== undefined && 'entry' in result)
  // Before GitHub and before anything is exported: with `fail-on-expired`, an expired secret fails the step here.
  const expiry = decideExpiry(
    [...secrets, ...files.map((file) => ({ ...file, name: file.entry.name }))].map(datedOf),
    inputs.expiry,
    context.now()
  )
  return { operation: 'get', secrets, files, missing, certificatesSkipped, invalidNames, expiry }
}

/**
 * Reads one secret version; an expired one's failure says when it expired, when that can be found.
 * A conversion (`outContentType`) of a version is asked for once, however many entries select parts of it.
 */
function reader(clientOf: (vault: Vault) => SecretClient, missing: string[]): Read {
  const conversions = new Map<string, ReturnType<Read>>()
  const read: Read = (vault, name, version, allowMissing, outContentType) =>
    attempt(
      name,
      'get',
      () =>
        clientOf(vault)
          .getSecret(name, { version, ...(outContentType !== undefined && { outContentType }) })
          .then(withValue),
      { allowed: allowMissing, names: missing },
      vault
    ).catch(async (error: unknown) => {
      throw await withExpiryDate(clientOf(vault), error, version)
    })
  return (vault, name, version, allowMissing, outContentType) => {
    if (outContentType === undefined || version === undefined)
      return read(vault, name, version, allowMissing, outContentType)
    const key = [vault.url, name.toLowerCase(), version.toLowerCase(), outContentType].join('|')
    const known = conversions.get(key) ?? read(vault, name, version, allowMissing, outContentType)
    conversions.set(key, known)
    return known
  }
}

/**
 * A secret read, for the expiry checks: its name, its vault's name, its expiry, or its
 * certificate's end of validity when a part was selected and that comes first.
 */
export function datedOf(secret: {
  readonly name: string
  readonly vault: Vault
  readonly expiresOn?: Date
  readonly certificate?: { readonly notAfter: Date }
}): Dated {
  const notAfter = secret.certificate?.notAfter
  const certificateFirst = notAfter !== undefined && (!secret.expiresOn || notAfter < secret.expiresOn)
  return {
    name: secret.name,
    vault: secret.vault.name,
    expiresOn: certificateFirst ? notAfter : secret.expiresOn,
    ...(certificateFirst && { certificate: true })
  }
}

/**
 * A read the vault refused because the secret has expired (403 SecretExpired) says when it
 * expired, if the identity may list the secret's versions (that takes the `list` permission, which
 * `get` does not need). The service sends no date with the refusal.
 */
async function withExpiryDate(client: SecretClient, error: unknown, version: string | undefined): Promise<unknown> {
  if (!(error instanceof SecretFailure) || !isCondition(error.cause, 'secretExpired')) return error
  const expiredOn = await expiryOfVersion(client, error.secretName, version).catch(() => undefined)
  return new SecretFailure(error.secretName, error.cause, error.operation, error.vault, expiredOn)
}

// A secret rotated daily for years has a few thousand versions; past this many, the date is not worth the requests.
const MAX_VERSIONS_LOOKED_AT = 1000

/** When the version expires: the one asked for, or the current one (the newest created). */
async function expiryOfVersion(
  client: SecretClient,
  name: string,
  version: string | undefined
): Promise<Date | undefined> {
  let chosen: { created: number; expiresOn?: Date } | undefined
  let seen = 0
  for await (const properties of client.listPropertiesOfSecretVersions(name)) {
    if (++seen > MAX_VERSIONS_LOOKED_AT) return undefined
    const expiresOn = validDate(properties.expiresOn)
    if (version !== undefined) {
      if (properties.version?.toLowerCase() === version.toLowerCase()) return expiresOn
      continue
    }
    const created = validDate(properties.createdOn)?.getTime() ?? -Infinity
    if (!chosen || created > chosen.created) chosen = { created, expiresOn }
  }
  return chosen?.expiresOn
}

/** A read answered 200 without a value is no read: it must not pass as an empty secret. */
function withValue(secret: KeyVaultSecret): KeyVaultSecret & { readonly value: string } {
  if (typeof secret.value !== 'string') throw new UntrustedAnswer('no-value', 'a read answered without a value')
  return secret as KeyVaultSecret & { readonly value: string }
}
