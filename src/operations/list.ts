import type { SecretProperties } from '@azure/keyvault-secrets'
import { Outputs } from '../constants.js'
import { quote } from '../text.js'
import { decideExpiry, expiresCell, expiringOutput, expiryWarnings, type Dated, type ExpiryNotice } from '../expiry.js'
import { AttributeLimits } from '../inputs/attributes.js'
import { globMatcher, type SecretEntry } from '../inputs/entries.js'
import { readExpiryRules, type ExpiryRules } from '../inputs/expiry.js'
import { carriesTags, readMatchTags, type TagFilter } from '../inputs/tags.js'
import { readListFilter } from '../inputs/targets.js'
import { Inputs } from '../inputs/table.js'
import { outputsOnly } from '../publish/publication.js'
import { validDate } from '../vault/answers.js'
import { header, type OperationModule } from './module.js'
import { recoverInstead, secretNotFound } from './advice.js'
import { invalidNameWarnings, listedSecrets, narrowingLog, type TagNarrowing } from './shared.js'

export interface ListInputs {
  /** `secrets`: names and globs; only the secrets they match are listed. Empty: every secret. */
  readonly filter: readonly SecretEntry[]
  /** `match-tags`: a glob (or, without a filter, the whole listing) matches only the secrets that carry these tags. */
  readonly matchTags?: TagFilter
  readonly expiry: ExpiryRules
}

/**
 * One secret as output `secrets-info` carries it: its properties, never its value. Dates are ISO
 * 8601; a field the vault did not send is left out.
 */
export interface SecretInfo {
  readonly name: string
  readonly enabled?: boolean
  readonly contentType?: string
  readonly created?: string
  readonly updated?: string
  readonly expires?: string
  readonly notBefore?: string
  readonly tags?: Readonly<Record<string, string>>
  /** Backs a Key Vault certificate (its value is the certificate and key); left out for a plain secret. */
  readonly managed?: true
}

export interface ListOutcome {
  readonly operation: 'list'
  readonly secrets: readonly SecretInfo[]
  /** Names the vault listed that no secret can have: skipped. */
  readonly invalidNames: readonly string[]
  /** Exact names in `secrets` that the vault did not list. */
  readonly unmatched: readonly string[]
  /** Secrets whose properties went beyond what Key Vault sends, shown cut to its limits. */
  readonly beyondLimits: readonly string[]
  /** With `match-tags`: how many secrets the globs (or, without a filter, the whole listing) matched, and how many carried the tags. */
  readonly narrowing?: TagNarrowing & { readonly wholeListing: boolean }
  /** The enabled secrets listed that have expired or expire within `expiry-warning`, soonest first. */
  readonly expiry: readonly ExpiryNotice[]
}

/** `list`: names and properties of every secret (every page), or those `secrets` matches; no value is read. */
export const list: OperationModule<ListInputs, ListOutcome> = {
  permission: {
    policy: 'list',
    role: 'Key Vault Secrets User',
    dataAction: 'Microsoft.KeyVault/vaults/secrets/readMetadata/action'
  },
  // A listing names no one secret; a 404 and purge protection never come from it.
  advice: { notFound: secretNotFound, purgeProtected: recoverInstead, loneSecret: () => undefined },
  readInputs: ({ cloud }) => {
    const filter = readListFilter(cloud)
    const hasGlob = filter.length === 0 || filter.some((entry) => entry.isGlob)
    return { own: { filter, matchTags: readMatchTags(hasGlob, 'list'), expiry: readExpiryRules() } }
  },
  run: async (client, inputs, context) => {
    const { listed, invalidNames } = await listedSecrets(client)
    const { wanted, narrowing } = selectListed(listed, inputs.filter, inputs.matchTags)
    const infos = wanted.map(secretInfo)
    const secrets = infos.map(({ info }) => info)
    const listedNames = new Set(listed.map((properties) => properties.name.toLowerCase()))
    // A disabled secret is out of use: when it expires is nobody's concern.
    const inUse = secrets.filter((info) => info.enabled !== false).map((info) => datedOf(info, inputs.vault.name))
    return {
      operation: 'list',
      secrets,
      invalidNames,
      unmatched: inputs.filter
        .filter((entry) => !entry.isGlob && !listedNames.has(entry.name.toLowerCase()))
        .map((entry) => entry.name),
      beyondLimits: infos.filter(({ cut }) => cut).map(({ info }) => info.name),
      ...(narrowing && { narrowing }),
      // With `fail-on-expired`, an expired secret fails the step here, before any output.
      expiry: decideExpiry(inUse, inputs.expiry, context.now())
    }
  },
  decide: (outcome, inputs) =>
    outputsOnly(
      {
        [Outputs.Names]: JSON.stringify(outcome.secrets.map((secret) => secret.name)),
        [Outputs.Count]: String(outcome.secrets.length),
        [Outputs.SecretsInfo]: JSON.stringify(outcome.secrets),
        // As for get: only when a secret was noticed.
        ...(outcome.expiry.length > 0 && { [Outputs.Expiring]: expiringOutput(outcome.expiry) })
      },
      [
        ...invalidNameWarnings(outcome.invalidNames),
        ...outcome.unmatched.map(
          (name) =>
            `Input '${Inputs.Secrets}' names the secret '${name}', which the vault did not list. Check the name (a glob such as ${name}-* lists by pattern).`
        ),
        ...beyondLimitsWarnings(outcome.beyondLimits),
        ...expiryWarnings(outcome.expiry, inputs.expiry, 'listed')
      ]
    ),
  log: (vault, outcome) => [
    `Listed ${outcome.secrets.length} secrets in vault '${vault.name}'.`,
    ...narrowingLog(outcome.narrowing, outcome.narrowing?.wholeListing ? 'the vault listed' : 'the globs matched')
  ],
  summary: (outcome, _publication, _applied, vault) => [
    header('Secret', 'Enabled', 'Content type', 'Created', 'Updated', 'Expires', 'Not before', 'Tags'),
    ...outcome.secrets.map((secret) => [
      secret.managed ? `${secret.name} (certificate)` : secret.name,
      secret.enabled === undefined ? '' : secret.enabled ? 'yes' : 'no',
      secret.contentType ?? '',
      secret.created ?? '',
      secret.updated ?? '',
      expiresCell(datedOf(secret, vault.name), outcome.expiry),
      secret.notBefore ?? '',
      Object.entries(secret.tags ?? {})
        .map(([key, value]) => `${key}=${value}`)
        .join(', ')
    ])
  ]
}

/**
 * What `list` lists: every secret without a filter; with one, those a name or glob of it matches
 * (ignoring case, as Key Vault does). With `match-tags`, what a glob (or the whole listing) matches
 * must carry its tags; a name written exactly is listed whatever its tags.
 */
function selectListed(
  listed: readonly SecretProperties[],
  filter: readonly SecretEntry[],
  matchTags: TagFilter | undefined
): { wanted: SecretProperties[]; narrowing?: TagNarrowing & { wholeListing: boolean } } {
  const named = matcherOf(filter.filter((entry) => !entry.isGlob))
  const globs = filter.length === 0 ? () => true : matcherOf(filter.filter((entry) => entry.isGlob))
  const tagged = (properties: SecretProperties): boolean => !matchTags || carriesTags(matchTags, properties.tags)
  const globbed = listed.filter((properties) => globs(properties.name))
  const wanted = listed.filter((properties) => named(properties.name) || (globs(properties.name) && tagged(properties)))
  return {
    wanted,
    ...(matchTags && {
      narrowing: { matched: globbed.length, kept: globbed.filter(tagged).length, wholeListing: filter.length === 0 }
    })
  }
}

/** Whether a name or glob of `entries` matches a name. */
function matcherOf(entries: readonly SecretEntry[]): (name: string) => boolean {
  const matchers = entries.map((entry) => globMatcher(entry.name))
  return (name) => matchers.some((matches) => matches(name))
}

const datedOf = (info: SecretInfo, vault: string): Dated => ({
  name: info.name,
  vault,
  expiresOn: info.expires === undefined ? undefined : new Date(info.expires)
})

/** Cut to `max` characters, the last one an ellipsis. */
const cutTo = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text)

/**
 * What `secrets-info` says of one listed secret. The listing is the vault's answer, not trusted:
 * a field of the wrong type is left out, and tags and the content type are cut to Key Vault's own
 * limits (15 tags of 256 characters, 255 for the content type), so a hostile vault cannot fill the
 * outputs and the summary; `cut` says something was.
 */
export function secretInfo(properties: SecretProperties): { info: SecretInfo; cut: boolean } {
  let cut = false
  const field = <T>(value: unknown, isType: (value: unknown) => value is T): T | undefined => {
    if (value === undefined || value === null) return undefined
    if (isType(value)) return value
    cut = true
    return undefined
  }
  const date = (value: unknown): string | undefined => {
    if (value === undefined || value === null) return undefined
    const valid = validDate(value)
    if (!valid) cut = true
    return valid?.toISOString()
  }
  const text = (value: unknown, max: number): string | undefined => {
    const given = field(value, isString)
    if (given !== undefined && given.length > max) cut = true
    return given === undefined ? undefined : cutTo(given, max)
  }
  const tags = field(properties.tags as unknown, isRecord)
  let tagEntries: [string, string][] | undefined
  if (tags) {
    const entries = Object.entries(tags)
    const strings = entries.filter((entry): entry is [string, string] => typeof entry[1] === 'string')
    if (strings.length !== entries.length || strings.length > AttributeLimits.tags) cut = true
    tagEntries = strings
      .slice(0, AttributeLimits.tags)
      .map(([key, value]) => [text(key, AttributeLimits.tagLength) ?? '', text(value, AttributeLimits.tagLength) ?? ''])
  }
  const enabled = field(properties.enabled as unknown, isBoolean)
  const contentType = text(properties.contentType, AttributeLimits.contentTypeLength)
  const created = date(properties.createdOn)
  const updated = date(properties.updatedOn)
  const expires = date(properties.expiresOn)
  const notBefore = date(properties.notBefore)
  const info: SecretInfo = {
    name: properties.name,
    ...(enabled !== undefined && { enabled }),
    ...(contentType !== undefined && { contentType }),
    ...(created !== undefined && { created }),
    ...(updated !== undefined && { updated }),
    ...(expires !== undefined && { expires }),
    ...(notBefore !== undefined && { notBefore }),
    // Object.fromEntries keeps a tag named __proto__ as a tag.
    ...(tagEntries !== undefined && { tags: Object.fromEntries(tagEntries) }),
    ...(properties.managed === true && { managed: true as const })
  }
  return { info, cut }
}

const isString = (value: unknown): value is string => typeof value === 'string'
const isBoolean = (value: unknown): value is boolean => typeof value === 'boolean'
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** One warning for all secrets listed with properties beyond Key Vault's limits, naming a few. */
function beyondLimitsWarnings(names: readonly string[]): string[] {
  if (names.length === 0) return []
  const shown = names.slice(0, 5).map(quote).join(', ')
  const more = names.length > 5 ? ` and ${names.length - 5} more` : ''
  return [
    `The vault listed ${names.length === 1 ? 'a secret' : `${names.length} secrets`} (${shown}${more}) with properties Key Vault never sends ` +
      `(more than ${AttributeLimits.tags} tags, a tag or content type longer than it allows, or a field of the wrong type): ` +
      `'${Outputs.SecretsInfo}' and the job summary show them cut to Key Vault's limits.`
  ]
}
