import type { SecretClient } from '@azure/keyvault-secrets'
import { mapWithConcurrency } from '../concurrency.js'
import type { ActionInputs } from '../inputs.js'
import { attempt, POLL_INTERVAL_MS, required, statusOf, type MissingSecrets } from './attempt.js'
import { throughTransition, type TransitionClock } from './transitions.js'

export interface DeletedSecretInfo {
  readonly name: string
  /** `deleting` when the step did not wait (`wait: false`); `purged` after `purge: true`. */
  readonly state: 'deleting' | 'deleted' | 'purged'
  readonly recoveryId: string
  readonly deletedOn: string
  readonly scheduledPurgeDate: string
}

export interface RecoveredSecret {
  readonly name: string
  /** False when the step did not wait for the recovery to finish (`wait: false`). */
  readonly readable: boolean
  readonly version: string
  readonly id: string
}

export interface PurgedSecret {
  readonly name: string
}

export interface DeleteOutcome {
  readonly operation: 'delete'
  readonly secrets: readonly DeletedSecretInfo[]
  readonly missing: readonly string[]
}

export interface RecoverOutcome {
  readonly operation: 'recover'
  readonly secrets: readonly RecoveredSecret[]
  readonly missing: readonly string[]
}

export interface PurgeOutcome {
  readonly operation: 'purge'
  readonly secrets: readonly PurgedSecret[]
  readonly missing: readonly string[]
}

/** Runs `act` for every target name, `concurrency` at a time, noting missing ones when allowed. */
async function forEachTarget<T>(
  inputs: ActionInputs,
  act: (name: string, missing: MissingSecrets) => Promise<T | undefined>
): Promise<{ secrets: T[]; missing: string[] }> {
  const missing: MissingSecrets = { allowed: inputs.ignoreMissing, names: [] }
  const done = await mapWithConcurrency(inputs.targets, inputs.concurrency, ({ name }) => act(name, missing))
  return { secrets: done.filter((result): result is T => result !== undefined), missing: missing.names }
}

/** Soft-deletes each secret; by default waits until the delete is done, then purges when asked. */
export async function deleteSecrets(
  client: SecretClient,
  inputs: ActionInputs,
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

/** Recovers each soft-deleted secret; by default waits until it can be read again. */
export async function recoverSecrets(client: SecretClient, inputs: ActionInputs): Promise<RecoverOutcome> {
  const result = await forEachTarget(inputs, async (name, missing): Promise<RecoveredSecret | undefined> => {
    const poller = await attempt(
      name,
      'recover',
      () => client.beginRecoverDeletedSecret(name, { intervalInMs: POLL_INTERVAL_MS }),
      missing
    )
    if (!poller) return undefined
    const properties = inputs.wait ? await required(name, 'recover', () => poller.pollUntilDone()) : poller.getResult()
    return { name, readable: inputs.wait, version: properties?.version ?? '', id: properties?.id ?? '' }
  })
  return { operation: 'recover', ...result }
}

/**
 * Purges each soft-deleted secret for good. The service accepts a purge (204) before it has
 * finished and never says when it has: the deleted secret is gone from `GET /deletedsecrets` at
 * once, while a write of the name is refused for some seconds more. So there is nothing to wait
 * for here; a `set` of the name retries while the vault is still freeing it.
 */
export async function purgeSecrets(client: SecretClient, inputs: ActionInputs): Promise<PurgeOutcome> {
  const result = await forEachTarget(inputs, async (name, missing): Promise<PurgedSecret | undefined> => {
    const purged = await attempt(name, 'purge', async () => (await client.purgeDeletedSecret(name), true), missing)
    return purged ? { name } : undefined
  })
  return { operation: 'purge', ...result }
}

/** Recovers a soft-deleted secret and waits until it can be read. */
export async function recoverAndWait(client: SecretClient, name: string): Promise<void> {
  await required(name, 'recover', async () => {
    const poller = await client.beginRecoverDeletedSecret(name, { intervalInMs: POLL_INTERVAL_MS })
    return poller.pollUntilDone()
  })
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
