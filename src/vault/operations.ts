import type { SecretClient } from '@azure/keyvault-secrets'
import type { ActionInputs } from '../inputs.js'
import {
  deleteSecrets,
  purgeSecrets,
  recoverSecrets,
  type DeleteOutcome,
  type PurgeOutcome,
  type RecoverOutcome
} from './lifecycle.js'
import { getSecrets, listSecrets, type GetOutcome, type ListOutcome } from './read.js'
import type { TransitionClock } from './transitions.js'
import { setSecret, type SetOutcome } from './write.js'

export type { DeletedSecretInfo, PurgedSecret, RecoveredSecret } from './lifecycle.js'
export type { FileSecret, ReadSecret, SecretListing } from './read.js'

/** What the operation did, for outputs and the summary. Values only where later steps need them. */
export type Outcome = GetOutcome | ListOutcome | SetOutcome | DeleteOutcome | RecoverOutcome | PurgeOutcome

/**
 * Carries out the operation. Every request finishes before the caller exports anything, so a
 * failure leaves nothing half-done. `clock` paces the retries of writes and purges that meet a
 * purge, recover or delete the vault is still finishing.
 */
export async function performOperation(
  client: SecretClient,
  inputs: ActionInputs,
  clock: TransitionClock
): Promise<Outcome> {
  switch (inputs.operation) {
    case 'get':
      return getSecrets(client, inputs)
    case 'list':
      return listSecrets(client)
    case 'set':
      if (!inputs.set) throw new Error('set without a value source')
      return setSecret(client, inputs.secretName, inputs.set, clock, inputs.minMaskLength)
    case 'delete':
      return deleteSecrets(client, inputs, clock)
    case 'recover':
      return recoverSecrets(client, inputs)
    case 'purge':
      return purgeSecrets(client, inputs)
  }
}
