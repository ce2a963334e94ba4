import type { Operation } from '../constants.js'
import { SecretFailure } from './secretFailure.js'
import type { Vault } from '../inputs/vault.js'
import { refusalOf } from './serviceErrors.js'

/** Where a step that allows missing secrets notes them. */
export interface MissingSecrets {
  readonly allowed: boolean
  readonly names: string[]
}

const NoneMissingAllowed = (): MissingSecrets => ({ allowed: false, names: [] })

export const statusOf = (error: unknown): number | undefined => refusalOf(error).status

/**
 * Runs one request for one secret. A 404 is noted as missing when allowed; any other failure
 * names the secret and the operation whose permission the request needed.
 */
export async function attempt<T>(
  name: string,
  operation: Operation,
  request: () => Promise<T>,
  missing = NoneMissingAllowed(),
  /** When the secret is not in the step's vault (a full identifier names another). */
  vault?: Vault
): Promise<T | undefined> {
  try {
    return await request()
  } catch (error) {
    if (missing.allowed && statusOf(error) === 404) {
      missing.names.push(name)
      return undefined
    }
    throw new SecretFailure(name, error, operation, vault)
  }
}

/** Like `attempt`, for requests where a missing secret is an error. */
export async function required<T>(name: string, operation: Operation, request: () => Promise<T>): Promise<T> {
  return (await attempt(name, operation, request)) as T
}

// The service usually finishes a delete, recover or purge within a few seconds; polling each second keeps the step short.
export const POLL_INTERVAL_MS = 1000
