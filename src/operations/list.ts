import { Outputs } from '../constants.js'
import type { ExpiryRules } from '../expiry.js'
import { readExpiryRules } from '../inputs/expiry.js'
import { outputsOnly } from '../publish/publication.js'
import { header, type OperationModule } from './module.js'
import { invalidNameWarnings, listedSecrets } from './shared.js'

export interface ListInputs {
  readonly expiry: ExpiryRules
}

/** What `list` reports of a secret: its properties, never its value. */
export interface SecretListing {
  readonly name: string
  readonly enabled: boolean
  readonly updatedOn: string
  readonly contentType: string
  readonly tags: Readonly<Record<string, string>>
  /** Backs a Key Vault certificate (its value is the certificate and key); `managed` in the service's terms. */
  readonly certificate: boolean
}

export interface ListOutcome {
  readonly operation: 'list'
  readonly secrets: readonly SecretListing[]
  /** Names the vault listed that no secret can have: skipped. */
  readonly invalidNames: readonly string[]
}

/** `list`: names and properties of every secret (every page); no value is read. */
export const list: OperationModule<ListInputs, ListOutcome> = {
  permission: {
    policy: 'list',
    role: 'Key Vault Secrets User',
    dataAction: 'Microsoft.KeyVault/vaults/secrets/readMetadata/action'
  },
  readInputs: () => ({ own: { expiry: readExpiryRules() } }),
  run: async (client) => {
    const { listed, invalidNames } = await listedSecrets(client)
    const secrets = listed.map((properties) => ({
      name: properties.name,
      enabled: properties.enabled ?? true,
      updatedOn: properties.updatedOn?.toISOString() ?? '',
      contentType: properties.contentType ?? '',
      tags: properties.tags ?? {},
      certificate: properties.managed === true
    }))
    return { operation: 'list', secrets, invalidNames }
  },
  decide: (outcome) =>
    outputsOnly(
      {
        [Outputs.Names]: JSON.stringify(outcome.secrets.map((secret) => secret.name)),
        [Outputs.Count]: String(outcome.secrets.length)
      },
      invalidNameWarnings(outcome.invalidNames)
    ),
  log: (vault, outcome) => [`Listed ${outcome.secrets.length} secrets in vault '${vault.name}'.`],
  summary: (outcome) => [
    header('Secret', 'Enabled', 'Updated', 'Content type', 'Tags'),
    ...outcome.secrets.map((secret) => [
      secret.certificate ? `${secret.name} (certificate)` : secret.name,
      secret.enabled ? 'yes' : 'no',
      secret.updatedOn,
      secret.contentType,
      Object.entries(secret.tags)
        .map(([key, value]) => `${key}=${value}`)
        .join(', ')
    ])
  ]
}
