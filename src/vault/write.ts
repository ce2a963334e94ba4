import type { KeyVaultSecret, SecretClient } from '@azure/keyvault-secrets'
import { SecretFailure } from '../errors.js'
import { maskValue } from '../masking.js'
import type { SetRequest } from '../setInputs.js'
import { attempt, required } from './attempt.js'
import { recoverAndWait } from './lifecycle.js'
import { isCondition } from './serviceErrors.js'
import { throughTransition, type TransitionClock } from './transitions.js'

export interface SetOutcome {
  readonly operation: 'set'
  readonly secretName: string
  readonly version: string
  readonly id: string
  /** False when `skip-unchanged` found the value already stored. */
  readonly changed: boolean
  /** What `if-deleted` did first, when the name belonged to a soft-deleted secret. */
  readonly restored?: 'recovered' | 'purged'
  readonly expiresOn: string
  /** Set only for a generated value, which later steps need; masked since it was made. */
  readonly generatedValue?: string
}

/**
 * Writes a new version, unless `skip-unchanged` finds the value already current. A soft-deleted
 * name (409) is recovered or purged first when `if-deleted` says so. A write the vault refuses
 * because it is still finishing a purge, recover or delete of the name ("retry later") is retried
 * within the run's `timeout`: after this step's own purge or recover that is expected.
 */
export async function setSecret(
  client: SecretClient,
  name: string,
  request: SetRequest,
  clock: TransitionClock,
  minMaskLength: number
): Promise<SetOutcome> {
  const failure = (error: unknown): SecretFailure =>
    error instanceof SecretFailure ? error : new SecretFailure(name, error, 'set')
  try {
    return await write(client, name, request, clock, minMaskLength)
  } catch (error) {
    if (request.ifDeleted === 'fail' || !isCondition(error, 'deletedButRecoverable')) throw failure(error)
  }
  const cause = request.ifDeleted
  if (cause === 'recover') await recoverAndWait(client, name)
  else await required(name, 'purge', () => client.purgeDeletedSecret(name))
  return write(client, name, request, clock, minMaskLength, cause).catch((error: unknown) => {
    throw failure(error)
  })
}

/** What `if-deleted` did first, as the outcome reports it. */
const Restored = { recover: 'recovered', purge: 'purged' } as const

async function write(
  client: SecretClient,
  name: string,
  request: SetRequest,
  clock: TransitionClock,
  minMaskLength: number,
  restoredBy?: 'recover' | 'purge'
): Promise<SetOutcome> {
  const outcome = (secret: KeyVaultSecret, changed: boolean): SetOutcome => ({
    operation: 'set',
    secretName: name,
    version: secret.properties.version ?? '',
    id: secret.properties.id ?? '',
    changed,
    restored: restoredBy && Restored[restoredBy],
    expiresOn: secret.properties.expiresOn?.toISOString() ?? '',
    generatedValue: request.generated ? request.value : undefined
  })
  if (request.skipUnchanged) {
    const current = await currentSecret(client, name, minMaskLength)
    if (
      current &&
      current.value === request.value &&
      (current.properties.contentType ?? '') === (request.contentType ?? '')
    ) {
      return outcome(current, false)
    }
  }
  const put = (): Promise<KeyVaultSecret> =>
    client.setSecret(name, request.value, {
      contentType: request.contentType,
      tags: request.tags ? { ...request.tags } : undefined,
      expiresOn: request.expiresOn,
      notBefore: request.notBefore,
      enabled: request.enabled
    })
  return outcome(await throughTransition(name, put, ['beingDeleted', 'beingRecovered'], clock, restoredBy), true)
}

/** The current version, to compare with; none when the secret does not exist or is disabled. */
async function currentSecret(
  client: SecretClient,
  name: string,
  minMaskLength: number
): Promise<KeyVaultSecret | undefined> {
  const current = await attempt(
    name,
    'get',
    async () => {
      try {
        return await client.getSecret(name)
      } catch (error) {
        // A disabled current version cannot be read: a new version replaces it.
        if (isCondition(error, 'secretDisabled')) return undefined
        throw error
      }
    },
    { allowed: true, names: [] }
  )
  // The stored value may be the one being replaced: it must not reach a log either.
  maskValue(current?.value, minMaskLength)
  return current
}
