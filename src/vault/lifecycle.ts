import type { SecretClient } from '@azure/keyvault-secrets'
import { mapWithConcurrency } from '../concurrency.js'
import { SecretFailure } from '../errors.js'
import type { ActionInputs } from '../inputs.js'
import { attempt, POLL_INTERVAL_MS, required, sleep, statusOf, type MissingSecrets } from './attempt.js'

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
  /** False when the step did not wait for the purge to finish (`wait: false`). */
  readonly gone: boolean
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
export async function deleteSecrets(client: SecretClient, inputs: ActionInputs): Promise<DeleteOutcome> {
  const result = await forEachTarget(inputs, async (name, missing) => {
    const poller = await attempt(name, 'delete', () => client.beginDeleteSecret(name, { intervalInMs: POLL_INTERVAL_MS }), missing)
    if (!poller) return undefined
    const deleted = inputs.wait ? await required(name, 'delete', () => poller.pollUntilDone()) : poller.getResult()
    if (inputs.purge) await purgeAndWait(client, name)
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
    const poller = await attempt(name, 'recover', () => client.beginRecoverDeletedSecret(name, { intervalInMs: POLL_INTERVAL_MS }), missing)
    if (!poller) return undefined
    const properties = inputs.wait ? await required(name, 'recover', () => poller.pollUntilDone()) : poller.getResult()
    return { name, readable: inputs.wait, version: properties?.version ?? '', id: properties?.id ?? '' }
  })
  return { operation: 'recover', ...result }
}

/** Purges each soft-deleted secret for good; by default waits until the name is free again. */
export async function purgeSecrets(client: SecretClient, inputs: ActionInputs): Promise<PurgeOutcome> {
  const result = await forEachTarget(inputs, async (name, missing): Promise<PurgedSecret | undefined> => {
    const purged = await attempt(name, 'purge', async () => (await client.purgeDeletedSecret(name), true), missing)
    if (!purged) return undefined
    if (inputs.wait) await waitUntilPurged(client, name)
    return { name, gone: inputs.wait }
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

// How many times (one a second) a purge is tried while the delete before it may still be in progress.
const PURGE_ATTEMPTS = 60

/**
 * Purges a soft-deleted secret and waits until the name is free again. A delete the poller could
 * not watch (an identity without `get` sees 403 and the poller stops) may still be in progress:
 * the purge then answers 404, and is tried again each second.
 */
export async function purgeAndWait(client: SecretClient, name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.purgeDeletedSecret(name)
      break
    } catch (error) {
      if (statusOf(error) !== 404 || attempt >= PURGE_ATTEMPTS) throw new SecretFailure(name, error, 'purge')
      await sleep(POLL_INTERVAL_MS)
    }
  }
  await waitUntilPurged(client, name)
}

/**
 * A purge is accepted at once (204) but finishes later; until then the name still shows among the
 * deleted secrets and cannot be reused (409). Polls until the deleted secret is gone.
 */
async function waitUntilPurged(client: SecretClient, name: string): Promise<void> {
  for (;;) {
    try {
      await client.getDeletedSecret(name)
    } catch (error) {
      const status = statusOf(error)
      // 404: gone. 403: the identity may purge but not read deleted secrets; nothing more to observe.
      if (status === 404 || status === 403) return
      throw new SecretFailure(name, error, 'purge')
    }
    await sleep(POLL_INTERVAL_MS)
  }
}
