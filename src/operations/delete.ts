import type { SecretClient } from '@azure/keyvault-secrets'
import { Outputs } from '../constants.js'
import { ActionError } from '../errors.js'
import { readBoolean } from '../inputs/read.js'
import { InputTable, Inputs } from '../inputs/table.js'
import { missingWarnings, outputsOnly } from '../publish/publication.js'
import { attempt, POLL_INTERVAL_MS, required, statusOf } from '../vault/attempt.js'
import { throughTransition, type TransitionClock } from '../vault/transitions.js'
import { header, type CommonInputs, type OperationModule } from './module.js'
import { loneTarget, secretNotFound } from './advice.js'
import { forEachTarget, readExactTargets, type ExactTargets } from './shared.js'

export interface DeleteInputs extends ExactTargets {
  /** Wait until the service has finished. */
  readonly wait: boolean
  /** Purge each secret once deleted. */
  readonly purge: boolean
}

export interface DeletedSecretInfo {
  readonly name: string
  /** `deleting` when the step did not wait (`wait: false`); `purged` after `purge: true`. */
  readonly state: 'deleting' | 'deleted' | 'purged'
  readonly recoveryId: string
  readonly deletedOn: string
  readonly scheduledPurgeDate: string
}

export interface DeleteOutcome {
  readonly operation: 'delete'
  readonly secrets: readonly DeletedSecretInfo[]
  readonly missing: readonly string[]
}

const DeleteStates = { deleting: 'Started deleting', deleted: 'Deleted', purged: 'Deleted and purged' } as const

/** `delete`: soft-deletes each secret; by default waits until the delete is done, then purges when asked. */
export const del: OperationModule<DeleteInputs, DeleteOutcome> = {
  permission: {
    policy: 'delete',
    role: 'Key Vault Secrets Officer',
    dataAction: 'Microsoft.KeyVault/vaults/secrets/delete'
  },
  advice: {
    notFound: secretNotFound,
    purgeProtected: `The secret is deleted and recoverable until then; remove '${Inputs.Purge}: true' to stop at the delete.`,
    loneSecret: loneTarget
  },
  readInputs: () => {
    const targets = readExactTargets('delete')
    const wait = readBoolean(InputTable.Wait)
    const purge = readBoolean(InputTable.Purge)
    if (purge && !wait) {
      throw new ActionError(
        `Input '${Inputs.Purge}: true' needs the delete to finish first, so it cannot be used with '${Inputs.Wait}: false'. Remove one of them.`
      )
    }
    return { own: { ...targets, wait, purge } }
  },
  run: (client, inputs, { clock }) => deleteSecrets(client, inputs, clock),
  decide: (outcome) => {
    const [only] = outcome.secrets
    const outputs: Record<string, string> =
      outcome.secrets.length === 1 && only
        ? {
            [Outputs.RecoveryId]: only.recoveryId,
            [Outputs.DeletedOn]: only.deletedOn,
            [Outputs.ScheduledPurgeDate]: only.scheduledPurgeDate
          }
        : {}
    return outputsOnly(outputs, missingWarnings(outcome.missing, 'in the vault'))
  },
  log: (vault, outcome) =>
    outcome.secrets.map((secret) => `${DeleteStates[secret.state]} secret '${secret.name}' in vault '${vault.name}'.`),
  summary: (outcome) => [
    header('Secret', 'Result', 'Deleted on', 'Purge scheduled'),
    ...outcome.secrets.map((secret) => [
      secret.name,
      DeleteStates[secret.state].toLowerCase(),
      secret.deletedOn,
      secret.scheduledPurgeDate
    ]),
    ...outcome.missing.map((name) => [name, 'not found (skipped)', '', ''])
  ]
}

async function deleteSecrets(
  client: SecretClient,
  inputs: DeleteInputs & CommonInputs,
  clock: TransitionClock
): Promise<DeleteOutcome> {
  const result = await forEachTarget(inputs, async (name, missing) => {
    const poller = await attempt(
      name,
      'delete',
      () => client.beginDeleteSecret(name, { intervalInMs: POLL_INTERVAL_MS }),
      missing
    )
    if (!poller) return undefined
    const deleted = inputs.wait ? await required(name, 'delete', () => poller.pollUntilDone()) : poller.getResult()
    if (inputs.purge) await purgeAfterDelete(client, name, clock)
    const info: DeletedSecretInfo = {
      name,
      state: inputs.purge ? 'purged' : inputs.wait ? 'deleted' : 'deleting',
      recoveryId: inputs.purge ? '' : (deleted?.recoveryId ?? ''),
      deletedOn: deleted?.deletedOn?.toISOString() ?? '',
      scheduledPurgeDate: inputs.purge ? '' : (deleted?.scheduledPurgeDate?.toISOString() ?? '')
    }
    return info
  })
  return { operation: 'delete', ...result }
}

/**
 * Purges a secret this step has just deleted. An identity that may not read deleted secrets cannot
 * watch the delete finish (the poller stops at the first 403); while the delete is still in
 * progress the purge answers 409 (being deleted), or 404 (not yet among the deleted secrets).
 * Both are tried again.
 */
async function purgeAfterDelete(client: SecretClient, name: string, clock: TransitionClock): Promise<void> {
  await required(name, 'purge', () =>
    throughTransition(
      name,
      () => client.purgeDeletedSecret(name),
      ['beingDeleted'],
      clock,
      'delete',
      (error) => statusOf(error) === 404
    )
  )
}
