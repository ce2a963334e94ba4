import type { Operation } from './constants.js'
import type { Vault } from './inputs/vault.js'
import { quote } from './text.js'

/**
 * An error whose message is written for the user of the action: it names what was wrong and what
 * to do, and never carries a secret value. Anything else that reaches the top is unexpected.
 */
export class ActionError extends Error {
  override readonly name = 'ActionError'
}

/** The error for an input whose value is not one of a fixed set. */
export function notOneOf(input: string, value: string, accepted: readonly string[]): ActionError {
  return new ActionError(
    `Input '${input}' has an unknown value ${quote(value)}. Accepted values: ${accepted.join(', ')}.`
  )
}

/**
 * A vault request for one secret failed; carries the name so the message can say which, and the
 * operation whose permission the request needed (a `set` may first `get`, or `recover`).
 */
export class SecretFailure extends Error {
  override readonly name = 'SecretFailure'
  constructor(
    readonly secretName: string,
    override readonly cause: unknown,
    readonly operation?: Operation,
    /** The secret's vault, when it is not the step's (a full identifier). */
    readonly vault?: Vault,
    /** A read refused because the secret expired (SecretExpired): when, as its versions listing says. */
    readonly expiredOn?: Date
  ) {
    super(`Request for secret '${secretName}' failed`)
  }
}
