import type { SecretClient } from '@azure/keyvault-secrets'
import { Inputs } from '../inputs/table.js'
import { missingWarnings, outputsOnly } from '../publish/publication.js'
import { attempt } from '../vault/attempt.js'
import { header, type CommonInputs, type OperationModule } from './module.js'
import { loneTarget, noDeletedSecret, recoverInstead } from './advice.js'
import { forEachTarget, readExactTargets, type ExactTargets } from './shared.js'

export type PurgeInputs = ExactTargets

export interface PurgedSecret {
  readonly name: string
}

export interface PurgeOutcome {
  readonly operation: 'purge'
  readonly secrets: readonly PurgedSecret[]
  readonly missing: readonly string[]
}

// The service frees the name some seconds after it accepted the purge, and never says when.
const PurgeNotice =
  `Key Vault accepts a purge before it has finished, and does not say when the name is free again: a new secret of the same name is refused for some seconds. ` +
  `A 'set' of this action waits that out (within '${Inputs.Timeout}'); other tools may need to retry.`

/**
 * `purge`: erases soft-deleted secrets for good. The service accepts a purge (204) before it has
 * finished and never says when it has: the deleted secret is gone from `GET /deletedsecrets` at
 * once, while a write of the name is refused for some seconds more. So there is nothing to wait
 * for here; a `set` of the name retries while the vault is still freeing it.
 */
export const purge: OperationModule<PurgeInputs, PurgeOutcome> = {
  permission: {
    policy: 'purge',
    role: 'Key Vault Secrets Officer',
    dataAction: 'Microsoft.KeyVault/vaults/secrets/purge/action'
  },
  advice: { notFound: noDeletedSecret('purge'), purgeProtected: recoverInstead, loneSecret: loneTarget },
  readInputs: () => ({ own: readExactTargets('purge') }),
  run: (client, inputs) => purgeSecrets(client, inputs),
  decide: (outcome) => outputsOnly({}, missingWarnings(outcome.missing, 'among the deleted secrets')),
  log: (vault, outcome) => [
    ...outcome.secrets.map((secret) => `Purged secret '${secret.name}' from vault '${vault.name}'.`),
    ...(outcome.secrets.length > 0 ? [PurgeNotice] : [])
  ],
  summary: (outcome) => [
    header('Secret', 'Result'),
    ...outcome.secrets.map((secret) => [secret.name, 'purged (the vault frees the name shortly after)']),
    ...outcome.missing.map((name) => [name, 'no deleted secret (skipped)'])
  ]
}

async function purgeSecrets(client: SecretClient, inputs: PurgeInputs & CommonInputs): Promise<PurgeOutcome> {
  const result = await forEachTarget(inputs, async (name, missing): Promise<PurgedSecret | undefined> => {
    const purged = await attempt(name, 'purge', async () => (await client.purgeDeletedSecret(name), true), missing)
    return purged ? { name } : undefined
  })
  return { operation: 'purge', ...result }
}
