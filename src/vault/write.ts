import type { KeyVaultSecret, SecretClient } from '@azure/keyvault-secrets'
import { SecretFailure } from '../errors.js'
import { maskValue } from '../masking.js'
import type { SetRequest } from '../setInputs.js'
import { attempt, statusOf } from './attempt.js'
import { purgeAndWait, recoverAndWait } from './lifecycle.js'

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
 * name (409) is recovered or purged first when `if-deleted` says so.
 */
export async function setSecret(client: SecretClient, name: string, request: SetRequest): Promise<SetOutcome> {
  return write(client, name, request)
}

async function write(client: SecretClient, name: string, request: SetRequest, restored?: SetOutcome['restored']): Promise<SetOutcome> {
  const outcome = (secret: KeyVaultSecret, changed: boolean): SetOutcome => ({
    operation: 'set',
    secretName: name,
    version: secret.properties.version ?? '',
    id: secret.properties.id ?? '',
    changed,
    restored,
    expiresOn: secret.properties.expiresOn?.toISOString() ?? '',
    generatedValue: request.generated ? request.value : undefined
  })
  if (request.skipUnchanged) {
    const current = await currentSecret(client, name)
    if (current && current.value === request.value && (current.properties.contentType ?? '') === (request.contentType ?? '')) {
      return outcome(current, false)
    }
  }
  try {
    const secret = await client.setSecret(name, request.value, {
      contentType: request.contentType,
      tags: request.tags ? { ...request.tags } : undefined,
      expiresOn: request.expiresOn,
      notBefore: request.notBefore,
      enabled: request.enabled
    })
    return outcome(secret, true)
  } catch (error) {
    if (restored || request.ifDeleted === 'fail' || !isDeletedButRecoverable(error)) throw new SecretFailure(name, error, 'set')
    if (request.ifDeleted === 'recover') await recoverAndWait(client, name)
    else await purgeAndWait(client, name)
    return write(client, name, request, request.ifDeleted === 'recover' ? 'recovered' : 'purged')
  }
}

/** The current version, to compare with; none when the secret does not exist or is disabled. */
async function currentSecret(client: SecretClient, name: string): Promise<KeyVaultSecret | undefined> {
  const current = await attempt(name, 'get', async () => {
    try {
      return await client.getSecret(name)
    } catch (error) {
      // A disabled current version cannot be read: a new version replaces it.
      if (statusOf(error) === 403 && /disabled secret/i.test((error as Error).message)) return undefined
      throw error
    }
  }, { allowed: true, names: [] })
  // The stored value may be the one being replaced: it must not reach a log either.
  maskValue(current?.value)
  return current
}

export const isDeletedButRecoverable = (error: unknown): boolean =>
  statusOf(error) === 409 && /deleted but recoverable/i.test((error as Error).message)
